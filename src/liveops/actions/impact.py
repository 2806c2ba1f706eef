"""What an action did to the room: entry rate, click rate and conversion in the minutes after
it against the minutes before (issue #11). Pure: the counts come from actions/repository.py.

- entry rate: `viewer.join` events a minute;
- click rate: `product.click` events ÷ impressions (the sum of `product.impression` counts),
  for the action's SKU when it names one (a pin, a price), else for the whole show;
- conversion: viewers who created an order ÷ viewers seen (any event with a viewer id).

The after window ends at the earlier of its full length and `until` (now, or the show's end):
rates a minute use the minutes actually covered, and `partial` says when it was cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The action types whose impact is measured: the ones meant to move sales.
MEASURED = frozenset(
    {"product.pin", "price.set", "coupon.issue", "lucky_bag.start", "lucky_bag.draw"}
)
MINUTE_US = 60_000_000


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """What happened in one window."""

    minutes: float
    joins: int
    impressions: int
    clicks: int
    buyers: int
    viewers: int


def _ratio(part: float, whole: float) -> float | None:
    return None if whole <= 0 else round(part / whole, 4)


def rates(counts: WindowCounts) -> dict[str, float | None]:
    return {
        "entry_rate": _ratio(counts.joins, counts.minutes),
        "click_rate": _ratio(counts.clicks, counts.impressions),
        "conversion": _ratio(counts.buyers, counts.viewers),
    }


def change(
    before: dict[str, float | None], after: dict[str, float | None]
) -> dict[str, float | None]:
    """After ÷ before − 1 per rate (None when either is unknown or before is 0)."""
    out: dict[str, float | None] = {}
    for key, was in before.items():
        now = after.get(key)
        out[key] = None if was is None or now is None or was == 0 else round(now / was - 1, 4)
    return out


def windows(
    at_us: int, window_minutes: int, until_us: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The before window [at − W, at) and the after window [at, min(at + W, until))."""
    span = window_minutes * MINUTE_US
    return (at_us - span, at_us), (at_us, max(at_us, min(at_us + span, until_us)))


def impact(before: WindowCounts, after: WindowCounts, window_minutes: int) -> dict[str, Any]:
    was, now = rates(before), rates(after)
    return {
        "before": was,
        "after": now,
        "change": change(was, now),
        "after_minutes": round(after.minutes, 2),
        "partial": after.minutes < window_minutes,
    }
