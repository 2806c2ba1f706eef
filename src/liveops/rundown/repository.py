"""Every SQL statement about run-sheets. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.models import Runsheet, RunsheetSegment, Show


async def lock_show(session: AsyncSession, show_id: str) -> Show | None:
    """The show, its row locked until the transaction ends (PostgreSQL; SQLite has one writer
    at a time anyway): run-sheet saves, segment moves and the start of one show take turns."""
    query = select(Show).where(Show.id == show_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def runsheet(session: AsyncSession, show_id: str) -> Runsheet | None:
    return await session.get(Runsheet, show_id)


async def segments(session: AsyncSession, show_id: str) -> Sequence[RunsheetSegment]:
    query = select(RunsheetSegment).where(RunsheetSegment.show_id == show_id)
    return (await session.scalars(query.order_by(RunsheetSegment.position))).all()


async def delete_segments(session: AsyncSession, show_id: str, segment_ids: Sequence[str]) -> None:
    if segment_ids:
        await session.execute(
            delete(RunsheetSegment).where(
                RunsheetSegment.show_id == show_id, RunsheetSegment.segment_id.in_(segment_ids)
            ),
            execution_options={"synchronize_session": "fetch"},
        )
