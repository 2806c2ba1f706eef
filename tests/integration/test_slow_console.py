"""A console that stops reading must not hold the server or the other consoles back."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from liveops.config import Settings
from tests.conftest import running_server
from tests.integration.test_ingest_api import create_show
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(180)]


def long_comment(n: int) -> dict[str, Any]:
    """~400 varied CJK characters (~1.2 KB): text that does not compress away."""
    rng = random.Random(n)
    text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(400))
    return {
        "id": f"c{n}",
        "type": "comment",
        "ts": at(((n // 1000) % 60) * 60 + (n // 20) % 60),
        "viewer_id": f"v{n % 500}",
        "text": text,
    }


def comment_ids(frame: dict[str, Any]) -> list[str]:
    if frame["type"] != "feed":
        return []
    return [i["id"] for i in frame["items"] if i["kind"] == "comment"]


async def read_all(ws: ClientConnection, seen: list[str], offsets: list[int]) -> int | None:
    """Read until the server closes; returns the close code."""
    try:
        async for raw in ws:
            frame = json.loads(raw)
            if "offset" in frame and frame["type"] != "snapshot":
                offsets.append(frame["offset"])
            seen.extend(comment_ids(frame))
    except ConnectionClosed as closed:
        return None if closed.rcvd is None else closed.rcvd.code
    return None if ws.close_code is None else ws.close_code


async def test_a_console_that_stops_reading_is_cut_off_and_resumes_with_nothing_lost(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, console_queue_max_frames=5)
    total = 20_000
    async with running_server(settings) as server:
        show = await create_show(server)
        url = f"{server.ws_url}/api/v1/shows/{show}/live"
        headers = {"Authorization": f"Bearer {server.token}"}
        healthy = await connect(url, additional_headers=headers, max_size=None)
        # max_queue=1: the client stops reading from its socket after one unread frame; a small
        # fixed receive buffer (no autotuning up to 32 MB on this kernel) makes it fall behind
        # after a few MB, as a stalled tablet does over a long show.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(
            sock, ("127.0.0.1", int(url.split(":")[2].split("/")[0]))
        )
        paused = await connect(
            url, additional_headers=headers, max_size=None, max_queue=1, sock=sock
        )
        snapshot = json.loads(await paused.recv())
        assert json.loads(await healthy.recv())["type"] == "snapshot"

        healthy_seen: list[str] = []
        healthy_reader = asyncio.create_task(read_all(healthy, healthy_seen, []))
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as client:
            for start in range(0, total, 500):
                events = [long_comment(n) for n in range(start, start + 500)]
                response = await client.post(
                    f"/api/v1/shows/{show}/events", json={"events": events}
                )
                assert response.status_code == 200
            for _ in range(600):
                if len(healthy_seen) >= total:
                    break
                await asyncio.sleep(0.05)
        assert len(healthy_seen) == total, "the healthy console was held back"

        # The paused console reads again: what was buffered, then the 4008 close.
        paused_seen: list[str] = []
        paused_offsets: list[int] = []
        try:
            code = await asyncio.wait_for(read_all(paused, paused_seen, paused_offsets), 20)
        except TimeoutError:
            raise AssertionError(f"no close; paused console saw {len(paused_seen)}") from None
        assert code == 4008
        assert len(paused_seen) < total
        last = paused_offsets[-1] if paused_offsets else snapshot["offset"]
        resume = f"{url}?epoch={snapshot['epoch']}&offset={last}"
        async with connect(resume, additional_headers=headers, max_size=None) as again:
            assert json.loads(await again.recv())["type"] == "resumed"
            while len(paused_seen) < total:
                frame = json.loads(await asyncio.wait_for(again.recv(), 10))
                paused_offsets.append(frame["offset"])
                paused_seen.extend(comment_ids(frame))
        assert paused_seen == [f"c{n}" for n in range(total)]
        assert paused_offsets == list(
            range(paused_offsets[0], paused_offsets[0] + len(paused_offsets))
        )
        await healthy.close()
        healthy_reader.cancel()
        async with httpx.AsyncClient(headers=headers) as client:
            metrics = (await client.get(f"{server.url}/metrics")).text
        assert 'liveops_console_server_closes_total{code="4008"} 1.0' in metrics
