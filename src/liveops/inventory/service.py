"""Stock operations. Each takes the caller's session and never commits; each returns the
items it changed, so that the caller can tell the live side after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.errors import Conflict, NotFound
from liveops.events import EventRecord
from liveops.inventory import repository as repo
from liveops.inventory.ledger import Outcome, refusal, sellable
from liveops.inventory.repository import ErpCount, Item, NewReservation, Store
from liveops.inventory.schemas import (
    FlashSale,
    ReleaseAnswer,
    ReservationAnswer,
    ReservationRequest,
    StockRow,
)
from liveops.live.changes import StockChanged, stage


@dataclass(slots=True)
class Changes:
    """Items whose levels changed in this transaction (the newest reading of each)."""

    items: dict[str, Item] = field(default_factory=dict)

    def add(self, item: Item | None) -> None:
        if item is not None:
            self.items[item.sku] = item

    def rows(self) -> list[dict[str, Any]]:
        return [view(i).model_dump() for i in self.items.values()]

    def stage(self, session: AsyncSession, show_id: str) -> None:
        """Tell the show's consoles once the transaction commits (live/changes.py)."""
        if self.items:
            stage(session, StockChanged(show_id, self.rows()))


class OrderIdRace(RuntimeError):
    """The transaction must roll back: an order id of the group was decided by another
    transaction meanwhile, and deciding again reads that answer."""


def view(item: Item) -> StockRow:
    sale = None
    if item.sale_remaining is not None and item.sale_cap is not None:
        state = "running"
        if item.sale_remaining == 0 or item.available == 0:
            state = "sold_out"
        sale = FlashSale(
            cap=item.sale_cap,
            remaining=sellable(item.available, item.sale_remaining),
            starts_at=(item.sale_starts_us or 0) // 1000,
            state=state,
        )
    return StockRow(
        sku=item.sku,
        allocated=item.allocated,
        reserved=item.reserved,
        sold=item.sold,
        available=item.available,
        version=item.version,
        limit_per_viewer=item.limit_per_viewer,
        flash_sale=sale,
        sold_out_at=None if item.sold_out_us is None else item.sold_out_us // 1000,
        rev=item.rev,
    )


# ---- reservations --------------------------------------------------------------------------


async def reserve(
    session: AsyncSession,
    show_id: str,
    sku: str,
    requests: Sequence[ReservationRequest],
    *,
    now_us: int,
    hold_us: int,
    changes: Changes,
    probe_first: bool = False,
) -> list[ReservationAnswer]:
    """Decide a group of reservations for one SKU in one transaction, as if one by one in
    arrival order (each takes what it asks for if it is there when its turn comes).

    Earlier answers for the group's order ids are read under the SKU's row lock, where every
    earlier decision for the SKU is committed and visible. With `probe_first` they are read
    before the lock instead, so that the read overlaps whoever holds it; an id decided in
    between then collides on the unique key when its row is inserted, and OrderIdRace asks the
    caller to decide the group again without `probe_first`.

    Without a per-viewer limit, the leading requests that fit are taken together by ONE
    conditional statement (`take` of their total, which the store re-checks against the row
    it holds locked), and only the tail at the sell-out edge, where a later small request may
    still fit after a bigger one did not, goes one by one.
    With a limit, each request is its own conditional statement, checked against the units
    the viewer holds. An order id seen before (in an earlier transaction or earlier in this
    group) is answered from its first decision.
    """
    store = await Store.of(session)
    firsts: dict[str, ReservationRequest] = {}
    for r in requests:
        firsts.setdefault(r.order_id, r)
    if probe_first:
        earlier = await repo.stored_answers(store, show_id, list(firsts))
    locked = await repo.lock_item(store, show_id, sku, now_us)
    if locked is None:
        raise NotFound(f"no stock for SKU {sku!r} in this show: set it first (PUT …/stock/{sku})")
    if not probe_first:
        earlier = await repo.stored_answers(store, show_id, list(firsts))
    # Built without validation (model_construct): every value comes from the store or from a
    # request validated already, and a batch builds hundreds of these under the row lock.
    answers = {
        order_id: ReservationAnswer.model_construct(
            status=cast(Outcome, a.outcome),
            available=a.available_after,
            order_id=order_id,
            sku=a.sku,
            qty=a.qty,
        )
        for order_id, a in earlier.items()
    }
    pending = [r for order_id, r in firsts.items() if order_id not in earlier]
    if locked.limit_per_viewer is None:
        decided, latest = await _decide_grouped(store, show_id, sku, locked, pending, now_us)
    else:
        decided, latest = await _decide_one_by_one(store, show_id, sku, pending, now_us)
    rows = []
    for r, outcome, left, sale_seq in decided:
        reserved = outcome == "reserved"
        rows.append(
            NewReservation(
                r.order_id,
                r.viewer_id,
                r.qty,
                outcome,
                left,
                "reserved" if reserved else "rejected",
                sale_seq,
                now_us + hold_us if reserved else None,
            )
        )
        answers[r.order_id] = ReservationAnswer.model_construct(
            status=outcome, available=left, order_id=r.order_id, sku=sku, qty=r.qty
        )
    if await repo.insert_reservations(store, show_id, sku, rows, now_us) != len(rows):
        raise OrderIdRace(
            "an order id of this group was decided elsewhere at the same moment"
            + (" (after the early probe)" if probe_first else " (on another SKU)")
        )
    if latest is not None:  # something was taken: `latest` is the row after the last take
        ran_out = latest.available == 0 or latest.sale_remaining == 0
        # Only a batch that took the last unit stamps the sell-out (one statement saved on
        # every other batch, under the row lock).
        stamped = None
        if ran_out and latest.sold_out_us is None:
            stamped = await repo.stamp_sold_out(store, show_id, sku, now_us)
        if stamped is not None:
            latest = stamped
            await repo.add_moments(
                store,
                show_id,
                [(sku, "sold_out", now_us, latest.available, {"sold": latest.sold})],
            )
        changes.add(latest)
    return [answers[r.order_id] for r in requests]


# (request, outcome, what a buyer could still get after it, the flash sale it was taken in)
Decision = tuple[ReservationRequest, Outcome, int, int | None]


def _sale_of(taken: Item) -> int | None:
    return taken.sale_seq if taken.sale_remaining is not None else None


async def _decide_grouped(
    store: Store,
    show_id: str,
    sku: str,
    locked: Item,
    pending: list[ReservationRequest],
    now_us: int,
) -> tuple[list[Decision], Item | None]:
    """The decisions, and the row after the last unit taken (None if nothing was)."""
    started = locked.sale_starts_us is None or locked.sale_starts_us <= now_us
    left = sellable(locked.available, locked.sale_remaining)
    leading = 0
    total = 0
    while started and leading < len(pending) and total + pending[leading].qty <= left:
        total += pending[leading].qty
        leading += 1
    decided: list[Decision] = []
    latest: Item | None = None
    if total:
        latest = await repo.take(store, show_id, sku, qty=total, held=0, now_us=now_us)
        if latest is None:
            # Cannot happen while the row is locked; if it does, nothing is half-decided:
            # the transaction rolls back and the desk decides each request alone.
            raise RuntimeError(f"stock of {sku!r} changed under its row lock")
        sale_seq = _sale_of(latest)
        for r in pending[:leading]:
            left -= r.qty
            decided.append((r, "reserved", left, sale_seq))
    for r in pending[leading:]:
        if started and r.qty <= left:
            taken = await repo.take(store, show_id, sku, qty=r.qty, held=0, now_us=now_us)
            if taken is not None:
                latest = taken
                left -= r.qty
                decided.append((r, "reserved", left, _sale_of(taken)))
                continue
        decided.append((r, "sold_out" if started else "not_started", left, None))
    return decided, latest


async def _decide_one_by_one(
    store: Store, show_id: str, sku: str, pending: list[ReservationRequest], now_us: int
) -> tuple[list[Decision], Item | None]:
    held = await repo.held_by(store, show_id, sku, sorted({r.viewer_id for r in pending}))
    decided: list[Decision] = []
    latest: Item | None = None
    for r in pending:
        viewer_held = held.get(r.viewer_id, 0)
        taken = await repo.take(store, show_id, sku, qty=r.qty, held=viewer_held, now_us=now_us)
        if taken is not None:
            latest = taken
            held[r.viewer_id] = viewer_held + r.qty
            left = sellable(taken.available, taken.sale_remaining)
            decided.append((r, "reserved", left, _sale_of(taken)))
            continue
        current = await repo.item(store, show_id, sku)
        assert current is not None  # locked above; rows are never deleted
        left = sellable(current.available, current.sale_remaining)
        outcome = refusal(
            qty=r.qty,
            sellable_now=left,
            held=viewer_held,
            limit_per_viewer=current.limit_per_viewer,
            started=current.sale_starts_us is None or current.sale_starts_us <= now_us,
        )
        decided.append((r, outcome, left, None))
    return decided, latest


async def release(
    session: AsyncSession, show_id: str, sku: str, order_id: str, *, now_us: int, changes: Changes
) -> ReleaseAnswer:
    """Give a reservation's units back (DELETE, or `order.cancelled`). Safe to repeat."""
    store = await Store.of(session)
    answer = (await repo.stored_answers(store, show_id, [order_id])).get(order_id)
    if answer is None:
        raise NotFound(f"no reservation for order {order_id!r} in this show")
    if answer.sku != sku:
        raise NotFound(f"order {order_id!r} reserved SKU {answer.sku!r}, not {sku!r}")
    await repo.lock_items(store, [(show_id, sku)])
    moved = await _return_units(store, show_id, order_id, "released", now_us, changes)
    if not moved:  # released or expired already, or refused: read what it is now
        answer = (await repo.stored_answers(store, show_id, [order_id]))[order_id]
    current = changes.items.get(sku) or await repo.item(store, show_id, sku)
    assert current is not None
    return ReleaseAnswer(
        order_id=order_id,
        sku=sku,
        state="released" if moved else answer.state,
        released=moved,
        available=current.available,
    )


async def _return_units(
    store: Store, show_id: str, order_id: str, to_state: str, now_us: int, changes: Changes
) -> bool:
    """Reserved or sold units of the order back to stock; False if it held none."""
    for from_state in ("reserved", "sold"):
        moved = await repo.transition(
            store, show_id, order_id, from_state=from_state, to_state=to_state, now_us=now_us
        )
        if moved is not None:
            changes.add(
                await repo.move(
                    store,
                    show_id,
                    moved.sku,
                    reserved=-moved.qty if from_state == "reserved" else 0,
                    sold=-moved.qty if from_state == "sold" else 0,
                    available=moved.qty,
                    sale_refill=moved.qty,
                    sale_seq=moved.sale_seq,
                    now_us=now_us,
                )
            )
            return True
    return False


async def confirm(
    store: Store, show_id: str, order_id: str, *, now_us: int, changes: Changes
) -> bool:
    """`order.paid`: the reservation's units are sold. False if it had no live reservation
    (the reconciliation report lists those)."""
    moved = await repo.transition(
        store, show_id, order_id, from_state="reserved", to_state="sold", now_us=now_us
    )
    if moved is None:
        return False
    changes.add(
        await repo.move(
            store, show_id, moved.sku, reserved=-moved.qty, sold=moved.qty, now_us=now_us
        )
    )
    return True


async def anything_due(session: AsyncSession, *, now_us: int) -> bool:
    """Whether any reservation is past its time (a read: it takes no lock)."""
    return bool(await repo.due(await Store.of(session), now_us, 1))


async def expire(session: AsyncSession, *, now_us: int, limit: int) -> dict[str, Changes]:
    """Return the units of reservations not paid in time, for every show; by show."""
    store = await Store.of(session)
    by_show: dict[str, Changes] = {}
    totals: dict[tuple[str, str, int | None], int] = {}
    due = await repo.due(store, now_us, limit)
    await repo.lock_items(store, ((show_id, sku) for _, show_id, sku in due))
    for moved in await repo.expire_ids(store, [reservation for reservation, _, _ in due], now_us):
        key = (moved.show_id, moved.sku, moved.sale_seq)
        totals[key] = totals.get(key, 0) + moved.qty
    for (show_id, sku, sale_seq), qty in sorted(totals.items(), key=lambda kv: kv[0][:2]):
        changes = by_show.setdefault(show_id, Changes())
        changes.add(
            await repo.move(
                store,
                show_id,
                sku,
                reserved=-qty,
                available=qty,
                sale_refill=qty,
                sale_seq=sale_seq,
                now_us=now_us,
            )
        )
    return by_show


# ---- ERP counts and flash sales ------------------------------------------------------------


async def set_stock(
    session: AsyncSession,
    show_id: str,
    sku: str,
    *,
    available: int,
    version: int,
    limit_per_viewer: int | None,
    now_us: int,
    changes: Changes,
) -> Item:
    """Apply an absolute ERP count. Raises Conflict (with the current row) when `version` is
    not newer than the stored one."""
    store = await Store.of(session)
    applied = await _set(
        store, show_id, sku, ErpCount(available, version, limit_per_viewer), now_us
    )
    if applied is None:
        current = await repo.item(store, show_id, sku)
        assert current is not None
        raise StaleVersion(current)
    changes.add(applied)
    return applied


class StaleVersion(Conflict):
    def __init__(self, current: Item) -> None:
        super().__init__(
            f"version {current.version} is already applied to SKU {current.sku!r}; "
            "send a newer version"
        )
        self.current = current


async def _set(store: Store, show_id: str, sku: str, count: ErpCount, now_us: int) -> Item | None:
    for _ in range(2):  # the second round only if another transaction created the row
        applied = await repo.set_absolute(store, show_id, sku, count, now_us=now_us)
        if applied is not None:
            break
        if await repo.item(store, show_id, sku) is not None:
            return None  # stale
        applied = await repo.insert_item(store, show_id, sku, count, now_us=now_us)
        if applied is not None:
            break
    else:
        return None
    await repo.add_moments(
        store, show_id, [(sku, "stock_set", now_us, count.available, {"version": count.version})]
    )
    return applied


async def start_flash_sale(
    session: AsyncSession,
    show_id: str,
    sku: str,
    *,
    cap: int,
    starts_us: int,
    now_us: int,
    changes: Changes,
) -> Item:
    store = await Store.of(session)
    item = await repo.start_sale(store, show_id, sku, cap=cap, starts_us=starts_us, now_us=now_us)
    if item is None:
        raise NotFound(f"no stock for SKU {sku!r} in this show: set it first (PUT …/stock/{sku})")
    await repo.add_moments(
        store,
        show_id,
        [(sku, "flash_sale_start", starts_us, item.available, {"cap": cap, "seq": item.sale_seq})],
    )
    changes.add(item)
    return item


async def stop_flash_sale(
    session: AsyncSession, show_id: str, sku: str, *, now_us: int, changes: Changes
) -> Item:
    store = await Store.of(session)
    item = await repo.stop_sale(store, show_id, sku, now_us)
    if item is None:
        if await repo.item(store, show_id, sku) is None:
            raise NotFound(f"no stock for SKU {sku!r} in this show")
        raise Conflict(f"no flash sale is running for SKU {sku!r}")
    await repo.add_moments(
        store, show_id, [(sku, "flash_sale_stop", now_us, item.available, {"seq": item.sale_seq})]
    )
    changes.add(item)
    return item


async def seed_from_lineup(
    session: AsyncSession, show_id: str, allocated: dict[str, int], *, now_us: int
) -> None:
    await repo.add_missing(await Store.of(session), show_id, allocated, now_us)


async def listing(session: AsyncSession, show_id: str) -> list[StockRow]:
    return [view(i) for i in await repo.items(await Store.of(session), show_id)]


async def review(session: AsyncSession, show_id: str) -> dict[str, Any]:
    """The stock part of the post-show review: final ledger, its moments on the timeline
    (ERP counts, flash sales, sell-outs) and where reservations and order events disagree."""
    store = await Store.of(session)
    return {
        "ledger": [view(i).model_dump() for i in await repo.items(store, show_id)],
        "moments": await repo.moments(store, show_id),
        "reconciliation": await repo.reconciliation(store, show_id, listed=100),
    }


# ---- order and stock events from ingest ----------------------------------------------------

STOCK_EVENT_TYPES = frozenset({"order.paid", "order.cancelled", "stock.set"})


async def apply_events(
    session: AsyncSession, show_id: str, records: Sequence[EventRecord], *, now_us: int
) -> Changes:
    """Fold newly stored order and stock events into the ledger, in the ingest transaction
    (so a replayed batch, whose events are duplicates, changes nothing)."""
    changes = Changes()
    relevant = [r for r in records if r.type in STOCK_EVENT_TYPES]
    if not relevant:
        return changes
    store = await Store.of(session)
    orders = [r.order_id for r in relevant if r.type != "stock.set" and r.order_id is not None]
    skus = await repo.skus_of_orders(store, show_id, orders) if orders else set()
    skus.update(r.sku for r in relevant if r.type == "stock.set" and r.sku is not None)
    await repo.lock_items(store, ((show_id, sku) for sku in skus))
    for record in relevant:
        if record.type == "order.paid" and record.order_id is not None:
            await confirm(store, show_id, record.order_id, now_us=now_us, changes=changes)
        elif record.type == "order.cancelled" and record.order_id is not None:
            await _return_units(store, show_id, record.order_id, "released", now_us, changes)
        elif record.type == "stock.set" and record.sku is not None and record.quantity is not None:
            # The event's time is its version: an older count never overwrites a newer one.
            count = ErpCount(record.quantity, record.ts_us, limit_per_viewer=None)
            applied = await _set(store, show_id, record.sku, count, now_us)
            changes.add(applied)
    return changes
