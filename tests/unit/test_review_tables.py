"""The review tables' pure parts: visits from segment.goto, the funnel, CSV cells and files."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from liveops.export.csv import BOM, COLUMNS, action_row, cell, minute_row, render
from liveops.review.tables import (
    FUNNEL_STEPS,
    Goto,
    Visit,
    breakdown,
    funnel,
    minute_rows,
    visits,
    visits_by_segment,
)

S = 1_000_000  # a second in microseconds


@pytest.mark.parametrize(
    ("gotos", "ended_at_us", "expected"),
    [
        pytest.param([], None, [], id="never on air"),
        pytest.param([Goto(10 * S, "a")], None, [Visit("a", 10 * S, None)], id="still on air"),
        pytest.param(
            [Goto(10 * S, "a")], 40 * S, [Visit("a", 10 * S, 40 * S)], id="runs to the end"
        ),
        pytest.param(
            [Goto(10 * S, "a"), Goto(20 * S, "b"), Goto(30 * S, "a")],
            50 * S,
            [Visit("a", 10 * S, 20 * S), Visit("b", 20 * S, 30 * S), Visit("a", 30 * S, 50 * S)],
            id="back to a segment: two visits",
        ),
        pytest.param(
            [Goto(10 * S, "a"), Goto(15 * S, "a"), Goto(20 * S, "b")],
            None,
            [Visit("a", 10 * S, 20 * S), Visit("b", 20 * S, None)],
            id="a goto to the segment on air continues its visit",
        ),
        pytest.param(
            [Goto(20 * S, "b"), Goto(10 * S, "a")],
            30 * S,
            [Visit("a", 10 * S, 20 * S), Visit("b", 20 * S, 30 * S)],
            id="taken in time order",
        ),
        pytest.param(
            [Goto(10 * S, "a"), Goto(10 * S, "b")],
            30 * S,
            [Visit("b", 10 * S, 30 * S)],
            id="a visit of no time is dropped",
        ),
        pytest.param(
            [Goto(10 * S, "a"), Goto(40 * S, "b")],
            30 * S,
            [Visit("a", 10 * S, 30 * S)],
            id="after the end: clipped, and a goto past it is no visit",
        ),
    ],
)
def test_visits_from_gotos(
    gotos: list[Goto], ended_at_us: int | None, expected: list[Visit]
) -> None:
    assert visits(gotos, ended_at_us) == expected


def test_visits_by_segment_and_their_length() -> None:
    found = visits([Goto(0, "a"), Goto(5 * S, "b"), Goto(7 * S, "a")], None)
    by_segment = visits_by_segment(found)
    assert list(by_segment) == ["a", "b"]
    assert [v.length_us(now_us=10 * S) for v in by_segment["a"]] == [5 * S, 3 * S]
    # A visit under way measured before it started (clock skew) counts no time.
    assert Visit("a", 10 * S, None).length_us(now_us=5 * S) == 0


def counts(*viewers: int) -> dict[str, int]:
    return {key: n for (_, _, key), n in zip(FUNNEL_STEPS, viewers, strict=True)}


@pytest.mark.parametrize(
    ("viewers", "from_previous", "from_top", "drop_off"),
    [
        pytest.param(
            (100, 50, 25, 20, 10, 5),
            [1.0, 0.5, 0.5, 0.8, 0.5, 0.5],
            [1.0, 0.5, 0.25, 0.2, 0.1, 0.05],
            [0, 50, 25, 5, 10, 5],
            id="narrowing",
        ),
        pytest.param((0, 0, 0, 0, 0, 0), [0.0] * 6, [0.0] * 6, [0] * 6, id="nobody: rates are 0"),
        pytest.param(
            (10, 4, 2, 1, 3, 2),
            [1.0, 0.4, 0.5, 0.5, 3.0, 2 / 3],
            [1.0, 0.4, 0.2, 0.1, 0.3, 0.2],
            [0, 6, 2, 1, -2, 1],
            id="ordering without a cart: not clamped",
        ),
        pytest.param(
            (0, 1, 0, 0, 0, 0),
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0] * 6,
            [0, -1, 1, 0, 0, 0],
            id="no join: the denominator is 0",
        ),
    ],
)
def test_funnel(
    viewers: tuple[int, ...], from_previous: list[float], from_top: list[float], drop_off: list[int]
) -> None:
    rows = funnel(counts(*viewers))
    assert [r["step"] for r in rows] == [
        "entered",
        "interacted",
        "clicked",
        "carted",
        "ordered",
        "paid",
    ]
    assert [r["viewers"] for r in rows] == list(viewers)
    assert [r["rate_from_previous"] for r in rows] == pytest.approx(from_previous)
    assert [r["rate_from_top"] for r in rows] == pytest.approx(from_top)
    assert [r["drop_off"] for r in rows] == drop_off
    assert all(" " in r["label"] for r in rows)  # Chinese, then English


def group(
    channel: str | None, tier: str | None, uv: int, watch_s: int, buyers: int, gmv: int
) -> dict[str, Any]:
    return {
        "channel": channel,
        "tier": tier,
        "uv": uv,
        "watch_us": watch_s * S,
        "buyers": buyers,
        "gmv": gmv,
    }


GROUPS = [
    group("recommend", "vip", 2, 100, 1, 500),
    group("recommend", None, 1, 20, 0, 0),
    group(None, "vip", 3, 30, 1, 100),
    group("search", "new", 3, 60, 3, 900),
]


@pytest.mark.parametrize(
    ("field", "key", "expected"),
    [
        pytest.param(
            "channel",
            "channel",
            [
                ("recommend", 3, 1 / 3, 40.0, 1, 1 / 3, 500, 500 / 3),
                ("search", 3, 1 / 3, 20.0, 3, 1.0, 900, 300.0),
                ("unknown", 3, 1 / 3, 10.0, 1, 1 / 3, 100, 100 / 3),
            ],
            id="by channel: equal uv ordered by value, null is unknown",
        ),
        pytest.param(
            "tier",
            "value",
            [
                ("vip", 5, 5 / 9, 26.0, 2, 0.4, 600, 120.0),
                ("new", 3, 3 / 9, 20.0, 3, 1.0, 900, 300.0),
                ("unknown", 1, 1 / 9, 20.0, 0, 0.0, 0, 0.0),
            ],
            id="by tier: largest uv first",
        ),
    ],
)
def test_breakdown(field: str, key: str, expected: list[tuple[Any, ...]]) -> None:
    rows = breakdown(GROUPS, field, key)
    columns = ("uv", "share", "avg_watch_seconds", "buyers", "conversion_rate", "gmv", "uv_value")
    assert [(r[key], *(r[c] for c in columns)) for r in rows] == [
        pytest.approx(row) for row in expected
    ]
    assert sum(r["uv"] for r in rows) == sum(g["uv"] for g in GROUPS)


def test_breakdown_of_nobody_is_empty() -> None:
    assert breakdown([], "channel", "channel") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (0, "0"),
        (-5, "-5"),
        (0.25, "0.25"),
        (-1.5, "-1.5"),
        ("羊绒围巾", "羊绒围巾"),
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+86 138", "'+86 138"),
        ("-rm", "'-rm"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("-12", "-12"),  # a number written as text is no formula
        ("a=b", "a=b"),
        ({"sku": "A1", "qty": 2}, '{"sku":"A1","qty":2}'),
        ([1, "x"], '[1,"x"]'),
        ({"t": "=x"}, '{"t":"=x"}'),
    ],
)
def test_cell(value: Any, expected: str) -> None:
    assert cell(value) == expected


def test_render_has_a_header_even_without_rows_and_a_bom_only_when_asked() -> None:
    text = render(("a", "b"), [])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"]]
    assert render(("a", "b"), [], bom=True) == BOM + text


def test_render_quotes_what_needs_it_and_leaves_missing_keys_empty() -> None:
    text = render(("a", "b"), [{"a": 'say "hi", ok', "b": 1}, {"a": "line\nbreak"}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b"], ['say "hi", ok', "1"], ["line\nbreak", ""]]


def test_minute_row_has_iso_time_and_epoch_seconds() -> None:
    row = minute_row({"minute": 1_764_000_000, "online": 3})
    assert (row["minute"], row["minute_epoch_seconds"], row["online"]) == (
        "2025-11-24T16:00:00Z",
        1_764_000_000,
        3,
    )
    assert set(COLUMNS["minutes"][:2]) == {"minute", "minute_epoch_seconds"}


def test_action_row_puts_the_type_s_own_fields_in_one_cell() -> None:
    record = {
        "id": 7,
        "type": "price.set",
        "by": {"label": "场控小王", "role": "field_control"},
        "at": "2026-01-01T00:00:00Z",
        "state": "applied",
        "sku": "A1",
        "live_price": 990,
    }
    row = action_row(record)
    assert (row["by_label"], row["by_role"], row["undone_by_label"]) == (
        "场控小王",
        "field_control",
        None,
    )
    assert row["fields"] == {"sku": "A1", "live_price": 990}
    assert set(row) == set(COLUMNS["actions"])


def live_minute(minute: int, **counts: int) -> dict[str, int]:
    base = {"online": 0, "joins": 0, "comments": 0, "likes": 0, "orders": 0, "gmv": 0}
    return {"minute": minute * 60, **base, **counts}


@pytest.mark.parametrize(
    ("series", "additions", "expected"),
    [
        pytest.param([], {}, [], id="nothing"),
        pytest.param(
            [live_minute(5, online=3, joins=2, gmv=900)],
            {},
            [(300, 3, 2, 2, 900, 0, 0, 900)],
            id="live minute alone: views = joins, gmv_paid = net_gmv = gmv",
        ),
        pytest.param(
            [live_minute(5, joins=1, gmv=900)],
            {
                5: {"shares": 2, "refund_amount": 100},
                7: {"orders_refunded": 1, "refund_amount": 50},
            },
            [(300, 0, 1, 1, 900, 2, 0, 800), (420, 0, 0, 0, 0, 0, 1, -50)],
            id="additions beside a live minute, and a minute of their own",
        ),
    ],
)
def test_minute_rows(
    series: list[dict[str, int]],
    additions: dict[int, dict[str, int]],
    expected: list[tuple[int, ...]],
) -> None:
    rows = minute_rows(series, additions)
    picked = (
        "minute",
        "online",
        "joins",
        "views",
        "gmv_paid",
        "shares",
        "orders_refunded",
        "net_gmv",
    )
    assert [tuple(r[k] for k in picked) for r in rows] == expected
    assert all(set(r) == set(COLUMNS["minutes"]) - {"minute_epoch_seconds"} for r in rows)
