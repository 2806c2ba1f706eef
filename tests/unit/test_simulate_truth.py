"""The simulator's independent recount against hand-worked examples of docs/metrics.md."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from liveops.simulate.truth import METRIC_KEYS, recount, ts_micros

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
RATES = {
    "avg_watch_seconds",
    "interaction_rate",
    "click_rate",
    "conversion_rate",
    "click_to_pay_rate",
    "aov",
    "uv_value",
    "gpm",
    "refund_rate",
}
ZERO: dict[str, int | float] = {k: 0.0 if k in RATES else 0 for k in METRIC_KEYS}


def at(seconds: float) -> str:
    moment = T0 + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def ev(event_id: str, kind: str, seconds: float, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "ts": at(seconds), "source": "test", **fields}


def join(event_id: str, viewer: str, seconds: float) -> dict[str, Any]:
    return ev(event_id, "viewer.join", seconds, viewer_id=viewer, channel="recommend")


def leave(event_id: str, viewer: str, seconds: float) -> dict[str, Any]:
    return ev(event_id, "viewer.leave", seconds, viewer_id=viewer)


ORDERS = [
    join("j1", "A", 0),
    join("j2", "B", 0),
    join("j3", "C", 0),
    ev("c1", "product.click", 1, viewer_id="A", sku="S1"),
    ev("c2", "product.click", 2, viewer_id="A", sku="S2"),
    ev("c3", "product.click", 3, viewer_id="C", sku="S1"),
    ev("o1c", "order.created", 10, order_id="o1", viewer_id="A", sku="S1", qty=1, amount=1000),
    ev("o1p", "order.paid", 12, order_id="o1", amount=1000),
    # o2's payment arrives first; its buyer still comes from the created event
    ev("o2p", "order.paid", 21, order_id="o2", amount=500),
    ev("o2c", "order.created", 20, order_id="o2", viewer_id="B", sku="S2", qty=1, amount=500),
    ev("o3c", "order.created", 30, order_id="o3", viewer_id="A", sku="S1", qty=2, amount=2000),
    ev("o3x", "order.cancelled", 40, order_id="o3"),
    ev("o4p", "order.paid", 50, order_id="o4", amount=300),  # never created: no buyer
    ev("r1", "order.refunded", 90, order_id="o1", amount=400),
    ev("r2", "order.refunded", 100, order_id="o1", amount=600),
]

CASES: list[tuple[str, list[dict[str, Any]], datetime | None, dict[str, int | float]]] = [
    ("nothing", [], None, {}),
    (
        "presence mode, open interval runs to the greatest ts",
        [
            join("j1", "A", 0),
            leave("l1", "A", 10),
            join("j2", "B", 5),
            ev("c1", "comment", 20, viewer_id="B", text="多少钱"),
        ],
        None,
        {
            "online": 1,
            "peak_online": 2,
            "uv": 2,
            "views": 2,
            "avg_watch_seconds": 12.5,  # (10 + 15) / 2
            "comments": 1,
            "interacting_viewers": 1,
            "interaction_rate": 0.5,
        },
    ),
    (
        "presence mode, open interval runs to ended_at",
        [join("j1", "A", 0), leave("l1", "A", 10), join("j2", "B", 5)],
        T0 + timedelta(seconds=30),
        {"online": 1, "peak_online": 2, "uv": 2, "views": 2, "avg_watch_seconds": 17.5},
    ),
    (
        "count mode: latest ts wins, the greatest online at a tie; peak over all counts",
        [
            join("j1", "A", 0),
            leave("l1", "A", 4),
            ev("n1", "viewer.count", 1, online=100),
            ev("n2", "viewer.count", 5, online=250),
            ev("n3", "viewer.count", 5, online=240),
            ev("n4", "viewer.count", 3, online=300),
        ],
        None,
        {"online": 250, "peak_online": 300, "uv": 1, "views": 1, "avg_watch_seconds": 4.0},
    ),
    (
        "peak applies all presence events of one ts together",
        [join("j1", "A", 0), join("j2", "B", 10), leave("l1", "A", 10), leave("l2", "B", 12)],
        None,
        {"online": 0, "peak_online": 1, "uv": 2, "views": 2, "avg_watch_seconds": 6.0},
    ),
    (
        "a rejoin at the leave's ts sorts first, so the viewer ends absent",
        [
            join("j1", "A", 0),
            leave("l1", "A", 5),
            join("j2", "A", 5),
            ev("x", "share", 9, viewer_id="A"),
        ],
        None,
        {
            "peak_online": 1,
            "uv": 1,
            "views": 2,
            "avg_watch_seconds": 5.0,
            "shares": 1,
            "interacting_viewers": 1,
            "interaction_rate": 1.0,
        },
    ),
    (
        "rejoin later: two intervals, one uv, two views",
        [join("j1", "A", 0), leave("l1", "A", 10), join("j2", "A", 20), leave("l2", "A", 25)],
        None,
        {"peak_online": 1, "uv": 1, "views": 2, "avg_watch_seconds": 15.0},
    ),
    (
        "a leave without a join changes nothing",
        [leave("l0", "Z", 5), join("j1", "A", 0), leave("l1", "A", 10)],
        None,
        {"peak_online": 1, "uv": 1, "views": 1, "avg_watch_seconds": 10.0},
    ),
    (
        "a second join while present changes nothing but views",
        [join("j1", "A", 0), join("j2", "A", 3), leave("l1", "A", 10)],
        None,
        {"peak_online": 1, "uv": 1, "views": 2, "avg_watch_seconds": 10.0},
    ),
    (
        "duplicates: the first copy of an id counts, even with other fields or ts",
        [
            ev("g1", "gift", 1, viewer_id="A", gift="小心心", value=100),
            ev("g1", "gift", 2, viewer_id="B", gift="嘉年华", value=300000),
            ev("k1", "like", 10, viewer_id="A", count=5),
            ev("k1", "like", 1, viewer_id="A", count=50),
        ],
        None,
        {"gift_value": 100, "likes": 5, "interacting_viewers": 1},
    ),
    (
        "likes without a viewer add to likes, not to interacting viewers",
        [
            join("j1", "A", 0),
            ev("k1", "like", 1, count=10),
            ev("k2", "like", 2, viewer_id="A", count=2),
            ev("f1", "follow", 3, viewer_id="B"),
            ev("s1", "share", 4, viewer_id="B"),
            ev("p1", "product.click", 5, viewer_id="C", sku="S1"),
            ev("i1", "product.impression", 5, sku="S1", count=40),
            ev("a1", "cart.add", 6, viewer_id="C", sku="S1", qty=1),
        ],
        None,
        {
            "online": 1,
            "peak_online": 1,
            "uv": 1,
            "views": 1,
            "avg_watch_seconds": 6.0,
            "likes": 12,
            "new_followers": 1,
            "shares": 1,
            "interacting_viewers": 2,
            "interaction_rate": 2.0,  # B interacted without a join: the ratio is not capped
            "product_clicks": 1,
            "click_viewers": 1,
            "click_rate": 1.0,
        },
    ),
    (
        "orders: distinct ids, paid before created, orphan payment, two refunds of one order",
        ORDERS,
        None,
        {
            "online": 3,
            "peak_online": 3,
            "uv": 3,
            "views": 3,
            "avg_watch_seconds": 100.0,
            "product_clicks": 3,
            "click_viewers": 2,
            "click_rate": 2 / 3,
            "orders_created": 3,
            "orders_paid": 3,
            "gmv_paid": 1800,
            "buyers": 2,
            "conversion_rate": 2 / 3,
            "click_to_pay_rate": 1.0,
            "aov": 900.0,
            "uv_value": 600.0,
            "gpm": 600000.0,
            "orders_refunded": 1,
            "refund_amount": 1000,
            "refund_rate": 1 / 3,
            "net_gmv": 800,
        },
    ),
    (
        "refunds after the end count, and a refund can exceed what is left",
        [
            ev("o1c", "order.created", 1, order_id="o1", viewer_id="A", sku="S", qty=1, amount=990),
            ev("o1p", "order.paid", 2, order_id="o1", amount=990),
            ev("r1", "order.refunded", 7200, order_id="o1", amount=990),
            ev("r2", "order.refunded", 7300, order_id="o9", amount=100),
        ],
        T0 + timedelta(seconds=60),
        {
            "orders_created": 1,
            "orders_paid": 1,
            "gmv_paid": 990,
            "buyers": 1,
            "aov": 990.0,
            "orders_refunded": 2,
            "refund_amount": 1090,
            "refund_rate": 2.0,
            "net_gmv": -100,
        },
    ),
    (
        "timestamps with other offsets are the same instants",
        [
            ev("j1", "viewer.join", 0, viewer_id="A") | {"ts": "2026-11-22T20:00:00+08:00"},
            ev("l1", "viewer.leave", 0, viewer_id="A") | {"ts": "2026-11-22T12:00:30.500000Z"},
        ],
        None,
        {"peak_online": 1, "uv": 1, "views": 1, "avg_watch_seconds": 30.5},
    ),
]


@pytest.mark.parametrize(
    ("events", "ended_at", "expected"),
    [pytest.param(e, end, x, id=name) for name, e, end, x in CASES],
)
def test_recount_matches_hand_worked_metrics(
    events: list[dict[str, Any]], ended_at: datetime | None, expected: dict[str, int | float]
) -> None:
    result = recount(events, ended_at=ended_at)
    assert list(result) == list(METRIC_KEYS)
    assert result == pytest.approx(ZERO | expected, rel=1e-12, abs=0)


@pytest.mark.parametrize(
    "events",
    [pytest.param(e, id=name) for name, e, _, _ in CASES if len({x["id"] for x in e}) == len(e)],
)
def test_arrival_order_does_not_matter(events: list[dict[str, Any]]) -> None:
    expected = recount(events)
    for seed in range(5):
        shuffled = list(events)
        random.Random(seed).shuffle(shuffled)
        assert recount(shuffled) == expected


def test_counts_and_money_are_ints_and_rates_are_floats() -> None:
    result = recount(ORDERS)
    for key, value in result.items():
        wanted = float if key in RATES else int
        assert type(value) is wanted, key
    assert type(recount([])["gpm"]) is float


@pytest.mark.parametrize(
    ("ts", "micros"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:01.000001Z", 1_000_001),
        ("1970-01-01T08:00:00+08:00", 0),
        ("1970-01-01T00:00:00.123z", 123_000),
        ("1969-12-31T23:59:59.999Z", -1_000),
    ],
)
def test_ts_micros(ts: str, micros: int) -> None:
    assert ts_micros(ts) == micros
