"""How errors read on the wire. One rendering, used by the app's exception handlers and by the
reservation fast path (inventory/fast_path.py), so a client sees the same body either way."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeout

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

# Every exception `for_exception` answers.
ANSWERED: tuple[type[Exception], ...] = (LiveOpsError, *STORAGE_UNREACHABLE, *ROLLED_BACK)


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
    if isinstance(exc, ROLLED_BACK):
        log.warning("transaction rolled back during %s: %s", during, exc)
        return rolled_back()
    if isinstance(exc, STORAGE_UNREACHABLE):
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


def invalid_request(errors: Sequence[Any]) -> JsonAnswer:
    """422 for a body or parameters that fail validation; `errors` as FastAPI reports them."""
    problems = []
    for err in errors:
        if err["type"] == "json_invalid":
            # The location is a character offset here, not a field.
            reason = err.get("ctx", {}).get("error", err["msg"])
            problems.append(f"the body is not valid JSON ({reason}, at character {err['loc'][-1]})")
            continue
        where = ".".join(str(p) for p in err["loc"] if p != "body") or "body"
        problems.append(f"{where}: {err['msg']}")
    return JsonAnswer(
        422, {"detail": "; ".join(problems), "code": "invalid_body", "errors": list(errors)}
    )
