"""Performing operator actions (contract §10). Flushes, never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import log
from liveops.actions.schemas import CueAction, SegmentGotoAction
from liveops.auth.principal import Action, Principal, allowed
from liveops.errors import Forbidden, NotFound
from liveops.rundown import service as rundown
from liveops.shows import repository as shows_repository
from liveops.storage.models import ShowAction

# Which permission each action type needs (auth/principal.py says who holds it).
PERMISSION: dict[str, Action] = {
    "cue": Action.ACT_CUE,
    "segment.goto": Action.ACT_SEGMENT_GOTO,
}


def may_act(principal: Principal, show_id: str) -> bool:
    """Whether the principal may perform some action on the show: the anchor and the
    integrator may perform none, whatever the type (contract §10)."""
    return any(allowed(principal, needed, show_id) for needed in PERMISSION.values())


def check_may_act(principal: Principal, show_id: str) -> None:
    if not may_act(principal, show_id):
        raise Forbidden(
            f"the {principal.role.value} role may not perform actions on show {show_id}"
        )


async def perform(
    session: AsyncSession,
    show_id: str,
    principal: Principal,
    body: CueAction | SegmentGotoAction,
    now: datetime,
) -> ShowAction:
    needed = PERMISSION[body.type]
    if not allowed(principal, needed, show_id):
        raise Forbidden(f"the {principal.role.value} role may not perform {body.type!r} actions")
    if await shows_repository.get(session, show_id) is None:
        raise NotFound(f"no show with id {show_id!r}")
    actor = await log.actor_of(session, principal)
    fields: dict[str, Any]
    if isinstance(body, CueAction):
        fields = {"text": body.text}
    else:
        previous = await rundown.goto(session, show_id, body.segment_id, now)
        fields = {"segment_id": body.segment_id, "from_segment_id": previous}
    return await log.record(session, show_id, actor, body.type, fields, now)
