"""`/api/v1/rooms/{room}/moderation` and `/api/v1/shows/{show_id}/viewers/{viewer_id}`
(docs/moderation.md). Hiding and banning are actions: POST `…/actions` (actions/router.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from liveops.actions.log import actor_of
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal, allowed
from liveops.deps import RuntimeDep, ShowId
from liveops.errors import Forbidden
from liveops.events import utc_now
from liveops.fields import Printable
from liveops.moderation import service
from liveops.moderation.schemas import RoomKeywordsIn, RoomModerationRead, ViewerCard
from liveops.openapi import CONFLICT
from liveops.shows import repository as shows_repository

router = APIRouter()

Room = Annotated[str, Path(min_length=1, max_length=200), Printable]
ViewerId = Annotated[str, Path(min_length=1, max_length=128), Printable]

# Viewer ids, comments and orders are personal data: no shared cache keeps them.
_PRIVATE = {"Cache-Control": "no-store"}


async def _check_room(rt: RuntimeDep, principal: Principal, action: Action, room: str) -> None:
    """Admin and operations reach every room; a show-bound token reaches its show's room."""
    if principal.show_id is None:
        require(principal, action)
        return
    async with rt.read() as session:
        show = await shows_repository.get(session, principal.show_id)
    if show is None or show.room != room or not allowed(principal, action, principal.show_id):
        raise Forbidden(
            f"the {principal.role.value} role may not {action.value} in room {room!r} "
            f"(a show-bound token reaches only its own show's room)"
        )


@router.get("/rooms/{room}/moderation", response_model=RoomModerationRead)
async def get_room_moderation(
    room: Room, principal: PrincipalDep, rt: RuntimeDep, response: Response
) -> RoomModerationRead:
    """The room's keyword filter and the bans in force in it (for this show or the whole
    room). For field control and the assistant of a show in the room, admin and operations;
    a room nobody saved a filter for answers version 0 and no keywords."""
    await _check_room(rt, principal, Action.MODERATION_READ, room)
    response.headers.update(_PRIVATE)
    async with rt.read() as session:
        return await service.read_room(session, room)


@router.put("/rooms/{room}/moderation", response_model=RoomModerationRead, responses=CONFLICT)
async def put_room_moderation(
    room: Room, body: RoomKeywordsIn, principal: PrincipalDep, rt: RuntimeDep, response: Response
) -> RoomModerationRead:
    """Replace the room's keyword filter: comments holding a keyword (NFKC, case folded, as a
    substring) are stored but not shown on consoles, in every show of the room, from now on
    (and leave the recent feed of new consoles' snapshots). For field control of a show in
    the room, admin and operations. 409: a `base_version` that is not the stored one."""
    await _check_room(rt, principal, Action.MODERATION_WRITE, room)
    response.headers.update(_PRIVATE)
    async with rt.transaction() as session:
        actor = await actor_of(session, principal)
        return await service.save_keywords(session, room, body, actor.label, utc_now())


@router.get("/shows/{show_id}/viewers/{viewer_id}", response_model=ViewerCard)
async def get_viewer_card(
    show_id: ShowId,
    viewer_id: ViewerId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    response: Response,
) -> ViewerCard:
    """The user card: the viewer's newest comments in the show (hidden or not, and why),
    their orders (counts and the newest few), tier and traffic channel of their newest join,
    watch time, and their bans in the show's room, lifted ones too. For field control and the
    assistant of the show, admin and operations (not the anchor, nor the integrator)."""
    require(principal, Action.VIEWER_READ, show_id)
    response.headers.update(_PRIVATE)
    async with rt.read() as session:
        show = await service.show_or_404(session, show_id)
        return await service.viewer_card(session, show, viewer_id, utc_now())
