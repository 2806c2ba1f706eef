"""Show lifecycle rules. Services flush, never commit: the caller owns the transaction."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions.log import SYSTEM, Actor
from liveops.errors import Conflict, NotFound
from liveops.events import to_micros
from liveops.inventory import service as inventory_service
from liveops.live.changes import AllocationChanged, ShowEdited, StockChanged, stage
from liveops.rundown import service as rundown_service
from liveops.shows import repository
from liveops.shows.schemas import (
    LineupProduct as LineupProductIn,
    ShowCreate,
    Tags,
    Targets,
    show_json,
)
from liveops.storage.models import LineupProduct, Show


def new_show_id() -> str:
    return "show_" + secrets.token_hex(8)


async def create(session: AsyncSession, data: ShowCreate, *, now: datetime | None = None) -> Show:
    show = Show(
        id=new_show_id(),
        title=data.title,
        platform=data.platform,
        room=data.room,
        status="scheduled",
        planned_start_at=data.planned_start_at,
        planned_minutes=data.planned_minutes,
        anchors=list(data.anchors),
        targets=data.targets.model_dump(exclude_none=True),
        tags=dict(data.tags),
        created_at=now or datetime.now(UTC),
    )
    session.add(show)
    await session.flush()
    if data.lineup:
        await set_lineup(session, show, data.lineup)
    return show


async def get(session: AsyncSession, show_id: str) -> Show:
    show = await repository.get(session, show_id)
    if show is None:
        raise NotFound(f"no show with id {show_id!r}")
    return show


async def start(
    session: AsyncSession,
    show: Show,
    *,
    actor: Actor = SYSTEM,
    override_reason: str | None = None,
    rules: Path | None = None,
    now: datetime | None = None,
) -> Show:
    """scheduled → live. The run-sheet's compliance gate first (rundown.service.start_gate:
    findings refuse the start unless overridden with a reason); then the first segment goes
    on air."""
    if show.status != "scheduled":
        raise Conflict(f"the show is {show.status}; only a scheduled show can start")
    now = now or datetime.now(UTC)
    await rundown_service.start_gate(session, show.id, actor, override_reason, now, rules=rules)
    show.status = "live"
    show.started_at = now
    await session.flush()
    _edited(session, show)
    await rundown_service.on_start(session, show.id, actor, now)
    return show


async def end(session: AsyncSession, show: Show, *, now: datetime | None = None) -> Show:
    if show.status != "live":
        raise Conflict(f"the show is {show.status}; only a live show can end")
    show.status = "ended"
    show.ended_at = now or datetime.now(UTC)
    await session.flush()
    _edited(session, show)
    return show


async def set_targets(session: AsyncSession, show: Show, targets: Targets) -> Show:
    show.targets = targets.model_dump(exclude_none=True)
    await session.flush()
    _edited(session, show)
    return show


async def set_tags(session: AsyncSession, show: Show, tags: Tags) -> Show:
    show.tags = dict(tags.tags)
    await session.flush()
    _edited(session, show)
    return show


def _edited(session: AsyncSession, show: Show) -> None:
    ended_at_us = to_micros(show.ended_at) if show.ended_at else None
    stage(session, ShowEdited(show.id, show_json(show), ended_at_us))


async def set_lineup(
    session: AsyncSession, show: Show, products: Sequence[LineupProductIn]
) -> None:
    skus = [p.sku for p in products]
    if len(set(skus)) != len(skus):
        duplicated = sorted({s for s in skus if skus.count(s) > 1})
        raise Conflict(f"each SKU may appear once in a lineup; repeated: {', '.join(duplicated)}")
    rows = [
        LineupProduct(show_id=show.id, position=i, **p.model_dump()) for i, p in enumerate(products)
    ]
    await repository.replace_lineup(session, show.id, rows)
    await session.flush()
    # The stock ledger starts from the plan; SKUs it holds already (an ERP count, a sale under
    # way) keep their levels.
    allocated = {p.sku: p.allocated_stock for p in products}
    await inventory_service.seed_from_lineup(
        session, show.id, allocated, now_us=time.time_ns() // 1000
    )
    stage(session, AllocationChanged(show.id, allocated))
    stock = await inventory_service.listing(session, show.id)
    stage(session, StockChanged(show.id, [row.model_dump() for row in stock]))


async def allocation(session: AsyncSession, show_id: str) -> dict[str, int]:
    return {p.sku: p.allocated_stock for p in await repository.lineup(session, show_id)}
