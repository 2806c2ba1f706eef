from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep
from liveops.rollups import service
from liveops.rollups.grouping import RollupBy
from liveops.rollups.schemas import AbComparison, Rollup

router = APIRouter()

Room = Annotated[
    str | None, Query(max_length=200, description="the room; every room when left out")
]
Limit = Annotated[
    int, Query(ge=1, le=service.SHOWS_MAX, description="the newest ended shows taken")
]


# Where the team's calendar days begin; a closed list, so a request the schema allows always
# has a zone this machine knows.
Zone = Literal[
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
]


@router.get("/rollups", response_model=Rollup)
async def get_rollups(
    principal: PrincipalDep,
    rt: RuntimeDep,
    by: RollupBy,
    room: Room = None,
    tz: Zone = "Asia/Shanghai",
    limit: Limit = 100,
) -> Rollup:
    """Ended shows rolled up by `day`, `week` (ISO), `month` (of their start, in `tz`),
    `anchor` (a show counts for each of its anchors), `slot` (早场 06–12, 午场 12–18, 晚场
    18–24, 深夜 00–06) or `promotion` (the show's `promotion` tag): per group the shows, the
    summed counts and the pooled rates. Admin and operations only (it spans shows)."""
    require(principal, Action.REVIEW_READ)
    async with rt.read() as session:
        return await service.rollup(session, room=room, by=by, tz=ZoneInfo(tz), limit=limit)


@router.get("/ab", response_model=AbComparison)
async def get_ab(
    principal: PrincipalDep,
    rt: RuntimeDep,
    tag: Annotated[str, Query(pattern=r"^[a-z][a-z0-9_]{0,31}$")],
    room: Room = None,
    limit: Limit = 100,
) -> AbComparison:
    """Ended shows compared by the variant of one A/B tag (`PUT …/shows/{id}/tags`): per
    variant the pooled conversion and UV value; with exactly two variants, the lift of the
    second over the first and a two-proportion test of their conversions."""
    require(principal, Action.REVIEW_READ)
    async with rt.read() as session:
        return await service.ab(session, room=room, tag=tag, limit=limit)
