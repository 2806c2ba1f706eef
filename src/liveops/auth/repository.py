"""SQL for credentials. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.models import ApiToken, Show


async def find_active(session: AsyncSession, token_hash: str, now: datetime) -> ApiToken | None:
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    return row


async def show_exists(session: AsyncSession, show_id: str) -> bool:
    return await session.scalar(select(Show.id).where(Show.id == show_id)) is not None


async def list_tokens(session: AsyncSession, kind: str | None, limit: int) -> Sequence[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(ApiToken.kind == kind)
    return (await session.scalars(query)).all()


async def revoke(session: AsyncSession, token_id: int, now: datetime) -> ApiToken | None:
    """Stamp the token revoked (once: a second revocation keeps the first time)."""
    await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return await session.get(ApiToken, token_id, populate_existing=True)


async def revoke_sessions_labelled(
    session: AsyncSession, label: str, now: datetime
) -> Sequence[int]:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.kind == "session", ApiToken.label == label, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
    )
    return result.scalars().all()


async def consume_login_code(
    session: AsyncSession, code_hash: str, now: datetime
) -> ApiToken | None:
    """Mark a one-time code used; returns it only if this call was the one that used it."""
    result = await session.execute(
        update(ApiToken)
        .where(
            ApiToken.token_hash == code_hash,
            ApiToken.kind == "login_code",
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
        .values(revoked_at=now)
        .returning(ApiToken.id)
    )
    token_id = result.scalar_one_or_none()
    return None if token_id is None else await session.get(ApiToken, token_id)


async def delete_expired(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(ApiToken).where(ApiToken.expires_at <= now))
