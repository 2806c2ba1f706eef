"""No oversell under a stampede (issue #4): 5,000 reservation attempts from several client
processes, with retries and duplicate order ids, at 300 units of one SKU.

Runs on the embedded default, on PostgreSQL, on PostgreSQL + Redis in one server process, and
on two `liveops serve` processes sharing PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(240)]

UNITS = 300
BUYERS = 5_000
CLIENT_PROCESSES = 3


async def _crowd(urls: list[str], token: str, show: str, sku: str) -> dict[str, list[Any]]:
    """Several buyer processes, spread over the servers; returns every answer by order."""
    per_process = BUYERS // CLIENT_PROCESSES
    buyers = []
    for i in range(CLIENT_PROCESSES):
        count = per_process if i < CLIENT_PROCESSES - 1 else BUYERS - per_process * i
        buyers.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.integration.flash_buyers",
                urls[i % len(urls)],
                token,
                show,
                sku,
                str(i * per_process),
                str(count),
                str(i),
                cwd=Path(__file__).parents[2],
                stdout=asyncio.subprocess.PIPE,
            )
        )
    answers: dict[str, list[Any]] = {}
    for buyer in buyers:
        out, _ = await asyncio.wait_for(buyer.communicate(), 180)
        assert buyer.returncode == 0
        for order, got in json.loads(out).items():
            answers.setdefault(order, []).extend(got)
    return answers


async def _watch(url: str, token: str, show: str, stop: asyncio.Event) -> int:
    """Read the ledger over and over while the crowd buys; every reading must balance."""
    readings = 0
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        while not stop.is_set():
            (row,) = (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"]
            assert row["available"] >= 0, row
            assert row["reserved"] + row["sold"] + row["available"] == row["allocated"], row
            assert row["reserved"] + row["sold"] <= UNITS, row
            readings += 1
            await asyncio.sleep(0.02)
    return readings


async def _sell_out(urls: list[str], token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=urls[0], headers=headers, timeout=30) as client:
        created = await client.post("/api/v1/shows", json={"title": "秒杀", "platform": "douyin"})
        show = created.json()["id"]
        put = await client.put(
            f"/api/v1/shows/{show}/stock/HOT", json={"available": UNITS, "version": 1}
        )
        assert put.status_code == 200, put.text

        stop = asyncio.Event()
        watcher = asyncio.create_task(_watch(urls[-1], token, show, stop))
        answers = await _crowd(urls, token, show, "HOT")
        stop.set()
        assert await watcher > 0

        assert len(answers) == BUYERS
        for order, got in answers.items():
            assert all(a == got[0] for a in got), f"{order} was answered differently: {got}"
        reserved = sorted(o for o, got in answers.items() if got[0][0] == "reserved")
        assert len(reserved) == UNITS
        assert {got[0][0] for got in answers.values()} == {"reserved", "sold_out"}
        assert all(got[0][1] >= 0 for got in answers.values())

        # Half of the winners pay; the ledger still holds exactly the units handed out.
        paid = [
            {"id": f"pay-{o}", "type": "order.paid", "ts": at(0), "order_id": o,
             "amount": 9900}
            for o in reserved[::2]
        ]  # fmt: skip
        response = await client.post(f"/api/v1/shows/{show}/events", json={"events": paid})
        assert response.status_code == 200, response.text
        (row,) = (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"]
        assert (row["allocated"], row["available"]) == (UNITS, 0)
        assert (row["reserved"], row["sold"]) == (UNITS - len(paid), len(paid))


async def test_no_oversell_under_a_crowd_of_retrying_buyers(server: Server) -> None:
    await create_show(server)  # the lifespan is warm before the crowd arrives
    await _sell_out([server.url], server.token)


@pytest.mark.postgres
@pytest.mark.redis
async def test_no_oversell_with_two_server_processes(
    pg_database: str, redis_prefix: str, tmp_path: Path
) -> None:
    from tests.integration.test_many_processes import cluster

    async with cluster(2, pg_database, redis_prefix, tmp_path) as (processes, token):
        await _sell_out([p.url for p in processes], token)
