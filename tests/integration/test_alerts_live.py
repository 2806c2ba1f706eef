"""Alerts on a real websocket, on every backend (contract §12): a rule fires to the roles in its
`roles` only, is stored with the same id, an acknowledgement on one console shows on the
others, and it resolves by itself when its condition clears."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.conftest import Server
from tests.integration.test_anchor_live import until
from tests.integration.test_role_channels import console, receive
from tests.integration.test_runsheet_api import call, planned_show, token_for
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]


async def stored(server: Server, show: str, alert_id: str, state: str) -> dict[str, Any]:
    """The alert as `GET …/alerts` lists it, once it is stored in `state` (the live side
    stores off the hot path)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listed = await call(server, "GET", f"/api/v1/shows/{show}/alerts")
        assert listed.status_code == 200, listed.text
        for alert in listed.json()["alerts"]:
            if alert["id"] == alert_id and alert["state"] == state:
                return dict(alert)
        await asyncio.sleep(0.1)
    raise AssertionError(f"alert {alert_id} not stored as {state}")


async def reserve(server: Server, show: str, order: str, qty: int) -> None:
    answer = await call(
        server,
        "POST",
        f"/api/v1/shows/{show}/stock/A1/reservations",
        json={"order_id": order, "viewer_id": f"v-{order}", "qty": qty},
    )
    assert answer.status_code == 201, answer.text


async def release(server: Server, show: str, order: str) -> None:
    answer = await call(server, "DELETE", f"/api/v1/shows/{show}/stock/A1/reservations/{order}")
    assert answer.status_code in (200, 204), answer.text


async def test_low_stock_fires_is_acknowledged_everywhere_and_resolves(server: Server) -> None:
    show = await planned_show(server)  # A1: 100 allocated
    # Resolve as soon as stock is back (the default waits 30 s, so units trickling back do
    # not make the alert flap).
    rules = await call(
        server,
        "PUT",
        f"/api/v1/shows/{show}/alert-rules",
        json={"rules": {"low_stock": {"recovery_seconds": 0}}},
    )
    assert rules.status_code == 200, rules.text
    field_token = await token_for(server, show, "field_control", "场控")
    assistant_token = await token_for(server, show, "assistant", "助播")
    anchor_token = await token_for(server, show, "anchor", "主播")
    async with (
        console(server, show, field_token) as field,
        console(server, show, assistant_token) as assistant,
        console(server, show, anchor_token) as anchor,
    ):
        for ws in (field, assistant, anchor):
            await receive(ws)

        await reserve(server, show, "o1", 92)  # 8 of 100 left
        fired, _ = await until(field, lambda m: m["type"] == "alert")
        assert (fired["rule"], fired["state"], fired["sku"], fired["subject"]) == (
            "low_stock",
            "firing",
            "A1",
            "A1",
        )
        assert (fired["kind"], fired["available"]) == ("low_stock", 8)  # the older fields
        assert set(fired["roles"]) == {"field_control", "assistant"}
        same, _ = await until(assistant, lambda m: m["type"] == "alert")
        assert same["id"] == fired["id"]
        row = await stored(server, show, fired["id"], "firing")
        assert (row["rule"], row["value"], row["threshold"]) == ("low_stock", 0.08, 0.1)

        acked = await call(
            server, "POST", f"/api/v1/shows/{show}/alerts/{fired['id']}/ack", assistant_token
        )
        assert acked.status_code == 200, acked.text
        seen, _ = await until(
            field, lambda m: m["type"] == "alert" and m["state"] == "acknowledged"
        )
        assert seen["id"] == fired["id"]
        assert seen["acked_by"] == {"label": "助播", "role": "assistant"}

        await release(server, show, "o1")  # back to 100
        resolved, _ = await until(
            field, lambda m: m["type"] == "alert" and m["state"] == "resolved"
        )
        assert resolved["id"] == fired["id"]
        assert resolved["resolve_seconds"] >= 0
        row = await stored(server, show, fired["id"], "resolved")
        assert row["resolved_by"] is None  # it resolved by itself
        assert row["acked_by"] == {"label": "助播", "role": "assistant"}

        # The anchor's console held a skip at each of those positions, never the alert.
        last = resolved["offset"]
        _, seen_by_anchor = await until(anchor, lambda m: m["offset"] == last)
        assert all(m["type"] != "alert" for m in seen_by_anchor)

    # A fresh console's snapshot holds the alert, resolved.
    async with console(server, show, field_token) as fresh:
        snapshot = await receive(fresh)
    (alert,) = [a for a in snapshot["alerts"] if a["id"] == fired["id"]]
    assert alert["state"] == "resolved"


async def test_a_compliance_alert_is_stored_and_routed(server: Server) -> None:
    show = await planned_show(server)
    field_token = await token_for(server, show, "field_control")
    integrator_token = await token_for(server, show, "integrator")
    async with console(server, show, field_token) as field:
        await receive(field)
        line = {"id": "t1", "type": "transcript", "ts": at(0), "text": "全网最低价，最好的围巾"}
        posted = await call(
            server,
            "POST",
            f"/api/v1/shows/{show}/events",
            integrator_token,
            json={"events": [line]},
        )
        assert posted.status_code == 200, posted.text
        alert, _ = await until(field, lambda m: m["type"] == "alert")
    assert (alert["rule"], alert["subject"]) == ("compliance", "t1")
    assert alert["detail"]["line"] == line["text"]
    assert alert["line"] == line["text"]
    row = await stored(server, show, alert["id"], "firing")
    assert {v["term"] for v in row["detail"]["violations"]} == {
        v["term"] for v in alert["violations"]
    }


async def test_switching_a_rule_off_on_air_resolves_its_alert(server: Server) -> None:
    show = await planned_show(server)
    field_token = await token_for(server, show, "field_control")
    async with console(server, show, field_token) as field:
        await receive(field)
        await reserve(server, show, "o1", 95)
        fired, _ = await until(field, lambda m: m["type"] == "alert")
        assert fired["rule"] == "low_stock"
        off = await call(
            server,
            "PUT",
            f"/api/v1/shows/{show}/alert-rules",
            field_token,
            json={"rules": {"low_stock": {"enabled": False}}},
        )
        assert off.status_code == 200, off.text
        resolved, _ = await until(
            field, lambda m: m["type"] == "alert" and m["state"] == "resolved"
        )
    assert resolved["id"] == fired["id"]
    row = await stored(server, show, fired["id"], "resolved")
    assert row["resolved_by"] is None
