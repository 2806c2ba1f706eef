"""Delivery faults a real platform feed has: re-sends, late and out-of-order events, payments
that overtake their orders, and the odd malformed event. Faults change *when and how often*
an event is delivered, never its content, so the recount of the unique events is unaffected."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Event = dict[str, Any]

DUPLICATE_SHARE = 0.02
LATE_SHARE = 0.03
PAID_FIRST_SHARE = 0.03
MALFORMED_SHARE = 0.002


@dataclass(frozen=True, slots=True)
class Faulted:
    """Deliveries in send order as (at_ms, after_end, event), with what was done to them."""

    deliveries: list[tuple[int, bool, Event]]
    duplicates: int
    malformed: int
    out_of_order: int
    paid_before_created: int


def malformed_count(total: int) -> int:
    """How many of ``total`` deliveries are malformed: ~0.2%, none in a tiny plan."""
    return max(1, round(total * MALFORMED_SHARE)) if total >= 200 else 0


def _malformed(
    rng: random.Random, number: int, variant: int, seed: int, ts: str, viewer_id: str
) -> Event:
    def event(kind: str, fields: Event, at: str = ts) -> Event:
        return {"id": f"sim-{seed}-bad-{number}", "type": kind, "ts": at, "source": "douyin"} | (
            fields
        )

    if variant == 0:  # a required field missing
        return event("comment", {"viewer_id": viewer_id})
    if variant == 1:  # an amount that is not an integer of fen
        return event("order.paid", {"order_id": f"DD{seed}-bad-{number}", "amount": 990.5})
    if variant == 2:  # a type the contract does not know
        return event("lucky_bag.draw", {"viewer_id": viewer_id})
    if variant == 3:  # a comment past the 500-character limit (刷屏 spam)
        return event("comment", {"viewer_id": viewer_id, "text": "刷屏" * rng.randrange(251, 300)})
    if variant == 4:  # a timestamp that is no RFC 3339 instant
        bad_ts = rng.choice(("2026-13-45T25:61:00Z", "昨天晚上8点", ""))
        return event("like", {"viewer_id": viewer_id, "count": 1}, bad_ts)
    return event("like", {"viewer_id": viewer_id, "count": 0})  # count must be at least 1


_VARIANTS = 6


def inject(
    rng: random.Random,
    events: list[Event],
    times: list[int],
    *,
    end_ms: int,
    seed: int,
    malformed: int,
    make_ts: Callable[[int], str],
) -> Faulted:
    """Schedule ``events`` (valid, unique, at ``times`` ms) for delivery, with faults added.

    Events after ``end_ms`` (late refunds) are flagged ``after_end`` and sorted after all others,
    so the runner can end the show in between.
    """
    n = len(events)
    at = list(times)
    after = [t > end_ms for t in times]

    # A few seconds late, less in a very short show so the run still lasts about its duration.
    most_late = min(5_000, max(1_000, end_ms // 10))
    late = rng.sample(range(n), min(n, round(LATE_SHARE * n)))
    for i in late:
        at[i] += rng.randrange(1_000, most_late + 1)

    created = {e["order_id"]: i for i, e in enumerate(events) if e["type"] == "order.created"}
    paid = [
        i for i, e in enumerate(events) if e["type"] == "order.paid" and e["order_id"] in created
    ]
    # Only a payment close behind its order overtakes it, leaving the order a few seconds late.
    close = [i for i in paid if at[i] - times[created[events[i]["order_id"]]] <= 5_000]
    for i in rng.sample(close, min(len(close), max(1, round(PAID_FIRST_SHARE * len(paid))))):
        # The payment system's webhook beats the order system's: the order arrives second.
        c = created[events[i]["order_id"]]
        at[c] = max(at[c], at[i] + rng.randrange(200, 2_001))

    rows: list[tuple[bool, int, int, Event]] = [(after[i], at[i], i, events[i]) for i in range(n)]
    duplicated = rng.sample(range(n), round(DUPLICATE_SHARE * n))
    for k, i in enumerate(duplicated):
        resent = at[i] + rng.randrange(500, most_late + 1)
        rows.append((after[i], resent, n + k, dict(events[i])))

    viewers = [e["viewer_id"] for e in events if e["type"] == "viewer.join"] or [f"dy_{seed}_x"]
    first = rng.randrange(_VARIANTS)
    for k in range(malformed):
        t = rng.randrange(end_ms + 1)
        bad = _malformed(rng, k + 1, (first + k) % _VARIANTS, seed, make_ts(t), rng.choice(viewers))
        rows.append((False, t, 2 * n + k, bad))

    rows.sort(key=lambda row: (row[0], row[1], row[2]))

    # Count what actually happened, late events included, not what was asked for.
    first_seen: dict[str, int] = {}
    for position, (_, _, _, event) in enumerate(rows):
        first_seen.setdefault(event["id"], position)
    paid_first = 0
    for i in paid:
        order = events[created[events[i]["order_id"]]]
        paid_first += first_seen[events[i]["id"]] < first_seen[order["id"]]
    return Faulted(
        deliveries=[(t, a, e) for a, t, _, e in rows],
        duplicates=len(duplicated),
        malformed=malformed,
        out_of_order=len(late),
        paid_before_created=paid_first,
    )
