from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions.log import actor_of
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.deps import RuntimeDep, ShowId
from liveops.openapi import CONFLICT
from liveops.rundown.findings import rules_path
from liveops.rundown.schemas import StartOptions, StartRefused
from liveops.rundown.service import ComplianceBlocked
from liveops.runtime import Runtime
from liveops.shows import repository, service
from liveops.shows.schemas import (
    Lineup,
    LineupProductRead,
    LineupRead,
    ShowCreate,
    ShowList,
    ShowRead,
    Tags,
    Targets,
)
from liveops.storage.models import Show

router = APIRouter()


@router.post("", response_model=ShowRead, status_code=201, responses=CONFLICT)
async def create_show(body: ShowCreate, principal: PrincipalDep, rt: RuntimeDep) -> Show:
    """Create a show (scheduled), optionally with its lineup and targets."""
    require(principal, Action.SHOW_CREATE)
    async with rt.transaction() as session:
        return await service.create(session, body)


@router.get("", response_model=ShowList)
async def list_shows(principal: PrincipalDep, rt: RuntimeDep) -> ShowList:
    """The shows this token may see, newest first."""
    require(principal, Action.SHOW_READ)
    async with rt.read() as session:
        shows = await repository.list_all(session, only=principal.show_id)
    return ShowList(items=[ShowRead.model_validate(s) for s in shows])


@router.get("/{show_id}", response_model=ShowRead)
async def get_show(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> Show:
    require(principal, Action.SHOW_READ, show_id)
    async with rt.read() as session:
        return await service.get(session, show_id)


async def _transition(
    show_id: ShowId,
    principal: Principal,
    rt: Runtime,
    move: Callable[[AsyncSession, Show], Awaitable[Show]],
) -> Show:
    require(principal, Action.SHOW_CONTROL, show_id)
    async with rt.transaction() as session:
        return await move(session, await service.get(session, show_id))


@router.post(
    "/{show_id}/start",
    response_model=ShowRead,
    responses={
        409: {
            "model": StartRefused,
            "description": "the show is already live or has ended; or its run-sheet has "
            "compliance findings (listed in `findings`) and no `override_reason` was given",
        }
    },
)
async def start_show(
    show_id: ShowId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    body: Annotated[StartOptions | None, Body()] = None,
) -> Show | JSONResponse:
    """scheduled → live, and the run-sheet's first segment on air. 409 if the show is already
    live or has ended, or if the run-sheet has unresolved compliance findings, unless the body
    is `{"override_reason": "…"}` (kept in the audit log as a `compliance.override` action)."""
    require(principal, Action.SHOW_CONTROL, show_id)
    reason = None if body is None else body.override_reason
    try:
        async with rt.transaction() as session:
            actor = await actor_of(session, principal)
            show = await service.get(session, show_id)
            return await service.start(
                session, show, actor=actor, override_reason=reason, rules=rules_path(rt.settings)
            )
    except ComplianceBlocked as blocked:
        refused = StartRefused(detail=blocked.message, code=blocked.code, findings=blocked.findings)
        return JSONResponse(refused.model_dump(mode="json"), status_code=409)


@router.post("/{show_id}/end", response_model=ShowRead, responses=CONFLICT)
async def end_show(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> Show:
    """live → ended. Events keep being accepted afterwards (late refunds update the review)."""
    return await _transition(show_id, principal, rt, service.end)


@router.get("/{show_id}/lineup", response_model=LineupRead)
async def get_lineup(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> LineupRead:
    require(principal, Action.SHOW_READ, show_id)
    async with rt.read() as session:
        await service.get(session, show_id)
        rows = await repository.lineup(session, show_id)
    return LineupRead(products=[LineupProductRead.model_validate(r) for r in rows])


@router.put("/{show_id}/lineup", response_model=LineupRead, responses=CONFLICT)
async def put_lineup(
    show_id: ShowId, body: Lineup, principal: PrincipalDep, rt: RuntimeDep
) -> Lineup:
    """Replace the show's lineup (products, role tags, prices in fen, allocated stock)."""
    require(principal, Action.SHOW_PLAN, show_id)
    async with rt.transaction() as session:
        await service.set_lineup(session, await service.get(session, show_id), body.products)
    return body


@router.put("/{show_id}/tags", response_model=ShowRead)
async def put_tags(show_id: ShowId, body: Tags, principal: PrincipalDep, rt: RuntimeDep) -> Show:
    """Replace the show's A/B tags (`{"tags": {"script": "B", "promotion": "满减"}}`), which
    the roll-ups compare (`GET /api/v1/reviews/ab?tag=…`)."""
    require(principal, Action.SHOW_PLAN, show_id)
    async with rt.transaction() as session:
        return await service.set_tags(session, await service.get(session, show_id), body)


@router.put("/{show_id}/targets", response_model=ShowRead)
async def put_targets(
    show_id: ShowId, body: Targets, principal: PrincipalDep, rt: RuntimeDep
) -> Show:
    require(principal, Action.SHOW_PLAN, show_id)
    async with rt.transaction() as session:
        return await service.set_targets(session, await service.get(session, show_id), body)
