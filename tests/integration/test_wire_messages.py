"""Every frame a real session produces is a valid message of live.messages (and so of
docs/asyncapi.json): the models are strict, so any drift in the hot-path dicts fails here."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from websockets.asyncio.client import connect

from liveops.live.messages import server_message
from liveops.simulate import SimulationConfig, run_simulation
from tests.conftest import Server
from tests.integration.test_ingest_api import create_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


async def test_every_frame_of_a_simulated_show_matches_the_message_models(server: Server) -> None:
    show = await create_show(server)
    headers = {"Authorization": f"Bearer {server.token}"}
    url = f"{server.ws_url}/api/v1/shows/{show}/live"
    raw_frames: list[str] = []
    async with connect(url, additional_headers=headers, max_size=None) as ws:
        raw_frames.append(str(await ws.recv()))
        config = SimulationConfig(
            url=server.url,
            show_id=show,
            duration=6,
            rate=300,
            seed=2,
            token=server.token,
            realtime=False,
            start=datetime.now(UTC) - timedelta(minutes=1),
        )
        await run_simulation(config, out=lambda _: None)
        await ws.send(json.dumps({"type": "ping"}))
        await ws.send("garbage")
        await ws.send(json.dumps({"type": "dance"}))
        while True:
            try:
                raw_frames.append(str(await asyncio.wait_for(ws.recv(), 1.5)))
            except TimeoutError:
                break
    positioned = [json.loads(f) for f in raw_frames if '"offset"' in f and '"epoch"' in f]
    last = positioned[-1]
    async with connect(
        f"{url}?epoch={last['epoch']}&offset={last['offset'] - 2}",
        additional_headers=headers,
        max_size=None,
    ) as ws:
        raw_frames.extend([str(await ws.recv()) for _ in range(3)])
    async with connect(f"{url}?epoch=gone&offset=1", additional_headers=headers) as ws:
        raw_frames.extend([str(await ws.recv()) for _ in range(2)])

    kinds = set()
    for raw in raw_frames:
        message = server_message.validate_json(raw)
        kinds.add(message.type)
    assert kinds >= {
        "stock",  # the simulator's ERP counts
        "snapshot",
        "metrics",
        "feed",
        "show",
        "pong",
        "error",
        "resumed",
        "resync",
    }
