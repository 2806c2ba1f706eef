"""The pure ingest edge: decoding a body and validating items, as tables (contract §3)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from liveops.errors import PayloadError
from liveops.events import to_micros
from liveops.ingest.body import decode_events
from liveops.ingest.service import CONTRACT_TS_LIMITS
from liveops.ingest.validation import (
    EXTRA_MAX_BYTES,
    QUARANTINE_EXCERPT_BYTES,
    ValidatedBatch,
    validate_items,
)

CREATED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOW = CREATED + timedelta(hours=2)
WINDOW = CONTRACT_TS_LIMITS.window(CREATED, None, NOW)
TS = "2026-12-01T12:30:00Z"


def validate(*items: Any) -> ValidatedBatch:
    return validate_items(list(items), received_at_us=to_micros(NOW), window=WINDOW)


def base(kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": "e1", "type": kind, "ts": TS, **fields}


GOOD: list[dict[str, Any]] = [
    base("viewer.join", viewer_id="v", channel="recommend", tier="vip"),
    base("viewer.leave", viewer_id="v"),
    base("viewer.count", online=10**9),
    base("comment", viewer_id="v", text="有XL吗" * 100),
    base("like", count=10**9),
    base("share", viewer_id="v"),
    base("follow", viewer_id="v"),
    base("gift", viewer_id="v", gift="rose", value=10**12),
    base("product.impression", sku="S", count=1),
    base("product.click", viewer_id="v", sku="S"),
    base("cart.add", viewer_id="v", sku="S", qty=1),
    base("order.created", order_id="o", viewer_id="v", sku="S", qty=2, amount=0),
    base("order.paid", order_id="o", amount=10**12),
    base("order.cancelled", order_id="o"),
    base("order.refunded", order_id="o", amount=1),
    base("stock.set", sku="S", available=10**9),
    base("stream.health", bitrate_kbps=3000, fps=29.97, latency_ms=800, stall_ratio=0.0),
    base("transcript", text="这款面霜今天只要99元"),
    base("comment", viewer_id="v", text="ok", ts="2026-12-01 12:30:00.123456789+08:00"),
    base("comment", viewer_id="v", text="ok", ts="2026-12-01T04:30:00+00:00"),
    base("comment", viewer_id="v", text="ok", ts="2026-12-01t12:30:00.5z"),
    # At the window's edges: 7 days before creation, 90 days after now (the show runs).
    base("like", count=1, ts="2026-11-24T12:00:00Z"),
    base("like", count=1, ts="2027-03-01T14:00:00Z"),
]


@pytest.mark.parametrize("item", GOOD, ids=[f"{i['type']}-{n}" for n, i in enumerate(GOOD)])
def test_valid_items_are_accepted(item: dict[str, Any]) -> None:
    batch = validate(item)
    assert batch.rejections == []
    assert len(batch.records) == 1
    assert orjson.loads(batch.payloads[0]) == item


BIG = 2**63
BAD: list[tuple[dict[str, Any], str]] = [
    # Ranges: every sum over a show must stay exact in 64 bits.
    (base("gift", viewer_id="v", gift="r", value=BIG - 1), "less than or equal to 1000000000000"),
    (base("gift", viewer_id="v", gift="r", value=10**12 + 1), "less than or equal to"),
    (base("order.paid", order_id="o", amount=2**64 - 1), "less than or equal to"),
    (base("order.paid", order_id="o", amount=-1), "greater than or equal to 0"),
    (base("like", count=10**9 + 1), "less than or equal to 1000000000"),
    (base("stock.set", sku="S", available=2**31), "less than or equal to 1000000000"),
    (base("viewer.count", online=BIG), "less than or equal to"),
    (base("stream.health", bitrate_kbps=BIG, fps=1, latency_ms=1, stall_ratio=0), "less than"),
    (base("stream.health", bitrate_kbps=1, fps="30", latency_ms=1, stall_ratio=0), "number"),
    (base("order.paid", order_id="o", amount=990.0), "valid integer"),
    (base("order.paid", order_id="o", amount=True), "valid integer"),
    # Identifiers: no control characters (PostgreSQL cannot hold NUL).
    ({**base("follow", viewer_id="v"), "id": "a\x00b"}, "control characters"),
    (base("follow", viewer_id="v\x00"), "viewer_id: must not contain control characters"),
    (base("follow", viewer_id="v\n"), "control characters"),
    (base("product.click", viewer_id="v", sku="S\x7f"), "sku: must not contain control"),
    ({**base("follow", viewer_id="v"), "source": "a\x00"}, "source: must not contain"),
    ({**base("follow", viewer_id="v"), "id": "x" * 129}, "at most 128 characters"),
    # Timestamps: RFC 3339 strings only, within the show's window.
    (base("follow", viewer_id="v", ts=1764590000), "RFC 3339 timestamp string"),
    (base("follow", viewer_id="v", ts="1764590000"), "RFC 3339 timestamp string with a time"),
    (base("follow", viewer_id="v", ts="2026-02-30T00:00:00Z"), "ts: no such date or time"),
    (base("follow", viewer_id="v", ts="2026-12-01T24:00:00Z"), "ts: no such date or time"),
    (base("follow", viewer_id="v", ts="2026-12-01"), "RFC 3339"),
    (base("follow", viewer_id="v", ts="2026-12-01T12:00:00"), "RFC 3339"),
    (base("follow", viewer_id="v", ts="0001-01-01T00:00:00Z"), "outside this show's window"),
    (base("follow", viewer_id="v", ts="9999-12-31T23:59:59Z"), "outside this show's window"),
    (base("follow", viewer_id="v", ts="2026-11-24T11:59:59Z"), "at most 7 days before"),
    (base("follow", viewer_id="v", ts="2027-03-01T14:00:01Z"), "at most 90 days after"),
    # Shapes.
    ("just text", "must be a JSON object, got string"),
    ({"id": "e", "ts": TS}, "missing field 'type'"),
    (base("teleport"), "unknown type 'teleport'"),
    ({**base("follow", viewer_id="v"), "type": ["follow"]}, "unknown type"),
    (base("comment", viewer_id="v", text="刷" * 501), "at most 500 characters"),
    (base("comment", viewer_id="v", text="\ud800"), "unable to parse raw data as a unicode"),
]


@pytest.mark.parametrize(("item", "reason"), BAD, ids=[r for _, r in BAD])
def test_invalid_items_are_rejected_with_their_reason(item: Any, reason: str) -> None:
    batch = validate(item)
    assert batch.records == []
    [rejection] = batch.rejections
    assert reason in rejection.error, rejection.error
    assert "\x00" not in rejection.error
    assert len(rejection.error) < 600


def test_one_bad_item_costs_only_itself() -> None:
    good = base("follow", viewer_id="v")
    batch = validate(good, base("gift", viewer_id="v", gift="r", value=BIG), {**good, "id": "e2"})
    assert [r.event_id for r in batch.records] == ["e1", "e2"]
    assert [r.index for r in batch.rejections] == [1]


def test_a_rejected_id_is_quoted_back_printable() -> None:
    [rejection] = validate({**base("follow", viewer_id="v"), "id": "a\x00\ud800"}).rejections
    assert rejection.event_id == "a\N{REPLACEMENT CHARACTER}?"
    rejection.event_id.encode()  # encodable, so it can be stored and sent


def test_small_fields_outside_the_contract_are_kept() -> None:
    item = {**base("follow", viewer_id="v"), "room": "r1", "meta": {"a": [1, 2]}}
    batch = validate(item)
    assert orjson.loads(batch.payloads[0]) == item
    assert batch.warnings == []


@pytest.mark.parametrize(
    "junk",
    [
        "x" * (EXTRA_MAX_BYTES + 1),
        # Nested past what any encoder takes: it used to fail the whole batch.
        functools.reduce(lambda inner, _: [inner], range(300), 0),
        "\udc00",  # a lone surrogate: no text column or encoder takes it
    ],
    ids=["large", "deep", "surrogate"],
)
def test_large_or_deep_fields_outside_the_contract_are_dropped_with_a_warning(junk: Any) -> None:
    item = {**base("follow", viewer_id="v"), "junk": junk}
    batch = validate(item)
    assert batch.rejections == []
    assert orjson.loads(batch.payloads[0]) == base("follow", viewer_id="v")
    [warning] = batch.warnings
    assert "'junk'" in warning.warning


def test_a_rejected_item_is_quarantined_as_an_excerpt() -> None:
    item = base("comment", viewer_id="v", text="刷" * 10_000_000)
    [rejection] = validate(item).rejections
    assert len(rejection.excerpt) < QUARANTINE_EXCERPT_BYTES + 100
    assert "characters in all" in rejection.excerpt
    assert len(rejection.error) < 300


def test_an_ended_show_takes_events_90_days_after_its_end() -> None:
    ended = CREATED + timedelta(hours=3)
    window = CONTRACT_TS_LIMITS.window(CREATED, ended, ended + timedelta(days=200))
    assert window.refuses(to_micros(ended + timedelta(days=90))) is None
    refusal = window.refuses(to_micros(ended + timedelta(days=90, seconds=1)))
    assert refusal is not None
    assert "after it ended" in refusal


# ---- decoding the body ---------------------------------------------------------------------


def body(*items: str) -> bytes:
    return ('{"events": [' + ", ".join(items) + "]}").encode()


def raw(event_id: str, kind: str, fields: str) -> str:
    """One item as JSON text, `fields` written as they are (which a dict could not hold)."""
    return '{"id": "' + event_id + '", "type": "' + kind + '", "ts": "' + TS + '", ' + fields + "}"


FOLLOW = raw("e1", "follow", '"viewer_id": "v"')


def test_a_key_given_twice_marks_its_item_alone() -> None:
    paid = raw("e2", "order.paid", '"order_id": "o", "amount": 1, "amount": 999999')
    batch = validate(*decode_events(body(FOLLOW, paid), 5000))
    assert [r.event_id for r in batch.records] == ["e1"]
    assert "names 'amount' more than once" in batch.rejections[0].error


def test_a_second_events_key_is_refused_rather_than_dropping_the_first() -> None:
    with pytest.raises(PayloadError, match="'events' more than once"):
        decode_events(b'{"events": [{"id": "a"}], "events": []}', 5000)


@pytest.mark.parametrize(
    ("literal", "reason"),
    [("NaN", "NaN"), ("Infinity", "Infinity"), ("1" * 5000, "an integer of 5000 digits")],
)
def test_numbers_no_field_takes_are_rejected_per_item(literal: str, reason: str) -> None:
    bad = raw("e2", "order.paid", '"order_id": "o", "amount": ' + literal)
    batch = validate(*decode_events(body(FOLLOW, bad), 5000))
    assert [r.event_id for r in batch.records] == ["e1"]
    assert reason in batch.rejections[0].error


def test_deep_nesting_within_the_parsers_reach_is_one_items_problem() -> None:
    deep = raw("e2", "follow", '"viewer_id": "v", "x": ' + "[" * 1000 + "]" * 1000)
    batch = validate(*decode_events(body(FOLLOW, deep), 5000))
    assert [r.event_id for r in batch.records] == ["e1", "e2"]
    assert len(batch.warnings) == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", '"events" list'),
        (b'{"events": {}}', '"events" list'),
        (b'{"events": [' + b"[" * 5000 + b"]" * 5000 + b"]}", "not valid JSON"),
    ],
)
def test_a_body_that_is_no_batch_is_refused_whole(raw: bytes, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        decode_events(raw, 5000)
