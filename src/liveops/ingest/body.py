"""Decoding an ingest body: JSON in, a list of items out, with what a plain parser hides marked.

A plain parser silently takes the last of two equal keys (`"amount":1,"amount":999999`), reads
`NaN` and `Infinity` as numbers, and fails the whole body on one 5,000-digit integer. Each of
those is one producer's mistake in one item, so it is marked on that item, and validation
rejects the item alone (contract §3: partial acceptance, nothing lost).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from liveops.errors import PayloadError


class DuplicateKeys(dict[str, Any]):
    """A JSON object in which some key appeared more than once (the last value is kept)."""

    __slots__ = ("repeated",)

    def __init__(self, pairs: list[tuple[str, Any]], repeated: list[str]) -> None:
        super().__init__(pairs)
        self.repeated = repeated


class NotANumber:
    """`NaN`, `Infinity` or `-Infinity`: accepted by JavaScript's serializer, by no field here."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


class HugeInteger:
    """An integer too long to convert (Python refuses over 4,300 digits): out of every range."""

    __slots__ = ("digits",)

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"an integer of {len(self.digits)} digits"


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    repeated: set[str] = set()
    for key, _ in pairs:
        (repeated if key in seen else seen).add(key)
    return DuplicateKeys(pairs, sorted(repeated))


def _integer(digits: str) -> int | HugeInteger:
    try:
        return int(digits)
    except ValueError:
        return HugeInteger(digits)


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=NotANumber)
# Only when the body holds an integer too long to convert: a call per integer costs time.
_CAREFUL_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_constant=NotANumber, parse_int=_integer
)


def decode_events(body: bytes, max_events: int) -> list[Any]:
    """The `events` list of an ingest body, or PayloadError (422) saying what is wrong with it."""
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise PayloadError(f"the body is not UTF-8 text (byte {exc.start})") from None
    try:
        document = _decode(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(
            f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise PayloadError('the body must be a JSON object with an "events" list')
    if isinstance(document, DuplicateKeys):
        names = ", ".join(repr(k) for k in document.repeated)
        raise PayloadError(f"the body names {names} more than once; send each key once")
    events: list[Any] = document["events"]
    if len(events) > max_events:
        raise PayloadError(
            f"{len(events)} events in one request; the limit is {max_events}: split the batch"
        )
    return events


def _decode(text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        # "Exceeds the limit (4300 digits) for integer string conversion"
        return _CAREFUL_DECODER.decode(text)
    except RecursionError:
        # The standard parser's nesting limit is below orjson's (1,024 levels): parse again
        # with orjson, which loses only the duplicate-key check for this rare body.
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise PayloadError(f"the body is not valid JSON: {exc}") from None
