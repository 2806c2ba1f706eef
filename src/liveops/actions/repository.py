"""Every SQL statement about the action log. Never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, distinct, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.models import (
    ApiToken,
    Coupon,
    Event,
    LineupProduct,
    LuckyBag,
    Show,
    ShowAction,
    ViewerBan,
)


async def add(session: AsyncSession, row: ShowAction) -> ShowAction:
    session.add(row)
    await session.flush()
    return row


async def get(
    session: AsyncSession, show_id: str, action_id: int, *, lock: bool = False
) -> ShowAction | None:
    query = select(ShowAction).where(ShowAction.show_id == show_id, ShowAction.id == action_id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def newest_first(
    session: AsyncSession,
    show_id: str,
    *,
    limit: int,
    before: int | None = None,
    types: Sequence[str] | None = None,
) -> Sequence[ShowAction]:
    query = select(ShowAction).where(ShowAction.show_id == show_id)
    if types is not None:
        query = query.where(ShowAction.type.in_(types))
    if before is not None:
        query = query.where(ShowAction.id < before)
    return (await session.scalars(query.order_by(ShowAction.id.desc()).limit(limit))).all()


async def open_cues(session: AsyncSession, show_id: str, limit: int) -> Sequence[ShowAction]:
    """The cues not yet acknowledged, oldest first."""
    query = select(ShowAction).where(
        ShowAction.show_id == show_id, ShowAction.type == "cue", ShowAction.acked_at.is_(None)
    )
    return (await session.scalars(query.order_by(ShowAction.id).limit(limit))).all()


async def token_label(session: AsyncSession, token_id: int) -> str | None:
    return await session.scalar(select(ApiToken.label).where(ApiToken.id == token_id))


async def lineup_product(
    session: AsyncSession, show_id: str, sku: str, *, lock: bool = False
) -> LineupProduct | None:
    query = select(LineupProduct).where(LineupProduct.show_id == show_id, LineupProduct.sku == sku)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def coupon(
    session: AsyncSession, show_id: str, coupon_id: str, *, lock: bool = False
) -> Coupon | None:
    query = select(Coupon).where(Coupon.show_id == show_id, Coupon.coupon_id == coupon_id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def coupons(session: AsyncSession, show_id: str) -> Sequence[Coupon]:
    query = select(Coupon).where(Coupon.show_id == show_id).order_by(Coupon.issued_at)
    return (await session.scalars(query)).all()


async def lucky_bag(
    session: AsyncSession, show_id: str, bag_id: str, *, lock: bool = False
) -> LuckyBag | None:
    query = select(LuckyBag).where(LuckyBag.show_id == show_id, LuckyBag.bag_id == bag_id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def lucky_bags(session: AsyncSession, show_id: str) -> Sequence[LuckyBag]:
    query = select(LuckyBag).where(LuckyBag.show_id == show_id).order_by(LuckyBag.started_at)
    return (await session.scalars(query)).all()


async def viewers_with(
    session: AsyncSession, show_id: str, event_type: str, since_us: int, until_us: int
) -> list[str]:
    """The distinct viewers with an event of `event_type` in [since_us, until_us]."""
    query = (
        select(Event.viewer_id)
        .where(
            Event.show_id == show_id,
            Event.type == event_type,
            Event.ts_us >= since_us,
            Event.ts_us <= until_us,
            Event.viewer_id.is_not(None),
        )
        .distinct()
    )
    return [v for v in (await session.scalars(query)).all() if v is not None]


async def banned_viewers(session: AsyncSession, show: Show) -> set[str]:
    """The viewers banned now for the show, or for its room."""
    scope = and_(ViewerBan.scope == "show", ViewerBan.show_id == show.id)
    if show.room is not None:
        scope = or_(scope, and_(ViewerBan.scope == "room", ViewerBan.room == show.room))
    query = select(ViewerBan.viewer_id).where(scope, ViewerBan.lifted_at.is_(None))
    return set((await session.scalars(query)).all())


async def held(session: AsyncSession, show_id: str) -> Sequence[ShowAction]:
    query = select(ShowAction).where(ShowAction.show_id == show_id, ShowAction.state == "held")
    return (await session.scalars(query.order_by(ShowAction.id))).all()


async def any_held_due(session: AsyncSession, now: datetime) -> bool:
    query = select(ShowAction.id).where(ShowAction.state == "held", ShowAction.applies_at <= now)
    return (await session.scalar(query.limit(1))) is not None


async def held_due(session: AsyncSession, now: datetime, limit: int) -> Sequence[ShowAction]:
    """Held actions whose window has passed, oldest first, locked; rows another process is
    applying right now are skipped (PostgreSQL), not waited for."""
    query = (
        select(ShowAction)
        .where(ShowAction.state == "held", ShowAction.applies_at <= now)
        .order_by(ShowAction.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()


async def window_counts(
    session: AsyncSession, show_id: str, start_us: int, end_us: int, sku: str | None
) -> dict[str, int]:
    """Counts in [start_us, end_us) for the action impact (actions/impact.py): joins,
    impressions, clicks (of `sku` when given), buyers and viewers seen."""
    in_window = and_(Event.show_id == show_id, Event.ts_us >= start_us, Event.ts_us < end_us)
    product_scope = Event.sku == sku if sku is not None else true()
    row = (
        await session.execute(
            select(
                func.count().filter(Event.type == "viewer.join"),
                func.coalesce(
                    func.sum(Event.quantity).filter(
                        Event.type == "product.impression", product_scope
                    ),
                    0,
                ),
                func.count().filter(Event.type == "product.click", product_scope),
                func.count(distinct(Event.viewer_id)).filter(Event.type == "order.created"),
                func.count(distinct(Event.viewer_id)),
            ).where(in_window)
        )
    ).one()
    joins, impressions, clicks, buyers, viewers = (int(v or 0) for v in row)
    return {
        "joins": joins,
        "impressions": impressions,
        "clicks": clicks,
        "buyers": buyers,
        "viewers": viewers,
    }


async def applied_of_types(
    session: AsyncSession, show_id: str, types: Iterable[str], limit: int
) -> Sequence[ShowAction]:
    query = select(ShowAction).where(
        ShowAction.show_id == show_id,
        ShowAction.type.in_(list(types)),
        ShowAction.state == "applied",
    )
    return (await session.scalars(query.order_by(ShowAction.id).limit(limit))).all()


async def oldest_first(session: AsyncSession, show_id: str, *, limit: int) -> Sequence[ShowAction]:
    query = select(ShowAction).where(ShowAction.show_id == show_id)
    return (await session.scalars(query.order_by(ShowAction.id).limit(limit))).all()
