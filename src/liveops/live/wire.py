"""Writing encoded publications straight to a console's socket.

A publication is encoded once (`ShowStream.publish`); sending it through ASGI would then, for
every console, encode the text to UTF-8 again, frame it again and make one write of its own.
Server frames are never masked, so the framed bytes of a publication are the same for every
console: `text_frame` builds them once (cached by the frame's string), and `SocketWriter`
hands them to the console's transport, several queued frames in one write.

This needs the socket under the ASGI connection, which ASGI does not expose: `RawSendCapture`
keeps the server's own `send` in the scope, and `SocketWriter.of` accepts it only if it is
uvicorn's websockets (sans-I/O) protocol, whose state it checks before every write. Any other
server, or a uvicorn that changed, gets None and the console is served through ASGI as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Any

RAW_SEND_KEY = "liveops.raw_send"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@lru_cache(maxsize=256)
def text_frame(message: str) -> bytes:
    """RFC 6455 text frame, final, unmasked (server to client)."""
    payload = message.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


class SocketClosed(ConnectionError):
    """The console's socket closed (or is closing): nothing more can be written."""


class SocketWriter:
    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, raw_send: object) -> SocketWriter | None:
        protocol = getattr(raw_send, "__self__", None)
        if protocol is None or type(protocol).__name__ != "WebSocketsSansIOProtocol":
            return None
        needed = ("transport", "writable", "close_sent", "disconnected", "handshake_complete")
        if not all(hasattr(protocol, name) for name in needed):
            return None
        if not isinstance(protocol.writable, asyncio.Event):
            return None
        return cls(protocol)

    def _check_open(self) -> None:
        p = self._protocol
        if p.disconnected or p.close_sent or p.transport.is_closing():
            raise SocketClosed("the console's socket is closed")

    def can_write_now(self) -> bool:
        """Open, and the transport is not over its high-water mark (no waiting needed)."""
        p = self._protocol
        return (
            p.handshake_complete
            and p.writable.is_set()
            and not (p.disconnected or p.close_sent or p.transport.is_closing())
        )

    async def wait_writable(self) -> None:
        await self._protocol.writable.wait()
        self._check_open()

    def write(self, frames: Sequence[str]) -> None:
        """Hand the frames to the transport in one write. Raises SocketClosed when closed."""
        self._check_open()
        self._protocol.transport.writelines([text_frame(frame) for frame in frames])


class RawSendCapture:
    """ASGI middleware: keep the server's own `send` of a websocket in its scope (before any
    middleware wraps it), for `SocketWriter.of`."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[RAW_SEND_KEY] = send
        await self.app(scope, receive, send)
