"""`GET /api/v1/shows/{show_id}/report.html` (contract §13)."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.report import service

router = APIRouter()

# The page carries everything it shows: no script runs and nothing is fetched, even if a
# show's title or a comment smuggled markup past the escaping.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_.-]")


@router.get(
    "/{show_id}/report.html",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "the report page"}},
)
async def get_report(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> HTMLResponse:
    """The post-show review (复盘) as one self-contained, printable HTML page: results against
    targets, headline KPIs, findings (what worked, what did not, with their numbers), inline
    SVG charts and the review's tables. Needs no network to open (docs/report.md)."""
    require(principal, Action.REVIEW_READ, show_id)
    async with rt.read() as session:
        html = await service.report_html(session, show_id)
    filename = f"review-{_UNSAFE_IN_FILENAME.sub('_', show_id)}.html"
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Content-Disposition": f'inline; filename="{filename}"',
        },
    )
