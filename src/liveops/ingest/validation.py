"""Pure batch validation: raw JSON items in, accepted records and readable rejections out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

import orjson
from pydantic import ValidationError

from liveops.events import EventRecord, iso_from_micros, to_micros
from liveops.ingest import schemas as s
from liveops.ingest.body import DuplicateKeys
from liveops.ingest.schemas import EVENT_TYPES, event_adapter

_KNOWN_TYPES = frozenset(EVENT_TYPES)
_TYPE_LIST = ", ".join(EVENT_TYPES)

# The fields the contract defines, per type: these are stored as sent. Anything else an item
# carries is kept beside them only while it stays small (EXTRA_MAX_BYTES, encoded), so that a
# producer's junk can neither bloat the database nor break the encoder with deep nesting.
_CONTRACT_FIELDS: dict[str, frozenset[str]] = {
    model.model_fields["type"].annotation.__args__[0]: frozenset({"type", *model.model_fields})
    for model in get_args(get_args(s.IngestEvent)[0])
}
EXTRA_MAX_BYTES = 4096
# What the quarantine keeps of a rejected item, and what an error message quotes of a value.
QUARANTINE_EXCERPT_BYTES = 2048
_QUOTE_CHARS = 60


@dataclass(frozen=True, slots=True)
class TsWindow:
    """The instants an event of one show may carry (contract §3 "Ranges"), in microseconds."""

    earliest_us: int
    latest_us: int
    reason: str  # how the window is defined, for the rejection message

    def refuses(self, ts_us: int) -> str | None:
        if self.earliest_us <= ts_us <= self.latest_us:
            return None
        return (
            f"ts {iso_from_micros(ts_us)} is outside this show's window "
            f"({iso_from_micros(self.earliest_us)} to {iso_from_micros(self.latest_us)}): "
            f"{self.reason}"
        )


# No bound at all: for replaying events already accepted under a show's own window.
ANY_TIME = TsWindow(-(2**63), 2**63 - 1, "")


@dataclass(frozen=True, slots=True)
class Rejection:
    index: int
    event_id: str | None
    error: str
    excerpt: str  # the item as sent, cut to QUARANTINE_EXCERPT_BYTES


@dataclass(frozen=True, slots=True)
class ItemWarning:
    index: int
    event_id: str
    warning: str


@dataclass(slots=True)
class ValidatedBatch:
    records: list[EventRecord]
    payloads: list[str]  # the stored JSON of each record: the producer's item, as kept
    rejections: list[Rejection]
    warnings: list[ItemWarning]


def validate_items(items: list[Any], *, received_at_us: int, window: TsWindow) -> ValidatedBatch:
    """Validate every item independently, so one bad event never costs the good ones."""
    batch = ValidatedBatch([], [], [], [])
    for index, item in enumerate(items):
        error = _precheck(item)
        if error is None:
            try:
                event = event_adapter.validate_python(item)
            except ValidationError as exc:
                error = describe(exc)
            else:
                record = to_record(event, received_at_us)
                error = window.refuses(record.ts_us) if record is not None else _NO_SUCH_TIME
                if error is None:
                    assert record is not None
                    payload, warning = _stored_form(item, event.type)
                    batch.records.append(record)
                    batch.payloads.append(payload)
                    if warning is not None:
                        batch.warnings.append(ItemWarning(index, event.id, warning))
                    continue
        event_id = item.get("id") if isinstance(item, dict) else None
        batch.rejections.append(
            Rejection(
                index,
                _printable(event_id) if isinstance(event_id, str) else None,
                _printable(error or "invalid event"),
                excerpt(item),
            )
        )
    return batch


def _printable(text: str) -> str:
    """Text any column and any JSON encoder takes: a rejected id may hold NUL or a lone
    surrogate (which is why it was rejected), and is still quoted back and quarantined."""
    if "\x00" in text:
        text = text.replace("\x00", "\N{REPLACEMENT CHARACTER}")
    return text.encode("utf-8", "replace").decode()


def _precheck(item: object) -> str | None:
    """The mistakes pydantic words poorly or cannot see: not an object, an unknown `type`,
    a key given twice."""
    if not isinstance(item, dict):
        return f"an event must be a JSON object, got {_json_kind(item)}"
    if isinstance(item, DuplicateKeys):
        names = ", ".join(repr(k) for k in item.repeated)
        return f"this event names {names} more than once; send each field once"
    kind = item.get("type")
    if kind is None:
        return "missing field 'type'"
    if not isinstance(kind, str) or kind not in _KNOWN_TYPES:
        return f"unknown type {_quote(kind)}; expected one of: {_TYPE_LIST}"
    return None


def _stored_form(item: dict[str, Any], kind: str) -> tuple[str, str | None]:
    """(stored JSON, warning): the item as kept. Its contract fields passed validation, so
    they encode; what else it carries is kept only while small and encodable."""
    contract = _CONTRACT_FIELDS[kind]
    warning = None
    if not item.keys() <= contract:
        extra = {k: v for k, v in item.items() if k not in contract}
        try:
            size = len(orjson.dumps(extra))
        except orjson.JSONEncodeError:  # nested past orjson's 254 levels, or a lone surrogate
            size = EXTRA_MAX_BYTES + 1
        if size > EXTRA_MAX_BYTES:
            item = {k: v for k, v in item.items() if k in contract}
            names = ", ".join(sorted(repr(k) for k in extra)[:5])
            warning = (
                f"fields outside the contract ({names}) were not kept: together they exceed "
                f"{EXTRA_MAX_BYTES} bytes, are nested too deeply or are not valid Unicode"
            )
    return orjson.dumps(item).decode(), warning


def excerpt(item: object) -> str:
    """The item as JSON, cut to QUARANTINE_EXCERPT_BYTES (and never failing)."""
    try:
        text = orjson.dumps(item, default=repr).decode()
    except orjson.JSONEncodeError:
        text = "(an item that cannot be shown: nested too deeply, or not valid Unicode)"
    if len(text) > QUARANTINE_EXCERPT_BYTES:
        text = f"{text[:QUARANTINE_EXCERPT_BYTES]}… ({len(text)} characters in all)"
    return text


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
        message = err["msg"]
        if where == "ts" and err["type"] in ("string_type", "string_pattern_mismatch"):
            message = (
                "must be an RFC 3339 timestamp string with a time zone, such as " + _TS_EXAMPLE
            )
        elif err["type"] == "string_pattern_mismatch":
            message = "must not contain control characters (such as NUL or a line break)"
        parts.append(f"{where}: {message} (got {_quote(err.get('input'))})")
    return "; ".join(parts)


def _quote(value: object) -> str:
    """A short, safe rendering of a producer's value for an error message."""
    if isinstance(value, str) and len(value) > _QUOTE_CHARS:
        return repr(value[: _QUOTE_CHARS - 3]) + f"… ({len(value)} characters)"
    if isinstance(value, dict | list):
        return f"a JSON {_json_kind(value)} of {len(value)} entries"
    shown = repr(value)
    return shown if len(shown) <= _QUOTE_CHARS else shown[: _QUOTE_CHARS - 3] + "..."


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


_TS_EXAMPLE = "2026-12-04T20:00:00.000+08:00"
_NO_SUCH_TIME = f"ts: no such date or time (the format is right: {_TS_EXAMPLE})"


# The fields every event has, in EventRecord's order: event_id, type, ts_us, received_at_us,
# source. A fixed-size tuple lets each converter below pass them positionally.
_Base = tuple[str, str, int, int, str | None]


def _viewer(e: Any, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id)


def _count(e: s.ViewerCount, b: _Base) -> EventRecord:
    return EventRecord(*b, online=e.online)


def _comment(e: s.Comment, b: _Base) -> EventRecord:
    return EventRecord(*b, viewer_id=e.viewer_id, text=e.text)


def _transcript(e: s.Transcript, b: _Base) -> EventRecord:
    return EventRecord(*b, text=e.text)


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
    "transcript": _transcript,
}


def to_record(event: s.IngestEvent, received_at_us: int) -> EventRecord | None:
    """The event as stored, or None when its `ts` has the right shape but names no real
    instant (February 30th, hour 24)."""
    try:
        # The shape is RFC 3339 already (schemas.RFC3339); `upper` turns the `t` and `z` it
        # allows into what fromisoformat reads. Much cheaper than a validator per event.
        ts_us = to_micros(datetime.fromisoformat(event.ts.upper()))
    except ValueError:
        return None
    base: _Base = (event.id, event.type, ts_us, received_at_us, event.source)
    record: EventRecord = _TO_RECORD[event.type](event, base)
    return record
