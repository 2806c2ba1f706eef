"""The stock API's bodies and answers (contract §7)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from liveops.fields import COUNT_MAX, Count, Integral, Moment, Printable, Version
from liveops.inventory.ledger import Outcome

Units = Count
Key = Annotated[str, Field(min_length=1, max_length=128), Printable]


class StockSet(BaseModel):
    """An ERP's absolute count: after it, `available` is exactly this (allocated follows)."""

    model_config = ConfigDict(extra="forbid")

    available: Units
    version: Version
    limit_per_viewer: Annotated[int, Strict(), Field(ge=1, le=1_000_000), Integral] | None = None


class ReservationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: Key
    viewer_id: Key
    qty: Annotated[int, Strict(), Field(ge=1, le=10_000), Integral]


class ReservationAnswer(BaseModel):
    """The answer to an order's first request, repeated word for word on every retry."""

    status: Outcome
    available: int
    order_id: str
    sku: str
    qty: int


class ReleaseAnswer(BaseModel):
    order_id: str
    sku: str
    state: str  # the reservation's state after the call: released, sold, expired, rejected
    released: bool  # whether this call returned units to stock
    available: int


class FlashSaleStart(BaseModel):
    """Start (or schedule) a flash sale: at most `cap` units go in it; before `starts_at`,
    reservations answer `not_started`, and consoles count down to it."""

    model_config = ConfigDict(extra="forbid")

    cap: Annotated[int, Strict(), Field(ge=1, le=COUNT_MAX), Integral]
    starts_at: Moment | None = None  # None, or a moment past: now


class FlashSale(BaseModel):
    cap: int
    remaining: int
    starts_at: int  # ms since the epoch
    state: str  # running | sold_out (`starts_at` in the future: counting down)


class StockRow(BaseModel):
    sku: str
    allocated: int
    reserved: int
    sold: int
    available: int
    version: int | None
    limit_per_viewer: int | None
    flash_sale: FlashSale | None
    sold_out_at: int | None  # ms since the epoch, while sold out
    rev: int  # grows with every change of the row


class StockConflict(StockRow):
    """A 409 to an ERP count whose version is not newer: the row as it stands, and why."""

    detail: str


class StockList(BaseModel):
    show_id: str
    items: list[StockRow]
