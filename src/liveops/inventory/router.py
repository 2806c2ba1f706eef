"""`/api/v1/shows/{show_id}/stock…` (contract §7) and flash-sale control."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.deps import RuntimeDep, ShowId
from liveops.errors import PayloadError, Unavailable
from liveops.events import to_micros
from liveops.fields import Printable, refuse_control
from liveops.inventory import service
from liveops.inventory.schemas import (
    FlashSaleStart,
    ReleaseAnswer,
    ReservationAnswer,
    ReservationRequest,
    StockConflict,
    StockList,
    StockRow,
    StockSet,
)
from liveops.openapi import CONFLICT
from liveops.runtime import Runtime
from liveops.shows import service as shows_service

router = APIRouter()

SKU_MAX_CHARS = 64
Sku = Annotated[str, Path(min_length=1, max_length=SKU_MAX_CHARS), Printable]
OrderId = Annotated[str, Path(min_length=1, max_length=128), Printable]


def _now_us() -> int:
    return time.time_ns() // 1000


@router.get("/{show_id}/stock", response_model=StockList)
async def list_stock(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> StockList:
    """Every SKU's ledger: `reserved + sold + available = allocated`, `available ≥ 0`."""
    require(principal, Action.STOCK_READ, show_id)
    async with rt.read() as session:
        await shows_service.get(session, show_id)
        return StockList(show_id=show_id, items=await service.listing(session, show_id))


@router.put(
    "/{show_id}/stock/{sku}",
    response_model=StockRow,
    responses={
        409: {
            "model": StockConflict,
            "description": "the version is not newer; the body is the current row",
        }
    },
)
async def set_stock(
    show_id: ShowId, sku: Sku, body: StockSet, principal: PrincipalDep, rt: RuntimeDep
) -> StockRow | JSONResponse:
    """Set the absolute count an ERP holds for the show: `available` becomes exactly this,
    and `allocated` follows (what is reserved or sold stays so). An update whose `version` is
    not newer than the stored one changes nothing and answers 409 with the current row."""
    require(principal, Action.STOCK_WRITE, show_id)
    changes = service.Changes()
    try:
        async with rt.transaction() as session:
            await shows_service.get(session, show_id)
            item = await service.set_stock(
                session,
                show_id,
                sku,
                available=body.available,
                version=body.version,
                limit_per_viewer=body.limit_per_viewer,
                now_us=_now_us(),
                changes=changes,
            )
            changes.stage(session, show_id)
    except service.StaleVersion as stale:
        content = service.view(stale.current).model_dump() | {"detail": stale.message}
        return JSONResponse(content, status_code=409)
    return service.view(item)


@router.post(
    "/{show_id}/stock/{sku}/reservations",
    response_model=ReservationAnswer,
    status_code=201,
    responses={409: {"model": ReservationAnswer, "description": "sold out, over the limit…"}},
)
async def reserve(
    show_id: ShowId, sku: Sku, body: ReservationRequest, principal: PrincipalDep, rt: RuntimeDep
) -> ReservationAnswer | JSONResponse:
    """Reserve `qty` units for an order. Idempotent by `order_id`: asking again answers as the
    first time did. 201 `reserved`; 409 `sold_out`, `limit_exceeded` or `not_started` (a
    flash sale that has not begun)."""
    status, answer = await decide_reservation(rt, principal, show_id, sku, body)
    if status != 201:
        return JSONResponse(answer.model_dump(), status_code=status)
    return answer


async def decide_reservation(
    rt: Runtime, principal: Principal, show_id: str, sku: str, body: ReservationRequest
) -> tuple[int, ReservationAnswer]:
    """The status and answer for an authenticated, validated reservation request: the route
    above and the fast path (fast_path.py) both answer with this."""
    require(principal, Action.STOCK_RESERVE, show_id)
    # The route's path parameters say so already; the fast path's reach here unchecked.
    for name, value in (("show_id", show_id), ("sku", sku)):
        try:
            refuse_control(value)
        except ValueError as bad:
            raise PayloadError(f"{name}: {bad}") from None
    if rt.draining:
        raise Unavailable("this server is shutting down; retry", headers={"Retry-After": "1"})
    answer = await rt.reservations.reserve(show_id, sku, body)
    return (201 if answer.status == "reserved" else 409), answer


@router.delete("/{show_id}/stock/{sku}/reservations/{order_id}", response_model=ReleaseAnswer)
async def release(
    show_id: ShowId, sku: Sku, order_id: OrderId, principal: PrincipalDep, rt: RuntimeDep
) -> ReleaseAnswer:
    """Release an order's units back to stock (as `order.cancelled` does). Safe to repeat:
    `released` says whether this call returned anything."""
    require(principal, Action.STOCK_RESERVE, show_id)
    changes = service.Changes()
    async with rt.transaction() as session:
        answer = await service.release(
            session, show_id, sku, order_id, now_us=_now_us(), changes=changes
        )
        changes.stage(session, show_id)
    return answer


@router.post("/{show_id}/stock/{sku}/flash-sale", response_model=StockRow)
async def start_flash_sale(
    show_id: ShowId, sku: Sku, body: FlashSaleStart, principal: PrincipalDep, rt: RuntimeDep
) -> StockRow:
    """Start (or schedule, with `starts_at`) a flash sale of at most `cap` units. Consoles
    count down to its start; reservations before it answer `not_started`."""
    require(principal, Action.SALE_CONTROL, show_id)
    now_us = _now_us()
    starts_us = now_us if body.starts_at is None else max(now_us, to_micros(body.starts_at))
    changes = service.Changes()
    async with rt.transaction() as session:
        item = await service.start_flash_sale(
            session, show_id, sku, cap=body.cap, starts_us=starts_us, now_us=now_us, changes=changes
        )
        changes.stage(session, show_id)
    return service.view(item)


@router.delete("/{show_id}/stock/{sku}/flash-sale", response_model=StockRow, responses=CONFLICT)
async def stop_flash_sale(
    show_id: ShowId, sku: Sku, principal: PrincipalDep, rt: RuntimeDep
) -> StockRow:
    """Stop the running flash sale; the SKU sells on without a cap."""
    require(principal, Action.SALE_CONTROL, show_id)
    changes = service.Changes()
    async with rt.transaction() as session:
        item = await service.stop_flash_sale(
            session, show_id, sku, now_us=_now_us(), changes=changes
        )
        changes.stage(session, show_id)
    return service.view(item)
