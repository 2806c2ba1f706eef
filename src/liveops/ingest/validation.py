"""Pure batch validation: raw JSON items in, accepted records and readable rejections out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from liveops.events import EventRecord, to_micros
from liveops.ingest import schemas as s
from liveops.ingest.schemas import EVENT_TYPES, event_adapter

_KNOWN_TYPES = frozenset(EVENT_TYPES)
_TYPE_LIST = ", ".join(EVENT_TYPES)


@dataclass(frozen=True, slots=True)
class Rejection:
    index: int
    event_id: str | None
    error: str
    raw: object


@dataclass(slots=True)
class ValidatedBatch:
    records: list[EventRecord]
    payloads: list[object]  # the producer's item for each record, kept verbatim
    rejections: list[Rejection]


def validate_items(items: list[Any], *, received_at_us: int) -> ValidatedBatch:
    """Validate every item independently, so one bad event never costs the good ones."""
    batch = ValidatedBatch([], [], [])
    for index, item in enumerate(items):
        error = _precheck(item)
        if error is None:
            try:
                event = event_adapter.validate_python(item)
            except ValidationError as exc:
                error = describe(exc)
            else:
                batch.records.append(to_record(event, received_at_us))
                batch.payloads.append(item)
                continue
        event_id = item.get("id") if isinstance(item, dict) else None
        batch.rejections.append(
            Rejection(index, event_id if isinstance(event_id, str) else None, error, item)
        )
    return batch


def _precheck(item: object) -> str | None:
    """The two mistakes pydantic words poorly: not an object, and an unknown `type`."""
    if not isinstance(item, dict):
        return f"an event must be a JSON object, got {type(item).__name__}"
    kind = item.get("type")
    if kind is None:
        return "missing field 'type'"
    if kind not in _KNOWN_TYPES:
        return f"unknown type {kind!r}; expected one of: {_TYPE_LIST}"
    return None


def describe(exc: ValidationError) -> str:
    """One line a person can act on: `amount: Input should be a valid integer (got 990.5)`."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        if len(loc) > 1 and loc[0] in _KNOWN_TYPES:
            loc = loc[1:]  # drop the union tag pydantic puts first
        where = ".".join(loc) or "event"
        if err["type"] == "missing":
            parts.append(f"missing field {where!r}")
            continue
        got = err.get("input")
        shown = repr(got) if len(repr(got)) <= 60 else repr(got)[:57] + "..."
        parts.append(f"{where}: {err['msg']} (got {shown})")
    return "; ".join(parts)


# The fields every event has, in EventRecord's order: event_id, type, ts_us, received_at_us,
# source. A fixed-size tuple lets each converter below pass them positionally.
_Base = tuple[str, str, int, int, str | None]


def _viewer(e: Any, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id)


def _count(e: s.ViewerCount, b: _Base) -> EventRecord:
    return EventRecord(*b, online=e.online)


def _comment(e: s.Comment, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id, text=e.text)


def _like(e: s.Like, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id, quantity=e.count)


def _gift(e: s.Gift, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id, amount=e.value)


def _impression(e: s.ProductImpression, b: _Base) -> EventRecord:
    return EventRecord(*b, sku=e.sku, quantity=e.count)


def _click(e: s.ProductClick, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id, sku=e.sku)


def _cart(e: s.CartAdd, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id, sku=e.sku, quantity=e.qty)


def _created(e: s.OrderCreated, b: _Base) -> EventRecord:
    return EventRecord(
        *b, viewer_id=e.viewer_id, order_id=e.order_id, sku=e.sku, quantity=e.qty, amount=e.amount
    )


def _order_amount(e: Any, b: _Base) -> EventRecord:
    return EventRecord(*b, order_id=e.order_id, amount=e.amount)


def _cancelled(e: s.OrderCancelled, b: _Base) -> EventRecord:
    return EventRecord(*b, order_id=e.order_id)


def _stock(e: s.StockSet, b: _Base) -> EventRecord:
    return EventRecord(*b, sku=e.sku, quantity=e.available)


def _health(e: s.StreamHealth, b: _Base) -> EventRecord:
    detail: dict[str, object] = {
        "bitrate_kbps": e.bitrate_kbps,
        "fps": e.fps,
        "latency_ms": e.latency_ms,
        "stall_ratio": e.stall_ratio,
        "line": e.line,
    }
    return EventRecord(*b, detail=detail)


# A table rather than a `match` over 17 classes: this runs once per ingested event.
_TO_RECORD: dict[str, Any] = {
    "viewer.join": _viewer,
    "viewer.leave": _viewer,
    "viewer.count": _count,
    "comment": _comment,
    "like": _like,
    "share": _viewer,
    "follow": _viewer,
    "gift": _gift,
    "product.impression": _impression,
    "product.click": _click,
    "cart.add": _cart,
    "order.created": _created,
    "order.paid": _order_amount,
    "order.cancelled": _cancelled,
    "order.refunded": _order_amount,
    "stock.set": _stock,
    "stream.health": _health,
}


def to_record(event: s.IngestEvent, received_at_us: int) -> EventRecord:
    base: _Base = (event.id, event.type, to_micros(event.ts), received_at_us, event.source)
    record: EventRecord = _TO_RECORD[event.type](event, base)
    return record
