from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.deps import RuntimeDep, ShowId
from liveops.openapi import CONFLICT
from liveops.runtime import Runtime
from liveops.shows import repository, service
from liveops.shows.schemas import (
    Lineup,
    LineupProductRead,
    LineupRead,
    ShowCreate,
    ShowList,
    ShowRead,
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


@router.post("/{show_id}/start", response_model=ShowRead, responses=CONFLICT)
async def start_show(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> Show:
    """scheduled → live. 409 if the show is already live or has ended."""
    return await _transition(show_id, principal, rt, service.start)


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


@router.put("/{show_id}/targets", response_model=ShowRead)
async def put_targets(
    show_id: ShowId, body: Targets, principal: PrincipalDep, rt: RuntimeDep
) -> Show:
    require(principal, Action.SHOW_PLAN, show_id)
    async with rt.transaction() as session:
        return await service.set_targets(session, await service.get(session, show_id), body)
