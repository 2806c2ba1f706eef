"""Builders for the websocket messages of docs/protocol.md (server → console)."""

from __future__ import annotations

import json
import time
from typing import Any

import orjson

from liveops.comments.model import intent_of
from liveops.events import EventRecord

ORDER_EVENTS = {
    "order.created": "created",
    "order.paid": "paid",
    "order.cancelled": "cancelled",
    "order.refunded": "refunded",
}
FED_TYPES = frozenset({"comment", *ORDER_EVENTS})  # the event types that become feed items


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def feed_item(record: EventRecord) -> dict[str, Any] | None:
    """The console's view of a comment or order event; None for events that are not fed."""
    if record.type == "comment":
        return {
            "kind": "comment",
            "id": record.event_id,
            "ts": record.ts_us // 1000,
            "viewer_id": record.viewer_id,
            "text": record.text,
            "intent": record.intent or intent_of(record.text or ""),
        }
    order_event = ORDER_EVENTS.get(record.type)
    if order_event is None:
        return None
    item: dict[str, Any] = {
        "kind": "order",
        "id": record.event_id,
        "ts": record.ts_us // 1000,
        "event": order_event,
        "order_id": record.order_id,
    }
    for key, value in (
        ("viewer_id", record.viewer_id),
        ("sku", record.sku),
        ("qty", record.quantity),
        ("amount", record.amount),
    ):
        if value is not None:
            item[key] = value
    return item


def freshness_json(freshness: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
    """Per family: `ts` (newest source time) and `received_at` (server time), ms since epoch."""
    return {
        family: {"ts": ts_us // 1000, "received_at": received_us // 1000}
        for family, (ts_us, received_us) in freshness.items()
    }


def control(message_type: str, /, **fields: Any) -> dict[str, Any]:
    return {"type": message_type, **fields}


def encode(message: dict[str, Any]) -> str:
    """A message's JSON text, encoded once and shared by every console that receives it.

    orjson refuses integers past 64 bits. The ingest ranges keep a show's sums far below that
    (contract §3: ~9 million events each at the largest amount), but a console is never to be
    dropped for it, so such a message is encoded by the standard library instead.
    """
    try:
        return orjson.dumps(message).decode()
    except orjson.JSONEncodeError:
        return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
