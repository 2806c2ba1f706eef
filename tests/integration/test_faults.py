"""Faults mid-show, on loopback only: PostgreSQL unreachable, Redis restarted."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from liveops.config import Settings
from liveops.metrics.formulas import METRIC_KEYS
from liveops.simulate import SimulationConfig, run_simulation
from tests.conftest import free_port, running_server
from tests.faults import TcpProxy, private_redis
from tests.integration.test_ingest_api import create_show
from tests.integration.test_live_websocket import comment
from tests.integration.test_many_processes import cluster, create_show as cluster_show
from tests.integration.test_simulated_show import assert_same_metrics

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


@pytest.mark.timeout(120)
async def test_postgres_unreachable_refuses_with_503_and_loses_nothing(
    tmp_path: Path, pg_database: str
) -> None:
    proxy = await TcpProxy(5432).start()
    url = pg_database.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    batches, refused = 120, 0
    try:
        async with running_server(Settings(data_dir=tmp_path, database_url=url)) as server:
            show = await create_show(server)

            async def produce() -> None:
                """A producer as the contract asks for: retry a batch until acknowledged."""
                nonlocal refused
                async with server.client() as client:
                    for b in range(batches):
                        events = [comment(b * 50 + i) for i in range(50)]
                        while True:
                            response = await client.post(
                                f"/api/v1/shows/{show}/events", json={"events": events}
                            )
                            if response.status_code == 200:
                                break
                            assert response.status_code == 503, response.text
                            assert "retry" in response.json()["detail"]
                            assert response.headers["retry-after"]
                            refused += 1
                            await asyncio.sleep(0.2)
                        await asyncio.sleep(0.05)

            producer = asyncio.create_task(produce())
            await asyncio.sleep(1.5)
            proxy.down()  # PostgreSQL unreachable
            await asyncio.sleep(5)
            async with server.client() as client:
                assert (await client.get("/readyz")).status_code == 503
            proxy.up()
            await asyncio.wait_for(producer, 90)
            async with server.client() as client:
                summary = (await client.get(f"/api/v1/shows/{show}/review")).json()["summary"]
    finally:
        await proxy.close()
    assert refused > 0, "the outage was never noticed"
    assert summary["comments"] == batches * 50  # every acknowledged event, each once


class MergedConsole:
    """A console as the frontend runs it: merges metrics into its snapshot, reconnects with its
    position when the server closes it, and starts over on resync."""

    def __init__(self, ws_url: str, token: str) -> None:
        self.ws_url, self.token = ws_url, token
        self.metrics: dict[str, Any] = {}
        self.position: tuple[str, int] | None = None
        self.restarts: list[int] = []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        while True:
            query = "" if self.position is None else "?epoch={}&offset={}".format(*self.position)
            try:
                async with connect(
                    self.ws_url + query, additional_headers=headers, max_size=None
                ) as ws:
                    async for raw in ws:
                        self._apply(json.loads(raw))
            except ConnectionClosed as closed:
                self.restarts.append(closed.rcvd.code if closed.rcvd else 1006)
            except OSError:
                pass
            await asyncio.sleep(0.2)

    def _apply(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "snapshot":
            self.metrics = dict(frame["metrics"])
        elif frame["type"] == "metrics":
            self.metrics.update(frame["metrics"])
        elif frame["type"] == "resync":
            self.metrics = {}
        if "offset" in frame and "epoch" in frame:
            self.position = (frame["epoch"], frame["offset"])


@pytest.mark.redis
@pytest.mark.timeout(240)
async def test_a_redis_restart_mid_show_converges_and_loses_nothing_acknowledged(
    tmp_path: Path, pg_database: str, redis_prefix: str
) -> None:
    async with (
        private_redis(free_port(), tmp_path) as redis_server,
        cluster(2, pg_database, redis_prefix, tmp_path, redis_url=redis_server.url) as (
            processes,
            token,
        ),
    ):
        a, b = processes
        show = await cluster_show(a, token)
        consoles = [MergedConsole(f"{p.ws_url}/api/v1/shows/{show}/live", token) for p in processes]
        config = SimulationConfig(
            url=a.url, show_id=show, duration=14, rate=200, seed=21, token=token, realtime=True
        )
        simulation = asyncio.create_task(run_simulation(config, out=lambda _: None))
        await asyncio.sleep(5)
        await redis_server.kill()  # everything in Redis is gone
        await asyncio.sleep(1.5)
        await redis_server.start()
        report = await asyncio.wait_for(simulation, 120)

        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if all(
                c.metrics
                and all(
                    c.metrics.get(k) == report.totals[k]
                    for k in METRIC_KEYS
                    if isinstance(report.totals[k], int)
                )
                for c in consoles
            ):
                break
            await asyncio.sleep(0.25)
        for console in consoles:
            console.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await console.task
            assert console.restarts, "the consoles never noticed the restart"
            assert_same_metrics(console.metrics, report.totals, "a console's merged numbers")
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
            review = await client.get(f"{b.url}/api/v1/shows/{show}/review")
        assert_same_metrics(review.json()["summary"], report.totals, "review")
