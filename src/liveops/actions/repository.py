"""Every SQL statement about the action log. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.models import ApiToken, ShowAction


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
