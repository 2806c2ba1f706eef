"""The whole seeded show plan: pure, synchronous and deterministic.

`build_plan` decides every event of a show and when to deliver it; the runner only sends what
the plan says. Everything random comes from one ``random.Random(seed)``, so the same arguments
always give the same plan (ids, ts and content alike).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from liveops.comments.intents import Intent
from liveops.simulate import faults, scripts
from liveops.simulate.budget import make_budget
from liveops.simulate.lineup import DEMO_LINEUP, Product
from liveops.simulate.play import Order, Raw, play
from liveops.simulate.scripts import PlannedCue, PlannedSegment
from liveops.simulate.timeline import layout, make_sessions, make_shape

Event = dict[str, Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# After-sales returns per role: apparel and pricey items come back more (up to 28%, seeds 003).
_REFUND_RATE = {"引流款": 0.08, "爆款": 0.07, "利润款": 0.12, "福利款": 0.03, "清仓": 0.04}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POSTed item: send ``event`` at ``at`` seconds after the show's start.

    ``after_end`` items (late refunds) are sent after the show has been ended.
    """

    at: float
    event: Event
    after_end: bool = False


@dataclass(frozen=True, slots=True)
class FlashSale:
    """The 秒杀: a burst of orders on one product between ``start`` and ``end`` seconds.

    Field control schedules it at ``announced`` (consoles count down from then; orders before
    the start are refused) with at most ``cap`` units, and stops it at ``end``."""

    sku: str
    start: float
    end: float
    orders: int
    announced: float = 0.0
    cap: int = 1


@dataclass(frozen=True, slots=True)
class Buy:
    """An order as the storefront reserves it, at ``at`` seconds (its ``order.created`` ts),
    before any of the order's events is sent."""

    at: float
    order_id: str
    sku: str
    viewer_id: str
    qty: int

    def body(self) -> dict[str, Any]:
        """The reservation as `POST …/stock/{sku}/reservations` takes it."""
        return {"order_id": self.order_id, "viewer_id": self.viewer_id, "qty": self.qty}


@dataclass(frozen=True, slots=True)
class Rundown:
    """The show on air: its run-sheet and the cues field control sends (in time order).

    Moving from segment to segment happens at each segment's ``window.start_ms``.
    """

    segments: tuple[PlannedSegment, ...]
    cues: tuple[PlannedCue, ...]

    def body(self) -> dict[str, Any]:
        """The run-sheet as `PUT /api/v1/shows/{id}/runsheet` takes it."""
        return {"segments": [s.as_json() for s in self.segments]}


def plan_runsheet(duration: float, lineup: tuple[Product, ...] = DEMO_LINEUP) -> Rundown:
    """The run-sheet of a show of ``duration`` seconds, without its cues: the same segments
    `build_plan` plays, known before the show is planned (it is saved before the start)."""
    if not lineup:
        raise ValueError("the lineup needs at least one product")
    duration_ms = max(1, round(duration * 1000))
    return Rundown(scripts.runsheet(layout(duration_ms, lineup), lineup), ())


@dataclass(frozen=True, slots=True)
class ShowPlan:
    """A show to play: deliveries in send order, and the unique valid events behind them.

    ``unique_events`` are in ts order and are exactly what a correct server counts;
    ``deliveries`` add ``duplicates`` re-sends (same id, same content) and ``malformed`` events
    (ids never used by a valid event) that a correct server rejects. ``comment_intents`` holds
    the intent of every valid comment (`truth.comments_by_intent` counts them).
    """

    seed: int
    start: datetime
    duration: float
    deliveries: list[Delivery]
    unique_events: list[Event]
    duplicates: int
    malformed: int
    out_of_order: int
    paid_before_created: int
    flash_sale: FlashSale
    rundown: Rundown
    transcript_lines: int
    slips: int  # transcript lines that break the compliance rules
    buys: tuple[Buy, ...] = ()  # every order, in time order, as the storefront reserves it
    # The intent the simulator meant by each comment (contract §11), by event id.
    comment_intents: dict[str, Intent] = field(default_factory=dict)

    def type_counts(self) -> dict[str, int]:
        """How many deliveries of each ``type``, most common first."""
        return dict(Counter(str(d.event.get("type")) for d in self.deliveries).most_common())


def post_show_seconds(duration: float) -> float:
    """How long after the show's end the last refund is dated (at most 31 s)."""
    gap, window = _refund_window_ms(round(duration * 1000))
    return (gap + window) / 1000


def _refund_window_ms(duration_ms: int) -> tuple[int, int]:
    # Real refunds trickle in for days; compressed to seconds, so a demo shows them landing on a
    # closed show without making anyone wait, and kept short for a short show.
    gap = min(1_000, max(100, duration_ms // 10))
    return gap, min(30_000, max(500, duration_ms // 20))


def _start_ms(start: datetime) -> int:
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return (start - _EPOCH) // timedelta(milliseconds=1)


def _ts_formatter(start_ms: int) -> Callable[[int], str]:
    """RFC 3339 UTC with milliseconds and a ``Z``; the seconds prefix is cached (it repeats)."""
    prefixes: dict[int, str] = {}

    def ts(t_ms: int) -> str:
        second, milli = divmod(start_ms + t_ms, 1000)
        prefix = prefixes.get(second)
        if prefix is None:
            prefix = (_EPOCH + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%S")
            prefixes[second] = prefix
        return f"{prefix}.{milli:03d}Z"

    return ts


def _refunds(rng: random.Random, paid: list[Order], duration_ms: int) -> list[Raw]:
    gap, window = _refund_window_ms(duration_ms)
    raws: list[Raw] = []
    for order in paid:
        if rng.random() >= _REFUND_RATE.get(order.product.role, 0.06):
            continue
        roll = rng.random()
        if roll < 0.75:
            amounts = [order.amount]
        elif roll < 0.95 or order.amount < 2:  # a partial refund (仅退款 for a flaw)
            amounts = [max(1, int(order.amount * rng.uniform(0.3, 0.7)))]
        else:  # two partial refunds for one order, together never more than was paid
            amounts = [order.amount // 2, order.amount // 4]
        for amount in amounts:
            t = duration_ms + gap + rng.randrange(window)
            fields = {"order_id": order.order_id, "amount": amount}
            raws.append((t, "order.refunded", "douyin", fields))
    raws.sort(key=lambda raw: raw[0])
    return raws


def build_plan(
    seed: int,
    duration: float,
    rate: float,
    start: datetime,
    lineup: tuple[Product, ...] = DEMO_LINEUP,
) -> ShowPlan:
    """Build the seeded plan of a whole show of ``duration`` seconds at about ``rate`` events/s.

    The show runs from ``start`` (naive means UTC) to ``start + duration``; every event's ``ts``
    is ``start`` plus its offset, to the millisecond. About ``duration × rate`` items are
    delivered in all: viewers arriving in waves and leaving (all who remain leave at the end, as
    the platform closes the room), the platform's ``viewer.count`` (equal to the number
    present), comments, likes, shares, follows and gifts, the lineup pinned in turn with
    impressions, clicks, cart adds and orders on the pinned product, one flash sale (秒杀) on
    the 福利款 (announced as its segment begins, refusing orders until it starts), payments
    and cancels, ERP ``stock.set`` counts (at the start and at each restock),
    ``stream.health`` every few seconds with one stall and a line failover, the anchor's
    speech (``transcript``: the run-sheet's scripts read out, about 1 line in 40 a compliance
    slip), and refunds dated after the end. On top: ~2% duplicates, ~3% late deliveries, ~3%
    of payments before their orders, ~0.2% malformed. ``rundown`` is the run-sheet (a warm-up,
    one segment per product on air, a closing, in the windows the products are pinned) and
    field control's cues; ``buys`` every order, as the storefront reserves it.

    Raises ValueError for a non-positive duration or rate, or an empty or ambiguous lineup.
    """
    if not duration > 0 or not rate > 0:
        raise ValueError("duration and rate must be positive")
    if not lineup:
        raise ValueError("the lineup needs at least one product")
    if len({p.sku for p in lineup}) != len(lineup):
        raise ValueError("every product of the lineup needs its own sku")

    duration_ms = max(1, round(duration * 1000))
    total = max(1, round(duration * rate))
    malformed = faults.malformed_count(total)
    unique_target = round((total - malformed) / (1 + faults.DUPLICATE_SHARE))

    rng = random.Random(seed)
    shape = make_shape(rng, duration_ms, lineup)
    segments = plan_runsheet(duration, lineup).segments
    budget = make_budget(unique_target, duration_ms, rate, len(lineup))
    viewers, sessions = make_sessions(rng, shape, budget.sessions, seed)
    played = play(rng, seed, shape, viewers, sessions, budget, lineup, segments)
    raws = played.events + _refunds(rng, played.paid, duration_ms)

    ts = _ts_formatter(_start_ms(start))
    events: list[Event] = [
        {"id": f"sim-{seed}-{n}", "type": kind, "ts": ts(t), "source": source} | fields
        for n, (t, kind, source, fields) in enumerate(raws, 1)
    ]
    faulted = faults.inject(
        rng,
        events,
        [raw[0] for raw in raws],
        end_ms=duration_ms,
        seed=seed,
        malformed=malformed,
        make_ts=ts,
    )
    flash = shape.flash
    return ShowPlan(
        seed=seed,
        start=start if start.tzinfo else start.replace(tzinfo=UTC),
        duration=duration_ms / 1000,
        deliveries=[Delivery(t / 1000, e, a) for t, a, e in faulted.deliveries],
        unique_events=events,
        duplicates=faulted.duplicates,
        malformed=faulted.malformed,
        out_of_order=faulted.out_of_order,
        paid_before_created=faulted.paid_before_created,
        flash_sale=FlashSale(
            shape.flash_product.sku,
            flash.start_ms / 1000,
            flash.end_ms / 1000,
            played.flash_orders,
            announced=shape.flash_announced_ms / 1000,
            cap=played.flash_cap,
        ),
        rundown=Rundown(segments, tuple(sorted(played.cues, key=lambda c: c.at))),
        transcript_lines=played.lines,
        slips=played.slips,
        buys=tuple(
            Buy(t / 1000, f["order_id"], f["sku"], f["viewer_id"], f["qty"])
            for t, kind, _, f in raws
            if kind == "order.created"
        ),
        # The played events come first in `raws`, and so in `events`.
        comment_intents={str(events[n]["id"]): i for n, i in played.intents.items()},
    )
