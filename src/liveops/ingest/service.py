"""Ingest a batch: validate each item, store the new ones and the rejects, report per item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.events import EventRecord, to_micros
from liveops.ingest import repository
from liveops.ingest.schemas import IngestResult, RejectedItem
from liveops.ingest.validation import validate_items


@dataclass(slots=True)
class StoredBatch:
    result: IngestResult
    new_records: list[EventRecord]  # in batch order; to be applied to the live state after commit
    row_ids: list[int]  # the storage row of each new record


async def ingest(
    session: AsyncSession, show_id: str, items: list[Any], *, now: datetime | None = None
) -> StoredBatch:
    """Flushes, never commits: the batch is acknowledged only after the caller's commit."""
    now = now or datetime.now(UTC)
    batch = validate_items(items, received_at_us=to_micros(now))
    # A batch may carry one id twice: the first copy is the event, later ones are duplicates.
    first_seen: dict[str, int] = {}
    for position, record in enumerate(batch.records):
        first_seen.setdefault(record.event_id, position)
    unique = [i for i in range(len(batch.records)) if first_seen[batch.records[i].event_id] == i]
    records = [batch.records[i] for i in unique]
    inserted = await repository.insert_new(
        session, show_id, records, [batch.payloads[i] for i in unique]
    )
    if batch.rejections:
        await repository.quarantine(session, show_id, batch.rejections, now)
    new_records = [r for r in records if r.event_id in inserted]
    row_ids = [inserted[r.event_id] for r in new_records]
    result = IngestResult(
        accepted=len(new_records),
        duplicates=len(batch.records) - len(new_records),
        rejected=[
            RejectedItem(index=r.index, id=r.event_id, error=r.error) for r in batch.rejections
        ],
    )
    return StoredBatch(result, new_records, row_ids)
