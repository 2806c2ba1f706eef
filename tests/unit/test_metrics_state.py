"""The live reducer, table-driven: every contract §4 metric, and reorderings of each case."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import pytest

from liveops.events import EventRecord
from liveops.metrics.formulas import METRIC_KEYS
from liveops.metrics.state import ShowState

S = 1_000_000  # one second in microseconds
T0 = 1_800_000_000 * S  # a minute boundary


def e(n: int, kind: str, t: float, **fields: Any) -> EventRecord:
    return EventRecord(
        event_id=f"e{n}", type=kind, ts_us=T0 + int(t * S), received_at_us=0, **fields
    )


def join(n: int, t: float, v: str) -> EventRecord:
    return e(n, "viewer.join", t, viewer_id=v)


def leave(n: int, t: float, v: str) -> EventRecord:
    return e(n, "viewer.leave", t, viewer_id=v)


def run(events: list[EventRecord], ended_at: float | None = None) -> dict[str, Any]:
    state = ShowState()
    for record in events:
        state.apply(record)
    if ended_at is not None:
        state.ended_at_us = T0 + int(ended_at * S)
    return state.metrics()


@dataclass
class Case:
    name: str
    events: list[EventRecord]
    expected: dict[str, Any]
    ended_at: float | None = None
    orders: list[str] = field(default_factory=list)


CASES = [
    Case("empty show: every metric is zero", [], {k: 0 for k in METRIC_KEYS}),
    Case(
        "presence: join/leave give online, uv, views, peak and watch time",
        [join(1, 0, "a"), join(2, 10, "b"), leave(3, 20, "a"), join(4, 30, "a"), leave(5, 40, "b")],
        {
            "online": 1,
            "peak_online": 2,
            "uv": 2,
            "views": 3,
            # a: 0-20 and 30-40 (open, runs to the newest ts = 40) = 30 s; b: 10-40 = 30 s
            "avg_watch_seconds": 30.0,
        },
    ),
    Case(
        "presence: open intervals run to the show's end when it has ended",
        [join(1, 0, "a"), join(2, 10, "b"), leave(3, 20, "b")],
        {"online": 1, "avg_watch_seconds": (100 + 10) / 2},
        ended_at=100,
    ),
    Case(
        "presence: a join after the show's end adds no watch time",
        [join(1, 0, "a"), join(2, 150, "b")],
        {"online": 2, "uv": 2, "avg_watch_seconds": 100 / 2},
        ended_at=100,
    ),
    Case(
        "presence: a second join while present and a leave while absent change nothing",
        [join(1, 0, "a"), join(2, 5, "a"), leave(3, 10, "a"), leave(4, 12, "a")],
        {"online": 0, "peak_online": 1, "uv": 1, "views": 2, "avg_watch_seconds": 10.0},
    ),
    Case(
        "presence: the peak is read after all events of one ts (join and leave together)",
        [join(1, 0, "a"), join(2, 5, "b"), leave(3, 5, "a")],
        {"online": 1, "peak_online": 1},
    ),
    Case(
        "presence: join before leave at an equal ts for one viewer",
        [leave(1, 5, "a"), join(2, 5, "a")],
        {"online": 0, "peak_online": 0, "uv": 1, "avg_watch_seconds": 0.0},
    ),
    Case(
        "count mode: the newest viewer.count wins and the peak is the largest count",
        [
            e(1, "viewer.count", 0, online=100),
            e(2, "viewer.count", 20, online=80),
            e(3, "viewer.count", 10, online=300),
            join(4, 30, "a"),
        ],
        {"online": 80, "peak_online": 300, "uv": 1},
    ),
    Case(
        "count mode: equal ts, the greatest count wins",
        [e(1, "viewer.count", 5, online=7), e(2, "viewer.count", 5, online=9)],
        {"online": 9, "peak_online": 9},
    ),
    Case(
        "engagement: counts, like sums, gift value, interacting viewers",
        [
            join(1, 0, "a"),
            join(2, 0, "b"),
            e(3, "comment", 1, viewer_id="a", text="好看"),
            e(4, "like", 2, viewer_id="a", quantity=5),
            e(5, "like", 3, quantity=10),
            e(6, "share", 4, viewer_id="b"),
            e(7, "follow", 5, viewer_id="c"),
            e(8, "gift", 6, viewer_id="a", amount=1000),
        ],
        {
            "comments": 1,
            "likes": 15,
            "shares": 1,
            "new_followers": 1,
            "gift_value": 1000,
            "interacting_viewers": 3,
            "interaction_rate": 1.5,
        },
    ),
    Case(
        "clicks: product_clicks counts events, click_viewers distinct viewers",
        [
            join(1, 0, "a"),
            join(2, 0, "b"),
            e(3, "product.click", 1, viewer_id="a", sku="s1"),
            e(4, "product.click", 2, viewer_id="a", sku="s2"),
        ],
        {"product_clicks": 2, "click_viewers": 1, "click_rate": 0.5},
    ),
    Case(
        "orders: paid before created still makes a buyer; refunds after the end count",
        [
            join(1, 0, "a"),
            join(2, 0, "b"),
            e(3, "product.click", 1, viewer_id="a", sku="s"),
            e(4, "order.paid", 3, order_id="o1", amount=9900),
            e(
                5,
                "order.created",
                2,
                order_id="o1",
                viewer_id="a",
                sku="s",
                quantity=1,
                amount=9900,
            ),
            e(6, "order.created", 4, order_id="o2", viewer_id="b", sku="s", quantity=2, amount=100),
            e(7, "order.cancelled", 5, order_id="o2"),
            e(8, "order.refunded", 500, order_id="o1", amount=4900),
        ],
        {
            "orders_created": 2,
            "orders_paid": 1,
            "gmv_paid": 9900,
            "buyers": 1,
            "conversion_rate": 0.5,
            "click_to_pay_rate": 1.0,
            "aov": 9900.0,
            "uv_value": 4950.0,
            "gpm": 9900 * 1000 / 2,
            "orders_refunded": 1,
            "refund_amount": 4900,
            "refund_rate": 1.0,
            "net_gmv": 5000,
        },
    ),
    Case(
        "orders: two payments of one order both count in GMV, once in orders_paid",
        [
            e(1, "order.created", 0, order_id="o", viewer_id="a", sku="s", quantity=1, amount=10),
            e(2, "order.paid", 1, order_id="o", amount=6),
            e(3, "order.paid", 2, order_id="o", amount=4),
        ],
        {"orders_paid": 1, "gmv_paid": 10, "buyers": 1, "aov": 10.0},
    ),
    Case(
        "orders: a paid order never created has no buyer",
        [e(1, "order.paid", 1, order_id="o", amount=6)],
        {"orders_paid": 1, "buyers": 0, "aov": 0.0, "gmv_paid": 6},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_metric_values(case: Case) -> None:
    metrics = run(case.events, case.ended_at)
    for key, value in case.expected.items():
        assert metrics[key] == pytest.approx(value), key


@pytest.mark.parametrize("case", [c for c in CASES if len(c.events) <= 7], ids=lambda c: c.name)
def test_every_arrival_order_gives_the_same_metrics(case: Case) -> None:
    """Late and out-of-order delivery must not change any number (metrics come from ts)."""
    expected = run(case.events, case.ended_at)
    for order in itertools.permutations(case.events):
        got = run(list(order), case.ended_at)
        for key in METRIC_KEYS:
            assert math.isclose(got[key], expected[key], rel_tol=1e-12), (key, order)


def test_snapshot_has_every_contract_key() -> None:
    assert list(run([]).keys()) == list(METRIC_KEYS)


def test_per_product_figures_and_stock_left() -> None:
    state = ShowState(allocated={"s": 100, "t": 5})
    for record in [
        e(1, "product.impression", 0, sku="s", quantity=50),
        e(2, "product.click", 1, viewer_id="a", sku="s"),
        e(3, "cart.add", 2, viewer_id="a", sku="s", quantity=2),
        e(4, "order.created", 3, order_id="o1", viewer_id="a", sku="s", quantity=2, amount=200),
        e(5, "order.paid", 4, order_id="o1", amount=200),
        e(6, "order.created", 5, order_id="o2", viewer_id="b", sku="s", quantity=1, amount=100),
        e(7, "stock.set", 6, sku="t", quantity=3),
        e(8, "order.created", 7, order_id="o3", viewer_id="b", sku="t", quantity=1, amount=50),
        e(9, "order.paid", 8, order_id="o3", amount=50),
        e(10, "order.created", 1, order_id="o4", viewer_id="c", sku="t", quantity=1, amount=50),
        e(11, "order.paid", 9, order_id="o4", amount=50),
    ]:
        state.apply(record)
    rows = {row["sku"]: row for row in state.product_rows()}
    assert rows["s"] == {
        "sku": "s",
        "impressions": 50,
        "clicks": 1,
        "cart_adds": 2,
        "orders": 2,
        "units": 3,
        "paid_orders": 1,
        "paid_units": 2,
        "gmv": 200,
        "stock_left": 98,
    }
    # t: ERP said 3 at t=6; o3 was created after that and paid (1 unit); o4 before it.
    assert rows["t"]["stock_left"] == 2
    assert rows["t"]["gmv"] == 100


def test_per_minute_series_in_presence_mode() -> None:
    state = ShowState()
    for record in [
        join(1, 0, "a"),
        join(2, 30, "b"),
        leave(3, 61, "a"),
        leave(4, 62, "b"),
        e(5, "comment", 70, viewer_id="b", text="hi"),
        e(6, "order.paid", 75, order_id="o", amount=5),
    ]:
        state.apply(record)
    series = state.series()
    assert [(p["online"], p["joins"], p["comments"], p["gmv"]) for p in series] == [
        (2, 2, 0, 0),
        (1, 0, 1, 5),
    ]


def test_out_of_order_leave_recounts_the_peak_and_marks_later_minutes() -> None:
    state = ShowState()
    for record in [join(1, 0, "a"), join(2, 10, "b"), join(3, 130, "c")]:
        state.apply(record)
    assert state.metrics()["peak_online"] == 3
    state.take_changes()
    state.apply(leave(4, 5, "a"))  # late: a had left before b and c came
    changes = state.take_changes()
    assert state.metrics()["peak_online"] == 2
    assert {T0 // (60 * S), T0 // (60 * S) + 2} <= changes.minutes


def test_changes_name_what_moved() -> None:
    state = ShowState()
    state.take_changes()
    state.apply(e(1, "product.click", 1, viewer_id="a", sku="s"))
    changes = state.take_changes()
    assert changes.skus == {"s"}
    assert changes.families == {"products"}
    assert state.take_changes().skus == set()


def test_a_late_no_op_leave_still_marks_its_minute_with_the_present_count() -> None:
    """A leave of an absent viewer changes nobody's state, but it is a moment at which the
    present count is observed: its minute must show that count (as the SQL review does)."""
    state = ShowState()
    for record in [join(1, 0, "a"), join(2, 200, "b"), leave(3, 70, "c")]:
        state.apply(record)
    assert [(p["minute"] - T0 // S, p["online"]) for p in state.series()] == [
        (0, 1),
        (60, 1),
        (180, 2),
    ]
