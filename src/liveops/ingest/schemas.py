"""The ingest wire format (contract §3): one pydantic model per event type.

Amounts and counts are `StrictInt`: a float such as 990.5 (or even 990.0) is refused, because
money is integer minor units and a float means the producer has a bug we must not hide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, TypeAdapter

EventId = Annotated[str, Field(min_length=1, max_length=128)]
Ident = Annotated[str, Field(min_length=1, max_length=128)]
Sku = Annotated[str, Field(min_length=1, max_length=64)]
Money = Annotated[StrictInt, Field(ge=0)]
Positive = Annotated[StrictInt, Field(ge=1)]
NonNegative = Annotated[StrictInt, Field(ge=0)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: EventId
    ts: AwareDatetime
    source: Annotated[str, Field(max_length=64)] | None = None


class ViewerJoin(_Event):
    type: Literal["viewer.join"]
    viewer_id: Ident
    channel: (
        Literal["recommend", "follow", "paid", "search", "short_video", "share", "other"] | None
    ) = None
    region: Annotated[str, Field(max_length=64)] | None = None
    age_band: Annotated[str, Field(max_length=32)] | None = None
    device: Annotated[str, Field(max_length=32)] | None = None
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
    text: Annotated[str, Field(max_length=500)]


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
    gift: Annotated[str, Field(min_length=1, max_length=64)]
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
    fps: Annotated[float, Field(ge=0, le=240)]
    latency_ms: NonNegative
    stall_ratio: Annotated[float, Field(ge=0, le=1)]
    line: Annotated[str, Field(max_length=64)] | None = None


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
    | StreamHealth,
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
)

event_adapter: TypeAdapter[IngestEvent] = TypeAdapter(IngestEvent)


class IngestRequest(BaseModel):
    """Documents the request body; the endpoint parses items one by one to accept the valid ones."""

    events: list[dict[str, object]] = Field(max_length=5_000)


class RejectedItem(BaseModel):
    index: int
    id: str | None
    error: str


class IngestResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[RejectedItem]


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
