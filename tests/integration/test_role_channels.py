"""Role-shaped live channels (live/channels.py) on a real websocket, on every backend: an anchor
console never receives an alert routed to field control and the assistant — not live, not in a
snapshot, not in a resumed gap — while its positions stay contiguous."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from liveops.live.messages import server_message
from tests.conftest import Server
from tests.integration.test_ingest_api import create_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def token_for(server: Server, show: str, role: str) -> str:
    async with server.client() as client:
        minted = await client.post("/api/v1/auth/tokens", json={"role": role, "show_id": show})
    assert minted.status_code == 201, minted.text
    return str(minted.json()["token"])


def console(server: Server, show: str, token: str, query: str = "") -> Any:
    url = f"{server.ws_url}/api/v1/shows/{show}/live{query}"
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    raw = await asyncio.wait_for(ws.recv(), 10)
    server_message.validate_json(raw)  # strict: every frame has its documented shape
    message: dict[str, Any] = json.loads(raw)
    return message


STOCK = {"available": 20, "version": 1}


async def reserve(server: Server, show: str, order: str, qty: int) -> None:
    async with server.client() as client:
        answer = await client.post(
            f"/api/v1/shows/{show}/stock/S/reservations",
            json={"order_id": order, "viewer_id": f"v-{order}", "qty": qty},
        )
    assert answer.status_code == 201, answer.text


async def test_an_anchor_never_receives_alerts_meant_for_field_control(server: Server) -> None:
    show = await create_show(server)
    async with server.client() as client:
        put = await client.put(
            f"/api/v1/shows/{show}/stock/S", json={"available": 20, "version": 1}
        )
    assert put.status_code == 200, put.text
    anchor_token = await token_for(server, show, "anchor")
    field_token = await token_for(server, show, "field_control")

    async with (
        console(server, show, anchor_token) as anchor,
        console(server, show, field_token) as field,
    ):
        anchor_snapshot = await receive(anchor)
        field_snapshot = await receive(field)
        assert anchor_snapshot["type"] == field_snapshot["type"] == "snapshot"
        start = anchor_snapshot["offset"]

        # Field control sees both alerts, routed to it and the assistant. The second
        # reservation waits for the first alert: sent together, both can land in one stock
        # reading, which is sold out without ever having been low.
        alerts: dict[str, int] = {}
        field_offsets: list[int] = []
        for order, qty, rule in (("o1", 19, "low_stock"), ("o2", 1, "sold_out")):
            await reserve(server, show, order, qty)  # 1 of 20 left, then none
            while rule not in alerts:
                message = await receive(field)
                field_offsets.append(message["offset"])
                if message["type"] == "alert":
                    assert set(message["roles"]) == {"field_control", "assistant"}
                    alerts[message["kind"]] = message["offset"]
        assert set(alerts) == {"low_stock", "sold_out"}

        # The anchor follows the same positions, one after another, with a skip in the place
        # of each alert and never an alert.
        anchor_seen: dict[int, str] = {}
        offset = max(anchor_snapshot["offset"], start)
        while offset < alerts["sold_out"]:
            message = await receive(anchor)
            assert message["offset"] == offset + 1, "positions stay contiguous"
            offset = message["offset"]
            anchor_seen[offset] = message["type"]
        assert "alert" not in anchor_seen.values()
        assert {anchor_seen[o] for o in alerts.values()} == {"skip"}

    # A fresh anchor console's snapshot holds no such alert; field control's holds both.
    async with console(server, show, anchor_token) as anchor:
        assert (await receive(anchor))["alerts"] == []
    async with console(server, show, field_token) as field:
        kinds = {a["kind"] for a in (await receive(field))["alerts"]}
    assert kinds == {"low_stock", "sold_out"}

    # Resuming across the alerts: the gap holds skips where they stood, nothing more.
    epoch = anchor_snapshot["epoch"]
    async with console(server, show, anchor_token, f"?epoch={epoch}&offset={start}") as anchor:
        assert (await receive(anchor))["type"] == "resumed"
        gap = [await receive(anchor) for _ in range(alerts["sold_out"] - start)]
    assert [m["offset"] for m in gap] == list(range(start + 1, alerts["sold_out"] + 1))
    assert {m["type"] for m in gap if m["offset"] in alerts.values()} == {"skip"}
    assert all(m["type"] != "alert" for m in gap)
