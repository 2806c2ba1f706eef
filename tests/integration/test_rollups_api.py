"""Roll-ups and A/B comparisons of ended shows (issue #13), against a real uvicorn on every
backend: tags stored and read back, groups summed from the shows' review summaries, pooled
rates, the two-variant test, and who may read them."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.integration.test_runsheet_api import call, token_for
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


def audience(show_tag: str, viewers: int, buyers: int, price: int) -> list[dict[str, Any]]:
    """`viewers` join; the first `buyers` of them order once and pay `price`."""
    events: list[dict[str, Any]] = []
    for n in range(viewers):
        viewer = f"{show_tag}-v{n}"
        events.append({"id": f"j{n}", "type": "viewer.join", "ts": at(n), "viewer_id": viewer})
        if n < buyers:
            order = f"o{n}"
            events.append(
                {
                    "id": f"c{n}",
                    "type": "order.created",
                    "ts": at(n + 1),
                    "order_id": order,
                    "viewer_id": viewer,
                    "sku": "SKU1",
                    "qty": 1,
                    "amount": price,
                }
            )
            events.append(
                {
                    "id": f"p{n}",
                    "type": "order.paid",
                    "ts": at(n + 2),
                    "order_id": order,
                    "amount": price,
                }
            )
    return events


async def ended_show(
    server: Server, room: str, anchors: list[str], tags: dict[str, str], viewers: int, buyers: int
) -> str:
    show = await create_show(server, room=room, anchors=anchors, tags=tags)
    started = await call(server, "POST", f"/api/v1/shows/{show}/start")
    assert started.status_code == 200, started.text
    posted = await call(
        server,
        "POST",
        f"/api/v1/shows/{show}/events",
        json={"events": audience(show, viewers, buyers, 1000)},
    )
    assert posted.status_code == 200, posted.text
    ended = await call(server, "POST", f"/api/v1/shows/{show}/end")
    assert ended.status_code == 200, ended.text
    return show


async def rollups(server: Server, **params: str) -> dict[str, Any]:
    answer = await call(server, "GET", "/api/v1/reviews/rollups", params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_shows_roll_up_and_tagged_variants_compare(server: Server) -> None:
    room = "room-" + secrets.token_hex(4)
    a1 = await ended_show(server, room, ["小雅"], {"script": "A", "promotion": "满减"}, 40, 4)
    a2 = await ended_show(server, room, ["小雅", "阿杰"], {"script": "A"}, 60, 6)
    b1 = await ended_show(server, room, ["阿杰"], {"script": "B", "promotion": "满减"}, 50, 10)
    await create_show(server, room=room, tags={"script": "B"})  # not ended: left out
    await ended_show(server, "another-" + room, ["小雅"], {"script": "A"}, 10, 10)  # other room

    shown = (await call(server, "GET", f"/api/v1/shows/{b1}")).json()
    assert shown["tags"] == {"script": "B", "promotion": "满减"}

    by_anchor = await call(
        server, "GET", "/api/v1/reviews/rollups", params={"room": room, "by": "anchor"}
    )
    assert by_anchor.status_code == 200, by_anchor.text
    rollup = by_anchor.json()
    assert rollup["shows"] == 3
    groups = {g["key"]: g for g in rollup["groups"]}
    assert set(groups) == {"小雅", "阿杰"}
    assert {s["id"] for s in groups["小雅"]["shows"]} == {a1, a2}
    assert {s["id"] for s in groups["阿杰"]["shows"]} == {a2, b1}
    assert groups["阿杰"]["totals"]["uv"] == 110
    assert groups["阿杰"]["totals"]["buyers"] == 16
    assert groups["阿杰"]["totals"]["gmv_paid"] == 16_000
    assert groups["阿杰"]["rates"]["conversion_rate"] == pytest.approx(16 / 110)
    assert groups["阿杰"]["rates"]["uv_value"] == pytest.approx(16_000 / 110)

    by_day = (
        await call(server, "GET", "/api/v1/reviews/rollups", params={"room": room, "by": "day"})
    ).json()
    assert len(by_day["groups"]) in (1, 2)  # shows started around midnight in Shanghai: two
    assert sum(g["totals"]["uv"] for g in by_day["groups"]) == 150
    promotions = (
        await call(
            server, "GET", "/api/v1/reviews/rollups", params={"room": room, "by": "promotion"}
        )
    ).json()
    assert {g["key"]: len(g["shows"]) for g in promotions["groups"]} == {
        "满减": 2,
        "未标注 untagged": 1,
    }

    compared = await call(
        server, "GET", "/api/v1/reviews/ab", params={"room": room, "tag": "script"}
    )
    assert compared.status_code == 200, compared.text
    ab = compared.json()
    assert [v["key"] for v in ab["variants"]] == ["A", "B"]  # most shows first
    assert ab["untagged"] == 0
    variant_a, variant_b = ab["variants"]
    assert variant_a["rates"]["conversion_rate"] == pytest.approx(10 / 100)
    assert variant_b["rates"]["conversion_rate"] == pytest.approx(10 / 50)
    difference = ab["difference"]
    assert difference["a"] == "A"
    assert difference["conversion_lift"] == pytest.approx(1.0)  # 20 % against 10 %
    assert difference["conversion_z"] > 0
    assert 0 < difference["conversion_p_value"] < 0.2


async def test_tags_are_checked_and_roll_ups_are_for_global_roles(server: Server) -> None:
    show = await create_show(server)
    bad = await call(server, "PUT", f"/api/v1/shows/{show}/tags", json={"tags": {"Script!": "A"}})
    assert bad.status_code == 422
    too_long = await call(
        server, "PUT", f"/api/v1/shows/{show}/tags", json={"tags": {"script": "x" * 65}}
    )
    assert too_long.status_code == 422
    put = await call(server, "PUT", f"/api/v1/shows/{show}/tags", json={"tags": {"set": "绿幕"}})
    assert put.status_code == 200, put.text
    assert put.json()["tags"] == {"set": "绿幕"}

    field = await token_for(server, show, "field_control")
    refused = await call(server, "GET", "/api/v1/reviews/rollups", field, params={"by": "day"})
    assert refused.status_code == 403
    unknown = await call(server, "GET", "/api/v1/reviews/rollups", params={"by": "year"})
    assert unknown.status_code == 422
    empty = await call(server, "GET", "/api/v1/reviews/ab", params={"tag": "nothing_tagged_so"})
    assert empty.status_code == 200
    assert empty.json()["variants"] == []
    assert empty.json()["difference"] is None
