"""Replay of an ended show over the live websocket (contract §13, docs/protocol.md "Replay"),
against a real uvicorn with a real websockets client, on every backend. Every test is bounded
by a timeout."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from liveops.live.messages import server_message
from liveops.simulate import SimulationConfig, run_simulation
from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.integration.test_live_websocket import open_console, post, receive
from tests.integration.test_runsheet_api import call
from tests.integration.test_simulated_show import assert_same_metrics
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(180)]

LIVE_TYPES = {"snapshot", "metrics", "feed", "stock", "alert", "show", "prompter", "cue"}
LIVE_TYPES |= {"action", "commerce", "questions", "skip"}


async def simulated_ended_show(server: Server, *, seconds: int = 120) -> str:
    show = await create_show(server)
    config = SimulationConfig(
        url=server.url,
        show_id=show,
        duration=seconds,
        rate=40,
        seed=11,
        token=server.token,
        realtime=False,
        start=datetime.now(UTC) - timedelta(minutes=10),
        on_air=False,
    )
    report = await run_simulation(config, out=lambda _: None)
    assert report.accepted > 1_000
    return show


async def empty_ended_show(server: Server) -> str:
    show = await create_show(server)
    for step in ("start", "end"):
        answer = await call(server, "POST", f"/api/v1/shows/{show}/{step}")
        assert answer.status_code == 200, answer.text
    return show


class Follower:
    """What a console holds: the snapshot's metrics with every `metrics` message laid over."""

    def __init__(self) -> None:
        self.metrics: dict[str, Any] = {}
        self.types: list[str] = []
        self.replay: list[dict[str, Any]] = []
        self.feed_items = 0
        self.last_snapshot: dict[str, Any] = {}

    def take(self, frame: dict[str, Any]) -> None:
        server_message.validate_python(frame)  # every frame is a documented message
        self.types.append(frame["type"])
        if frame["type"] == "snapshot":
            self.metrics = dict(frame["metrics"])
            self.last_snapshot = frame
        elif frame["type"] == "metrics":
            self.metrics.update(frame["metrics"])
        elif frame["type"] == "feed":
            self.feed_items += len(frame["items"])
        elif frame["type"] == "replay":
            self.replay.append(frame)

    async def until(self, ws: ClientConnection, done: Any, within: float = 60) -> None:
        async with asyncio.timeout(within):
            while not done():
                self.take(await receive(ws, within))


async def test_a_replay_at_60x_ends_with_the_review_summary(server: Server) -> None:
    show = await simulated_ended_show(server)
    review = (await call(server, "GET", f"/api/v1/shows/{show}/review")).json()
    assert review["show"]["status"] == "ended"

    console = Follower()
    async with open_console(server, show, query="?replay=60") as ws:
        await console.until(
            ws, lambda: bool(console.replay) and console.replay[-1]["state"] == "ended"
        )
    assert console.types[0] == "snapshot"
    assert console.metrics.get("uv", 0) == review["summary"]["uv"]
    assert_same_metrics(console.metrics, review["summary"], "replay's final metrics")
    # The end brings a whole snapshot too, with the same figures.
    assert console.types[-2:] == ["snapshot", "replay"]
    assert_same_metrics(console.last_snapshot["metrics"], review["summary"], "final snapshot")
    # The same message types as live (plus where the replay stands), and the show played out
    # over time: many metrics frames, the comments and orders in feed frames.
    assert set(console.types) - {"replay"} <= LIVE_TYPES
    assert console.types.count("metrics") > 3
    assert console.feed_items > 0
    first, last = console.replay[0], console.replay[-1]
    assert first["state"] == "playing"
    assert first["speed"] == 60
    assert first["position_ms"] == first["start_ms"] < first["end_ms"] == last["position_ms"]
    # The show ended as it did: the last `show` message holds its end.
    assert "show" in console.types


async def test_a_replay_pauses_seeks_and_changes_speed(server: Server) -> None:
    show = await simulated_ended_show(server, seconds=600)
    console = Follower()
    async with open_console(server, show, query="?replay=1") as ws:
        await console.until(ws, lambda: len(console.replay) >= 1)
        span = console.replay[0]
        assert span["state"] == "playing"
        assert span["speed"] == 1

        await ws.send('{"type": "replay.pause"}')
        await console.until(ws, lambda: console.replay[-1]["state"] == "paused")
        paused_at = console.replay[-1]["position_ms"]

        middle = (span["start_ms"] + span["end_ms"]) // 2
        await ws.send(f'{{"type": "replay.seek", "position_ms": {middle}}}')
        snapshots = console.types.count("snapshot")
        await console.until(
            ws,
            lambda: (
                console.types.count("snapshot") > snapshots
                and console.replay[-1]["position_ms"] == middle
            ),
        )
        assert console.replay[-1]["state"] == "paused"  # a seek keeps the replay paused
        assert paused_at < middle
        halfway_uv = console.metrics["uv"]

        await ws.send('{"type": "replay.speed", "speed": 120}')
        await console.until(ws, lambda: console.replay[-1]["speed"] == 120)
        await ws.send('{"type": "replay.play"}')
        await console.until(ws, lambda: console.replay[-1]["state"] == "ended", within=60)

        await ws.send('{"type": "replay.speed", "speed": 500}')
        error = await receive(ws)
        assert error["type"] == "error", error
        assert "replay.speed" in error["message"], error
    review = (await call(server, "GET", f"/api/v1/shows/{show}/review")).json()
    assert 0 < halfway_uv <= review["summary"]["uv"]
    assert_same_metrics(console.metrics, review["summary"], "replay after a seek")


@pytest.mark.parametrize("speed", ["0", "121", "fast", "nan", ""])
async def test_a_bad_speed_is_refused_with_a_reason(server: Server, speed: str) -> None:
    show = await empty_ended_show(server)
    async with open_console(server, show, query=f"?replay={speed}") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4422
    assert "1 to 120" in closed.value.rcvd.reason


async def test_only_an_ended_show_is_replayed(server: Server) -> None:
    show = await create_show(server)
    await post(server, show, [{"id": "j1", "type": "viewer.join", "ts": at(0), "viewer_id": "v1"}])
    async with open_console(server, show, query="?replay=10") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4409

    async with open_console(server, "no-such-show", query="?replay=10") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4404


async def test_an_empty_ended_show_replays_to_its_end_at_once(server: Server) -> None:
    show = await empty_ended_show(server)
    console = Follower()
    async with open_console(server, show, query="?replay=5") as ws:
        await console.until(
            ws, lambda: bool(console.replay) and console.replay[-1]["state"] == "ended", within=10
        )
    assert console.types[0] == "snapshot"
    assert console.metrics["uv"] == 0
