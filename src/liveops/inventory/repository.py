"""SQL for the stock ledger. Never commits: the caller's transaction is the boundary.

Every change of a SKU's levels is one conditional statement on its `stock_item` row, so the
database, not Python, decides whether units exist: `take` succeeds only `WHERE available >=
qty` (and within a flash sale's cap and a viewer's limit), and the CHECK constraints refuse any
statement that would unbalance the ledger. This is the hot path of a flash sale, so it talks
to the driver of the session's connection directly, in one placeholder style (`?`) for both
databases.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.driver import driver_in_transaction

ITEM_COLUMNS = (
    "sku, allocated, reserved, sold, available, version, limit_per_viewer, sale_cap, "
    "sale_remaining, sale_starts_us, sale_stopped_us, sale_seq, sold_out_us, rev"
)


@dataclass(slots=True)
class Item:
    sku: str
    allocated: int
    reserved: int
    sold: int
    available: int
    version: int | None
    limit_per_viewer: int | None
    sale_cap: int | None
    sale_remaining: int | None
    sale_starts_us: int | None
    sale_stopped_us: int | None
    sale_seq: int
    sold_out_us: int | None
    rev: int


@dataclass(slots=True)
class NewReservation:
    """A decided order: its first answer, kept to repeat to every retry."""

    order_id: str
    viewer_id: str
    qty: int
    outcome: str
    available_after: int
    state: str
    sale_seq: int | None
    expires_us: int | None


@dataclass(slots=True)
class StoredAnswer:
    order_id: str
    sku: str
    qty: int
    outcome: str
    available_after: int
    state: str


@dataclass(slots=True)
class Moved:
    """A reservation that changed state, with what it held."""

    show_id: str
    order_id: str
    sku: str
    qty: int
    sale_seq: int | None
    from_state: str


@cache
def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, …` (the statements hold no literal `?`)."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


class Store:
    """The driver connection under the session's transaction, with one way to run SQL."""

    def __init__(self, driver: Any, postgres: bool) -> None:
        self._driver = driver
        self.postgres = postgres

    @classmethod
    async def of(cls, session: AsyncSession) -> Store:
        connection = await driver_in_transaction(session)
        return cls(connection.driver, connection.postgres)

    async def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        if self.postgres:
            return [tuple(r) for r in await self._driver.fetch(_numbered(sql), *args)]
        cursor = await self._driver.execute(sql, args)
        try:
            return [tuple(r) for r in await cursor.fetchall()]
        finally:
            await cursor.close()

    async def row(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        rows = await self.rows(sql, *args)
        return rows[0] if rows else None

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            await self._driver.executemany(_numbered(sql), rows)
        else:
            await self._driver.executemany(sql, rows)

    def sqlite_changes(self) -> int:
        """Rows changed on this SQLite connection so far (to count what an insert added)."""
        return int(self._driver.total_changes)

    def any_of(self, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        """A `col <this>` membership test and its parameters, for either database."""
        if self.postgres:
            return "= ANY(?)", (list(values),)
        return f"IN ({', '.join('?' * len(values))})", tuple(values)


def _item(row: tuple[Any, ...] | None) -> Item | None:
    return None if row is None else Item(*row)


# ---- items ---------------------------------------------------------------------------------


async def items(store: Store, show_id: str) -> list[Item]:
    rows = await store.rows(
        f"SELECT {ITEM_COLUMNS} FROM stock_item WHERE show_id = ? ORDER BY sku", show_id
    )
    return [Item(*r) for r in rows]


async def item(store: Store, show_id: str, sku: str) -> Item | None:
    return _item(
        await store.row(
            f"SELECT {ITEM_COLUMNS} FROM stock_item WHERE show_id = ? AND sku = ?", show_id, sku
        )
    )


async def lock_item(store: Store, show_id: str, sku: str, now_us: int) -> Item | None:
    """Take the SKU's row lock for the rest of the transaction (a write, so that it works on
    both databases). Statements after it see every reservation committed before it."""
    return _item(
        await store.row(
            f"UPDATE stock_item SET rev = rev + 1, updated_us = ? WHERE show_id = ? AND sku = ? "
            f"RETURNING {ITEM_COLUMNS}",
            now_us,
            show_id,
            sku,
        )
    )


async def lock_items(store: Store, keys: Iterable[tuple[str, str]]) -> None:
    """Lock these (show, SKU) rows for the rest of the transaction, in one fixed order.

    Every writer that touches both a SKU row and reservation rows locks the SKU rows first,
    sorted: with one order for everyone, two transactions cannot each hold what the other
    waits for. SQLite needs no row locks: a writer holds the whole database from BEGIN
    IMMEDIATE (storage/db.py)."""
    ordered = sorted(set(keys))
    if not store.postgres or not ordered:
        return
    await store.rows(
        "SELECT 1 FROM stock_item WHERE (show_id, sku) IN "
        "(SELECT * FROM unnest(?::text[], ?::text[])) ORDER BY show_id, sku FOR UPDATE",
        [show for show, _ in ordered],
        [sku for _, sku in ordered],
    )


async def add_missing(store: Store, show_id: str, allocated: dict[str, int], now_us: int) -> None:
    """Seed the ledger from the lineup for SKUs it does not hold yet; never overwrites."""
    await store.execute_many(
        "INSERT INTO stock_item (show_id, sku, allocated, reserved, sold, available, sale_seq, "
        "updated_us) VALUES (?, ?, ?, 0, 0, ?, 0, ?) ON CONFLICT (show_id, sku) DO NOTHING",
        [(show_id, sku, units, units, now_us) for sku, units in sorted(allocated.items())],
    )


@dataclass(frozen=True, slots=True)
class ErpCount:
    """An ERP's absolute count for one SKU: after it, `available` is exactly this."""

    available: int
    version: int
    limit_per_viewer: int | None  # None keeps the limit the row has


async def set_absolute(
    store: Store, show_id: str, sku: str, count: ErpCount, *, now_us: int
) -> Item | None:
    """Apply an ERP count if its version is newer than the stored one; None when it is not
    (or the SKU has no row yet). What is reserved or sold stays so: allocated follows."""
    return _item(
        await store.row(
            "UPDATE stock_item SET available = ?, allocated = reserved + sold + ?, version = ?, "
            "limit_per_viewer = COALESCE(?, limit_per_viewer), "
            "sold_out_us = CASE WHEN ? > 0 THEN NULL ELSE COALESCE(sold_out_us, ?) END, "
            "rev = rev + 1, updated_us = ? "
            "WHERE show_id = ? AND sku = ? AND (version IS NULL OR version < ?) "
            f"RETURNING {ITEM_COLUMNS}",
            count.available,
            count.available,
            count.version,
            count.limit_per_viewer,
            count.available,
            now_us,
            now_us,
            show_id,
            sku,
            count.version,
        )
    )


async def insert_item(
    store: Store, show_id: str, sku: str, count: ErpCount, *, now_us: int
) -> Item | None:
    """A SKU's first ERP count; None if another transaction created the row first."""
    return _item(
        await store.row(
            "INSERT INTO stock_item (show_id, sku, allocated, reserved, sold, available, version, "
            "limit_per_viewer, sale_seq, sold_out_us, updated_us) "
            "VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0, ?, ?) ON CONFLICT (show_id, sku) DO NOTHING "
            f"RETURNING {ITEM_COLUMNS}",
            show_id,
            sku,
            count.available,
            count.available,
            count.version,
            count.limit_per_viewer,
            None if count.available > 0 else now_us,
            now_us,
        )
    )


async def take(
    store: Store, show_id: str, sku: str, *, qty: int, held: int, now_us: int
) -> Item | None:
    """THE decision: reserve `qty` units if they exist, within a running flash sale's cap and
    the viewer's limit (`held` = what the viewer already holds of this SKU). Returns the row
    after, or None when refused."""
    row = await store.row(
        "UPDATE stock_item SET available = available - ?, reserved = reserved + ?, "
        "sale_remaining = CASE WHEN sale_remaining IS NULL THEN NULL "
        "ELSE sale_remaining - ? END, rev = rev + 1, updated_us = ? "
        "WHERE show_id = ? AND sku = ? AND available >= ? "
        "AND (sale_remaining IS NULL OR sale_remaining >= ?) "
        "AND (sale_starts_us IS NULL OR sale_starts_us <= ?) "
        "AND (limit_per_viewer IS NULL OR CAST(? AS BIGINT) + ? <= limit_per_viewer) "
        f"RETURNING {ITEM_COLUMNS}",
        qty,
        qty,
        qty,
        now_us,
        show_id,
        sku,
        qty,
        qty,
        now_us,
        held,
        qty,
    )
    return _item(row)


async def move(
    store: Store,
    show_id: str,
    sku: str,
    *,
    reserved: int = 0,
    sold: int = 0,
    available: int = 0,
    sale_refill: int = 0,
    sale_seq: int | None = None,
    now_us: int,
) -> Item | None:
    """Shift units between the ledger's columns (the deltas sum to zero). Units given back to
    stock also go back to the flash sale they were taken in, if it is still running."""
    return _item(
        await store.row(
            "UPDATE stock_item SET reserved = reserved + ?, sold = sold + ?, "
            "available = available + ?, "
            "sale_remaining = CASE WHEN sale_remaining IS NOT NULL AND sale_seq = ? "
            "THEN sale_remaining + ? ELSE sale_remaining END, "
            "sold_out_us = CASE WHEN available + ? > 0 THEN NULL ELSE sold_out_us END, "
            "rev = rev + 1, updated_us = ? WHERE show_id = ? AND sku = ? "
            f"RETURNING {ITEM_COLUMNS}",
            reserved,
            sold,
            available,
            sale_seq,
            sale_refill,
            available,
            now_us,
            show_id,
            sku,
        )
    )


async def stamp_sold_out(store: Store, show_id: str, sku: str, now_us: int) -> Item | None:
    """Record the moment the SKU ran out, once per sell-out: the row after, or None when it
    was stamped already (or has not run out)."""
    return _item(
        await store.row(
            "UPDATE stock_item SET sold_out_us = ?, rev = rev + 1 WHERE show_id = ? AND sku = ? "
            "AND sold_out_us IS NULL AND (available = 0 OR sale_remaining = 0) "
            f"RETURNING {ITEM_COLUMNS}",
            now_us,
            show_id,
            sku,
        )
    )


async def start_sale(
    store: Store, show_id: str, sku: str, *, cap: int, starts_us: int, now_us: int
) -> Item | None:
    return _item(
        await store.row(
            "UPDATE stock_item SET sale_seq = sale_seq + 1, sale_cap = ?, sale_remaining = ?, "
            "sale_starts_us = ?, sale_stopped_us = NULL, "
            "sold_out_us = CASE WHEN available > 0 THEN NULL ELSE sold_out_us END, "
            "rev = rev + 1, updated_us = ? "
            f"WHERE show_id = ? AND sku = ? RETURNING {ITEM_COLUMNS}",
            cap,
            cap,
            starts_us,
            now_us,
            show_id,
            sku,
        )
    )


async def stop_sale(store: Store, show_id: str, sku: str, now_us: int) -> Item | None:
    """End the running flash sale; None when none is running."""
    return _item(
        await store.row(
            "UPDATE stock_item SET sale_cap = NULL, sale_remaining = NULL, sale_starts_us = NULL, "
            "sale_stopped_us = ?, "
            "sold_out_us = CASE WHEN available > 0 THEN NULL ELSE sold_out_us END, "
            "rev = rev + 1, updated_us = ? "
            "WHERE show_id = ? AND sku = ? AND sale_remaining IS NOT NULL "
            f"RETURNING {ITEM_COLUMNS}",
            now_us,
            now_us,
            show_id,
            sku,
        )
    )


# ---- reservations --------------------------------------------------------------------------


async def insert_reservations(
    store: Store, show_id: str, sku: str, rows: Sequence[NewReservation], now_us: int
) -> int:
    """Record decided orders; returns how many rows were new.

    The unique (show_id, order_id) key is the idempotency guard of last resort: the caller
    checked these ids under the SKU's row lock, so only a concurrent request for the same
    order id on ANOTHER SKU can collide here. Then fewer rows are new than given, and the
    caller must roll back.
    """
    if not rows:
        return 0
    if store.postgres:
        inserted = await store.rows(
            "INSERT INTO reservation (show_id, order_id, sku, viewer_id, qty, outcome, "
            "available_after, state, sale_seq, created_us, expires_us) "
            "SELECT ?::text, o, ?::text, v, q, c, a, st, sq, ?::int8, e "
            "FROM unnest(?::text[], ?::text[], ?::int4[], ?::text[], ?::int8[], ?::text[], "
            "?::int4[], ?::int8[]) AS r(o, v, q, c, a, st, sq, e) "
            "ON CONFLICT (show_id, order_id) DO NOTHING RETURNING 1",
            show_id,
            sku,
            now_us,
            [r.order_id for r in rows],
            [r.viewer_id for r in rows],
            [r.qty for r in rows],
            [r.outcome for r in rows],
            [r.available_after for r in rows],
            [r.state for r in rows],
            [r.sale_seq for r in rows],
            [r.expires_us for r in rows],
        )
        return len(inserted)
    before = store.sqlite_changes()
    await store.execute_many(
        "INSERT INTO reservation (show_id, order_id, sku, viewer_id, qty, outcome, "
        "available_after, state, sale_seq, created_us, expires_us) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (show_id, order_id) DO NOTHING",
        [
            (
                show_id,
                r.order_id,
                sku,
                r.viewer_id,
                r.qty,
                r.outcome,
                r.available_after,
                r.state,
                r.sale_seq,
                now_us,
                r.expires_us,
            )
            for r in rows
        ],
    )
    return store.sqlite_changes() - before


async def stored_answers(
    store: Store, show_id: str, order_ids: Sequence[str]
) -> dict[str, StoredAnswer]:
    found: dict[str, StoredAnswer] = {}
    columns = "order_id, sku, qty, outcome, available_after, state"
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        if store.postgres:
            # One index probe per id. With `= ANY(…)` the planner prefers scanning every
            # reservation of the show (one hot show holds most rows), which grows with the sale.
            rows = await store.rows(
                f"SELECT r.{columns.replace(', ', ', r.')} FROM unnest(?::text[]) AS q(o) "
                f"CROSS JOIN LATERAL (SELECT {columns} FROM reservation "
                "WHERE show_id = ? AND order_id = q.o LIMIT 1) r",
                list(chunk),
                show_id,
            )
        else:
            test, args = store.any_of(chunk)
            rows = await store.rows(
                f"SELECT {columns} FROM reservation WHERE show_id = ? AND order_id {test}",
                show_id,
                *args,
            )
        found.update((r[0], StoredAnswer(*r)) for r in rows)
    return found


async def held_by(store: Store, show_id: str, sku: str, viewers: Sequence[str]) -> dict[str, int]:
    """Units each viewer holds of the SKU (reserved or sold), for the per-viewer limit."""
    held: dict[str, int] = {}
    for start in range(0, len(viewers), 500):
        test, args = store.any_of(viewers[start : start + 500])
        rows = await store.rows(
            "SELECT viewer_id, SUM(qty) FROM reservation WHERE show_id = ? AND sku = ? "
            f"AND state IN ('reserved', 'sold') AND viewer_id {test} GROUP BY viewer_id",
            show_id,
            sku,
            *args,
        )
        held.update((r[0], int(r[1])) for r in rows)
    return held


async def transition(
    store: Store, show_id: str, order_id: str, *, from_state: str, to_state: str, now_us: int
) -> Moved | None:
    """Move one reservation from `from_state` to `to_state`; None when it was not in
    `from_state` (already moved by someone else, or never there): exactly one caller wins."""
    row = await store.row(
        "UPDATE reservation SET state = ?, settled_us = ? "
        "WHERE show_id = ? AND order_id = ? AND state = ? RETURNING sku, qty, sale_seq",
        to_state,
        now_us,
        show_id,
        order_id,
        from_state,
    )
    if row is None:
        return None
    return Moved(show_id, order_id, row[0], int(row[1]), row[2], from_state)


async def due(store: Store, now_us: int, limit: int) -> list[tuple[int, str, str]]:
    """(id, show, SKU) of up to `limit` reservations past their time, read without a lock."""
    rows = await store.rows(
        "SELECT id, show_id, sku FROM reservation WHERE state = 'reserved' AND expires_us <= ? "
        "ORDER BY expires_us LIMIT ?",
        now_us,
        limit,
    )
    return [(int(r[0]), r[1], r[2]) for r in rows]


async def expire_ids(store: Store, ids: Sequence[int], now_us: int) -> list[Moved]:
    """Mark these reservations expired if they are still only reserved (one paid or released
    meanwhile stays as it is); returns those it marked."""
    if not ids:
        return []
    test, args = store.any_of(ids)
    rows = await store.rows(
        f"UPDATE reservation SET state = 'expired', settled_us = ? WHERE id {test} "
        "AND state = 'reserved' RETURNING show_id, order_id, sku, qty, sale_seq",
        now_us,
        *args,
    )
    return [Moved(r[0], r[1], r[2], int(r[3]), r[4], "reserved") for r in rows]


async def skus_of_orders(store: Store, show_id: str, order_ids: Sequence[str]) -> set[str]:
    """The SKUs these orders reserved (a reservation's SKU never changes: no lock needed)."""
    return {answer.sku for answer in (await stored_answers(store, show_id, order_ids)).values()}


async def add_moments(
    store: Store, show_id: str, moments: Iterable[tuple[str, str, int, int, dict[str, Any]]]
) -> None:
    """(sku, kind, ts_us, available, detail) rows for the timeline."""
    await store.execute_many(
        "INSERT INTO stock_moment (show_id, sku, kind, ts_us, available, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (show_id, sku, kind, ts, available, json.dumps(d))
            for sku, kind, ts, available, d in moments
        ],
    )


# ---- review --------------------------------------------------------------------------------

_PAID = "SELECT DISTINCT order_id FROM event WHERE show_id = ? AND type = 'order.paid'"
_REFUNDED = "SELECT DISTINCT order_id FROM event WHERE show_id = ? AND type = 'order.refunded'"
# Each query names the orders where reservations and order events disagree.
RECONCILIATION = {
    "paid_without_reservation": (
        f"SELECT p.order_id FROM ({_PAID}) p LEFT JOIN reservation r "
        "ON r.show_id = ? AND r.order_id = p.order_id AND r.outcome = 'reserved' "
        "WHERE r.order_id IS NULL ORDER BY p.order_id"
    ),
    "reserved_never_paid": (
        f"SELECT r.order_id FROM reservation r LEFT JOIN ({_PAID}) p "
        "ON p.order_id = r.order_id WHERE r.show_id = ? AND r.outcome = 'reserved' "
        "AND p.order_id IS NULL ORDER BY r.order_id"
    ),
    "paid_after_expiry": (
        f"SELECT r.order_id FROM reservation r JOIN ({_PAID}) p ON p.order_id = r.order_id "
        "WHERE r.show_id = ? AND r.state = 'expired' ORDER BY r.order_id"
    ),
    "refunded_after_sale": (
        f"SELECT r.order_id FROM reservation r JOIN ({_REFUNDED}) f ON f.order_id = r.order_id "
        "WHERE r.show_id = ? AND r.outcome = 'reserved' ORDER BY r.order_id"
    ),
}


async def reconciliation(store: Store, show_id: str, *, listed: int) -> dict[str, Any]:
    """Per disagreement: how many orders, and the first `listed` of them."""
    report: dict[str, Any] = {}
    for name, sql in RECONCILIATION.items():
        orders = [r[0] for r in await store.rows(sql, show_id, show_id)]
        report[name] = {"count": len(orders), "orders": orders[:listed]}
    return report


async def moments(store: Store, show_id: str) -> list[dict[str, Any]]:
    rows = await store.rows(
        "SELECT ts_us, sku, kind, available, detail FROM stock_moment WHERE show_id = ? "
        "ORDER BY ts_us, id",
        show_id,
    )
    return [
        {
            "ts": ts_us // 1000,
            "sku": sku,
            "kind": kind,
            "available": available,
            "detail": detail if isinstance(detail, dict) else json.loads(detail),
        }
        for ts_us, sku, kind, available, detail in rows
    ]
