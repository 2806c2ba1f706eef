"""`/api/v1/shows/{show_id}/export/…` (contract §13)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.errors import NotFound
from liveops.export import csv as csv_export, service
from liveops.openapi import error
from liveops.shows import service as shows_service

router = APIRouter()

NDJSON = "application/x-ndjson"
CSV = "text/csv; charset=utf-8"


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


@router.get(
    "/{show_id}/export/{table}.csv",
    response_class=Response,
    responses={
        200: {"content": {CSV: {}}, "description": "the table: a header row, then one per row"},
        404: error("the show does not exist, or the table is not one of the review's"),
    },
)
async def export_table(
    show_id: ShowId,
    table: Annotated[
        str,
        # The enum documents the tables; the check is ours, so an unknown one is a 404.
        Path(
            description="the review table",
            json_schema_extra={"enum": list(csv_export.TABLES)},
        ),
    ],
    principal: PrincipalDep,
    rt: RuntimeDep,
    excel: Annotated[
        bool,
        Query(description="start with a UTF-8 byte-order mark, so that Excel reads Chinese"),
    ] = False,
) -> Response:
    """One review table as CSV (contract §13): `minutes`, `products`, `segments`, `channels`,
    `comments`, `alerts` (the alert items) or `actions`. UTF-8, a header row even when there
    is no row; columns as docs/review.md lists them. `?excel=true` adds the byte-order mark
    Excel needs (the console's links ask for it)."""
    require(principal, Action.REVIEW_READ, show_id)
    if table not in csv_export.TABLES:
        known = ", ".join(csv_export.TABLES)
        raise NotFound(f"no CSV table {table!r}: the tables are {known}")
    async with rt.read() as session:
        body = await csv_export.table_csv(session, show_id, table, bom=excel)
    return Response(
        body.encode("utf-8"),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{show_id}-{table}.csv"'},
    )
