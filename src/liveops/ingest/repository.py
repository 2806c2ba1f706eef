"""SQL for ingest: idempotent inserts and the quarantine. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.events import EventRecord
from liveops.ingest.validation import Rejection
from liveops.storage.driver import driver_in_transaction
from liveops.storage.models import QuarantinedEvent, Show

# The columns an accepted event is written with, in order (bench/review.py writes the same).
EVENT_COLUMNS = (
    "show_id",
    "event_id",
    "type",
    "ts_us",
    "received_at_us",
    "source",
    "viewer_id",
    "order_id",
    "sku",
    "amount",
    "quantity",
    "online",
    "payload",
    "intent",
)
_PG_TYPES = (
    "text",
    "text",
    "text",
    "int8",
    "int8",
    "text",
    "text",
    "text",
    "text",
    "int8",
    "int8",
    "int8",
    "text",
    "text",
)
_PG_INSERT = (
    f"INSERT INTO event ({', '.join(EVENT_COLUMNS)}) "
    f"SELECT * FROM unnest({', '.join(f'${i + 1}::{t}[]' for i, t in enumerate(_PG_TYPES))}) "
    "ON CONFLICT (show_id, event_id) DO NOTHING RETURNING id, event_id"
)
_SQLITE_INSERT = (
    f"INSERT INTO event ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))}) "
    "ON CONFLICT (show_id, event_id) DO NOTHING"
)


def event_row(show_id: str, r: EventRecord, payload: str) -> tuple[Any, ...]:
    """An accepted event as the row written, in EVENT_COLUMNS order."""
    return (
        show_id,
        r.event_id,
        r.type,
        r.ts_us,
        r.received_at_us,
        r.source,
        r.viewer_id,
        r.order_id,
        r.sku,
        r.amount,
        r.quantity,
        r.online,
        payload,
        r.intent,
    )


async def insert_new(
    session: AsyncSession, show_id: str, records: Sequence[EventRecord], payloads: Sequence[str]
) -> dict[str, int]:
    """Insert the events whose id the show does not have yet; return {event id: row id} of
    those inserted.

    The unique constraint on (show_id, event_id) is the guarantee; this is the hot path, so it
    talks to the driver directly inside the session's transaction (the ORM's bulk path costs
    hundreds of microseconds per row here).
    """
    if not records:
        return {}
    rows = [event_row(show_id, r, p) for r, p in zip(records, payloads, strict=True)]
    connection = await driver_in_transaction(session)
    driver = connection.driver
    if connection.postgres:
        # One round trip; RETURNING names exactly the rows that were new, even under races.
        inserted = await driver.fetch(_PG_INSERT, *map(list, zip(*rows, strict=True)))
        return {row[1]: row[0] for row in inserted}
    # SQLite: the session began with BEGIN IMMEDIATE, so this transaction holds the write lock
    # and nothing else can insert meanwhile. Usually every event is new: insert them all and
    # let the change counter confirm it; only when some were already stored, find out which.
    changes_before = driver.total_changes
    await driver.executemany(_SQLITE_INSERT, rows)
    if driver.total_changes - changes_before == len(rows):
        # All new, so they took consecutive rowids ending at the last one inserted.
        cursor = await driver.execute("SELECT last_insert_rowid()")
        (last,) = await cursor.fetchone()
        first = last - len(rows) + 1
        return {row[1]: first + i for i, row in enumerate(rows)}
    return await _sqlite_inserted_since(driver, show_id, changes_before)


async def _sqlite_inserted_since(driver: Any, show_id: str, changes_before: int) -> dict[str, int]:
    """The ids this transaction inserted, when some of its events were already stored.

    Rowids only grow (rows are never deleted), so the rows this transaction inserted are the
    show's newest, and the change counter says how many there are.
    """
    inserted = driver.total_changes - changes_before
    if inserted == 0:
        return {}
    cursor = await driver.execute(
        "SELECT event_id, id FROM event WHERE show_id = ? ORDER BY id DESC LIMIT ?",
        (show_id, inserted),
    )
    return {row[0]: row[1] for row in await cursor.fetchall()}


async def quarantine(
    session: AsyncSession, show_id: str, rejections: Sequence[Rejection], received_at: datetime
) -> None:
    session.add_all(
        QuarantinedEvent(
            show_id=show_id,
            received_at=received_at,
            batch_index=r.index,
            event_id=None if r.event_id is None else r.event_id[:200],
            error=r.error,
            raw=r.excerpt,
        )
        for r in rejections
    )
    await session.flush()


async def show_times(
    session: AsyncSession, show_id: str
) -> tuple[datetime, datetime | None] | None:
    """(created_at, ended_at) of the show, or None when there is no such show."""
    row = (
        await session.execute(select(Show.created_at, Show.ended_at).where(Show.id == show_id))
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def list_quarantine(
    session: AsyncSession, show_id: str, *, limit: int, before_id: int | None
) -> Sequence[QuarantinedEvent]:
    query = select(QuarantinedEvent).where(QuarantinedEvent.show_id == show_id)
    if before_id is not None:
        query = query.where(QuarantinedEvent.id < before_id)
    return (await session.scalars(query.order_by(QuarantinedEvent.id.desc()).limit(limit))).all()
