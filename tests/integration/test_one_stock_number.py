"""One stock number everywhere (issue #11): on a real websocket, the product figures' `stock_left`
is the stock ledger's `available` for every SKU the ledger holds — in the snapshot and after
every change — even when order events would estimate another number."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Server
from tests.integration.test_alerts_live import reserve
from tests.integration.test_anchor_live import drain
from tests.integration.test_role_channels import console, receive
from tests.integration.test_runsheet_api import call, planned_show, token_for
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]


def disagreements(products: dict[str, Any], stock: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [
        (sku, row["stock_left"], stock[sku]["available"])
        for sku, row in products.items()
        if sku in stock and row["stock_left"] != stock[sku]["available"]
    ]


async def test_the_product_table_shows_the_ledger_s_number(server: Server) -> None:
    show = await planned_show(server)  # A1: 100 allocated, B2: 50
    token = await token_for(server, show, "field_control")
    async with console(server, show, token) as ws:
        snapshot = await receive(ws)
        products = {p["sku"]: p for p in snapshot["products"]}
        stock = {s["sku"]: s for s in snapshot["stock"]}
        assert disagreements(products, stock) == []

        # Reservations move the ledger but no order event: the event estimate stays at 100.
        await reserve(server, show, "o1", 7)
        await reserve(server, show, "o2", 3)
        # Paid orders for B2 move the event estimate; the ledger only moves on reservations.
        paid = [
            {"id": f"p{i}", "type": "order.paid", "ts": at(i), "order_id": f"b{i}",
             "viewer_id": f"v{i}", "sku": "B2", "qty": 2, "amount": 1980}
            for i in range(3)
        ]  # fmt: skip
        posted = await call(server, "POST", f"/api/v1/shows/{show}/events", json={"events": paid})
        assert posted.status_code == 200, posted.text

        for message in await drain(ws, 2.0):
            if message["type"] == "stock":
                stock.update({s["sku"]: s for s in message["items"]})
            elif message["type"] == "metrics":
                products.update({p["sku"]: p for p in message["products"]})
                assert disagreements(products, stock) == [], message
    assert stock["A1"]["available"] == 90
    assert products["A1"]["stock_left"] == 90
    assert disagreements(products, stock) == []
