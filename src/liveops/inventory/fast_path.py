"""`POST /api/v1/shows/{show_id}/stock/{sku}/reservations` without FastAPI's per-request work.

A flash sale is this one request, thousands of times a second. Through FastAPI it cost a worker
about 270 µs of CPU, most of it matching the path against every route, solving dependencies
and layering validation and serialization; the decision itself is a small part of that. This
ASGI middleware answers exactly that method and path shape itself, with the same
authentication, permission check, body rules, answers and error bodies as the FastAPI route,
and hands every other request on untouched. The route stays: it documents the endpoint in
the OpenAPI schema, and serves it when `LIVEOPS_RESERVATION_FAST_PATH=false`.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from liveops import http_errors
from liveops.auth.dependencies import resolve_principal
from liveops.errors import PayloadTooLarge
from liveops.inventory.router import SKU_MAX_CHARS, decide_reservation
from liveops.inventory.schemas import ReservationRequest
from liveops.runtime import Runtime

# A reservation body is under 300 bytes; nothing legitimate comes near this.
MAX_BODY_BYTES = 16 * 1024

_JSON = (b"content-type", b"application/json")
# What FastAPI answers for a missing body, reproduced so the two paths agree.
_MISSING_BODY = [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]


def reservation_target(path: str) -> tuple[str, str] | None:
    """(show_id, sku) when `path` is a reservation request this path answers; None hands it
    to the router (which then answers any odd shape, such as an over-long SKU, as it would)."""
    parts = path.split("/")
    if (
        len(parts) != 8
        or parts[0] != ""
        or parts[1:4] != ["api", "v1", "shows"]
        or parts[5] != "stock"
        or parts[7] != "reservations"
    ):
        return None
    show_id, sku = parts[4], parts[6]
    if not show_id or not 1 <= len(sku) <= SKU_MAX_CHARS:
        return None
    return show_id, sku


class _Disconnected(Exception):
    """The client went away before its body arrived: there is nothing to decide or answer."""


class ReservationFastPath:
    def __init__(self, app: ASGIApp, *, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        target = reservation_target(scope["path"])
        runtime = (scope.get("state") or {}).get("runtime")
        if target is None or runtime is None:
            await self.app(scope, receive, send)
            return
        show_id, sku = target
        try:
            answer = await _reserve(runtime, scope, receive, show_id, sku)
        except _Disconnected:
            return
        except http_errors.ANSWERED as exc:
            answer = http_errors.for_exception(exc, f"POST {scope['path']}")
        await _send_json(send, answer)


async def _reserve(
    rt: Runtime, scope: Scope, receive: Receive, show_id: str, sku: str
) -> http_errors.JsonAnswer:
    # In the route's order: the token, then the body, then the permission (in the decision).
    principal = await resolve_principal(rt, HTTPConnection(scope))
    raw = await _read_body(receive)
    if not raw:
        return http_errors.invalid_request(_MISSING_BODY)
    try:
        data = _parse(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as bad:
        return http_errors.invalid_request([_json_report(bad)])
    try:
        # Validated from Python objects, as FastAPI does, so that every error reads the same.
        request = ReservationRequest.model_validate(data, from_attributes=True)
    except ValidationError as exc:
        return http_errors.invalid_request(
            [{**err, "loc": ["body", *err["loc"]]} for err in exc.errors(include_url=False)]
        )
    status, answer = await decide_reservation(rt, principal, show_id, sku, request)
    return http_errors.JsonAnswer(status, answer.model_dump())


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"a reservation body is at most {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _parse(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        # orjson refuses a few things Python's json accepts (integers past 64 bits, NaN);
        # the route uses Python's json, so that one decides.
        return json.loads(raw)


def _json_report(bad: ValueError) -> dict[str, Any]:
    """A body that is not JSON, reported as the FastAPI route reports it."""
    return {
        "type": "json_invalid",
        "loc": ["body", getattr(bad, "pos", 0)],
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": getattr(bad, "msg", str(bad))},
    }


async def _send_json(send: Send, answer: http_errors.JsonAnswer) -> None:
    payload = orjson.dumps(answer.body, default=str)
    raw_headers = [_JSON, (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (answer.headers or {}).items()]
    await send({"type": "http.response.start", "status": answer.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
