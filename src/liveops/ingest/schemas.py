"""The ingest wire format (contract §3): one pydantic model per event type.

Amounts and counts are `StrictInt`: a float such as 990.5 (or even 990.0) is refused, because
money is integer minor units and a float means the producer has a bug we must not hide. Every
number has a range (contract §3 "Ranges") small enough that a show's sums stay exact in a
64-bit integer: counts up to 10^9, money up to 10^12 minor units per event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter

from liveops.fields import NO_CONTROL_PATTERN

MAX_COUNT = 10**9
MAX_MONEY = 10**12

# Identifiers are stored in indexed columns and shown on consoles: no control characters
# (PostgreSQL cannot store NUL at all; the others hide or forge what an operator reads).
_NO_CONTROL = NO_CONTROL_PATTERN
EventId = Annotated[str, Field(min_length=1, max_length=128, pattern=_NO_CONTROL)]
Ident = Annotated[str, Field(min_length=1, max_length=128, pattern=_NO_CONTROL)]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=_NO_CONTROL)]
Label = Annotated[str, Field(max_length=64, pattern=_NO_CONTROL)]
Money = Annotated[StrictInt, Field(ge=0, le=MAX_MONEY)]
Positive = Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)]
NonNegative = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
Text = Annotated[str, Field(max_length=500)]

# RFC 3339 only (pydantic's own datetime would also take epoch numbers, "1700000000", dates
# without a time, week dates). A space may stand for the `T` (RFC 3339 §5.6 allows it). The
# shape is checked here by pydantic's regex engine; validation.to_record reads the instant.
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
Timestamp = Annotated[str, Field(pattern=RFC3339)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: EventId
    ts: Timestamp
    source: Label | None = None


class ViewerJoin(_Event):
    type: Literal["viewer.join"]
    viewer_id: Ident
    channel: (
        Literal["recommend", "follow", "paid", "search", "short_video", "share", "other"] | None
    ) = None
    region: Label | None = None
    age_band: Label | None = None
    device: Label | None = None
    tier: Literal["new", "returning", "vip"] | None = None


class ViewerLeave(_Event):
    type: Literal["viewer.leave"]
    viewer_id: Ident


class ViewerCount(_Event):
    type: Literal["viewer.count"]
    online: NonNegative


class Comment(_Event):
    type: Literal["comment"]
    viewer_id: Ident
    text: Text


class Like(_Event):
    type: Literal["like"]
    viewer_id: Ident | None = None
    count: Positive


class Share(_Event):
    type: Literal["share"]
    viewer_id: Ident


class Follow(_Event):
    type: Literal["follow"]
    viewer_id: Ident


class Gift(_Event):
    type: Literal["gift"]
    viewer_id: Ident
    gift: Annotated[str, Field(min_length=1, max_length=64, pattern=_NO_CONTROL)]
    value: Money


class ProductImpression(_Event):
    type: Literal["product.impression"]
    sku: Sku
    count: Positive


class ProductClick(_Event):
    type: Literal["product.click"]
    viewer_id: Ident
    sku: Sku


class CartAdd(_Event):
    type: Literal["cart.add"]
    viewer_id: Ident
    sku: Sku
    qty: Positive


class OrderCreated(_Event):
    type: Literal["order.created"]
    order_id: Ident
    viewer_id: Ident
    sku: Sku
    qty: Positive
    amount: Money


class OrderPaid(_Event):
    type: Literal["order.paid"]
    order_id: Ident
    amount: Money


class OrderCancelled(_Event):
    type: Literal["order.cancelled"]
    order_id: Ident


class OrderRefunded(_Event):
    type: Literal["order.refunded"]
    order_id: Ident
    amount: Money


class StockSet(_Event):
    type: Literal["stock.set"]
    sku: Sku
    available: NonNegative


class StreamHealth(_Event):
    type: Literal["stream.health"]
    bitrate_kbps: NonNegative
    fps: Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=240)]
    latency_ms: NonNegative
    stall_ratio: Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=1)]
    line: Label | None = None


class Transcript(_Event):
    """A line of the anchor's speech from the platform's speech recognition (contract §9)."""

    type: Literal["transcript"]
    text: Text


IngestEvent = Annotated[
    ViewerJoin
    | ViewerLeave
    | ViewerCount
    | Comment
    | Like
    | Share
    | Follow
    | Gift
    | ProductImpression
    | ProductClick
    | CartAdd
    | OrderCreated
    | OrderPaid
    | OrderCancelled
    | OrderRefunded
    | StockSet
    | StreamHealth
    | Transcript,
    Field(discriminator="type"),
]

EVENT_TYPES: tuple[str, ...] = (
    "viewer.join",
    "viewer.leave",
    "viewer.count",
    "comment",
    "like",
    "share",
    "follow",
    "gift",
    "product.impression",
    "product.click",
    "cart.add",
    "order.created",
    "order.paid",
    "order.cancelled",
    "order.refunded",
    "stock.set",
    "stream.health",
    "transcript",
)

event_adapter: TypeAdapter[IngestEvent] = TypeAdapter(IngestEvent)


class IngestRequest(BaseModel):
    """Documents the request body; the endpoint parses items one by one to accept the valid ones.

    Items are any JSON values here on purpose: contract §3 answers an invalid item (even one
    that is no object) with a per-item rejection, never by refusing the batch."""

    events: list[Any] = Field(
        max_length=5_000,
        description="events (contract §3); each is judged on its own, and invalid ones are "
        "listed in `rejected` while the rest are stored",
    )


class RejectedItem(BaseModel):
    index: int
    id: str | None
    error: str


class IngestWarning(BaseModel):
    index: int
    id: str
    warning: str


class IngestResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[RejectedItem]
    # An extension of contract §3: accepted items of which something was not kept (fields
    # outside the contract past their bound). Absent when there are none, which is usual.
    warnings: list[IngestWarning] | None = None


class QuarantineItem(BaseModel):
    id: int
    received_at: datetime
    batch_index: int
    event_id: str | None
    error: str
    raw: str


class QuarantinePage(BaseModel):
    items: list[QuarantineItem]
    next_before_id: int | None
