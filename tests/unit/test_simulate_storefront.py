"""The simulated storefront: orders reserved through the ledger before any of their events is
sent, refused ones never sent, the 秒杀 run by field control, and the compressed clock
(`speed`); against the in-memory fake server of test_simulate_scenario."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import httpx

from liveops.simulate import DEMO_LINEUP, SimulationConfig, build_plan, recount, run_simulation
from liveops.simulate.storefront import CONCURRENCY
from liveops.simulate.truth import ts_micros
from tests.unit.test_simulate_scenario import START, FakeServer, play, play_and_say

BUYS = len(build_plan(3, 20, 100, START).buys)  # play()'s show


def refused_orders(server: FakeServer) -> set[str]:
    return {order_id for order_id, (code, _) in server.answers.items() if code == 409}


def test_every_order_is_reserved_first_and_a_refused_one_sends_nothing() -> None:
    server = FakeServer(stock={p.sku: 4 for p in DEMO_LINEUP})
    report = play(server)
    refused = refused_orders(server)
    assert refused  # four units of each product do not go round
    assert server.reservations == BUYS  # each order asked once
    assert server.unreserved == []  # no order event before its order's answer
    assert not [e for e in server.stored.values() if e.get("order_id") in refused]
    stock = report.stock
    assert stock.reserved == BUYS - len(refused)
    assert dict(stock.refused) == {"sold_out": len(refused)}
    assert stock.unguarded == 0
    assert stock.events_dropped >= len(refused)
    # The totals and counts are of what was sent, so they still equal what was kept.
    assert report.totals == recount(server.stored.values())
    assert report.accepted == report.unique_events == len(server.stored)
    assert report.duplicates == report.duplicates_sent
    assert (
        report.events_sent == report.unique_events + report.duplicates_sent + report.malformed_sent
    )
    assert (
        report.totals["orders_created"]
        < recount(build_plan(3, 20, 100, START).unique_events)["orders_created"]
    )


def test_a_replay_is_answered_as_the_first_play_was() -> None:
    server = FakeServer(stock={p.sku: 4 for p in DEMO_LINEUP})
    first = play(server)
    again = play(server, end_show=False)
    assert again.accepted == 0
    assert again.stock.refused == first.stock.refused
    assert again.totals == first.totals


def test_without_a_ledger_orders_go_unguarded() -> None:
    server = FakeServer()  # holds no SKU: 404
    report = play(server)
    assert server.reservations == BUYS
    assert report.stock.unguarded == BUYS
    assert report.stock.reserved == 0
    assert report.stock.problems == []
    assert report.accepted == report.unique_events == len(server.stored)


def test_a_token_that_may_not_reserve_is_said_once_and_not_asked_again() -> None:
    server = FakeServer(reserve_status=403)
    report, lines = play_and_say(server)
    # Those in flight with the first, no more.
    assert server.reservations >= 1
    assert server.reservations <= CONCURRENCY
    assert report.stock.unguarded == BUYS
    assert [line for line in lines if "refused to reserve" in line] == report.stock.problems
    assert "HTTP 403" in report.stock.problems[0]
    assert report.accepted == report.unique_events


def test_field_control_starts_and_stops_the_flash_sale() -> None:
    server = FakeServer(stock={p.sku: 1_000 for p in DEMO_LINEUP})
    report = play(server)
    sale = build_plan(3, 20, 100, START).flash_sale
    # Back to back there is no clock to count down on: started at its time, then stopped.
    assert server.sales == [("POST", {"cap": sale.cap}), ("DELETE", None)]
    assert report.on_air.sales_started == report.on_air.sales_stopped == 1
    assert sale.cap >= 1


def test_the_plan_refuses_the_flash_product_between_announcement_and_start() -> None:
    plan = build_plan(7, 60, 500, START)
    sale = plan.flash_sale
    assert sale.announced < sale.start
    flash_buys = [b for b in plan.buys if b.sku == sale.sku]
    assert not [b for b in flash_buys if sale.announced <= b.at < sale.start]
    in_sale = [b for b in flash_buys if sale.start <= b.at < sale.end]
    assert sum(b.qty for b in in_sale) <= sale.cap
    # Those who tried are told by the comments: the link is still closed.
    waiting = {"怎么拍不了", "还没开始吗", "几点开抢", "链接是灰的", "蹲秒杀中"}
    assert any(e.get("text") in waiting for e in plan.unique_events if e["type"] == "comment")


def test_a_restock_is_an_erp_count_of_what_is_free_to_sell() -> None:
    plan = build_plan(1, 1800, 40, START)
    counts = [e for e in plan.unique_events if e["type"] == "stock.set"]
    at_start = [e for e in counts if e["ts"] == counts[0]["ts"]]
    assert {e["sku"]: e["available"] for e in at_start} == {
        p.sku: p.allocated_stock for p in DEMO_LINEUP
    }
    # The 爆款 runs low and is restocked; the ERP never re-reads the stock otherwise.
    later = [e for e in counts if e not in at_start]
    hot = next(p for p in DEMO_LINEUP if p.role == "爆款")
    assert hot.sku in {e["sku"] for e in later}
    assert len(later) <= 2 * len(DEMO_LINEUP)


def test_slow_reservations_hold_back_only_their_own_orders_and_speed_compresses_time() -> None:
    """Real time at 10× a 60-second show: reservations answered 0.3 s late, events flowing
    meanwhile, none dated after it was sent, the sale scheduled ahead of its start."""
    fake = FakeServer(stock={p.sku: 50 for p in DEMO_LINEUP})
    in_flight = 0
    events_meanwhile = 0
    future_dated: list[str] = []
    sale_posted: list[tuple[float, str]] = []

    async def server(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, events_meanwhile
        path = request.url.path
        if path.endswith("/reservations"):
            in_flight += 1
            try:
                await asyncio.sleep(0.3)
            finally:
                in_flight -= 1
        elif path.endswith("/events"):
            events_meanwhile += in_flight > 0
            now_us = time.time_ns() // 1000
            for event in httpx.Response(200, content=request.content).json()["events"]:
                try:
                    dated = ts_micros(event["ts"])
                except (ValueError, KeyError, TypeError):
                    continue  # a malformed one
                if dated > now_us + 1_000:
                    future_dated.append(event["id"])
        elif path.endswith("/flash-sale") and request.method == "POST":
            body = httpx.Response(200, content=request.content).json()
            sale_posted.append((time.time(), body["starts_at"]))
        return fake(request)

    async def run() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
            config = SimulationConfig(
                url="http://liveops.test",
                show_id="show-1",
                duration=60,
                rate=40,
                seed=5,
                token="secret",
                speed=10,
            )
            return await run_simulation(config, client=client, out=lambda _: None)

    report = asyncio.run(run())
    assert 6.0 <= report.elapsed_seconds < 30
    assert events_meanwhile > 0
    assert fake.unreserved == []
    assert future_dated == []
    assert report.stock.reserved > 0
    assert report.totals == recount(fake.stored.values())
    [(posted, starts_at)] = sale_posted
    assert datetime.fromisoformat(starts_at).timestamp() > posted  # consoles count down
    assert report.on_air.sales_stopped == 1
