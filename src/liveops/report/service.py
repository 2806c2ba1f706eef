"""The report of one show: its review, rendered."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.report import render
from liveops.review import service as review_service


async def report_html(session: AsyncSession, show_id: str) -> str:
    """The show's review (recomputed from stored events) as a self-contained HTML page.
    An unknown show raises the review's NotFound."""
    review = await review_service.review(session, show_id)
    return render.page(review, computed_at=datetime.now(UTC))
