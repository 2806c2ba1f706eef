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


def to_record(event: s.IngestEvent, received_at_us: int) -> EventRecord:
    base: dict[str, Any] = {
        "event_id": event.id,
        "type": event.type,
        "ts_us": to_micros(event.ts),
        "received_at_us": received_at_us,
        "source": event.source,
    }
    match event:
        case s.ViewerJoin() | s.ViewerLeave() | s.Share() | s.Follow():
            return EventRecord(**base, viewer_id=event.viewer_id)
        case s.ViewerCount():
            return EventRecord(**base, online=event.online)
        case s.Comment():
            return EventRecord(**base, viewer_id=event.viewer_id, text=event.text)
        case s.Like():
            return EventRecord(**base, viewer_id=event.viewer_id, quantity=event.count)
        case s.Gift():
            return EventRecord(**base, viewer_id=event.viewer_id, amount=event.value)
        case s.ProductImpression():
            return EventRecord(**base, sku=event.sku, quantity=event.count)
        case s.ProductClick():
            return EventRecord(**base, viewer_id=event.viewer_id, sku=event.sku)
        case s.CartAdd():
            return EventRecord(**base, viewer_id=event.viewer_id, sku=event.sku, quantity=event.qty)
        case s.OrderCreated():
            return EventRecord(
                **base,
                order_id=event.order_id,
                viewer_id=event.viewer_id,
                sku=event.sku,
                quantity=event.qty,
                amount=event.amount,
            )
        case s.OrderPaid() | s.OrderRefunded():
            return EventRecord(**base, order_id=event.order_id, amount=event.amount)
        case s.OrderCancelled():
            return EventRecord(**base, order_id=event.order_id)
        case s.StockSet():
            return EventRecord(**base, sku=event.sku, quantity=event.available)
        case s.StreamHealth():
            detail: dict[str, object] = {
                "bitrate_kbps": event.bitrate_kbps,
                "fps": event.fps,
                "latency_ms": event.latency_ms,
                "stall_ratio": event.stall_ratio,
                "line": event.line,
            }
            return EventRecord(**base, detail=detail)
