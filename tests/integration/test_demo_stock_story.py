"""Issue #11's stock story in `make run`: the demo's own scenario (its show, lineup, seed,
length and rate, as `liveops demo` plays them), fast-forwarded, against a real server. Its
buyers reserve through the ledger, so within the first 15 (compressed) minutes the stock panel
shows reservations and sales, the forecast a sell-out time, the 秒杀 counts down and runs, and
a low-stock alert fires; the review still equals the simulator's totals."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from websockets.asyncio.client import connect

from liveops.cli import build_parser, demo_show_body
from liveops.simulate import DEMO_LINEUP, SimulationConfig, run_simulation
from tests.conftest import Server
from tests.integration.test_simulated_show import assert_same_metrics

pytestmark = pytest.mark.anyio

SPEED = 60.0  # the 30-minute demo in 30 s
STORY_SECONDS = 15 * 60  # what `make run` must show within, in the show's own time


@dataclass
class Watched:
    """What a field-control console saw on the live websocket, with the server's times (ms)."""

    selling: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # forecast set
    countdown: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    sale_on: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    low_stock: list[dict[str, Any]] = field(default_factory=list)

    def take(self, message: dict[str, Any]) -> None:
        now = int(message.get("server_time") or 0)
        rows = message.get("stock") if message["type"] == "snapshot" else message.get("items")
        if message["type"] in ("snapshot", "stock"):
            for row in rows or []:
                if row["units_per_minute"] > 0 and row["sell_out_in_seconds"] is not None:
                    self.selling.append((now, row))
                sale = row.get("flash_sale")
                if sale and sale["starts_at"] > now:
                    self.countdown.append((now, row))
                elif sale:
                    self.sale_on.append((now, row))
        if message["type"] == "alert" and message.get("rule") == "low_stock":
            self.low_stock.append(message)


async def watch(server: Server, show: str, seen: Watched) -> None:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with connect(
        f"{server.ws_url}/api/v1/shows/{show}/live", additional_headers=headers, max_size=None
    ) as ws:
        async for raw in ws:
            seen.take(json.loads(raw))


def ms(moment: str) -> int:
    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp() * 1000)


@pytest.mark.slow
@pytest.mark.timeout(300)
# The many-process path adds nothing to this story; one database of each kind is enough.
@pytest.mark.parametrize(
    "settings", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_the_demo_fast_forwarded_shows_the_stock_story(server: Server) -> None:
    demo = build_parser().parse_args(["demo"])  # the demo's seed, length and rate
    async with server.client() as client:
        created = await client.post("/api/v1/shows", json=demo_show_body(DEMO_LINEUP))
        assert created.status_code == 201, created.text
        show = created.json()["id"]

        seen = Watched()
        watching = asyncio.create_task(watch(server, show, seen))
        await asyncio.sleep(0.2)  # the console is connected before the show starts
        try:
            config = SimulationConfig(
                url=server.url,
                show_id=show,
                duration=demo.duration,
                rate=demo.rate,
                seed=demo.seed,
                token=server.token,
                speed=SPEED,
            )
            report = await run_simulation(config, out=lambda _: None)
            await asyncio.sleep(0.5)  # the last stock frames
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching

        stock = (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"]
        alerts = (await client.get(f"/api/v1/shows/{show}/alerts?rule=low_stock")).json()
        review = (await client.get(f"/api/v1/shows/{show}/review")).json()

    # The show's clock starts with its first event, the ERP's count at offset 0 (the demo makes
    # its plan after the start: seconds, which fast-forwarded would read as minutes).
    moments = review["stock"]["moments"]
    started = min(m["ts"] for m in moments if m["kind"] == "stock_set")
    story_end = started + STORY_SECONDS / SPEED * 1000
    hot, welfare = (next(p.sku for p in DEMO_LINEUP if p.role == r) for r in ("爆款", "福利款"))

    # The buyers went through the ledger: every product reserved and sold.
    assert report.stock.reserved > 1000
    assert report.stock.unguarded == 0
    assert report.stock.problems == []
    rows = {row["sku"]: row for row in stock}
    assert set(rows) == {p.sku for p in DEMO_LINEUP}
    for row in rows.values():
        assert row["reserved"] + row["sold"] > 0, row
        assert row["sold"] > 0, row
    # The 秒杀 cleared the 福利款's shelf (fast-forwarded, its last units may be coming back
    # from cancellations at the end); the 爆款 was restocked (补货) after running low.
    assert rows[welfare]["reserved"] + rows[welfare]["sold"] >= 0.9 * rows[welfare]["allocated"]
    assert [m for m in moments if m["sku"] == welfare and m["kind"] == "flash_sale_start"]
    assert rows[hot]["allocated"] > next(p.allocated_stock for p in DEMO_LINEUP if p.sku == hot)

    # The forecast had a sell-out time while selling, early in the show.
    assert [row for at, row in seen.selling if at <= story_end]
    # The 秒杀 counted down on the consoles, then ran, both within the story's time.
    assert [row for at, row in seen.countdown if row["sku"] == welfare and at <= story_end]
    assert [row for at, row in seen.sale_on if row["sku"] == welfare and at <= story_end]
    assert report.on_air is not None
    assert report.on_air.sales_started == report.on_air.sales_stopped == 1

    # A low-stock alert fired, on the console and in the API, within the story's time.
    fired = alerts["alerts"]
    assert fired, "no low_stock alert"
    assert {a["sku"] for a in fired} & {hot, welfare}
    assert min(ms(a["fired_at"]) for a in fired) <= story_end
    assert [a for a in seen.low_stock if a["state"] == "firing"]

    # Every payment settled a reservation; the review is still the simulator's recount.
    reconciliation = review["stock"]["reconciliation"]
    assert reconciliation["paid_without_reservation"]["count"] == 0
    assert report.accepted == report.unique_events
    assert_same_metrics(review["summary"], report.totals, "review")
