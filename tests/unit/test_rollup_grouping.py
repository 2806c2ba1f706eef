"""Roll-up groups, pooled rates and the A/B test (rollups/grouping.py), table-driven."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from liveops.rollups.grouping import (
    NO_ANCHOR,
    UNTAGGED,
    RollupBy,
    groups_of,
    pooled_rates,
    totals_of,
    two_proportion_test,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-12-06 17:30 UTC is 2026-12-07 01:30 in Shanghai: the day, week and slot follow the zone.
LATE = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)
EVENING = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai


@pytest.mark.parametrize(
    ("by", "started", "anchors", "tags", "expected"),
    [
        ("day", LATE, [], {}, ["2026-12-07"]),
        ("week", LATE, [], {}, ["2026-W50"]),  # Monday 7 December starts ISO week 50
        ("week", EVENING, [], {}, ["2026-W49"]),
        ("month", LATE, [], {}, ["2026-12"]),
        ("slot", LATE, [], {}, ["深夜 late night"]),
        ("slot", EVENING, [], {}, ["晚场 evening"]),
        ("anchor", EVENING, ["小雅", "阿杰", "小雅"], {}, ["小雅", "阿杰"]),
        ("anchor", EVENING, [], {}, [NO_ANCHOR]),
        ("promotion", EVENING, [], {"promotion": "满减"}, ["满减"]),
        ("promotion", EVENING, [], {"script": "A"}, [UNTAGGED]),
    ],
)
def test_a_show_falls_in_its_groups(
    by: RollupBy, started: datetime, anchors: list[str], tags: dict[str, str], expected: list[str]
) -> None:
    assert groups_of(by, started, anchors, tags, SHANGHAI) == sorted(expected)


def test_rates_are_pooled_over_the_shows_not_averaged() -> None:
    big = {"uv": 1000, "buyers": 100, "gmv_paid": 50_000, "views": 1200, "avg_watch_seconds": 60}
    small = {"uv": 10, "buyers": 5, "gmv_paid": 1_000, "views": 10, "avg_watch_seconds": 600}
    totals = totals_of([big, small])
    assert totals["uv"] == 1010
    assert totals["buyers"] == 105
    assert totals["watch_seconds"] == 1000 * 60 + 10 * 600
    rates = pooled_rates(totals)
    assert rates["conversion_rate"] == pytest.approx(105 / 1010)  # not (0.1 + 0.5) / 2
    assert rates["uv_value"] == pytest.approx(51_000 / 1010)
    assert rates["aov"] == pytest.approx(51_000 / 105)
    assert rates["avg_watch_seconds"] == pytest.approx(66_000 / 1010)
    assert pooled_rates(totals_of([]))["conversion_rate"] == 0.0


@pytest.mark.parametrize(
    ("a", "b", "z", "p"),
    [
        # 10 % vs 12 % of 2,000 each: pooled 11 %, z = 0.02 / √(0.11·0.89·(2/2000)).
        ((200, 2000), (240, 2000), 2.0213, 0.0432),
        ((50, 1000), (50, 1000), 0.0, 1.0),
        ((30, 1000), (20, 1000), -1.4322, 0.1521),
    ],
)
def test_two_proportions_are_told_apart_beyond_chance(
    a: tuple[int, int], b: tuple[int, int], z: float, p: float
) -> None:
    tested = two_proportion_test(a[0], a[1], b[0], b[1])
    assert tested is not None
    assert tested[0] == pytest.approx(z, abs=1e-3)
    assert tested[1] == pytest.approx(p, abs=1e-3)


@pytest.mark.parametrize(("a", "b"), [((0, 0), (5, 10)), ((0, 100), (0, 100)), ((10, 10), (5, 5))])
def test_nothing_to_test_gives_none(a: tuple[int, int], b: tuple[int, int]) -> None:
    assert two_proportion_test(a[0], a[1], b[0], b[1]) is None


def test_the_p_value_is_two_sided() -> None:
    forward = two_proportion_test(200, 2000, 240, 2000)
    backward = two_proportion_test(240, 2000, 200, 2000)
    assert forward is not None
    assert backward is not None
    assert forward[0] == -backward[0]
    assert math.isclose(forward[1], backward[1])
