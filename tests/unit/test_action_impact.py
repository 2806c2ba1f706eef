"""The action impact's pure core (actions/impact.py) and the lucky bag's draw (lucky_bag.py)."""

from __future__ import annotations

import random

import pytest

from liveops.actions.impact import MINUTE_US, WindowCounts, change, impact, rates, windows
from liveops.actions.lucky_bag import draw, population


def counts(minutes: float = 5, **kw: int) -> WindowCounts:
    base = {"joins": 0, "impressions": 0, "clicks": 0, "buyers": 0, "viewers": 0}
    return WindowCounts(minutes=minutes, **(base | kw))


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (counts(), {"entry_rate": 0.0, "click_rate": None, "conversion": None}),
        (
            counts(joins=50, impressions=200, clicks=20, buyers=3, viewers=60),
            {"entry_rate": 10.0, "click_rate": 0.1, "conversion": 0.05},
        ),
        (counts(minutes=0, joins=4), {"entry_rate": None, "click_rate": None, "conversion": None}),
        (counts(minutes=2.5, joins=5), {"entry_rate": 2.0, "click_rate": None, "conversion": None}),
    ],
)
def test_rates(window: WindowCounts, expected: dict[str, float | None]) -> None:
    assert rates(window) == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ({"r": 0.1}, {"r": 0.15}, {"r": 0.5}),
        ({"r": 0.2}, {"r": 0.1}, {"r": -0.5}),
        ({"r": 0.0}, {"r": 0.1}, {"r": None}),  # from nothing: no ratio
        ({"r": None}, {"r": 0.1}, {"r": None}),
        ({"r": 0.1}, {"r": None}, {"r": None}),
    ],
)
def test_change(
    before: dict[str, float | None], after: dict[str, float | None], expected: dict[str, float]
) -> None:
    assert change(before, after) == expected


@pytest.mark.parametrize(
    ("at", "until", "expected"),
    [
        (100 * MINUTE_US, 200 * MINUTE_US, ((95, 100), (100, 105))),
        (100 * MINUTE_US, 102 * MINUTE_US, ((95, 100), (100, 102))),  # cut at now / the end
        (100 * MINUTE_US, 90 * MINUTE_US, ((95, 100), (100, 100))),  # ended before: empty
    ],
)
def test_windows(at: int, until: int, expected: tuple[tuple[int, int], ...]) -> None:
    got = windows(at, 5, until)
    assert tuple((a // MINUTE_US, b // MINUTE_US) for a, b in got) == expected


def test_an_incomplete_after_window_is_partial() -> None:
    result = impact(counts(joins=10), counts(minutes=2, joins=10), 5)
    assert result["partial"] is True
    assert result["change"]["entry_rate"] == 1.5  # 2 → 5 a minute
    assert impact(counts(), counts(), 5)["partial"] is False


def test_a_draw_is_the_documented_sample_of_the_sorted_candidates() -> None:
    viewers = ["v9", "v1", "v5", "v1", "v3"]
    result = draw(viewers, 2, seed=7)
    assert result.candidates == 4
    assert result.winner_ids == random.Random(7).sample(["v1", "v3", "v5", "v9"], 2)
    assert draw(reversed(viewers), 2, seed=7) == result  # order of arrival does not matter
    assert draw(viewers, 10, seed=7).winner_ids == random.Random(7).sample(population(viewers), 4)
    assert draw([], 3, seed=1).winner_ids == []
    fresh = draw(viewers, 1)
    assert 0 <= fresh.seed < 2**53
    assert draw(viewers, 1, fresh.seed) == fresh
