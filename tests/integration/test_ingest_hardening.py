"""Issue #9's ingest findings, as they were reported, over real HTTP and websockets on every
backend: no valid-looking input breaks a show, and the valid events beside a bad one are kept."""

from __future__ import annotations

import json
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

I64_MAX = 2**63 - 1


def gift(event_id: str, value: object) -> dict[str, Any]:
    return {"id": event_id, "type": "gift", "ts": at(5), "viewer_id": "v1", "gift": "r"} | {
        "value": value
    }


def follow(event_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "follow", "ts": at(1), "viewer_id": "v1", **extra}


async def post_raw(client: httpx.AsyncClient, show: str, body: bytes) -> httpx.Response:
    return await client.post(
        f"/api/v1/shows/{show}/events",
        content=body,
        headers={"content-type": "application/json"},
    )


async def snapshot(server: Server, show: str) -> dict[str, Any]:
    url = f"{server.ws_url}/api/v1/shows/{show}/live"
    headers = {"Authorization": f"Bearer {server.token}"}
    async with connect(url, additional_headers=headers, open_timeout=10) as ws:
        first: dict[str, Any] = json.loads(await ws.recv())
    assert first["type"] == "snapshot"
    return first


async def assert_readable(server: Server, show: str) -> dict[str, Any]:
    """The show's review and a fresh console's snapshot both still work."""
    async with server.client() as client:
        review = await client.get(f"/api/v1/shows/{show}/review")
        assert review.status_code == 200, review.text
        started = await client.post(f"/api/v1/shows/{show}/start")
        assert started.status_code == 200, started.text
    live = await snapshot(server, show)
    summary: dict[str, Any] = review.json()["summary"]
    assert live["metrics"]["gift_value"] == summary["gift_value"]
    return summary


async def test_a_gift_of_2_63_is_rejected_and_the_show_stays_readable(server: Server) -> None:
    """Finding 1: three such gifts broke every console and the review for good."""
    show = await create_show(server)
    batch = [gift("g1", I64_MAX), gift("g2", I64_MAX), gift("g3", I64_MAX), gift("ok", 990)]
    async with server.client() as client:
        answer = (await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})).json()
    assert answer["accepted"] == 1
    assert [r["index"] for r in answer["rejected"]] == [0, 1, 2]
    assert "less than or equal to 1000000000000" in answer["rejected"][0]["error"]
    summary = await assert_readable(server, show)
    assert summary["gift_value"] == 990


@pytest.mark.parametrize(
    ("label", "bad"),
    [
        ("u64 amount", gift("bad", 2**64 - 1)),
        ("i64+1 in a count", {"id": "bad", "type": "like", "ts": at(2), "count": 2**63}),
        ("below i64", {"id": "bad", "type": "viewer.count", "ts": at(2), "online": -(2**63) - 1}),
        ("NUL in id", follow("bad\x00")),
        ("NUL in viewer_id", follow("bad") | {"viewer_id": "v\x00"}),
        ("stock.set 2^31", {"id": "bad", "type": "stock.set", "ts": at(2), "sku": "S",
                            "available": 2**31}),
        ("year 1", follow("bad") | {"ts": "0001-01-01T00:00:00Z"}),
        ("year 9999", follow("bad") | {"ts": "9999-12-31T23:59:59Z"}),
        ("epoch seconds", follow("bad") | {"ts": 1_764_800_000}),
    ],
)  # fmt: skip
async def test_one_bad_item_costs_only_itself(server: Server, label: str, bad: Any) -> None:
    """Finding 2 and 9: each of these lost the whole batch (500) or was stored."""
    show = await create_show(server)
    batch = [follow("before"), bad, follow("after")]
    async with server.client() as client:
        response = await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["accepted"] == 2, (label, answer)
        [rejected] = answer["rejected"]
        assert rejected["index"] == 1
        quarantine = await client.get(f"/api/v1/shows/{show}/quarantine")
        assert quarantine.status_code == 200
        assert [i["batch_index"] for i in quarantine.json()["items"]] == [1]
    summary = await assert_readable(server, show)
    assert summary["new_followers"] == 2


async def test_deep_nesting_is_one_items_problem(server: Server) -> None:
    """Finding 2: 255–1,024 levels of nesting in one item failed the whole batch."""
    show = await create_show(server)
    for depth in (255, 600, 1_000):
        items = [
            orjson.dumps(follow(f"a{depth}")),
            b'{"id": "d%d", "type": "follow", "ts": "%s", "viewer_id": "v2", "x": %s}'
            % (depth, at(3).encode(), b"[" * depth + b"]" * depth),
            b'{"id": "n%d", "type": "nested", "x": %s}' % (depth, b"{}" if depth else b""),
        ]
        async with server.client() as client:
            response = await post_raw(client, show, b'{"events": [' + b", ".join(items) + b"]}")
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["accepted"] == 2
        assert "not kept" in answer["warnings"][0]["warning"]
    await assert_readable(server, show)


async def test_a_key_given_twice_is_refused_not_silently_replaced(server: Server) -> None:
    """Finding 9: `"amount":1,"amount":999999` stored 999999."""
    show = await create_show(server)
    paid = (
        b'{"id": "p1", "type": "order.paid", "ts": "%s", "order_id": "o1", '
        b'"amount": 1, "amount": 999999}' % at(4).encode()
    )
    async with server.client() as client:
        answer = (await post_raw(client, show, b'{"events": [%s]}' % paid)).json()
        assert answer["accepted"] == 0
        assert "'amount' more than once" in answer["rejected"][0]["error"]
        second = await post_raw(client, show, b'{"events": [], "events": [%s]}' % paid)
        assert second.status_code == 422
        assert "'events' more than once" in second.json()["detail"]


async def test_junk_fields_are_not_stored_and_the_quarantine_stays_small(server: Server) -> None:
    """Finding 6: a 15 MB junk field was stored verbatim, and quarantined whole."""
    show = await create_show(server)
    junk = "x" * 3_000_000
    batch = [
        follow("kept", junk=junk),  # accepted: its junk is not kept
        {"id": "bad", "type": "comment", "ts": at(1), "viewer_id": "v", "junk": junk},
    ]
    async with server.client() as client:
        answer = (await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})).json()
        assert answer["accepted"] == 1
        assert answer["warnings"][0]["index"] == 0
        assert "missing field 'text'" in answer["rejected"][0]["error"]
        listing = await client.get(f"/api/v1/shows/{show}/quarantine", params={"limit": 1000})
    assert listing.status_code == 200
    assert len(listing.content) < 10_000
    [item] = listing.json()["items"]
    assert item["raw"].endswith("characters in all)")


async def test_the_quarantine_pages_by_size(server: Server) -> None:
    show = await create_show(server)
    bad = [{"id": f"b{n}", "type": "comment", "ts": at(1), "junk": "x" * 5000} for n in range(700)]
    async with server.client() as client:
        for start in range(0, len(bad), 350):
            batch = bad[start : start + 350]
            response = await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})
            assert len(response.json()["rejected"]) == 350
        seen = 0
        params: dict[str, Any] = {"limit": 1000}
        pages = 0
        while True:
            page = await client.get(f"/api/v1/shows/{show}/quarantine", params=params)
            assert page.status_code == 200
            assert len(page.content) < 2 * 1024 * 1024
            body = page.json()
            seen += len(body["items"])
            pages += 1
            if body["next_before_id"] is None:
                break
            params["before_id"] = body["next_before_id"]
        assert (seen, pages > 1) == (700, True)
        too_far = await client.get(f"/api/v1/shows/{show}/quarantine?before_id={2**63}")
        assert too_far.status_code == 422


async def test_a_transcript_line_is_accepted(server: Server) -> None:
    """Contract §3 lists `transcript` (section 9 checks it): it must be stored, not refused."""
    show = await create_show(server)
    line = {"id": "t1", "type": "transcript", "ts": at(1), "text": "今天这款面霜只要九十九"}
    async with server.client() as client:
        answer = (await client.post(f"/api/v1/shows/{show}/events", json={"events": [line]})).json()
    assert answer == {"accepted": 1, "duplicates": 0, "rejected": []}
    await assert_readable(server, show)
