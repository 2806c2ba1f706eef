"""`/api/v1/shows/{show_id}/actions` (contract §10)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from liveops.actions import log, repository, service
from liveops.actions.schemas import ActionIn, ActionList, ActionRead
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.deps import RuntimeDep, ShowId
from liveops.errors import NotFound
from liveops.fields import VERSION_MAX
from liveops.openapi import CONFLICT
from liveops.shows import repository as shows_repository

router = APIRouter()


async def acting_principal(show_id: ShowId, principal: PrincipalDep) -> Principal:
    # A dependency, so that it answers before the body is validated: an anchor or an
    # integrator gets 403 whatever type it sends (contract §10).
    service.check_may_act(principal, show_id)
    return principal


ActorDep = Annotated[Principal, Depends(acting_principal)]


@router.post("/{show_id}/actions", response_model=ActionRead, status_code=201, responses=CONFLICT)
async def perform_action(
    show_id: ShowId, body: Annotated[ActionIn, Body()], principal: ActorDep, rt: RuntimeDep
) -> Any:
    """Perform an action; answers the stored record `{id, type, by, at, …fields}`. Types now:
    `cue` `{text}` and `segment.goto` `{segment_id}` (409 when the run-sheet has no such
    segment); the other types of contract §10 come with issue #11 (422 until then)."""
    async with rt.transaction() as session:
        row = await service.perform(session, show_id, principal, body, datetime.now(UTC))
        return log.action_json(row)


@router.get("/{show_id}/actions", response_model=ActionList)
async def list_actions(
    show_id: ShowId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[int | None, Query(ge=1, le=VERSION_MAX)] = None,
) -> ActionList:
    """The audit log, newest first (including `compliance.override` and the `segment.goto` a
    show's start makes). Page with `before` (an action id): the actions older than it."""
    require(principal, Action.ACTIONS_READ, show_id)
    async with rt.read() as session:
        if await shows_repository.get(session, show_id) is None:
            raise NotFound(f"no show with id {show_id!r}")
        rows = await repository.newest_first(session, show_id, limit=limit, before=before)
    return ActionList(
        actions=[ActionRead.model_validate(log.action_json(r)) for r in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )
