"""`/api/v1/shows/{show_id}/actions` (contract §10)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from liveops.actions import commerce, held, log, preview, repository, service
from liveops.actions.schemas import (
    ActionImpacts,
    ActionIn,
    ActionList,
    ActionPreview,
    ActionRead,
    CommerceState,
)
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.deps import RuntimeDep, ShowId
from liveops.errors import NotFound
from liveops.fields import VERSION_MAX
from liveops.openapi import CONFLICT, error
from liveops.shows import repository as shows_repository, service as shows_service

router = APIRouter()


async def acting_principal(show_id: ShowId, principal: PrincipalDep) -> Principal:
    # A dependency, so that it answers before the body is validated: an anchor or an
    # integrator gets 403 whatever type it sends (contract §10).
    service.check_may_act(principal, show_id)
    return principal


ActorDep = Annotated[Principal, Depends(acting_principal)]


PLATFORM_REFUSED: dict[int | str, dict[str, Any]] = {
    **CONFLICT,
    502: error("the live platform refused the action or could not be reached: nothing stored"),
}


@router.post(
    "/{show_id}/actions", response_model=ActionRead, status_code=201, responses=PLATFORM_REFUSED
)
async def perform_action(
    show_id: ShowId, body: Annotated[ActionIn, Body()], principal: ActorDep, rt: RuntimeDep
) -> Any:
    """Perform an action; answers the stored record `{id, type, by, at, state, …fields}`.
    Every type of contract §10 (docs/actions.md). 409 when it names something the show does
    not have (a segment, a lineup SKU, a coupon or lucky bag) or its state forbids it (a bag
    drawn twice). `price.set` and `coupon.issue` with `undo_seconds` > 0 are stored `held`
    and apply when the window ends, unless undone (`POST …/actions/{id}/undo`). 502 when the
    platform refuses: nothing is stored."""
    async with rt.transaction() as session:
        row = await service.perform(
            session, show_id, principal, body, datetime.now(UTC), rt.platform
        )
        return log.action_json(row)


@router.post("/{show_id}/actions/preview", response_model=ActionPreview, responses=CONFLICT)
async def preview_action(
    show_id: ShowId, body: Annotated[ActionIn, Body()], principal: ActorDep, rt: RuntimeDep
) -> ActionPreview:
    """What the action would do (before and after, warnings such as a price above the list
    price), and the undo window to send with it. Nothing is stored."""
    service.check_may(principal, body.type, show_id)
    async with rt.read() as session:
        show = await shows_service.get(session, show_id)
        return await preview.preview(session, show, body, rt.settings.undo_seconds)


@router.post("/{show_id}/actions/{action_id}/undo", response_model=ActionRead, responses=CONFLICT)
async def undo_action(
    show_id: ShowId,
    action_id: Annotated[int, Path(ge=1, le=VERSION_MAX)],
    principal: ActorDep,
    rt: RuntimeDep,
) -> Any:
    """Take back a held action within its window: it stays in the audit log as `undone` and
    never applies. 409 once the window has ended or for an action that was not held."""
    async with rt.transaction() as session:
        row = await held.undo(session, show_id, action_id, principal, datetime.now(UTC))
        return log.action_json(row)


@router.get("/{show_id}/actions/impact", response_model=ActionImpacts)
async def action_impacts(
    show_id: ShowId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    window_minutes: Annotated[int, Query(ge=1, le=60)] = 5,
) -> Any:
    """For each applied pin, price change, coupon and lucky bag: entry rate, click rate and
    conversion in the `window_minutes` after it against those before (docs/actions.md)."""
    require(principal, Action.ACTIONS_READ, show_id)
    async with rt.read() as session:
        show = await shows_service.get(session, show_id)
        rows = await service.impacts(session, show, window_minutes, datetime.now(UTC))
    return {"window_minutes": window_minutes, "actions": rows}


@router.get("/{show_id}/commerce", response_model=CommerceState)
async def commerce_state(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> Any:
    """What the room's viewers see now, as actions left it: the pinned product, live prices,
    coupons, lucky bags (with their draws), the announcement, and the held actions."""
    require(principal, Action.ACTIONS_READ, show_id)
    async with rt.read() as session:
        show = await shows_service.get(session, show_id)
        return await commerce.state(session, show)


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
