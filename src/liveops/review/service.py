"""Assemble the review of one show from SQL read models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import service as actions_service
from liveops.alerts import service as alerts_service
from liveops.comments.review import comment_sections
from liveops.events import to_micros
from liveops.inventory import service as inventory_service
from liveops.metrics.formulas import derive, ratio
from liveops.review import queries
from liveops.shows import repository as shows_repository, service as shows_service
from liveops.shows.schemas import show_json
from liveops.storage.models import Show

_TARGET_METRIC = {"gmv": "gmv_paid", "uv": "uv", "conversion_rate": "conversion_rate", "aov": "aov"}


async def _recount(session: AsyncSession, show: Show) -> queries.Recount:
    ended_at_us = to_micros(show.ended_at) if show.ended_at else None
    return await queries.recount(session, show.id, ended_at_us=ended_at_us)


async def compare(session: AsyncSession, show_ids: list[str]) -> list[dict[str, Any]]:
    """Each show with its summary (every contract §4 metric), in the order asked."""
    compared = []
    for show_id in show_ids:
        show = await shows_service.get(session, show_id)
        recount = await _recount(session, show)
        compared.append(
            {"show": show_json(show), "summary": derive(recount.counts), "events": recount.events}
        )
    return compared


async def review(session: AsyncSession, show_id: str) -> dict[str, Any]:
    show = await shows_service.get(session, show_id)
    recount = await _recount(session, show)
    summary = derive(recount.counts)
    lineup = {p.sku: p for p in await shows_repository.lineup(session, show_id)}
    products = await queries.products(session, show_id)
    for row in products:
        planned = lineup.get(row["sku"])
        row["name"] = planned.name if planned else None
        row["role"] = planned.role if planned else None
        row["allocated_stock"] = planned.allocated_stock if planned else None
    minutes = await queries.minutes(session, show_id, count_mode=recount.count_mode)
    targets = {
        key: {
            "target": target,
            "actual": summary[_TARGET_METRIC[key]],
            "progress": ratio(summary[_TARGET_METRIC[key]], target),
        }
        for key, target in show.targets.items()
        if key in _TARGET_METRIC
    }
    return {
        "show": show_json(show),
        "summary": summary,
        "targets": targets,
        "products": products,
        "series": minutes,
        "minutes": minutes,  # contract §13's name for the per-minute rows (`series` before it)
        "events": recount.events,
        "stock": await inventory_service.review(session, show_id),
        "alerts": await alerts_service.review(session, show_id),
        "actions": await actions_service.review(session, show, datetime.now(UTC)),
        # `comments` (per intent), `comment_minutes`, `questions` (docs/comments.md).
        **await comment_sections(session, show),
    }
