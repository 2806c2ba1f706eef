"""One limit for every request body, enforced before the body is held in memory.

An ASGI middleware, outermost, so that it also covers the reservation fast path (which answers
without the router). A declared `Content-Length` over the limit is answered 413 at once,
without reading a byte of the body; a body without one (chunked) is counted as it arrives and
cut off the moment it passes the limit: the application then sees the client as gone, and
the client gets the 413. What the client still sends is discarded by the server as it arrives
(the connection is not closed under it: a client still uploading would lose the answer).

Ingest (`POST /api/v1/shows/{id}/events`) takes batches of up to 5,000 events and has its own,
larger limit (`LIVEOPS_MAX_BODY_BYTES`); every other request has
`LIVEOPS_MAX_REQUEST_BODY_BYTES`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liveops import http_errors


def is_ingest(method: str, path: str) -> bool:
    parts = path.split("/")
    return (
        method == "POST"
        and len(parts) == 6
        and parts[:4] == ["", "api", "v1", "shows"]
        and bool(parts[4])
        and parts[5] == "events"
    )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None


def too_large(limit: int) -> http_errors.JsonAnswer:
    return http_errors.JsonAnswer(
        413,
        {
            "detail": f"the request body is over the limit of {limit} bytes",
            "code": "too_large",
        },
    )


class BodyLimit:
    def __init__(self, app: ASGIApp, *, default_bytes: int, ingest_bytes: int) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.ingest_bytes = ingest_bytes

    def limit_for(self, scope: Scope) -> int:
        if is_ingest(scope["method"], scope["path"]):
            return self.ingest_bytes
        return self.default_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit).response()(scope, receive, send)
            return

        received = 0
        over = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Nothing more is read; to the app the client has gone away.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # whatever the app makes of a vanished client, the answer is the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            # The app may raise on the "disconnect" it was handed (ClientDisconnect); that is
            # ours to answer. Anything else is a real error.
            if not over or started:
                raise
        if over and not started:
            await too_large(limit).response()(scope, receive, send)
