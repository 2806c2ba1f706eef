"""SQL for ingest: idempotent inserts and the quarantine. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.events import EventRecord
from liveops.ingest.validation import Rejection
from liveops.storage.models import Event, QuarantinedEvent


async def insert_new(
    session: AsyncSession, show_id: str, records: Sequence[EventRecord], payloads: Sequence[object]
) -> set[str]:
    """Insert the events whose id the show does not have yet; return the ids inserted.

    The unique constraint on (show_id, event_id) is the guarantee: `ON CONFLICT DO NOTHING`
    makes a concurrent or retried copy a no-op, and RETURNING names exactly what was new.
    """
    if not records:
        return set()
    rows: list[dict[str, Any]] = [
        {
            "show_id": show_id,
            "event_id": r.event_id,
            "type": r.type,
            "ts_us": r.ts_us,
            "received_at_us": r.received_at_us,
            "source": r.source,
            "viewer_id": r.viewer_id,
            "order_id": r.order_id,
            "sku": r.sku,
            "amount": r.amount,
            "quantity": r.quantity,
            "online": r.online,
            "payload": orjson.dumps(p).decode(),
        }
        for r, p in zip(records, payloads, strict=True)
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Event)
        .on_conflict_do_nothing(index_elements=["show_id", "event_id"])
        .returning(Event.event_id)
    )
    result = await session.execute(statement, rows)
    return set(result.scalars().all())


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
            raw=orjson.dumps(r.raw).decode(),
        )
        for r in rejections
    )
    await session.flush()


async def list_quarantine(
    session: AsyncSession, show_id: str, *, limit: int, before_id: int | None
) -> Sequence[QuarantinedEvent]:
    query = select(QuarantinedEvent).where(QuarantinedEvent.show_id == show_id)
    if before_id is not None:
        query = query.where(QuarantinedEvent.id < before_id)
    return (await session.scalars(query.order_by(QuarantinedEvent.id.desc()).limit(limit))).all()
