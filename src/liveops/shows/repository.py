"""Every SQL statement about shows, lineups and targets. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.models import LineupProduct, Show


async def get(session: AsyncSession, show_id: str) -> Show | None:
    return await session.get(Show, show_id)


async def list_all(session: AsyncSession, *, only: str | None = None) -> Sequence[Show]:
    query = select(Show).order_by(Show.created_at.desc())
    if only is not None:
        query = query.where(Show.id == only)
    return (await session.scalars(query)).all()


async def lineup(session: AsyncSession, show_id: str) -> Sequence[LineupProduct]:
    query = select(LineupProduct).where(LineupProduct.show_id == show_id)
    return (await session.scalars(query.order_by(LineupProduct.position))).all()


async def replace_lineup(
    session: AsyncSession, show_id: str, products: Sequence[LineupProduct]
) -> None:
    await session.execute(delete(LineupProduct).where(LineupProduct.show_id == show_id))
    session.add_all(products)
    await session.flush()
