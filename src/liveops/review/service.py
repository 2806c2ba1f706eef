"""Assemble the review of one show from SQL read models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import service as actions_service
from liveops.alerts import service as alerts_service
from liveops.comments.review import comment_sections
from liveops.events import iso, iso_from_micros, to_micros
from liveops.inventory import service as inventory_service
from liveops.metrics.formulas import derive, ratio
from liveops.review import queries, tables
from liveops.rundown import cues, repository as rundown_repository
from liveops.shows import repository as shows_repository, service as shows_service
from liveops.shows.schemas import show_json
from liveops.storage.models import Show

CUES_MAX = 1_000  # the newest cues the response times are taken over

_TARGET_METRIC = {"gmv": "gmv_paid", "uv": "uv", "conversion_rate": "conversion_rate", "aov": "aov"}


async def recount_of(session: AsyncSession, show: Show) -> queries.Recount:
    ended_at_us = to_micros(show.ended_at) if show.ended_at else None
    return await queries.recount(session, show.id, ended_at_us=ended_at_us)


async def compare(session: AsyncSession, show_ids: list[str]) -> list[dict[str, Any]]:
    """Each show with its summary (every contract §4 metric), in the order asked."""
    compared = []
    for show_id in show_ids:
        show = await shows_service.get(session, show_id)
        recount = await recount_of(session, show)
        compared.append(
            {"show": show_json(show), "summary": derive(recount.counts), "events": recount.events}
        )
    return compared


async def products(
    session: AsyncSession, show: Show, now: datetime, stock: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The review's `products`: one row per SKU seen in the events, with its refunds, its
    lineup entry, and its shares, sell-through and minutes sold out (review/tables.py)."""
    show_id = show.id
    lineup = {p.sku: p for p in await shows_repository.lineup(session, show_id)}
    refunds = await queries.product_refunds(session, show_id)
    rows = await queries.products(session, show_id)
    for row in rows:
        row["refunds"], row["refund_amount"] = refunds.get(row["sku"], (0, 0))
        planned = lineup.get(row["sku"])
        row["name"] = planned.name if planned else None
        row["role"] = planned.role if planned else None
        row["allocated_stock"] = planned.allocated_stock if planned else None
    ledger = (stock or await inventory_service.review(session, show_id))["ledger"]
    end = min(show.ended_at, now) if show.ended_at else now
    sold_out = {str(item["sku"]): item.get("sold_out_at") for item in ledger}
    tables.product_figures(rows, sold_out, int(end.timestamp() * 1000))
    return rows


async def minutes(
    session: AsyncSession, show: Show, recount: queries.Recount
) -> list[dict[str, int]]:
    """The review's `minutes` (docs/review.md): the live series' rows and every additive key."""
    series = await queries.minutes(session, show.id, count_mode=recount.count_mode)
    return tables.minute_rows(series, await queries.minute_additions(session, show.id))


async def segments(
    session: AsyncSession, show: Show, recount: queries.Recount, now: datetime
) -> list[dict[str, Any]]:
    """The review's `segments`: each run-sheet segment, in run-sheet order, planned against
    actual, and what happened while it was on air (docs/review.md)."""
    ended_at_us = to_micros(show.ended_at) if show.ended_at else None
    now_us = to_micros(now)
    found = tables.visits(
        (
            tables.Goto(to_micros(at), segment_id)
            for at, segment_id in await queries.gotos(session, show.id)
        ),
        ended_at_us,
    )
    windows = [
        (v.segment_id, v.start_us, v.end_us if v.end_us is not None else queries.OPEN_END_US)
        for v in found
    ]
    figures = await queries.segment_figures(
        session, show.id, windows, count_mode=recount.count_mode
    )
    by_segment = tables.visits_by_segment(found)
    rows = []
    for segment in await rundown_repository.segments(session, show.id):
        stays = by_segment.get(segment.segment_id, [])
        figure = figures.get(segment.segment_id, queries.SegmentFigures())
        air_us = sum(v.length_us(now_us) for v in stays)
        actual = round(air_us / 1_000_000, 1)
        last_end = stays[-1].end_us if stays else None
        rows.append(
            {
                "id": segment.segment_id,
                "title": segment.title,
                "sku": segment.sku,
                "planned_seconds": segment.planned_seconds,
                "actual_seconds": actual,
                # A segment never on air neither overran nor fell short: 0, like its figures.
                "overrun_seconds": round(actual - segment.planned_seconds, 1) if stays else 0.0,
                "started_at": iso_from_micros(stays[0].start_us) if stays else None,
                "ended_at": iso_from_micros(last_end) if last_end is not None else None,
                "visits": len(stays),
                "gmv": figure.gmv,
                "orders_paid": figure.orders_paid,
                "units": figure.units,
                "buyers": figure.buyers,
                "comments": figure.comments,
                "peak_online": figure.peak_online,
                "gmv_per_minute": ratio(figure.gmv * 60_000_000, air_us),
                "conversion_rate": ratio(figure.buyers, figure.viewers),
            }
        )
    return rows


def _end_us(show: Show, recount: queries.Recount) -> int:
    """Where open watch intervals stop, as in `queries.recount`."""
    return to_micros(show.ended_at) if show.ended_at else int(recount.latest_ts_us or 0)


async def audience(
    session: AsyncSession, show: Show, recount: queries.Recount
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The review's `channels` (joined viewers by the traffic source of their first join) and
    `audience` (by each other field of their first join), from one query."""
    groups = await queries.audience_groups(session, show.id, end_us=_end_us(show, recount))
    channels = tables.breakdown(groups, "channel", "channel")
    others = {
        field: tables.breakdown(groups, field, "value")
        for field in queries.AUDIENCE_FIELDS
        if field != "channel"
    }
    return channels, others


async def funnel(
    session: AsyncSession, show: Show, recount: queries.Recount
) -> list[dict[str, Any]]:
    c = recount.counts
    counts = {
        "uv": c.uv,
        "interacting_viewers": c.interacting_viewers,
        "click_viewers": c.click_viewers,
        "buyers": c.buyers,
        **await queries.funnel_viewers(session, show.id),
    }
    return tables.funnel(counts)


async def review(session: AsyncSession, show_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    await queries.analytic_memory(session)
    show = await shows_service.get(session, show_id)
    recount = await recount_of(session, show)
    summary = derive(recount.counts)
    per_minute = await minutes(session, show, recount)
    targets = {
        key: {
            "target": target,
            "actual": summary[_TARGET_METRIC[key]],
            "progress": ratio(summary[_TARGET_METRIC[key]], target),
        }
        for key, target in show.targets.items()
        if key in _TARGET_METRIC
    }
    last_received = recount.last_received_us
    channels, by_field = await audience(session, show, recount)
    stock = await inventory_service.review(session, show_id)
    product_rows = await products(session, show, now, stock)
    actions = await actions_service.review(session, show, now)
    cue_list = await cues.listing(session, show_id, limit=CUES_MAX, before=None, now=now)
    return {
        "show": show_json(show),
        "summary": summary,
        "targets": targets,
        "products": product_rows,
        "concentration": tables.concentration(product_rows),
        "series": per_minute,
        "minutes": per_minute,  # contract §13's name for the per-minute rows (`series` before it)
        "segments": await segments(session, show, recount, now),
        "channels": channels,
        "audience": by_field,
        "funnel": await funnel(session, show, recount),
        "events": recount.events,
        "stock": stock,
        "alerts": await alerts_service.review(session, show_id),
        "actions": actions,
        "responses": tables.responses(
            [cue.model_dump(mode="json") for cue in cue_list.cues], actions
        ),
        # `comments` (per intent), `comment_minutes`, `questions` (docs/comments.md).
        **await comment_sections(session, show),
        "updated_at": iso(now),
        "last_event_at": None if last_received is None else iso_from_micros(last_received),
    }
