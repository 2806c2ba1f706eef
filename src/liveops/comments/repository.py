"""SQL for comment intelligence's review. Never commits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.comments.intents import QUESTION_INTENTS
from liveops.comments.model import intent_of
from liveops.events import EventRecord

# Rows fetched at once: one await per batch, not per row (a row at a time is a greenlet switch
# each), while memory stays bounded.
ROWS_PER_FETCH = 5_000

_BY_MINUTE = text(
    """
    SELECT ts_us / 60000000 AS minute, intent, COUNT(*) AS n
    FROM event WHERE show_id = :show_id AND type = 'comment' AND intent IS NOT NULL
    GROUP BY ts_us / 60000000, intent ORDER BY minute
    """
)
_UNCLASSIFIED = text(
    """
    SELECT ts_us, payload FROM event
    WHERE show_id = :show_id AND type = 'comment' AND intent IS NULL ORDER BY id
    """
)
_QUESTIONS = text(
    f"""
    SELECT event_id, ts_us, received_at_us, viewer_id, payload, intent FROM event
    WHERE show_id = :show_id AND type = 'comment'
      AND (intent IS NULL OR intent IN ({", ".join(f"'{i}'" for i in sorted(QUESTION_INTENTS))}))
    ORDER BY id
    """
)


async def counts_by_minute(session: AsyncSession, show_id: str) -> list[tuple[int, str, int]]:
    """(minute since the epoch, intent, comments) for every classified comment."""
    rows = await session.execute(_BY_MINUTE, {"show_id": show_id})
    return [(int(r.minute), str(r.intent), int(r.n)) for r in rows]


async def unclassified(session: AsyncSession, show_id: str) -> AsyncIterator[tuple[int, str]]:
    """(ts_us, text) of comments stored before they were classified at ingest."""
    result = await session.stream(_UNCLASSIFIED, {"show_id": show_id})
    async for rows in result.partitions(ROWS_PER_FETCH):
        for row in rows:
            yield int(row.ts_us), str(orjson.loads(row.payload).get("text") or "")


async def question_comments(session: AsyncSession, show_id: str) -> AsyncIterator[EventRecord]:
    """The show's question comments, in storage order, as the question board reads them
    (those stored before comments were classified at ingest are classified here)."""
    result = await session.stream(_QUESTIONS, {"show_id": show_id})
    async for rows in result.partitions(ROWS_PER_FETCH):
        for row in rows:
            comment = str(orjson.loads(row.payload).get("text") or "")
            intent = row.intent or intent_of(comment)
            if intent not in QUESTION_INTENTS:
                continue
            yield EventRecord(
                event_id=row.event_id,
                type="comment",
                ts_us=int(row.ts_us),
                received_at_us=int(row.received_at_us),
                viewer_id=row.viewer_id,
                text=comment,
                intent=intent,
            )
