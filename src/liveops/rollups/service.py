"""Roll-ups and A/B comparisons over ended shows, from each show's review summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.review import service as review_service
from liveops.rollups.grouping import (
    RollupBy,
    groups_of,
    pooled_rates,
    ratio,
    totals_of,
    two_proportion_test,
)
from liveops.rollups.schemas import (
    AbComparison,
    Difference,
    Group,
    Rates,
    Rollup,
    ShowBrief,
    Variant,
)
from liveops.storage.models import Show

SHOWS_MAX = 200


async def ended_shows(session: AsyncSession, room: str | None, limit: int) -> Sequence[Show]:
    query = select(Show).where(Show.status == "ended")
    if room is not None:
        query = query.where(Show.room == room)
    query = query.order_by(Show.started_at.desc(), Show.id).limit(limit)
    return (await session.scalars(query)).all()


async def _summaries(
    session: AsyncSession, shows: Sequence[Show]
) -> list[tuple[Show, dict[str, Any]]]:
    compared = await review_service.compare(session, [show.id for show in shows])
    return [(show, dict(row["summary"])) for show, row in zip(shows, compared, strict=True)]


def _group(key: str, members: list[tuple[Show, dict[str, Any]]]) -> dict[str, Any]:
    totals = totals_of(summary for _, summary in members)
    return {
        "key": key,
        "shows": [
            ShowBrief(
                id=show.id,
                title=show.title,
                started_at=None if show.started_at is None else show.started_at.isoformat(),
                gmv_paid=int(summary["gmv_paid"]),
                uv=int(summary["uv"]),
                conversion_rate=float(summary["conversion_rate"]),
                uv_value=float(summary["uv_value"]),
            )
            for show, summary in members
        ],
        "totals": totals,
        "rates": Rates(**pooled_rates(totals)),
    }


async def rollup(
    session: AsyncSession, *, room: str | None, by: RollupBy, tz: ZoneInfo, limit: int
) -> Rollup:
    shows = await ended_shows(session, room, limit)
    grouped: dict[str, list[tuple[Show, dict[str, Any]]]] = defaultdict(list)
    for show, summary in await _summaries(session, shows):
        started = show.started_at or show.created_at
        for key in groups_of(by, started, show.anchors or [], show.tags or {}, tz):
            grouped[key].append((show, summary))
    # Calendar groups newest first; the others by paid GMV, largest first.
    if by in ("day", "week", "month"):
        keys = sorted(grouped, reverse=True)
    else:
        keys = sorted(grouped, key=lambda k: -sum(int(s["gmv_paid"]) for _, s in grouped[k]))
    return Rollup(
        room=room,
        by=by,
        tz=tz.key,
        shows=len(shows),
        groups=[Group(**_group(key, grouped[key])) for key in keys],
    )


async def ab(session: AsyncSession, *, room: str | None, tag: str, limit: int) -> AbComparison:
    shows = await ended_shows(session, room, limit)
    grouped: dict[str, list[tuple[Show, dict[str, Any]]]] = defaultdict(list)
    untagged = 0
    for show, summary in await _summaries(session, shows):
        value = (show.tags or {}).get(tag)
        if value is None:
            untagged += 1
        else:
            grouped[value].append((show, summary))
    keys = sorted(grouped, key=lambda k: (-len(grouped[k]), k))
    variants = [Variant(**_group(key, grouped[key])) for key in keys]
    return AbComparison(
        room=room,
        tag=tag,
        variants=variants,
        untagged=untagged,
        difference=difference(variants[0], variants[1]) if len(variants) == 2 else None,
    )


def difference(a: Variant, b: Variant) -> Difference:
    ta, tb = a.totals, b.totals
    tested = two_proportion_test(ta["buyers"], ta["uv"], tb["buyers"], tb["uv"])
    return Difference(
        a=a.key,
        b=b.key,
        conversion_lift=ratio(b.rates.conversion_rate, a.rates.conversion_rate) - 1
        if a.rates.conversion_rate
        else 0.0,
        uv_value_lift=ratio(b.rates.uv_value, a.rates.uv_value) - 1 if a.rates.uv_value else 0.0,
        conversion_z=None if tested is None else tested[0],
        conversion_p_value=None if tested is None else tested[1],
    )
