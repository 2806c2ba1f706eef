"""Stock and reservations over HTTP (contract §7), on SQLite, PostgreSQL and PostgreSQL +
Redis, against a real uvicorn."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.client import connect

from liveops.live.messages import server_message
from tests.conftest import Server, running_server
from tests.integration.test_ingest_api import create_show
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]


def ts(seconds: float = 0) -> str:
    # Recent: an event must lie within its show's window (contract §3 "Ranges").
    return at(seconds)


async def put_stock(server: Server, show: str, sku: str, **body: Any) -> Any:
    async with server.client() as client:
        return await client.put(f"/api/v1/shows/{show}/stock/{sku}", json=body)


async def reserve(server: Server, show: str, sku: str, order: str, viewer: str, qty: int) -> Any:
    async with server.client() as client:
        return await client.post(
            f"/api/v1/shows/{show}/stock/{sku}/reservations",
            json={"order_id": order, "viewer_id": viewer, "qty": qty},
        )


async def stock(server: Server, show: str) -> dict[str, dict[str, Any]]:
    async with server.client() as client:
        response = await client.get(f"/api/v1/shows/{show}/stock")
    assert response.status_code == 200, response.text
    rows = {row["sku"]: row for row in response.json()["items"]}
    for row in rows.values():
        assert row["reserved"] + row["sold"] + row["available"] == row["allocated"]
        assert row["available"] >= 0
    return rows


async def until_nothing_reserved(server: Server, show: str, sku: str) -> dict[str, Any]:
    for _ in range(200):
        row = (await stock(server, show))[sku]
        if row["reserved"] == 0:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"{sku} still holds reservations: {row}")


async def post_events(server: Server, show: str, events: list[dict[str, Any]]) -> None:
    async with server.client() as client:
        response = await client.post(f"/api/v1/shows/{show}/events", json={"events": events})
    assert response.status_code == 200, response.text


class TestStockLedger:
    async def test_reserve_retry_sold_out_pay_cancel_and_release(self, server: Server) -> None:
        show = await create_show(server)
        assert (await put_stock(server, show, "SKU1", available=5, version=1)).status_code == 200

        first = await reserve(server, show, "SKU1", "o1", "v1", 3)
        assert first.status_code == 201
        assert first.json()["status"] == "reserved"
        assert first.json()["available"] == 2
        again = await reserve(server, show, "SKU1", "o1", "v1", 3)
        assert (again.status_code, again.json()) == (201, first.json())

        too_many = await reserve(server, show, "SKU1", "o2", "v2", 3)
        assert too_many.status_code == 409
        assert too_many.json()["status"] == "sold_out"
        assert too_many.json()["available"] == 2
        assert (await reserve(server, show, "SKU1", "o3", "v3", 2)).status_code == 201
        # o2's answer stays "sold out" even once stock has changed: an order is decided once.
        assert (await reserve(server, show, "SKU1", "o2", "v2", 3)).json()["status"] == "sold_out"

        row = (await stock(server, show))["SKU1"]
        assert (row["allocated"], row["reserved"], row["sold"], row["available"]) == (5, 5, 0, 0)
        assert row["sold_out_at"] is not None

        await post_events(
            server,
            show,
            [
                {"id": "p1", "type": "order.paid", "ts": ts(1), "order_id": "o1", "amount": 300},
                {"id": "c3", "type": "order.cancelled", "ts": ts(2), "order_id": "o3"},
            ],
        )
        row = (await stock(server, show))["SKU1"]
        assert (row["reserved"], row["sold"], row["available"]) == (0, 3, 2)
        assert row["sold_out_at"] is None

        async with server.client() as client:
            released = await client.delete(f"/api/v1/shows/{show}/stock/SKU1/reservations/o3")
        assert released.status_code == 200
        assert released.json()["released"] is False  # the cancellation did it already
        # A replayed cancellation changes nothing either.
        await post_events(
            server, show, [{"id": "c3", "type": "order.cancelled", "ts": ts(2), "order_id": "o3"}]
        )
        assert (await stock(server, show))["SKU1"]["available"] == 2

    async def test_an_older_version_changes_nothing_and_answers_the_current_row(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        assert (await put_stock(server, show, "S", available=10, version=5)).status_code == 200
        assert (await reserve(server, show, "S", "o1", "v1", 4)).status_code == 201
        stale = await put_stock(server, show, "S", available=100, version=5)
        assert stale.status_code == 409
        assert stale.json()["available"] == 6
        assert stale.json()["version"] == 5
        newer = await put_stock(server, show, "S", available=20, version=6)
        assert newer.status_code == 200
        # The ERP's count is what is left to sell; what is reserved stays reserved.
        assert (newer.json()["available"], newer.json()["allocated"]) == (20, 24)
        # A stock.set event is versioned by its ts, microseconds since the epoch.
        await post_events(
            server,
            show,
            [{"id": "s1", "type": "stock.set", "ts": ts(0), "sku": "S", "available": 7}],
        )
        assert (await stock(server, show))["S"]["available"] == 7
        await post_events(
            server,
            show,
            [{"id": "s0", "type": "stock.set", "ts": ts(-60), "sku": "S", "available": 99}],
        )
        assert (await stock(server, show))["S"]["available"] == 7

    async def test_per_viewer_limit_and_clear_errors(self, server: Server) -> None:
        show = await create_show(server)
        await put_stock(server, show, "S", available=100, version=1, limit_per_viewer=2)
        assert (await reserve(server, show, "S", "o1", "bot", 2)).status_code == 201
        over = await reserve(server, show, "S", "o2", "bot", 1)
        assert over.status_code == 409
        assert over.json()["status"] == "limit_exceeded"
        assert (await reserve(server, show, "S", "o3", "human", 1)).status_code == 201

        missing = await reserve(server, show, "NOPE", "o4", "v", 1)
        assert missing.status_code == 404
        assert "NOPE" in missing.json()["detail"]
        async with server.client() as client:
            bad = await client.post(
                f"/api/v1/shows/{show}/stock/S/reservations",
                json={"order_id": "o5", "viewer_id": "v", "qty": 0},
            )
            assert bad.status_code == 422
            negative = await client.put(
                f"/api/v1/shows/{show}/stock/S", json={"available": -1, "version": 9}
            )
            assert negative.status_code == 422
        assert (await stock(server, show))["S"]["available"] == 97

    async def test_the_lineup_seeds_the_ledger(self, server: Server) -> None:
        product = {
            "sku": "L1",
            "name": "羊绒围巾",
            "role": "爆款",
            "list_price": 29900,
            "live_price": 19900,
            "allocated_stock": 50,
        }
        show = await create_show(server, lineup=[product])
        row = (await stock(server, show))["L1"]
        assert (row["allocated"], row["available"], row["version"]) == (50, 50, None)


class TestFlashSale:
    async def test_cap_countdown_sold_out_moment_and_console_alerts(self, server: Server) -> None:
        show = await create_show(server)
        await put_stock(server, show, "F", available=100, version=1)
        starts = datetime.now(UTC) + timedelta(seconds=1.5)
        async with server.client() as client:
            started = await client.post(
                f"/api/v1/shows/{show}/stock/F/flash-sale",
                json={"cap": 10, "starts_at": starts.isoformat()},
            )
        assert started.status_code == 200, started.text
        sale = started.json()["flash_sale"]
        assert sale["cap"] == 10
        assert sale["starts_at"] == pytest.approx(starts.timestamp() * 1000, abs=1)

        headers = {"Authorization": f"Bearer {server.token}"}
        url = f"{server.ws_url}/api/v1/shows/{show}/live"
        async with connect(url, additional_headers=headers) as ws:
            raw_snapshot = await asyncio.wait_for(ws.recv(), 5)
            server_message.validate_json(raw_snapshot)
            snapshot = json.loads(raw_snapshot)
            assert snapshot["stock"][0]["flash_sale"]["cap"] == 10

            early = await reserve(server, show, "F", "early", "v0", 1)
            assert early.status_code == 409
            assert early.json()["status"] == "not_started"
            await asyncio.sleep(max(0.0, starts.timestamp() - datetime.now(UTC).timestamp()))

            answers = [await reserve(server, show, "F", f"o{n}", f"v{n}", 1) for n in range(9)]
            answers += await asyncio.gather(
                *(reserve(server, show, "F", f"o{n}", f"v{n}", 1) for n in range(9, 15))
            )
            assert [a.json()["status"] for a in answers].count("reserved") == 10
            kinds: list[str] = []
            stock_frames: list[dict[str, Any]] = []
            async with asyncio.timeout(10):
                while "sold_out" not in kinds or not stock_frames:
                    raw = await ws.recv()
                    server_message.validate_json(raw)  # strict: the documented shape
                    message = json.loads(raw)
                    if message["type"] == "alert":
                        kinds.append(message["kind"])
                        assert message["roles"] == ["field_control", "assistant"]
                    elif message["type"] == "stock":
                        stock_frames += [
                            i for i in message["items"] if i["flash_sale"]["state"] == "sold_out"
                        ]
        assert "low_stock" in kinds
        row = (await stock(server, show))["F"]
        assert (row["reserved"], row["available"]) == (10, 90)  # the cap, not the stock, ran out
        assert row["sold_out_at"] is not None
        assert row["flash_sale"]["remaining"] == 0

        async with server.client() as client:
            stopped = await client.delete(f"/api/v1/shows/{show}/stock/F/flash-sale")
        assert stopped.status_code == 200
        assert stopped.json()["flash_sale"] is None
        assert (await reserve(server, show, "F", "after", "v99", 1)).status_code == 201


async def test_unpaid_reservations_expire_back_to_stock(settings: Any) -> None:
    settings = settings.model_copy(
        update={"reservation_hold_seconds": 0.5, "reservation_sweep_seconds": 0.1}
    )
    async with running_server(settings) as server:
        show = await create_show(server)
        await put_stock(server, show, "E", available=3, version=1)
        assert (await reserve(server, show, "E", "o1", "v1", 2)).status_code == 201
        assert (await reserve(server, show, "E", "o2", "v2", 1)).status_code == 201
        await post_events(
            server,
            show,
            [{"id": "p2", "type": "order.paid", "ts": ts(0), "order_id": "o2", "amount": 100}],
        )
        row = await until_nothing_reserved(server, show, "E")
        assert (row["sold"], row["available"]) == (1, 2)  # o1 expired, the paid o2 did not


async def test_the_review_reconciles_reservations_with_order_events(settings: Any) -> None:
    # o1 must be paid within the hold, which includes the show's first load on the live side
    # (its replay, run-sheet and alert rules): 0.3 s was too tight on a loaded machine.
    settings = settings.model_copy(
        update={"reservation_hold_seconds": 1.5, "reservation_sweep_seconds": 0.05}
    )
    async with running_server(settings) as server:
        show = await create_show(server)
        await put_stock(server, show, "R", available=10, version=1)
        for order in ("o1", "o2", "o3"):
            assert (await reserve(server, show, "R", order, order, 1)).status_code == 201

        def paid(order: str, n: int) -> dict[str, Any]:
            return {"id": f"p-{order}", "type": "order.paid", "ts": ts(n), "order_id": order,
                    "amount": 100}  # fmt: skip

        await post_events(server, show, [paid("o1", 1)])
        await until_nothing_reserved(server, show, "R")  # o2 and o3 expire unpaid
        refund = {"id": "r-o1", "type": "order.refunded", "ts": ts(5), "order_id": "o1",
                  "amount": 100}  # fmt: skip
        await post_events(server, show, [paid("o3", 3), paid("o9", 4), refund])
        async with server.client() as client:
            review = (await client.get(f"/api/v1/shows/{show}/review")).json()
        report = review["stock"]["reconciliation"]
        assert report["paid_without_reservation"] == {"count": 1, "orders": ["o9"]}
        assert report["reserved_never_paid"] == {"count": 1, "orders": ["o2"]}
        assert report["paid_after_expiry"] == {"count": 1, "orders": ["o3"]}
        assert report["refunded_after_sale"] == {"count": 1, "orders": ["o1"]}
        (ledger,) = review["stock"]["ledger"]
        assert (ledger["sold"], ledger["available"]) == (1, 9)
        assert [m["kind"] for m in review["stock"]["moments"]] == ["stock_set"]
