"""The console websocket (contract §6, docs/protocol.md) against a real uvicorn with a real
websockets client. Every test is bounded by a timeout."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def comment(n: int, second: int = 0) -> dict[str, Any]:
    return {
        "id": f"c{n}",
        "type": "comment",
        "ts": at(second),
        "viewer_id": f"v{n % 7}",
        "text": f"第{n}条：有没有XL码？",
    }


def joined(n: int) -> dict[str, Any]:
    return {
        "id": f"j{n}",
        "type": "viewer.join",
        "ts": at(0),
        "viewer_id": f"v{n}",
    }


async def post(server: Server, show: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    async with server.client() as client:
        response = await client.post(f"/api/v1/shows/{show}/events", json={"events": events})
    assert response.status_code == 200, response.text
    return dict(response.json())


def open_console(server: Server, show: str, token: str | None = None, query: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token or server.token}"}
    return connect(f"{server.ws_url}/api/v1/shows/{show}/live{query}", additional_headers=headers)


async def receive(ws: ClientConnection, within: float = 5) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), within)))


async def drain_until(ws: ClientConnection, done: Any, within: float = 10) -> list[dict[str, Any]]:
    """Collect frames until `done(frames)` is true."""
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        while not done(frames):
            frames.append(await receive(ws, within))
    return frames


def comment_ids(frames: list[dict[str, Any]]) -> list[str]:
    return [
        i["id"] for f in frames if f["type"] == "feed" for i in f["items"] if i["kind"] == "comment"
    ]


class TestConsoleStream:
    async def test_first_frame_is_a_snapshot_with_every_metric_and_a_position(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        await post(server, show, [joined(1), joined(2), comment(1)])
        async with open_console(server, show) as ws:
            snapshot = await receive(ws)
        assert snapshot["type"] == "snapshot"
        assert isinstance(snapshot["epoch"], str)
        assert isinstance(snapshot["offset"], int)
        assert snapshot["metrics"]["uv"] == 2
        assert snapshot["metrics"]["comments"] == 1
        assert len(snapshot["metrics"]) == 28
        assert [i["id"] for i in snapshot["feed"]] == ["c1"]
        assert snapshot["show"]["id"] == show

    async def test_changes_arrive_with_consecutive_offsets(self, server: Server) -> None:
        show = await create_show(server)
        async with open_console(server, show) as ws:
            snapshot = await receive(ws)
            await post(server, show, [joined(1), comment(1), comment(2)])
            frames = await drain_until(
                ws,
                lambda fs: (
                    len(comment_ids(fs)) == 2
                    and any(
                        f["type"] == "metrics" and f["metrics"].get("comments") == 2 for f in fs
                    )
                ),
            )
        offsets = [f["offset"] for f in frames]
        assert offsets == list(range(snapshot["offset"] + 1, snapshot["offset"] + 1 + len(frames)))
        assert all(f["epoch"] == snapshot["epoch"] for f in frames)

    async def test_a_burst_becomes_few_frames_but_every_comment_arrives(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        burst = [comment(n, second=n // 200) for n in range(10_000)]
        async with open_console(server, show) as ws:
            await receive(ws)
            for start in range(0, len(burst), 2_500):
                await post(server, show, burst[start : start + 2_500])
            frames = await drain_until(ws, lambda fs: len(comment_ids(fs)) == 10_000, within=30)
        assert comment_ids(frames) == [c["id"] for c in burst]
        assert len(frames) < 200  # 10,000 events, a few dozen frames
        metric_frames = [f for f in frames if f["type"] == "metrics"]
        assert len(metric_frames) <= 40

    async def test_resume_after_a_disconnect_misses_nothing_and_repeats_nothing(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        async with open_console(server, show) as ws:
            snapshot = await receive(ws)
            await post(server, show, [comment(n) for n in range(0, 50)])
            seen = await drain_until(ws, lambda fs: len(comment_ids(fs)) == 50)
        last = seen[-1]
        # While the console is away, more happens.
        for start in range(50, 300, 50):
            await post(server, show, [comment(n) for n in range(start, start + 50)])
        await asyncio.sleep(0.3)
        query = f"?epoch={last['epoch']}&offset={last['offset']}"
        async with open_console(server, show, query=query) as ws:
            resumed = await receive(ws)
            assert resumed == {
                "type": "resumed",
                "epoch": snapshot["epoch"],
                "offset": last["offset"],
            }
            await post(server, show, [comment(n) for n in range(300, 320)])
            rest = await drain_until(ws, lambda fs: len(comment_ids(fs)) == 270)
        everything = comment_ids(seen) + comment_ids(rest)
        assert everything == [f"c{n}" for n in range(320)]
        offsets = [f["offset"] for f in seen + rest]
        assert offsets == list(range(snapshot["offset"] + 1, offsets[-1] + 1))

    async def test_consoles_on_uvicorn_are_written_to_directly(
        self, server: Server, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The fast path is taken for real (not silently the ASGI fallback), and what it
        writes is what the websocket client reads."""
        show = await create_show(server)
        with caplog.at_level(logging.INFO, logger="liveops.console"):
            async with open_console(server, show) as ws:
                snapshot = await receive(ws)
                await post(server, show, [comment(n) for n in range(5)])
                ids: list[str] = []
                async with asyncio.timeout(10):
                    while len(ids) < 5:
                        message = await receive(ws)
                        ids += [i["id"] for i in message.get("items", ()) if i["kind"] == "comment"]
        assert snapshot["type"] == "snapshot"
        assert ids == [f"c{n}" for n in range(5)]
        assert any("direct writes" in r.getMessage() for r in caplog.records)

    async def test_an_ndjson_console_gets_what_queued_coalesced_into_one_frame(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        async with open_console(server, show) as ws:
            snapshot = await receive(ws)
        for start in range(0, 200, 20):  # ten feed publications, at least, while away
            await post(server, show, [comment(n) for n in range(start, start + 20)])
            await asyncio.sleep(0.05)
        query = f"?epoch={snapshot['epoch']}&offset={snapshot['offset']}"
        url = f"{server.ws_url}/api/v1/shows/{show}/live{query}"
        headers = {"Authorization": f"Bearer {server.token}"}
        async with connect(url, additional_headers=headers, subprotocols=["liveops.ndjson"]) as ws:
            assert ws.subprotocol == "liveops.ndjson"
            raw = await asyncio.wait_for(ws.recv(), 5)
            assert isinstance(raw, str)
            messages = [json.loads(line) for line in raw.split("\n")]
            first_frame = len(messages)
            async with asyncio.timeout(10):
                while len(comment_ids(messages)) < 200:
                    raw = await ws.recv()
                    assert isinstance(raw, str)
                    messages += [json.loads(line) for line in raw.split("\n")]
        # The resume gap was queued at once, so it left in the first frame with `resumed`.
        assert messages[0]["type"] == "resumed"
        assert comment_ids(messages[1:]) == [f"c{n}" for n in range(200)]
        offsets = [m["offset"] for m in messages[1:]]
        assert offsets == list(range(snapshot["offset"] + 1, offsets[-1] + 1))
        assert len(offsets) >= 10
        assert first_frame == len(offsets) + 1  # `resumed` and the whole gap, one write

    async def test_a_position_from_another_epoch_gets_resync_then_a_fresh_snapshot(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        await post(server, show, [joined(1)])
        async with open_console(server, show, query="?epoch=gone&offset=12") as ws:
            first, second = await receive(ws), await receive(ws)
        assert first["type"] == "resync"
        assert "epoch" in first["reason"]
        assert second["type"] == "snapshot"
        assert second["metrics"]["uv"] == 1

    async def test_resync_on_a_show_with_nothing_published_still_sends_the_snapshot(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        async with open_console(server, show, query="?epoch=gone&offset=0") as ws:
            first, second = await receive(ws), await receive(ws)
        assert first["type"] == "resync"
        assert second["type"] == "snapshot"

    async def test_ping_and_bad_frames_are_answered_and_the_socket_stays_open(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        async with open_console(server, show) as ws:
            await receive(ws)
            await ws.send("not json")
            assert (await receive(ws))["code"] == "bad_frame"
            await ws.send(json.dumps({"type": "dance"}))
            assert (await receive(ws))["code"] == "unknown_type"
            await ws.send(json.dumps({"type": "ping"}))
            assert (await receive(ws))["type"] == "pong"


class TestConsoleAccess:
    async def test_unknown_token_is_closed_with_4401(self, server: Server) -> None:
        show = await create_show(server)
        async with open_console(server, show, token="nope") as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401

    async def test_unknown_show_is_closed_with_4404(self, server: Server) -> None:
        async with open_console(server, "show_missing") as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4404

    async def test_a_token_for_show_a_can_never_read_or_write_show_b(self, server: Server) -> None:
        show_a = await create_show(server)
        show_b = await create_show(server)
        async with server.client() as admin:
            minted = {
                role: (
                    await admin.post("/api/v1/auth/tokens", json={"role": role, "show_id": show_a})
                ).json()["token"]
                for role in ("field_control", "integrator", "anchor", "assistant")
            }
        for role, token in minted.items():
            async with server.client(token) as client:
                wrote_b = await client.post(
                    f"/api/v1/shows/{show_b}/events", json={"events": [joined(1)]}
                )
                assert wrote_b.status_code == 403, role
                assert (await client.get(f"/api/v1/shows/{show_b}/review")).status_code == 403
                assert (await client.get(f"/api/v1/shows/{show_b}")).status_code == 403
                listed = (await client.get("/api/v1/shows")).json()["items"]
                assert [s["id"] for s in listed] == [show_a], role
            async with open_console(server, show_b, token=token) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await receive(ws)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4403, role
        # ...and the same tokens do work on show A where their role allows.
        async with server.client(minted["integrator"]) as client:
            ok = await client.post(f"/api/v1/shows/{show_a}/events", json={"events": [joined(1)]})
            assert ok.status_code == 200
        async with open_console(server, show_a, token=minted["anchor"]) as ws:
            assert (await receive(ws))["type"] == "snapshot"
