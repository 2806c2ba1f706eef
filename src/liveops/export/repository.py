"""SQL for exports. Never commits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.models import Event

ROWS_PER_FETCH = 5_000  # rows the driver holds at once: the export's memory does not grow


async def events(session: AsyncSession, show_id: str) -> AsyncIterator[Sequence[Any]]:
    """Every stored event of the show, in storage order, with what a line of the export needs,
    ROWS_PER_FETCH rows at a time (a row at a time costs a driver round trip per row)."""
    query = (
        select(
            Event.event_id, Event.type, Event.ts_us, Event.viewer_id, Event.payload, Event.intent
        )
        .where(Event.show_id == show_id)
        .order_by(Event.id)
    )
    result = await session.stream(query, execution_options={"yield_per": ROWS_PER_FETCH})
    async for rows in result.partitions(ROWS_PER_FETCH):
        yield rows
