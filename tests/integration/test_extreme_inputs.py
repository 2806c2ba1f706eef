"""Random extreme values through ingest, the live snapshot and the review, on both databases.

Hypothesis builds batches of valid events mixed with events of which one field holds an extreme
value: integers at every boundary, NUL and other control characters, lone surrogates, huge
strings, deep nesting, NaN, floats where integers go, keys given twice. The properties: no
answer is ever a 5xx; every valid event is accepted (or counted as a duplicate) whatever stands
beside it; every item is accounted for; the show stays readable (review, quarantine, a fresh
console's snapshot) and the snapshot agrees with the review.

Hypothesis drives synchronous code, so the server runs in a thread with its own event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from websockets.sync.client import connect

from liveops.config import Settings
from tests.conftest import Server, running_server
from tests.timestamps import at

pytestmark = [pytest.mark.timeout(300)]

_ids = itertools.count()


@contextmanager
def server_in_thread(settings: Settings) -> Iterator[Server]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def serve() -> None:
        stop = asyncio.Event()
        holder["stop"] = stop
        async with running_server(settings) as server:
            holder["server"] = server
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        assert ready.wait(30), "the server did not start"
        yield holder["server"]
    finally:
        if "stop" in holder:
            loop.call_soon_threadsafe(holder["stop"].set)
        thread.join(30)
        loop.close()


BOUNDARY_INTS = [
    -(2**64),
    -(2**63) - 1,
    -(2**63),
    -(2**31),
    -1,
    0,
    1,
    2**31 - 1,
    2**31,
    10**9,
    10**9 + 1,
    2**53 + 1,
    10**12,
    10**12 + 1,
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    10**30,
]
CONTROL = ["\x00", "\x01", "\x1f", "\x7f", "\n", "\u2028", "\ufeff"]


class Raw:
    """A JSON fragment written as it is: deep nesting, NaN, huge integers, repeated keys."""

    def __init__(self, text: str) -> None:
        self.text = text


extreme_values = st.one_of(
    st.sampled_from(BOUNDARY_INTS),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 990.5, -0.0, 1e300]),
    st.booleans(),
    st.none(),
    st.text(max_size=40),
    st.builds(lambda c, n: "v" + c * n, st.sampled_from(CONTROL), st.integers(1, 3)),
    st.sampled_from(["\ud800", "a\udc00b", "x" * 100_000, "刷" * 600, ""]),
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1764800000", "昨天"]),
    st.builds(lambda d: Raw("[" * d + "]" * d), st.sampled_from([1, 50, 254, 255, 600, 1000])),
    st.sampled_from([Raw("NaN"), Raw("-Infinity"), Raw("9" * 5000), Raw("1e999")]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)

VALID_FIELDS: dict[str, Any] = {
    "viewer.join": {"viewer_id": "v1", "channel": "recommend"},
    "viewer.leave": {"viewer_id": "v1"},
    "viewer.count": {"online": 120},
    "comment": {"viewer_id": "v2", "text": "有XL吗"},
    "like": {"viewer_id": "v3", "count": 5},
    "gift": {"viewer_id": "v3", "gift": "rose", "value": 100},
    "product.click": {"viewer_id": "v2", "sku": "S1"},
    "order.created": {"order_id": "o1", "viewer_id": "v2", "sku": "S1", "qty": 1, "amount": 990},
    "order.paid": {"order_id": "o1", "amount": 990},
    "order.refunded": {"order_id": "o1", "amount": 990},
    "stock.set": {"sku": "S1", "available": 50},
    "stream.health": {"bitrate_kbps": 3000, "fps": 30, "latency_ms": 900, "stall_ratio": 0.01},
    "transcript": {"text": "限时福利"},
}


@st.composite
def valid_event(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(VALID_FIELDS)))
    second = draw(st.integers(0, 3000))
    return {"id": f"ok-{next(_ids)}", "type": kind, "ts": at(second), **VALID_FIELDS[kind]}


@st.composite
def extreme_event(draw: st.DrawFn) -> dict[str, Any] | Raw:
    event = dict(draw(valid_event()))
    event["id"] = f"x-{next(_ids)}"
    field = draw(st.sampled_from([*event, "extra", "type"]))
    event[field] = draw(extreme_values)
    if draw(st.booleans()) and isinstance(event.get("id"), str):
        return Raw(to_json(event)[:-1] + ', "id": "again"}')  # the id key given twice
    return event


def to_json(value: Any) -> str:
    """JSON text with Raw fragments spliced in (the standard encoder cannot write them)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        parts = (f"{json.dumps(str(k))}: {to_json(v)}" for k, v in value.items())
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


# (valid?, item): the property is about the items known to be valid.
batches = st.lists(
    st.one_of(valid_event().map(lambda e: (True, e)), extreme_event().map(lambda e: (False, e))),
    min_size=1,
    max_size=12,
)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_extreme_values_never_break_a_show(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    settings = Settings(data_dir=tmp_path, metrics_interval_seconds=0.05)
    if backend == "postgres":
        settings = Settings(
            database_url=request.getfixturevalue("pg_database"),
            data_dir=tmp_path,
            metrics_interval_seconds=0.05,
        )
    with server_in_thread(settings) as server:
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            created = client.post("/api/v1/shows", json={"title": "极限", "platform": "douyin"})
            show = created.json()["id"]
            valid_kept = _fuzz(client, show)
            _assert_readable(server, client, show, valid_kept)


def _fuzz(client: httpx.Client, show: str) -> int:
    kept = 0

    @hypothesis_settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(batch=batches)
    def one_batch(batch: list[tuple[bool, dict[str, Any] | Raw]]) -> None:
        nonlocal kept
        items = [item for _, item in batch]
        body = '{"events": [' + ", ".join(to_json(i) for i in items) + "]}"
        response = client.post(
            f"/api/v1/shows/{show}/events",
            content=body.encode(),  # ASCII: json.dumps escapes even a lone surrogate
            headers={"content-type": "application/json"},
        )
        # Every body here is a JSON object with an "events" list: whatever its items hold,
        # it is answered item by item.
        assert response.status_code == 200, response.text[:500]
        answer = response.json()
        rejected = {r["index"] for r in answer["rejected"]}
        assert answer["accepted"] + answer["duplicates"] + len(rejected) == len(items)
        valid = {n for n, (is_valid, _) in enumerate(batch) if is_valid}
        assert not valid & rejected, answer["rejected"]
        assert len(response.content) < 64 * 1024 + 2_000 * len(items)
        kept += answer["accepted"]

    one_batch()
    return kept


def _assert_readable(server: Server, client: httpx.Client, show: str, kept: int) -> None:
    review = client.get(f"/api/v1/shows/{show}/review")
    assert review.status_code == 200, review.text[:500]
    assert review.json()["summary"]["comments"] >= 0
    quarantine = client.get(f"/api/v1/shows/{show}/quarantine", params={"limit": 1000})
    assert quarantine.status_code == 200
    for step in ("start", "end"):
        assert client.post(f"/api/v1/shows/{show}/{step}").status_code == 200, step
    url = f"{server.ws_url}/api/v1/shows/{show}/live"
    with connect(url, additional_headers={"Authorization": f"Bearer {server.token}"}) as ws:
        snapshot = json.loads(ws.recv(timeout=10))
    assert snapshot["type"] == "snapshot"
    summary = client.get(f"/api/v1/shows/{show}/review").json()["summary"]
    for key in ("uv", "comments", "likes", "gift_value", "gmv_paid", "refund_amount"):
        assert snapshot["metrics"][key] == summary[key], key
    assert kept > 0
