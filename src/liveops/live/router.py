"""`/api/v1/shows/{show_id}/live`: the console websocket of docs/protocol.md."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError
from starlette.websockets import WebSocketState

from liveops.auth.dependencies import SESSION_COOKIE, resolve_principal
from liveops.auth.principal import Action, allowed
from liveops.deps import runtime_of
from liveops.errors import LiveOpsError
from liveops.fields import is_printable
from liveops.live.close_codes import CloseCode
from liveops.live.connection import NDJSON_SUBPROTOCOL, ConsoleConnection
from liveops.live.protocol import control, encode, now_ms
from liveops.live.wire import RAW_SEND_KEY, SocketClosed, SocketWriter
from liveops.logs import connection_id_var, show_id_var

router = APIRouter()
log = logging.getLogger("liveops.console")

CLOSE_WAIT_SECONDS = 30.0
_CLOSE_REASONS = {
    CloseCode.TOO_SLOW: "console too slow; resume from your position",
    CloseCode.SERVICE_RESTART: "stream restarted; reconnect and resume",
}


def origin_allowed(websocket: WebSocket, allowed_origins: list[str]) -> bool:
    """Cookie-authenticated handshakes must come from our own pages (no cross-site hijacking)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return False
    if origin in allowed_origins:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


@router.websocket("/{show_id}/live")
async def live_console(websocket: WebSocket, show_id: str) -> None:
    rt = runtime_of(websocket)
    batching = NDJSON_SUBPROTOCOL in websocket.scope.get("subprotocols", ())
    await websocket.accept(subprotocol=NDJSON_SUBPROTOCOL if batching else None)
    try:
        principal = await resolve_principal(rt, websocket)
    except LiveOpsError as exc:
        await websocket.close(CloseCode.UNAUTHENTICATED, exc.message[:120])
        return
    uses_cookie = "authorization" not in websocket.headers and SESSION_COOKIE in websocket.cookies
    if uses_cookie and not origin_allowed(websocket, rt.settings.allowed_origins):
        await websocket.close(CloseCode.POLICY_VIOLATION, "cross-origin websocket refused")
        return
    if not allowed(principal, Action.LIVE_READ, show_id):
        await websocket.close(CloseCode.FORBIDDEN, "this token may not read this show")
        return
    if not is_printable(show_id):  # no show has such an id, and PostgreSQL cannot look it up
        await websocket.close(CloseCode.NO_SUCH_SHOW, "no show has an id with control characters")
        return
    epoch = websocket.query_params.get("epoch")
    raw_offset = websocket.query_params.get("offset")
    try:
        offset = None if raw_offset is None else int(raw_offset)
    except ValueError:
        await websocket.close(CloseCode.BAD_POSITION, "offset must be an integer")
        return
    connection = ConsoleConnection(
        websocket.send_text,
        role=principal.role.value,
        max_frames=rt.settings.console_queue_max_frames,
        max_bytes=rt.settings.console_queue_max_bytes,
        batch_bytes=rt.settings.console_frame_max_bytes if batching else None,
        writer=SocketWriter.of(websocket.scope.get(RAW_SEND_KEY))
        if rt.settings.console_direct_writes
        else None,
    )
    show_id_var.set(show_id)
    connection_id_var.set(secrets.token_hex(4))
    try:
        outcome = await rt.live.attach(show_id, connection, epoch, offset)
    except (TimeoutError, RedisError) as exc:
        # No aggregator could serve the show in time (Redis unreachable, or a takeover under
        # way): the console retries with backoff and will be served.
        log.warning("console could not start: %s", exc)
        await websocket.close(
            CloseCode.TRY_AGAIN_LATER, "the show's live state is not ready; retry shortly"
        )
        return
    if outcome is None:
        await websocket.close(CloseCode.NO_SUCH_SHOW, f"no show with id {show_id}")
        return
    if outcome != "snapshot":
        rt.metrics.console_resumes.labels(outcome).inc()
    log.info(
        "console open (%s, %s, %s writes) from position %s/%s",
        principal.role,
        outcome,
        "direct" if connection.writes_directly else "asgi",
        epoch,
        offset,
    )
    tasks = {
        asyncio.create_task(connection.run_sender()),
        asyncio.create_task(_receive(websocket, connection)),
        asyncio.create_task(connection.ended.wait()),
    }
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        rt.live.detach(show_id, connection)
        connection.close()
        for task in tasks:
            task.cancel()  # including a send stuck on a console that stopped reading
        for task in tasks:
            with contextlib.suppress(
                asyncio.CancelledError, WebSocketDisconnect, RuntimeError, SocketClosed
            ):
                await task
    code = connection.close_code
    if code is not None:
        rt.metrics.console_closes.labels(str(code)).inc()
    log.info("console closed at offset %d (server close code %s)", connection.position, code)
    if code is not None and websocket.client_state == WebSocketState.CONNECTED:
        reason = _CLOSE_REASONS.get(code, "")
        # The close frame waits behind what the console has not read yet and goes out when it
        # reads again. Nothing more is queued meanwhile, so waiting costs one idle task; a
        # console that never reads again is dropped by the keepalive timeout (~40 s) anyway.
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, TimeoutError):
            await asyncio.wait_for(websocket.close(code, reason), CLOSE_WAIT_SECONDS)


async def _receive(websocket: WebSocket, connection: ConsoleConnection) -> None:
    """Answer console frames until the console goes away. Replies go through the connection's
    queue so that exactly one task ever writes to the socket."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None and message.get("bytes") is not None:
            raw = message["bytes"].decode(errors="replace")
        try:
            frame = orjson.loads(raw or "")
        except orjson.JSONDecodeError:
            frame = None
        if not isinstance(frame, dict):
            reply = control("error", code="bad_frame", message="frames must be JSON objects")
        elif frame.get("type") == "ping":
            reply = control("pong", server_time=now_ms())
        else:
            kind = frame.get("type")
            reply = control("error", code="unknown_type", message=f"unknown frame type {kind!r}")
        connection.push(encode(reply))
