"""Every SQL statement about alerts and a show's alert rules. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.db import insert_unless_taken
from liveops.storage.models import Alert, Show, ShowAlertRules

OPEN = Alert.state != "resolved"  # as the partial unique index says it, so that it is used


async def get(
    session: AsyncSession, show_id: str, alert_id: str, *, lock: bool = False
) -> Alert | None:
    query = select(Alert).where(Alert.show_id == show_id, Alert.id == alert_id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def open_for(session: AsyncSession, show_id: str, rule: str, subject: str) -> Alert | None:
    query = select(Alert).where(
        Alert.show_id == show_id, Alert.rule == rule, Alert.subject == subject, OPEN
    )
    return (await session.scalars(query)).one_or_none()


async def insert(session: AsyncSession, row: Alert) -> bool:
    """Insert `row`; False when a unique key refused it (an open alert of the same show, rule
    and subject, or the same id), in which case nothing else of the transaction is lost."""
    return await insert_unless_taken(session, row)


async def open_alerts(session: AsyncSession, show_id: str) -> Sequence[Alert]:
    """Firing or acknowledged, oldest first."""
    query = select(Alert).where(Alert.show_id == show_id, OPEN)
    return (await session.scalars(query.order_by(Alert.fired_at, Alert.id))).all()


async def oldest_first(session: AsyncSession, show_id: str) -> Sequence[Alert]:
    query = select(Alert).where(Alert.show_id == show_id)
    return (await session.scalars(query.order_by(Alert.fired_at, Alert.id))).all()


async def newest_first(
    session: AsyncSession,
    show_id: str,
    *,
    limit: int,
    states: Sequence[str] | None = None,
    rule: str | None = None,
    role: str | None = None,
    before: Alert | None = None,
) -> Sequence[Alert]:
    """A page of the show's alerts, newest first: those older than `before`, in `states`, of
    `rule`, routed to `role` (each None: any)."""
    query = select(Alert).where(Alert.show_id == show_id)
    if states is not None:
        query = query.where(Alert.state.in_(states))
    if rule is not None:
        query = query.where(Alert.rule == rule)
    if role is not None:
        # `roles` is a JSON array of role names, none of which is part of another: its text
        # holds `"anchor"` exactly when the array does (the same on both databases).
        query = query.where(cast(Alert.roles, String).contains(f'"{role}"', autoescape=True))
    if before is not None:
        query = query.where(
            or_(
                Alert.fired_at < before.fired_at,
                and_(Alert.fired_at == before.fired_at, Alert.id < before.id),
            )
        )
    order = (Alert.fired_at.desc(), Alert.id.desc())
    return (await session.scalars(query.order_by(*order).limit(limit))).all()


async def lock_show(session: AsyncSession, show_id: str) -> Show | None:
    """The show, its row locked until the transaction ends (PostgreSQL; SQLite has one writer
    at a time anyway): saves of one show's rules take turns."""
    query = select(Show).where(Show.id == show_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def rules(session: AsyncSession, show_id: str) -> ShowAlertRules | None:
    return await session.get(ShowAlertRules, show_id)


async def add_rules(session: AsyncSession, row: ShowAlertRules) -> None:
    session.add(row)
    await session.flush()
