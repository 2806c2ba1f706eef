"""`/api/v1/shows/{show_id}/export/…` (contract §13)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.export import service
from liveops.shows import service as shows_service

router = APIRouter()

NDJSON = "application/x-ndjson"


@router.get(
    "/{show_id}/export/events.ndjson",
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {}}, "description": "one stored event a line"}},
)
async def export_events(
    show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep
) -> StreamingResponse:
    """Every stored event of the show, one JSON object a line, exactly as accepted (one line
    per event id; rejected items are not in it). A comment also carries its `intent`, and
    `"hidden": true` when moderation hides it. Streamed: any size, constant memory."""
    require(principal, Action.REVIEW_READ, show_id)
    async with rt.read() as session:
        show = await shows_service.get(session, show_id)  # 404 before the stream starts

    async def body() -> AsyncIterator[bytes]:
        async with rt.read() as session:
            async for chunk in service.event_lines(session, show):
                yield chunk

    return StreamingResponse(
        body(),
        media_type=NDJSON,
        headers={"Content-Disposition": f'attachment; filename="{show_id}-events.ndjson"'},
    )
