"""What each signal rule reads (alerts/signals.py), as tables."""

from __future__ import annotations

from typing import Any

import pytest

from liveops.alerts.signals import (
    OnlineHistory,
    Reading,
    complaint_reading,
    pace_reading,
    stale_reading,
    stock_readings,
    stream_reading,
    unanswered_reading,
)


def row(sku: str, available: int, allocated: int, sale: Any = None) -> dict[str, Any]:
    return {"sku": sku, "available": available, "allocated": allocated, "flash_sale": sale}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row("A", 20, 200)], [Reading("sold_out", "A", 20), Reading("low_stock", "A", 0.1)]),
        ([row("B", 0, 0)], [Reading("sold_out", "B", 0)]),  # nothing allocated: no share
        (
            [row("C", 90, 100, {"cap": 50, "remaining": 5})],  # a running sale: its cap
            [Reading("sold_out", "C", 5), Reading("low_stock", "C", 0.1)],
        ),
    ],
)
def test_stock_readings(rows: list[dict[str, Any]], expected: list[Reading]) -> None:
    assert stock_readings(rows) == expected


@pytest.mark.parametrize(
    ("health", "now_ms", "expected"),
    [
        (None, 10_000, None),
        ({"ts": 10_000, "stall_ratio": 0.07}, 10_000, Reading("stream_unhealthy", "", 0.07)),
        ({"ts": 10_000, "stall_ratio": 0.07}, 40_000, Reading("stream_unhealthy", "", 0.07)),
        ({"ts": 10_000, "stall_ratio": 0.07}, 40_001, None),  # older than the 30 s window
    ],
)
def test_stream_reading(health: Any, now_ms: int, expected: Reading | None) -> None:
    assert stream_reading(health, now_ms, 30) == expected


@pytest.mark.parametrize(
    ("live_since", "last_event", "now_ms", "expected"),
    [
        (None, 1_000, 90_000, None),  # not live: nothing to judge
        (0, None, 61_000, 61.0),  # live, no event yet: since it went live
        (0, 30_000, 61_000, 31.0),
        (50_000, 30_000, 61_000, 11.0),  # an event from before the start does not count
        (0, 70_000, 61_000, 0.0),  # a clock a little ahead never reads negative
    ],
)
def test_stale_reading(
    live_since: int | None, last_event: int | None, now_ms: int, expected: float | None
) -> None:
    reading = stale_reading(live_since, last_event, now_ms)
    assert (None if reading is None else reading.value) == expected


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        ([], None),
        ([(0, 0)], None),
        ([(0, 1000), (10, 1000)], 0.0),
        ([(0, 1000), (30, 700)], 0.3),
        ([(0, 1000), (30, 700), (61, 700)], 0.0),  # the peak left the 60 s window
        ([(0, 500), (0.5, 1000), (0.9, 600)], 0.0),  # one sample a second: the last wins
    ],
)
def test_online_drop_over_the_window(
    samples: list[tuple[float, int]], expected: float | None
) -> None:
    history = OnlineHistory(60)
    for now, online in samples:
        history.add(now, online)
    reading = history.reading()
    assert (None if reading is None else round(reading.value, 6)) == expected


@pytest.mark.parametrize(
    ("times_ms", "now_ms", "count"),
    [
        ([], 61_000, 0),
        ([999, 50_000, 60_000], 61_000, 2),  # the first is just before the window
        ([1_000, 61_000], 61_000, 2),  # the window's first millisecond counts
        ([500, 30_000, 100, 50_000], 61_000, 2),  # out of order: each judged on its own
    ],
)
def test_complaints_are_counted_within_the_window(
    times_ms: list[int], now_ms: int, count: int
) -> None:
    assert complaint_reading(times_ms, now_ms, 60) == Reading("complaint_spike", "", count)


def test_the_walk_back_stops_at_a_comment_far_older_than_the_window() -> None:
    # Newest last: one comment two minutes before the window ends the walk, so what came
    # before it is not read (it is older still, in a stream roughly in time order).
    times = [60_800, 0, 60_900]
    assert complaint_reading(times, 61_000, 0.5) == Reading("complaint_spike", "", 1)


@pytest.mark.parametrize(("oldest", "value"), [(None, 0.0), (0.0, 0.0), (125.5, 125.5)])
def test_question_unanswered_reads_the_longest_wait(oldest: float | None, value: float) -> None:
    assert unanswered_reading(oldest) == Reading("question_unanswered", "", value)


@pytest.mark.parametrize(
    ("available", "allocated", "low_value"),
    [
        (10, 100, 0.1),
        (2, 5, 0.4),
        (1, 5, 0.0),  # the last unit is always low, however small the allocation
        (0, 100, 1.0),  # out, not low: sold_out's alert takes over
    ],
)
def test_the_low_stock_share(available: int, allocated: int, low_value: float) -> None:
    readings = {r.rule: r.value for r in stock_readings([row("A", available, allocated)])}
    assert readings == {"sold_out": available, "low_stock": low_value}


MINUTE_MS = 60_000


@pytest.mark.parametrize(
    ("target", "planned", "elapsed_min", "gmv", "expected"),
    [
        (None, 120, 60, 0, None),  # no GMV target: no pace
        (1_000_000, None, 60, 0, None),  # no planned length: no pace
        (1_000_000, 120, 4, 0, None),  # within the grace minutes
        (1_000_000, 120, 60, 500_000, 0.0),  # exactly on the line
        (1_000_000, 120, 60, 600_000, 0.0),  # ahead: never negative
        (1_000_000, 120, 60, 250_000, 0.5),  # half the expected 500,000
        (1_000_000, 120, 180, 800_000, 0.2),  # past the planned end: against the whole target
        (1_000_000, 120, 30, 0, 1.0),
    ],
)
def test_gmv_pace(
    target: int | None, planned: int | None, elapsed_min: float, gmv: int, expected: float | None
) -> None:
    start = 1_700_000_000_000
    found = pace_reading(target, planned, start, start + int(elapsed_min * MINUTE_MS), gmv)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.rule, found.subject, found.value) == ("gmv_pace", "", expected)


def test_gmv_pace_needs_a_live_show() -> None:
    assert pace_reading(1_000_000, 120, None, 10 * MINUTE_MS, 0) is None
