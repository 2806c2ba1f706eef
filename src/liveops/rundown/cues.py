"""Cues (contract §8): a `cue` action stays open until an anchor acknowledges it. Services flush,
never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import repository as actions_repository
from liveops.actions.log import Actor
from liveops.errors import NotFound
from liveops.live.changes import CueAcknowledged, stage
from liveops.rundown.schemas import CueList, CueRead
from liveops.rundown.service import seconds, show_or_404
from liveops.storage.models import ShowAction


def cue_read(row: ShowAction, now: datetime) -> CueRead:
    acked = row.acked_at
    return CueRead.model_validate(
        {
            "id": row.id,
            "text": row.fields.get("text", ""),
            "by": {"label": row.by_label, "role": row.by_role},
            "created_at": row.at,
            "acked_at": acked,
            "ack_seconds": None if acked is None else round(seconds(acked - row.at), 3),
            "acked_by": None
            if acked is None
            else {"label": row.acked_by_label or "", "role": row.acked_by_role or ""},
            "open_seconds": round(max(0.0, seconds((acked or now) - row.at)), 3),
        }
    )


async def ack_cue(
    session: AsyncSession, show_id: str, cue_id: int, actor: Actor, now: datetime
) -> CueRead:
    """Acknowledge a cue. Acknowledging it again changes nothing: the first one counts."""
    await show_or_404(session, show_id)
    row = await actions_repository.get(session, show_id, cue_id, lock=True)
    if row is None or row.type != "cue":
        raise NotFound(f"show {show_id} has no cue {cue_id}")
    if row.acked_at is None:
        row.acked_at = now
        row.acked_by_label = actor.label
        row.acked_by_role = actor.role
        await session.flush()
        cue = cue_read(row, now)
        stage(session, CueAcknowledged(show_id, cue.model_dump(mode="json")))
        return cue
    return cue_read(row, now)


async def listing(
    session: AsyncSession, show_id: str, *, limit: int, before: int | None, now: datetime
) -> CueList:
    await show_or_404(session, show_id)
    rows = await actions_repository.newest_first(
        session, show_id, limit=limit, before=before, types=["cue"]
    )
    return CueList(
        cues=[cue_read(r, now) for r in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )
