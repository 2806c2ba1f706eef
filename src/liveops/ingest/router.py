from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.errors import NotFound, PayloadTooLarge, Unavailable
from liveops.ingest import repository, service
from liveops.ingest.body import decode_events
from liveops.ingest.schemas import IngestRequest, IngestResult, QuarantineItem, QuarantinePage
from liveops.inventory import service as inventory_service
from liveops.logs import show_id_var
from liveops.runtime import Runtime

router = APIRouter()
# A quarantine page stops growing past this many bytes of excerpts and reasons.
QUARANTINE_PAGE_BYTES = 1 << 20
log = logging.getLogger("liveops.ingest")


async def _read_events(request: Request, max_events: int, max_bytes: int) -> list[Any]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"the body is over {max_bytes} bytes; send smaller batches")
    body = await request.body()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"the body is over {max_bytes} bytes; send smaller batches")
    return decode_events(body, max_events)


@router.post(
    "/{show_id}/events",
    response_model=IngestResult,
    response_model_exclude_unset=True,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": IngestRequest.model_json_schema()}},
        }
    },
)
async def post_events(
    show_id: ShowId, request: Request, principal: PrincipalDep, rt: RuntimeDep
) -> IngestResult:
    """Ingest up to 5,000 events (contract §3).

    Valid items are stored even when others are rejected; a 2xx answer means every accepted
    event is durably stored. Re-sending is safe: known ids are counted as duplicates.
    """
    require(principal, Action.EVENTS_WRITE, show_id)
    if rt.draining:
        # Nothing of this batch is stored: the producer retries, reaching another process.
        raise Unavailable(
            "this server is shutting down; retry the same batch", headers={"Retry-After": "1"}
        )
    # At most so many batches are handled at once; the next wait their turn, before their
    # body is read, for a moment; past that the load is shed. What this process holds stays
    # bounded however hard producers push, and a refused batch is simply retried.
    try:
        async with asyncio.timeout(rt.settings.ingest_queue_seconds):
            await rt.ingest_slots.acquire()
    except TimeoutError:
        rt.metrics.ingest_shed.inc()
        raise Unavailable(
            "this server is busy with other ingest batches; retry this one in a moment "
            "(retrying is always safe)",
            headers={"Retry-After": "1"},
        ) from None
    try:
        return await _ingest(show_id, request, rt)
    finally:
        rt.ingest_slots.release()


async def _ingest(show_id: str, request: Request, rt: Runtime) -> IngestResult:
    settings = rt.settings
    items = await _read_events(request, settings.max_events_per_request, settings.max_body_bytes)
    if not await rt.live.show_exists(show_id):
        raise NotFound(f"no show with id {show_id!r}")
    started = time.perf_counter()
    limits = service.TsLimits(
        timedelta(seconds=settings.ingest_ts_before_created_seconds),
        timedelta(seconds=settings.ingest_ts_after_ended_seconds),
    )
    async with rt.transaction() as session:
        stored = await service.ingest(
            session, show_id, items, limits=limits, classify=settings.classify_comments
        )
        # Payments, cancellations and ERP counts move the stock ledger in the same
        # transaction: an event is applied exactly when it is stored, never twice.
        stock = await inventory_service.apply_events(
            session, show_id, stored.new_records, now_us=time.time_ns() // 1000
        )
        stock.stage(session, show_id)
    metrics = rt.metrics
    metrics.ingest_persist_seconds.observe(time.perf_counter() - started)
    result = stored.result
    metrics.ingest_events.labels("accepted").inc(result.accepted)
    metrics.ingest_events.labels("duplicate").inc(result.duplicates)
    metrics.ingest_events.labels("rejected").inc(len(result.rejected))
    # Events take their own path to the live side (the hot path, with row ids for the feed
    # mark); the stock they moved was staged above and is already out.
    await rt.live.ingested(show_id, stored.new_records, stored.row_ids)
    if result.rejected:
        show_id_var.set(show_id)
        log.info(
            "ingest: %d accepted, %d duplicates, %d rejected (first: %s)",
            result.accepted,
            result.duplicates,
            len(result.rejected),
            result.rejected[0].error,
        )
    return result


@router.get("/{show_id}/quarantine", response_model=QuarantinePage)
async def list_quarantine(
    show_id: ShowId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> QuarantinePage:
    """Rejected ingest items, newest first, each with its reason and (an excerpt of) the item
    as sent. A page ends at `limit` items or about 1 MiB, whichever comes first; follow
    `next_before_id` for the next."""
    require(principal, Action.QUARANTINE_READ, show_id)
    async with rt.read() as session:
        rows = await repository.list_quarantine(session, show_id, limit=limit, before_id=before_id)
    items: list[QuarantineItem] = []
    size = 0
    for row in rows:
        items.append(QuarantineItem.model_validate(row, from_attributes=True))
        size += len(row.raw) + len(row.error)
        if size >= QUARANTINE_PAGE_BYTES:
            break
    more = len(items) < len(rows) or len(rows) == limit
    return QuarantinePage(items=items, next_before_id=items[-1].id if more and items else None)
