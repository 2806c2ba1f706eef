"""Reading a show's stored events back: in storage order, to rebuild its live state, and in
source-time order, window by window, to replay an ended show."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.comments.model import intent_of
from liveops.events import EventRecord
from liveops.ingest.schemas import EVENT_TYPES
from liveops.storage.models import Event

_COLUMNS = (
    Event.event_id,
    Event.type,
    Event.ts_us,
    Event.received_at_us,
    Event.source,
    Event.viewer_id,
    Event.order_id,
    Event.sku,
    Event.amount,
    Event.quantity,
    Event.online,
    Event.payload,
    Event.intent,
)
_DETAIL_KEYS = ("bitrate_kbps", "fps", "latency_ms", "stall_ratio", "line")


async def stream_records(
    session: AsyncSession, show_id: str, *, chunk: int = 5_000
) -> AsyncIterator[tuple[int, EventRecord]]:
    """Every stored event of the show with its row id, in storage order."""
    result = await session.stream(
        select(Event.id, *_COLUMNS).where(Event.show_id == show_id).order_by(Event.id),
        execution_options={"yield_per": chunk},
    )
    async for row in result:
        yield row.id, _record(row)


async def records_between(
    session: AsyncSession, show_id: str, from_us: int, to_us: int
) -> list[EventRecord]:
    """The show's events with `from_us <= ts < to_us`, in source-time order (ties in storage
    order). Every type is named so that the (show, type, ts) index serves the range."""
    query = (
        select(Event.id, *_COLUMNS)
        .where(
            Event.show_id == show_id,
            Event.type.in_(EVENT_TYPES),
            Event.ts_us >= from_us,
            Event.ts_us < to_us,
        )
        .order_by(Event.ts_us, Event.id)
    )
    return [_record(row) for row in await session.execute(query)]


def _record(row: Row[*tuple[Any, ...]]) -> EventRecord:
    text = detail = intent = None
    if row.type in ("comment", "stream.health"):
        payload = orjson.loads(row.payload)
        if row.type == "comment":
            text = payload.get("text")
            # Stored before comments were classified at ingest: classify it now.
            intent = row.intent or intent_of(text or "")
        else:
            detail = {k: payload.get(k) for k in _DETAIL_KEYS}
    return EventRecord(
        event_id=row.event_id,
        type=row.type,
        ts_us=row.ts_us,
        received_at_us=row.received_at_us,
        source=row.source,
        viewer_id=row.viewer_id,
        order_id=row.order_id,
        sku=row.sku,
        amount=row.amount,
        quantity=row.quantity,
        online=row.online,
        text=text,
        detail=detail,
        intent=intent,
    )
