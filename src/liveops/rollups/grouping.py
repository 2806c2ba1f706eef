"""The pure part of roll-ups: which group a show falls in, pooled rates, and the A/B test.

Rates over a group are pooled (sums over sums), not averages of the shows' rates, so that a
big show weighs as much as its viewers. `uv` summed over shows counts a viewer once per show
they watched (visits), since viewers are not matched across shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

RollupBy = Literal["day", "week", "month", "anchor", "slot", "promotion"]
UNTAGGED = "未标注 untagged"
NO_ANCHOR = "未填写 no anchor"

# Summary keys that add up across shows (contract §4).
ADDITIVE = (
    "uv",
    "views",
    "comments",
    "likes",
    "shares",
    "new_followers",
    "gift_value",
    "interacting_viewers",
    "product_clicks",
    "click_viewers",
    "orders_created",
    "orders_paid",
    "gmv_paid",
    "buyers",
    "orders_refunded",
    "refund_amount",
    "net_gmv",
)

# Time slots of a show's start, local time: [from hour, to hour).
SLOTS = (
    (0, 6, "深夜 late night"),
    (6, 12, "早场 morning"),
    (12, 18, "午场 afternoon"),
    (18, 24, "晚场 evening"),
)


def slot_of(local: datetime) -> str:
    return next(label for start, end, label in SLOTS if start <= local.hour < end)


def groups_of(
    by: RollupBy, started: datetime, anchors: Iterable[str], tags: Mapping[str, str], tz: ZoneInfo
) -> list[str]:
    """The group(s) a show counts in: one, except `anchor` (each of its anchors)."""
    local = started.astimezone(tz)
    if by == "day":
        return [local.date().isoformat()]
    if by == "week":
        year, week, _ = local.isocalendar()
        return [f"{year}-W{week:02d}"]
    if by == "month":
        return [f"{local.year}-{local.month:02d}"]
    if by == "slot":
        return [slot_of(local)]
    if by == "anchor":
        return sorted(set(anchors)) or [NO_ANCHOR]
    return [tags.get("promotion") or UNTAGGED]


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def totals_of(summaries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Sums of the additive keys, and the total watch time in seconds."""
    totals = dict.fromkeys(ADDITIVE, 0)
    watch = 0.0
    for summary in summaries:
        for key in ADDITIVE:
            totals[key] += int(summary.get(key) or 0)
        watch += float(summary.get("avg_watch_seconds") or 0) * int(summary.get("uv") or 0)
    totals["watch_seconds"] = round(watch)
    return totals


def pooled_rates(totals: Mapping[str, int]) -> dict[str, float]:
    uv = totals["uv"]
    return {
        "conversion_rate": ratio(totals["buyers"], uv),
        "uv_value": ratio(totals["gmv_paid"], uv),
        "aov": ratio(totals["gmv_paid"], totals["buyers"]),
        "gpm": ratio(totals["gmv_paid"], totals["views"]) * 1000,
        "click_rate": ratio(totals["click_viewers"], uv),
        "interaction_rate": ratio(totals["interacting_viewers"], uv),
        "refund_rate": ratio(totals["orders_refunded"], totals["orders_paid"]),
        "avg_watch_seconds": ratio(totals["watch_seconds"], uv),
    }


def two_proportion_test(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int
) -> tuple[float, float] | None:
    """(z, two-sided p) for "the two rates are equal", pooled normal approximation; None when
    a side has no trials or the pooled rate is 0 or 1 (nothing to tell apart)."""
    if trials_a <= 0 or trials_b <= 0:
        return None
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    spread = pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b)
    if spread <= 0:
        return None
    z = (successes_b / trials_b - successes_a / trials_a) / math.sqrt(spread)
    return z, math.erfc(abs(z) / math.sqrt(2))
