"""Actions on the live websocket and in the review, on every backend: a price change reaches
the consoles as an `action` and a `commerce` message (and the anchor's prompter), a held one
as `held` then `applied`; the impact endpoint and the review's `actions` table measure the
minutes around an action."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Server
from tests.integration.test_anchor_live import until
from tests.integration.test_role_channels import console, receive
from tests.integration.test_runsheet_api import action, call, planned_show, token_for

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]


def commerce_price(message: dict[str, Any], sku: str) -> int | None:
    if message["type"] != "commerce":
        return None
    return {p["sku"]: p["live_price"] for p in message["commerce"]["prices"]}.get(sku)


async def test_a_price_change_reaches_every_console(server: Server) -> None:
    show = await planned_show(server)
    assistant = await token_for(server, show, "assistant", "助播")
    async with console(server, show, assistant) as ws:
        snapshot = await receive(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["commerce"]["prices"][0]["live_price"] == 9_900  # read with the show
        sent = await action(server, show, assistant, type="price.set", sku="A1", live_price=7_900)
        assert sent.status_code == 201, sent.text
        got, _ = await until(ws, lambda m: m["type"] == "action")
        assert got["action"]["live_price"] == 7_900
        assert got["action"]["live_price_before"] == 9_900
        await until(ws, lambda m: commerce_price(m, "A1") == 7_900)
        held = await action(
            server, show, assistant, type="price.set", sku="A1", live_price=6_900, undo_seconds=1
        )
        assert held.json()["state"] == "held"
        got, _ = await until(
            ws, lambda m: m["type"] == "commerce" and len(m["commerce"]["held"]) == 1
        )
        applied, _ = await until(
            ws, lambda m: m["type"] == "action" and m["action"]["state"] == "applied"
        )
        assert applied["action"]["id"] == held.json()["id"]
        await until(ws, lambda m: commerce_price(m, "A1") == 6_900)
    prompter = (await call(server, "GET", f"/api/v1/shows/{show}/prompter")).json()
    assert prompter is not None


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_impact_compares_the_minutes_after_with_the_minutes_before(server: Server) -> None:
    show = await planned_show(server)
    pinned = await action(server, show, type="product.pin", sku="A1")
    at = datetime.fromisoformat(pinned.json()["at"].replace("Z", "+00:00"))
    events: list[dict[str, Any]] = []
    # Before: 2 joins, 100 impressions and 5 clicks of A1, 1 buyer of the 4 viewers seen.
    # After (the half second since): 100 impressions and 20 clicks, 3 buyers of 6 viewers.
    for n, (offset, kind, extra) in enumerate(
        [(-120, "viewer.join", {"viewer_id": f"b{i}"}) for i in range(2)]
        + [(-90, "product.impression", {"sku": "A1", "count": 100})]
        + [(-60, "product.click", {"viewer_id": f"b{i % 4}", "sku": "A1"}) for i in range(5)]
        + [(-30, "order.created", _order("ob", "b0"))]
        + [(0.1, "viewer.join", {"viewer_id": f"a{i}"}) for i in range(6)]
        + [(0.2, "product.impression", {"sku": "A1", "count": 100})]
        + [(0.3, "product.click", {"viewer_id": f"a{i % 6}", "sku": "A1"}) for i in range(20)]
        + [(0.4, "order.created", _order(f"oa{i}", f"a{i}")) for i in range(3)]
    ):
        events.append(
            {"id": f"i{n}", "type": kind, "ts": stamp(at + timedelta(seconds=offset)), **extra}
        )
    # The after window ends now while the show runs: its events must lie in the past.
    await asyncio.sleep(max(0.0, (at + timedelta(seconds=0.5) - datetime.now(UTC)).total_seconds()))
    answer = await call(server, "POST", f"/api/v1/shows/{show}/events", json={"events": events})
    assert answer.json()["accepted"] == len(events), answer.text
    got = await call(server, "GET", f"/api/v1/shows/{show}/actions/impact")
    assert got.status_code == 200, got.text
    (row,) = got.json()["actions"]
    assert row["action"]["type"] == "product.pin"
    assert row["before"]["click_rate"] == 0.05
    assert row["after"]["click_rate"] == 0.2
    assert row["change"]["click_rate"] == 3.0
    assert row["before"]["conversion"] == 0.25  # 1 buyer of the 4 viewers seen (b0…b3)
    assert row["after"]["conversion"] == 0.5  # 3 of 6
    assert row["before"]["entry_rate"] == 0.4  # 2 joins in 5 minutes
    assert row["partial"] is True  # the show runs: the after window is still filling
    review = (await call(server, "GET", f"/api/v1/shows/{show}/review")).json()
    assert [a["type"] for a in review["actions"]] == ["product.pin"]
    assert review["actions"][0]["impact"]["after"]["click_rate"] == 0.2
    assert datetime.now(UTC) > at


def _order(order_id: str, viewer: str) -> dict[str, Any]:
    return {"order_id": order_id, "viewer_id": viewer, "sku": "A1", "qty": 1, "amount": 9_900}
