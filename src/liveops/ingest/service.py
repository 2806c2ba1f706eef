"""Ingest a batch: validate each item, store the new ones and the rejects, report per item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.comments.model import shipped
from liveops.errors import NotFound
from liveops.events import EventRecord, to_micros
from liveops.ingest import repository
from liveops.ingest.schemas import IngestResult, IngestWarning, RejectedItem
from liveops.ingest.validation import TsWindow, validate_items


@dataclass(slots=True)
class StoredBatch:
    result: IngestResult
    new_records: list[EventRecord]  # in batch order; to be applied to the live state after commit
    row_ids: list[int]  # the storage row of each new record


@dataclass(frozen=True, slots=True)
class TsLimits:
    """How far an event's `ts` may lie before the show's creation and after its end."""

    before_created: timedelta
    after_ended: timedelta

    def window(self, created_at: datetime, ended_at: datetime | None, now: datetime) -> TsWindow:
        # While the show runs, "after it ended" counts from now: an event dated months ahead
        # is a producer's clock or format bug, not a future moment.
        end = ended_at or now
        return TsWindow(
            to_micros(created_at - self.before_created),
            to_micros(end + self.after_ended),
            f"events may be dated at most {_days(self.before_created)} before the show was "
            f"created and at most {_days(self.after_ended)} after it "
            f"{'ended' if ended_at else 'ends (counted from now while it runs)'}",
        )


# Contract §3's defaults; a deployment sets its own (LIVEOPS_INGEST_TS_*_SECONDS).
CONTRACT_TS_LIMITS = TsLimits(timedelta(days=7), timedelta(days=90))


def _days(span: timedelta) -> str:
    days = span / timedelta(days=1)
    return f"{days:g} days" if days != 1 else "1 day"


async def ingest(
    session: AsyncSession,
    show_id: str,
    items: list[Any],
    *,
    limits: TsLimits = CONTRACT_TS_LIMITS,
    now: datetime | None = None,
    classify: bool = True,
) -> StoredBatch:
    """Flushes, never commits: the batch is acknowledged only after the caller's commit."""
    now = now or datetime.now(UTC)
    times = await repository.show_times(session, show_id)
    if times is None:
        raise NotFound(f"no show with id {show_id!r}")
    window = limits.window(*times, now)
    batch = validate_items(items, received_at_us=to_micros(now), window=window)
    # A batch may carry one id twice: the first copy is the event, later ones are duplicates.
    first_seen: dict[str, int] = {}
    for position, record in enumerate(batch.records):
        first_seen.setdefault(record.event_id, position)
    unique = [i for i in range(len(batch.records)) if first_seen[batch.records[i].event_id] == i]
    records = [batch.records[i] for i in unique]
    if classify:
        # Before the insert, so the intent is stored with the comment (contract §11).
        classify_text = shipped().classify
        for record in records:
            if record.type == "comment" and record.text is not None:
                record.intent = classify_text(record.text).intent
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
    if batch.warnings:  # set only then: the answer carries `warnings` only when there are some
        result.warnings = [
            IngestWarning(index=w.index, id=w.event_id, warning=w.warning) for w in batch.warnings
        ]
    return StoredBatch(result, new_records, row_ids)
