"""The review's comment sections (复盘): what viewers said, by intent and by minute, and what
they asked, with how fast the room answered. Read from storage, like the rest of the review."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.comments import repository
from liveops.comments.intents import INTENTS, LABELS
from liveops.comments.live import BoardBuilder, cluster_json
from liveops.comments.model import intent_of
from liveops.comments.service import question_actions
from liveops.moderation import service as moderation_service
from liveops.storage.models import Show

TOP_QUESTIONS = 10


async def comment_sections(session: AsyncSession, show: Show) -> dict[str, Any]:
    """`comments` (one row per intent of contract §11, every intent present), `comment_minutes`
    (per minute, comments of each intent) and `questions` (the most asked clusters and the
    times to answer)."""
    minutes: dict[int, Counter[str]] = {}
    for minute, intent, count in await repository.counts_by_minute(session, show.id):
        minutes.setdefault(minute, Counter())[intent] += count
    async for ts_us, text in repository.unclassified(session, show.id):
        minutes.setdefault(ts_us // 60_000_000, Counter())[intent_of(text)] += 1
    totals: Counter[str] = Counter()
    for counts in minutes.values():
        totals.update(counts)
    all_comments = sum(totals.values())
    return {
        "comments": [
            {
                "intent": intent,
                "label": LABELS[intent],
                "count": totals[intent],
                "share": round(totals[intent] / all_comments, 4) if all_comments else 0.0,
            }
            for intent in INTENTS
        ],
        "comment_minutes": [
            {"minute": minute * 60, **{intent: counts[intent] for intent in INTENTS}}
            for minute, counts in sorted(minutes.items())
        ],
        "questions": await _questions(session, show),
    }


async def _questions(session: AsyncSession, show: Show) -> dict[str, Any]:
    moderation = await moderation_service.export_state(session, show)  # every ban, unbounded
    builder = BoardBuilder(await question_actions(session, show.id))
    async for record in repository.question_comments(session, show.id):
        if moderation.hides(record.viewer_id, record.text, record.ts_us, record.event_id) is None:
            builder.comment(record)
    board = builder.finish()
    clusters = sorted(board.clusters.values(), key=lambda c: (-c.total, c.first_at_ms, c.id))
    answered = [s for _, how, s in board.closed_waves if how == "answered"]
    return {
        "clusters": len(clusters),
        "asked": sum(c.total for c in clusters),
        "open_at_end": sum(1 for c in clusters if c.status == "open"),
        "answered": len(answered),
        "dismissed": sum(1 for _, how, _ in board.closed_waves if how == "dismissed"),
        "answer_seconds_median": round(statistics.median(answered), 1) if answered else None,
        "answer_seconds_max": round(max(answered), 1) if answered else None,
        "top": [cluster_json(c) for c in clusters[:TOP_QUESTIONS]],
    }
