"""Pure parts of the review's tables: segment air time from `segment.goto` actions, and the
conversion funnel. No I/O: queries.py reads the rows, service.py assembles the review."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from liveops.metrics.formulas import ratio


@dataclass(frozen=True, slots=True)
class Goto:
    """An applied `segment.goto`: from `at_us` on, `segment_id` is on air."""

    at_us: int
    segment_id: str


@dataclass(frozen=True, slots=True)
class Visit:
    """One stay of a segment on air, `[start_us, end_us)`; `end_us` is None while it lasts
    (the show has not ended and no later goto moved on)."""

    segment_id: str
    start_us: int
    end_us: int | None

    def length_us(self, now_us: int) -> int:
        end = self.end_us if self.end_us is not None else max(now_us, self.start_us)
        return end - self.start_us


def visits(gotos: Iterable[Goto], ended_at_us: int | None) -> list[Visit]:
    """Each goto opens a visit that the next goto (or the show's end) closes.

    Gotos are taken in time order (a stable sort keeps the log's order at an equal time). A
    goto to the segment already on air continues the same visit. A visit that would start at or
    after the show's end, or that lasts no time at all, is dropped: it was never on air.
    """
    ordered = sorted(gotos, key=lambda g: g.at_us)
    found: list[Visit] = []
    current: Goto | None = None
    for goto in ordered:
        if current is not None and goto.segment_id == current.segment_id:
            continue
        if current is not None:
            found.append(Visit(current.segment_id, current.at_us, goto.at_us))
        current = goto
    if current is not None:
        found.append(Visit(current.segment_id, current.at_us, ended_at_us))
    clipped = []
    for visit in found:
        end = visit.end_us
        if ended_at_us is not None:
            end = min(end if end is not None else ended_at_us, ended_at_us)
        if end is not None and end <= visit.start_us:
            continue
        clipped.append(Visit(visit.segment_id, visit.start_us, end))
    return clipped


def visits_by_segment(found: Sequence[Visit]) -> dict[str, list[Visit]]:
    by_segment: dict[str, list[Visit]] = {}
    for visit in found:
        by_segment.setdefault(visit.segment_id, []).append(visit)
    return by_segment


# The funnel's steps in order: (key, label, the count it reads).
FUNNEL_STEPS: tuple[tuple[str, str, str], ...] = (
    ("entered", "进房 entered", "uv"),
    ("interacted", "互动 interacted", "interacting_viewers"),
    ("clicked", "点击商品 clicked", "click_viewers"),
    ("carted", "加购 carted", "cart_viewers"),
    ("ordered", "下单 ordered", "order_viewers"),
    ("paid", "支付 paid", "buyers"),
)


def funnel(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """One row per step of FUNNEL_STEPS, each step's viewers counted on its own.

    A viewer may pay without a click event (or order without joining), so a later step may
    hold more viewers than an earlier one: the figures are not clamped, and then the rate from
    the previous step exceeds 1 and `drop_off` is negative.
    """
    rows: list[dict[str, Any]] = []
    top = counts[FUNNEL_STEPS[0][2]]
    previous: int | None = None
    for step, label, key in FUNNEL_STEPS:
        viewers = counts[key]
        rows.append(
            {
                "step": step,
                "label": label,
                "viewers": viewers,
                # The first step is its own previous step: 1, or 0 when nobody came.
                "rate_from_previous": ratio(viewers, viewers if previous is None else previous),
                "rate_from_top": ratio(viewers, top),
                "drop_off": 0 if previous is None else previous - viewers,
            }
        )
        previous = viewers
    return rows


UNKNOWN = "unknown"  # a viewer whose first join did not say


def breakdown(groups: Iterable[Mapping[str, Any]], field: str, key: str) -> list[dict[str, Any]]:
    """Rows of one breakdown (`channels`, or an `audience` field) from the groups of viewers by
    every field at once: the groups are added up by `field` alone (null → "unknown"), largest
    `uv` first, then by value. `key` names the value's column (`channel`, or `value`)."""
    totals: dict[str, dict[str, int]] = {}
    for group in groups:
        value = group[field] if group[field] is not None else UNKNOWN
        into = totals.setdefault(value, {"uv": 0, "watch_us": 0, "buyers": 0, "gmv": 0})
        for name in into:
            into[name] += int(group[name])
    total_uv = sum(t["uv"] for t in totals.values())
    ordered = sorted(totals.items(), key=lambda item: (-item[1]["uv"], item[0]))
    return [
        {
            key: value,
            "uv": t["uv"],
            "share": ratio(t["uv"], total_uv),
            "avg_watch_seconds": ratio(t["watch_us"], t["uv"] * 1_000_000),
            "buyers": t["buyers"],
            "conversion_rate": ratio(t["buyers"], t["uv"]),
            "gmv": t["gmv"],
            "uv_value": ratio(t["gmv"], t["uv"]),
        }
        for value, t in ordered
    ]


# The additive columns a review minute has beyond the live series' (queries.minute_additions).
MINUTE_ADDITIONS: tuple[str, ...] = (
    "shares",
    "new_followers",
    "gift_value",
    "product_clicks",
    "orders_created",
    "orders_paid",
    "orders_refunded",
    "refund_amount",
)


def minute_rows(
    series: Sequence[Mapping[str, int]], additions: Mapping[int, Mapping[str, int]]
) -> list[dict[str, int]]:
    """The review's minute rows: the live series' rows (`minute` in epoch seconds) with every
    additive §4 key beside them, and a row for each minute that only has additions (nobody
    counted online there: 0). `views` is `joins`, `gmv_paid` is `gmv`, `net_gmv` is `gmv_paid` −
    `refund_amount`, so that the rows add up to the summary."""
    base = {int(row["minute"]) // 60: row for row in series}
    rows = []
    for minute in sorted(base.keys() | additions.keys()):
        row = base.get(minute)
        added = additions.get(minute, {})
        joins, gmv = (row["joins"], row["gmv"]) if row is not None else (0, 0)
        refund_amount = added.get("refund_amount", 0)
        rows.append(
            {
                "minute": minute * 60,
                "online": row["online"] if row is not None else 0,
                "joins": joins,
                "comments": row["comments"] if row is not None else 0,
                "likes": row["likes"] if row is not None else 0,
                "orders": row["orders"] if row is not None else 0,
                "gmv": gmv,
                "views": joins,
                **{key: added.get(key, 0) for key in MINUTE_ADDITIONS},
                "gmv_paid": gmv,
                "net_gmv": gmv - refund_amount,
            }
        )
    return rows


# ---- products: shares, sell-through, time sold out ------------------------------------------


def product_figures(
    rows: list[dict[str, Any]], sold_out_at_ms: Mapping[str, int | None], end_ms: int
) -> None:
    """Add to each product row (in place) what is derived from its counts: `conversion_rate`
    (paid orders ÷ clicks), `gmv_share` (of the products' GMV), `sell_through` (paid units ÷
    allocated stock; null without an allocation) and `out_of_stock_minutes` (from its sell-out
    to the end, when it is still sold out then)."""
    total = sum(int(row["gmv"]) for row in rows)
    for row in rows:
        allocated = row.get("allocated_stock")
        sold_out = sold_out_at_ms.get(str(row["sku"]))
        row["conversion_rate"] = ratio(row["paid_orders"], row["clicks"])
        row["gmv_share"] = ratio(row["gmv"], total)
        row["sell_through"] = ratio(row["paid_units"], allocated) if allocated else None
        row["out_of_stock_minutes"] = (
            round(max(0, end_ms - sold_out) / 60_000, 1) if sold_out is not None else 0.0
        )


def concentration(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How much of the GMV the best sellers made: the top 1, 3 and 10 SKUs' shares (TOP10
    集中度), and how many SKUs sold at all."""
    gmvs = sorted((int(row["gmv"]) for row in rows), reverse=True)
    total = sum(gmvs)
    return {
        "skus_with_sales": sum(1 for gmv in gmvs if gmv > 0),
        "top1_gmv_share": ratio(sum(gmvs[:1]), total),
        "top3_gmv_share": ratio(sum(gmvs[:3]), total),
        "top10_gmv_share": ratio(sum(gmvs[:10]), total),
    }


# ---- how fast the team answered -------------------------------------------------------------


def _times(values: Iterable[float | None]) -> dict[str, Any]:
    found = sorted(v for v in values if v is not None)
    if not found:
        return {"median_seconds": None, "max_seconds": None}
    middle = len(found) // 2
    median = found[middle] if len(found) % 2 else (found[middle - 1] + found[middle]) / 2
    return {"median_seconds": round(median, 3), "max_seconds": round(found[-1], 3)}


def responses(
    cues: Sequence[Mapping[str, Any]], actions: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Response times the review reports beside the alerts' (`alerts.overall`):

    - `cues`: how fast the anchor took the cues (sent → acknowledged);
    - `price_changes`: how fast a live price reached viewers (后台改价响应速度): from the
      `price.set` request to it applying (at once, or when its undo window ended); undone
      ones never applied."""
    acked = [c.get("ack_seconds") for c in cues]
    prices = [a for a in actions if a.get("type") == "price.set"]
    applied = [a for a in prices if a.get("state") == "applied"]
    apply_seconds = [
        _seconds_between(a.get("at"), a.get("applies_at") or a.get("at")) for a in applied
    ]
    return {
        "cues": {
            "sent": len(cues),
            "acked": sum(1 for a in acked if a is not None),
            **_times(acked),
        },
        "price_changes": {
            "requested": len(prices),
            "applied": len(applied),
            "undone": sum(1 for a in prices if a.get("state") == "undone"),
            **_times(apply_seconds),
        },
    }


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if start is None or end is None:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
