"""`/api/v1/shows/{show_id}/live`: the console websocket of docs/protocol.md."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from redis.exceptions import RedisError
from starlette.websockets import WebSocketState

from liveops.auth.dependencies import SESSION_COOKIE, resolve_principal
from liveops.auth.principal import Action, allowed
from liveops.deps import runtime_of
from liveops.errors import LiveOpsError
from liveops.fields import is_printable
from liveops.live.close_codes import CloseCode
from liveops.live.connection import NDJSON_SUBPROTOCOL, ConsoleConnection
from liveops.live.messages import ReplayControl, replay_control
from liveops.live.protocol import control, encode, now_ms
from liveops.live.replay import Replay, ReplayError, parse_speed
from liveops.live.wire import RAW_SEND_KEY, SocketClosed, SocketWriter
from liveops.logs import connection_id_var, show_id_var
from liveops.runtime import Runtime
from liveops.shows import repository as shows_repository

router = APIRouter()
log = logging.getLogger("liveops.console")

CLOSE_WAIT_SECONDS = 30.0
REPLAY_CONTROLS_MAX = 32
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
    raw_speed = websocket.query_params.get("replay")
    if raw_speed is not None:
        await _serve_replay(websocket, rt, show_id, principal.role.value, raw_speed, batching)
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
    try:
        await _serve(connection, _receive(websocket, connection))
    finally:
        rt.live.detach(show_id, connection)
    code = connection.close_code
    if code is not None:
        rt.metrics.console_closes.labels(str(code)).inc()
    log.info("console closed at offset %d (server close code %s)", connection.position, code)
    await _close_with_code(websocket, connection)


async def _serve(
    connection: ConsoleConnection,
    *work: Coroutine[Any, Any, None],
    failure: str | None = None,
) -> None:
    """Send, and run `work` (receiving, a replay), until one of them ends or the server ends
    the connection; then stop them all and close the connection. With `failure`, a task that
    ended with an error is logged under that message."""
    tasks = {
        asyncio.create_task(connection.run_sender()),
        asyncio.create_task(connection.ended.wait()),
        *(asyncio.create_task(coroutine) for coroutine in work),
    }
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if failure and not task.cancelled() and isinstance(task.exception(), Exception):
                log.error(failure, exc_info=task.exception())
    finally:
        connection.close()
        for task in tasks:
            task.cancel()  # including a send stuck on a console that stopped reading
        for task in tasks:
            with contextlib.suppress(
                asyncio.CancelledError, WebSocketDisconnect, RuntimeError, SocketClosed
            ):
                await task


async def _close_with_code(websocket: WebSocket, connection: ConsoleConnection) -> None:
    code = connection.close_code
    if code is not None and websocket.client_state == WebSocketState.CONNECTED:
        reason = _CLOSE_REASONS.get(code, "")
        # The close frame waits behind what the console has not read yet and goes out when it
        # reads again. Nothing more is queued meanwhile, so waiting costs one idle task; a
        # console that never reads again is dropped by the keepalive timeout (~40 s) anyway.
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, TimeoutError):
            await asyncio.wait_for(websocket.close(code, reason), CLOSE_WAIT_SECONDS)


async def _serve_replay(
    websocket: WebSocket,
    rt: Runtime,
    show_id: str,
    role: str,
    raw_speed: str,
    batching: bool,
) -> None:
    """`?replay=SPEED`: play the ended show again to this console alone (live/replay.py)."""
    try:
        speed = parse_speed(raw_speed)
    except ReplayError as exc:
        await websocket.close(CloseCode.BAD_REPLAY, str(exc)[:120])
        return
    async with rt.read() as session:
        show = await shows_repository.get(session, show_id)
    if show is None:
        await websocket.close(CloseCode.NO_SUCH_SHOW, f"no show with id {show_id}")
        return
    if show.ended_at is None:
        await websocket.close(CloseCode.NOT_ENDED, "only an ended show can be replayed")
        return
    settings = rt.settings
    connection = ConsoleConnection(
        websocket.send_text,
        role=role,
        max_frames=settings.console_queue_max_frames,
        max_bytes=settings.console_queue_max_bytes,
        batch_bytes=settings.console_frame_max_bytes if batching else None,
    )
    replay = Replay(
        show=show,
        sessionmaker=rt.read_sessionmaker,
        settings=settings,
        connection=connection,
        speed=speed,
    )
    await replay.prepare()
    show_id_var.set(show_id)
    connection_id_var.set(secrets.token_hex(4))
    log.info("replay open (%s) at %gx", role, speed)
    controls: asyncio.Queue[ReplayControl] = asyncio.Queue(maxsize=REPLAY_CONTROLS_MAX)
    try:
        await _serve(
            connection,
            _receive(websocket, connection, controls),
            replay.run(controls),
            failure="replay failed",
        )
    finally:
        replay.close()
    log.info("replay closed")
    await _close_with_code(websocket, connection)


async def _receive(
    websocket: WebSocket,
    connection: ConsoleConnection,
    replay_controls: asyncio.Queue[ReplayControl] | None = None,
) -> None:
    """Answer console frames until the console goes away. Replies go through the connection's
    queue so that exactly one task ever writes to the socket. On a replay, `replay.*` frames
    steer it (at most REPLAY_CONTROLS_MAX waiting; more are refused)."""
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
        kind = frame.get("type") if isinstance(frame, dict) else None
        if not isinstance(frame, dict):
            reply = control("error", code="bad_frame", message="frames must be JSON objects")
        elif kind == "ping":
            reply = control("pong", server_time=now_ms())
        elif isinstance(kind, str) and kind.startswith("replay.") and replay_controls is not None:
            try:
                replay_controls.put_nowait(replay_control.validate_python(frame))
                continue
            except ValidationError as exc:
                reason = "; ".join(error["msg"] for error in exc.errors())
                reply = control("error", code="bad_frame", message=f"bad {kind} frame: {reason}")
            except asyncio.QueueFull:
                reply = control("error", code="bad_frame", message="too many replay frames")
        else:
            reply = control("error", code="unknown_type", message=f"unknown frame type {kind!r}")
        connection.push(encode(reply))
