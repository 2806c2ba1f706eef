"""`/api/v1/shows/{show_id}/runsheet`, `…/prompter` and `…/cues` (contract §8)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from liveops.actions import log as action_log
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.fields import VERSION_MAX
from liveops.openapi import CONFLICT
from liveops.rundown import cues, service, view
from liveops.rundown.findings import rules_path
from liveops.rundown.schemas import CueList, CueRead, Prompter, RunsheetIn, RunsheetRead

router = APIRouter()

ActionId = Annotated[int, Path(ge=1, le=VERSION_MAX)]
Limit = Annotated[int, Query(ge=1, le=500)]
Before = Annotated[int | None, Query(ge=1, le=VERSION_MAX)]


def _now() -> datetime:
    return datetime.now(UTC)


@router.put("/{show_id}/runsheet", response_model=RunsheetRead, responses=CONFLICT)
async def put_runsheet(
    show_id: ShowId, body: RunsheetIn, principal: PrincipalDep, rt: RuntimeDep
) -> RunsheetRead:
    """Replace the run-sheet; answers it with its new `version` and the compliance findings
    of every script. 409: a repeated segment id, a `base_version` that is not the stored one,
    or removing the segment on air. 422: a script with an unknown placeholder (named)."""
    require(principal, Action.RUNSHEET_WRITE, show_id)
    async with rt.transaction() as session:
        return await service.save(session, show_id, body, _now(), rules=rules_path(rt.settings))


@router.get("/{show_id}/runsheet", response_model=RunsheetRead)
async def get_runsheet(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> RunsheetRead:
    """The run-sheet with each segment's planned and actual start and end, and the segment on
    air (`current_segment_id`). Never saved: version 0, no segments."""
    require(principal, Action.RUNDOWN_READ, show_id)
    async with rt.read() as session:
        return await service.read(session, show_id, _now(), rules=rules_path(rt.settings))


@router.get("/{show_id}/prompter", response_model=Prompter)
async def get_prompter(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> Any:
    """What the anchor sees now: the current segment, its script with live values, the next
    segment and the open cues. `parts` mark the live values' spans of `text`."""
    require(principal, Action.RUNDOWN_READ, show_id)
    async with rt.read() as session:
        inputs = await view.prompter_inputs(session, show_id)
    live = await rt.live.current(show_id)
    return view.prompter_view(inputs, live, _now())


@router.get("/{show_id}/cues", response_model=CueList)
async def list_cues(
    show_id: ShowId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    limit: Limit = 100,
    before: Before = None,
) -> CueList:
    """Cues, newest first, with `created_at`, `acked_at` and `ack_seconds`; `open_seconds` is
    how long each has been (or was) open. Page with `before`."""
    require(principal, Action.RUNDOWN_READ, show_id)
    async with rt.read() as session:
        return await cues.listing(session, show_id, limit=limit, before=before, now=_now())


@router.post("/{show_id}/cues/{cue_id}/ack", response_model=CueRead)
async def ack_cue(
    show_id: ShowId, cue_id: ActionId, principal: PrincipalDep, rt: RuntimeDep
) -> CueRead:
    """The anchor acknowledges a cue (`cue_id` is the `cue` action's id). Acknowledging it
    again answers the same: the first acknowledgement counts."""
    require(principal, Action.CUE_ACK, show_id)
    async with rt.transaction() as session:
        actor = await action_log.actor_of(session, principal)
        return await cues.ack_cue(session, show_id, cue_id, actor, _now())
