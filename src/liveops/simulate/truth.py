"""An independent recount of every contract §4 metric from a list of events.

This is the ground truth the server is checked against, so it is written straight from
docs/metrics.md and shares no code with `liveops.metrics` or `liveops.review`: a bug in the
server's reducer cannot hide behind the same bug here. Only the names of the keys
(`METRIC_KEYS`, the contract's list) are shared.

`comments_by_intent` counts the comments by the intent the simulator meant by each (contract
§11): what the server's classification is held against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from liveops.metrics.formulas import METRIC_KEYS as METRIC_KEYS  # re-exported: the contract keys
from liveops.simulate.texts import INTENTS

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INTERACTIONS = frozenset({"comment", "like", "share", "follow", "gift"})
# At an equal ts a join sorts before a leave (docs/metrics.md, "Presence").
_JOIN, _LEAVE = 0, 1


def ts_micros(ts: str) -> int:
    """Parse an RFC 3339 timestamp (a trailing ``Z`` allowed) into integer µs since the epoch.

    A timestamp without an offset is taken as UTC. Integer arithmetic keeps equal instants equal
    whatever offset they were written with.
    """
    parsed = datetime.fromisoformat(ts.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    delta = parsed - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def recount(
    events: Iterable[Mapping[str, Any]], *, ended_at: datetime | None = None
) -> dict[str, int | float]:
    """Recount every contract §4 metric, exactly as docs/metrics.md defines it.

    ``events`` are valid event objects (contract §3) in any order; the first occurrence of an
    ``id`` counts and later copies are ignored, whatever their fields. Malformed events must not
    be passed in: they are the server's quarantine, not part of any metric. ``ended_at`` is the
    show's end, where presence intervals still open are closed; without it they close at the
    greatest ``ts`` of any counted event. Counts and money are ints; rates and money ratios are
    floats (0.0 when the denominator is 0). Keys are `METRIC_KEYS`, in that order.
    """
    seen: set[str] = set()
    counted: list[tuple[int, Mapping[str, Any]]] = []
    for event in events:
        event_id = str(event["id"])
        if event_id in seen:
            continue
        seen.add(event_id)
        counted.append((ts_micros(str(event["ts"])), event))

    presence: list[tuple[int, int, str]] = []
    counts: list[tuple[int, int]] = []
    joiners: set[str] = set()
    views = comments = shares = follows = likes = gift_value = clicks = 0
    interacting: set[str] = set()
    click_viewers: set[str] = set()
    created_viewers: dict[str, set[str]] = {}
    paid_orders: set[str] = set()
    refunded_orders: set[str] = set()
    gmv_paid = refund_amount = 0

    for ts, event in counted:
        kind = event["type"]
        viewer = event.get("viewer_id")
        if kind == "viewer.join":
            presence.append((ts, _JOIN, str(viewer)))
            joiners.add(str(viewer))
            views += 1
        elif kind == "viewer.leave":
            presence.append((ts, _LEAVE, str(viewer)))
        elif kind == "viewer.count":
            counts.append((ts, int(event["online"])))
        elif kind == "comment":
            comments += 1
        elif kind == "share":
            shares += 1
        elif kind == "follow":
            follows += 1
        elif kind == "like":
            likes += int(event["count"])
        elif kind == "gift":
            gift_value += int(event["value"])
        elif kind == "product.click":
            clicks += 1
            click_viewers.add(str(viewer))
        elif kind == "order.created":
            created_viewers.setdefault(str(event["order_id"]), set()).add(str(viewer))
        elif kind == "order.paid":
            paid_orders.add(str(event["order_id"]))
            gmv_paid += int(event["amount"])
        elif kind == "order.refunded":
            refunded_orders.add(str(event["order_id"]))
            refund_amount += int(event["amount"])
        if kind in _INTERACTIONS and viewer is not None:
            interacting.add(str(viewer))

    # Watch time: each viewer's two-state machine, driven by (ts, join-before-leave) order.
    if ended_at is not None:
        show_end = ts_micros(ended_at.isoformat())
    else:
        show_end = max((ts for ts, _ in counted), default=0)
    presence.sort()
    present_since: dict[str, int] = {}
    watch_micros = 0
    peak_present = 0
    index = 0
    while index < len(presence):
        group_ts = presence[index][0]
        # Apply every presence event of one ts together before sampling the peak.
        while index < len(presence) and presence[index][0] == group_ts:
            ts, action, viewer_id = presence[index]
            if action == _JOIN:
                present_since.setdefault(viewer_id, ts)
            elif viewer_id in present_since:
                watch_micros += ts - present_since.pop(viewer_id)
            index += 1
        peak_present = max(peak_present, len(present_since))
    # metrics.md leaves a join after the show's end unspecified; it adds no watch time here.
    watch_micros += sum(max(0, show_end - since) for since in present_since.values())

    if counts:
        online = max(counts)[1]  # greatest ts, then greatest online
        peak_online = max(value for _, value in counts)
    else:
        online = len(present_since)
        peak_online = peak_present

    uv = len(joiners)
    buyer_ids: set[str] = set()
    for order_id in paid_orders:
        buyer_ids |= created_viewers.get(order_id, set())
    buyers = len(buyer_ids)
    orders_paid = len(paid_orders)
    orders_refunded = len(refunded_orders)
    return {
        "online": online,
        "peak_online": peak_online,
        "uv": uv,
        "views": views,
        "avg_watch_seconds": watch_micros / (uv * 1_000_000) if uv else 0.0,
        "comments": comments,
        "shares": shares,
        "new_followers": follows,
        "likes": likes,
        "gift_value": gift_value,
        "interacting_viewers": len(interacting),
        "interaction_rate": _ratio(len(interacting), uv),
        "product_clicks": clicks,
        "click_viewers": len(click_viewers),
        "click_rate": _ratio(len(click_viewers), uv),
        "orders_created": len(created_viewers),
        "orders_paid": orders_paid,
        "gmv_paid": gmv_paid,
        "buyers": buyers,
        "conversion_rate": _ratio(buyers, uv),
        "click_to_pay_rate": _ratio(buyers, len(click_viewers)),
        "aov": _ratio(gmv_paid, buyers),
        "uv_value": _ratio(gmv_paid, uv),
        "gpm": gmv_paid * 1000 / views if views else 0.0,
        "orders_refunded": orders_refunded,
        "refund_amount": refund_amount,
        "refund_rate": _ratio(orders_refunded, orders_paid),
        "net_gmv": gmv_paid - refund_amount,
    }


def comments_by_intent(
    events: Iterable[Mapping[str, Any]], intents: Mapping[str, str]
) -> dict[str, int]:
    """How many comments of ``events`` the simulator meant as each intent of contract §11.

    ``intents`` is the intent of each comment by event id (`ShowPlan.comment_intents`). A
    comment counts once, by the first occurrence of its id, as in `recount`, so the counts add
    up to its ``comments``. Keys are every intent, in the contract's order, zeros included.

    Raises ValueError for a comment whose intent ``intents`` does not hold (or not one of the
    twelve): it is not the simulator's, and nobody knows what it meant.
    """
    counts: dict[str, int] = dict.fromkeys(INTENTS, 0)
    seen: set[str] = set()
    for event in events:
        event_id = str(event["id"])
        if event_id in seen:
            continue
        seen.add(event_id)
        if event["type"] != "comment":
            continue
        intent = intents.get(event_id)
        if intent not in counts:
            raise ValueError(f"comment {event_id!r} has no known intent ({intent!r})")
        counts[intent] += 1
    return counts
