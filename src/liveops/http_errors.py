"""How errors read on the wire. One rendering, used by the app's exception handlers and by the
reservation fast path (inventory/fast_path.py), so a client sees the same body either way."""

from __future__ import annotations

import logging
import math
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi.responses import JSONResponse
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    TimeoutError as PoolTimeout,
)

from liveops.errors import LiveOpsError

log = logging.getLogger("liveops")

# The database did not answer (or the pool had no connection free in time: overloaded, not
# gone, and the answer is the same: nothing was acknowledged; retry). The ingest hot path and
# the reservation desk talk to the drivers directly, so their own errors arrive unwrapped.
STORAGE_UNREACHABLE: tuple[type[Exception], ...] = (
    PoolTimeout,
    OperationalError,
    InterfaceError,
    OSError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    sqlite3.OperationalError,
)

# PostgreSQL broke a lock cycle or a serialization conflict by rolling the transaction back.
# Writers take locks in one order (inventory/repository.lock_items), so this is rare; nothing
# of the request was kept, and the same request succeeds when retried.
ROLLED_BACK: tuple[type[Exception], ...] = (asyncpg.exceptions.TransactionRollbackError,)

# Text PostgreSQL cannot store (a NUL, U+0000) that reached it: validation refuses control
# characters in every field LiveOps defines, so this is a client's input that slipped past a
# rule, not a fault of the server; the statement failed and nothing of the request was kept.
UNSTORABLE_TEXT: tuple[type[Exception], ...] = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)

# Every exception `for_exception` answers (a DBAPIError only when it wraps one of the above;
# any other is re-raised, a 500 as before).
ANSWERED: tuple[type[Exception], ...] = (
    LiveOpsError,
    *STORAGE_UNREACHABLE,
    *ROLLED_BACK,
    *UNSTORABLE_TEXT,
    DBAPIError,
)


def _caused_by(exc: BaseException, kinds: tuple[type[Exception], ...]) -> bool:
    """Whether `exc`, or what it wraps (SQLAlchemy wraps the driver's error twice), is one of
    `kinds`."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, kinds):
            return True
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return False


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] | None = None

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def for_exception(exc: Exception, during: str) -> JsonAnswer:
    """The answer to one of the `ANSWERED` exceptions, raised `during` (e.g. "POST /path")."""
    if isinstance(exc, LiveOpsError):
        return business(exc)
    if _caused_by(exc, UNSTORABLE_TEXT):
        log.warning("unstorable text during %s: %s", during, str(exc).splitlines()[0][:200])
        return JsonAnswer(
            422,
            {
                "detail": "a value holds a character that cannot be stored (NUL, U+0000): "
                "remove it; nothing of this request was kept",
                "code": "invalid_body",
            },
        )
    if isinstance(exc, ROLLED_BACK):
        log.warning("transaction rolled back during %s: %s", during, exc)
        return rolled_back()
    # SQLAlchemy wraps a connection cut in the middle of a commit as a bare DBAPIError around
    # the driver's error: look inside.
    if _caused_by(exc, STORAGE_UNREACHABLE):
        log.warning("storage unreachable during %s: %s", during, exc)
        return storage_unreachable()
    raise exc


def business(exc: LiveOpsError) -> JsonAnswer:
    return JsonAnswer(exc.status_code, {"detail": exc.message, "code": exc.code}, exc.headers)


def storage_unreachable() -> JsonAnswer:
    # Ingest acknowledges only after the commit, so a refused batch is never half-kept; if the
    # commit itself was cut off, retrying is still safe (ingest is idempotent).
    return JsonAnswer(
        503,
        {
            "detail": "the database did not answer, so this request was not acknowledged; "
            "retry it (retrying an ingest batch is always safe)",
            "code": "storage_unavailable",
        },
        {"Retry-After": "2"},
    )


def rolled_back() -> JsonAnswer:
    return JsonAnswer(
        503,
        {
            "detail": "the database rolled this request back to resolve a conflict with "
            "another one; nothing of it was kept: retry it",
            "code": "conflict_retry",
        },
        {"Retry-After": "1"},
    )


# An error body names what was wrong, never the whole input: each value quoted from the request
# is cut to this many characters, and at most this many problems are listed (with a count of
# the rest), so a 2 MiB body cannot come back as a 2 MiB answer.
EXCERPT_CHARS = 100
MAX_LISTED = 20
MESSAGE_CHARS = 300
_WHOLE_BODY = ("body",)
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "model_type", "dict_type"})


_SURROGATE = re.compile("[\ud800-\udfff]")


def cut(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of `text`, writable as UTF-8 (a JSON body may carry lone
    surrogates, which no answer can)."""
    text = text if len(text) <= limit else text[:limit] + "…"
    return _SURROGATE.sub("\ufffd", text)


def excerpt(value: Any) -> Any:
    """A short, JSON-safe stand-in for a value the client sent (bytes, huge numbers and
    containers included)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) < 2**53:  # exact in every JSON reader
            return value
        try:
            return cut(str(value))
        except ValueError:  # past Python's digit limit for int → str
            return "a number too large to show"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes):
        return cut(value[: EXCERPT_CHARS * 4].decode("utf-8", "replace"))
    if isinstance(value, str):
        return cut(value)
    if isinstance(value, dict):
        return f"an object with {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list | tuple):
        return f"an array of {len(value)} item{'s' if len(value) != 1 else ''}"
    return cut(type(value).__name__)


def _problem(err: Mapping[str, Any]) -> str:
    """One validation error as a sentence a person can act on."""
    loc = tuple(err.get("loc", ()))
    if err["type"] == "json_invalid":
        # The location is a character offset here, not a field.
        reason = cut(str(err.get("ctx", {}).get("error", err["msg"])))
        return f"the body is not valid JSON ({reason}, at character {loc[-1] if loc else 0})"
    if loc == _WHOLE_BODY and err["type"] in _NOT_AN_OBJECT and isinstance(err.get("input"), bytes):
        # FastAPI parses JSON only when the request says it is JSON; anything else arrives
        # here as raw bytes.
        return "the body must be a JSON object sent with Content-Type: application/json"
    if loc == _WHOLE_BODY and err["type"] == "missing":
        return "the body is missing: send a JSON object (Content-Type: application/json)"
    where = ".".join(cut(str(p)) for p in loc if p != "body") or "body"
    return f"{where}: {cut(str(err['msg']), MESSAGE_CHARS)}"


def _listed(err: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": cut(str(err["type"])),
        "loc": [p if isinstance(p, int) else cut(str(p)) for p in err.get("loc", ())][:10],
        "msg": cut(str(err["msg"]), MESSAGE_CHARS),
    }
    if "input" in err and err["type"] != "json_invalid":
        item["input"] = excerpt(err["input"])
    return item


def invalid_request(errors: Sequence[Any]) -> JsonAnswer:
    """422 for a body or parameters that fail validation; `errors` as FastAPI reports them.

    `detail` is one readable sentence per problem; `errors` lists them for programs (`loc`,
    `msg`, `type`, and `input`: a short excerpt of the offending value).
    """
    shown = errors[:MAX_LISTED]
    detail = "; ".join(_problem(err) for err in shown)
    if len(errors) > MAX_LISTED:
        detail += f" (and {len(errors) - MAX_LISTED} more problems)"
    return JsonAnswer(
        422, {"detail": detail, "code": "invalid_body", "errors": [_listed(e) for e in shown]}
    )


def unreadable_body(reason: str) -> JsonAnswer:
    """422 for a body that says it is JSON but cannot be decoded at all (not UTF-8, UTF-16
    gone wrong, a number past the parser's digit limit)."""
    return JsonAnswer(
        422, {"detail": f"the body is not valid JSON ({cut(reason)})", "code": "invalid_body"}
    )


def http_status(status: int, detail: str, headers: Mapping[str, str] | None = None) -> JsonAnswer:
    """Starlette's own refusals (no such route, method not allowed…) in the one format."""
    code = _HTTP_CODES.get(status, f"http_{status}")
    return JsonAnswer(
        status, {"detail": cut(detail, MESSAGE_CHARS), "code": code}, dict(headers or {}) or None
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}
