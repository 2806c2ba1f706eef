"""Slow-client protection for uvicorn: a deadline for request heads, a cap per client address.

uvicorn has no header-read timeout (a connection that trickles one header line every few
seconds is kept for ever) and only a global `limit_concurrency`, so ~20,000 such connections
from one machine exhaust the file descriptors and every other client's requests fail. The
protocols here subclass uvicorn's HTTP protocols to

- close a connection whose request head is not complete `header_timeout` seconds after it
  connected, or after the first byte of a later keep-alive request (answering 408 when no
  response is in progress), and
- refuse (503, then close) a connection from an address that already holds
  `max_per_client` open connections, HTTP or upgraded to a websocket; 0 means no cap.

`protocol_factory` gives uvicorn's `Config(http=…)`: a `functools.partial` of a module-level
class, so that it survives the pickling of `uvicorn.run(workers=N)`. Counts are kept per
server (its `ServerState`), so that servers in one process (tests) do not share them.
See docs/deployment.md for what to set behind a proxy.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.utils import get_remote_addr
from uvicorn.server import ServerState

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - uvicorn without httptools
    HttpToolsProtocol = None  # type: ignore[assignment, misc]


def _plain(status: str, text: str) -> bytes:
    """A whole response that closes the connection, written before any request was read."""
    body = text.encode()
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


_TIMEOUT_RESPONSE = _plain("408 Request Timeout", "request head not received in time\n")
_REFUSED_RESPONSE = _plain("503 Service Unavailable", "too many connections from your address\n")


class ClientCounts:
    """Open connections per client address, for one server."""

    def __init__(self) -> None:
        self._open: dict[str, int] = {}

    def acquire(self, client: str, limit: int) -> bool:
        held = self._open.get(client, 0)
        if limit and held >= limit:
            return False
        self._open[client] = held + 1
        return True

    def release(self, client: str) -> None:
        held = self._open.get(client, 0) - 1
        if held > 0:
            self._open[client] = held
        else:
            self._open.pop(client, None)

    def open(self, client: str) -> int:
        return self._open.get(client, 0)

    def total(self) -> int:
        return sum(self._open.values())


_COUNTS: weakref.WeakKeyDictionary[ServerState, ClientCounts] = weakref.WeakKeyDictionary()


def counts_of(server_state: ServerState) -> ClientCounts:
    """The per-address counts of the server that owns `server_state` (for tests and metrics)."""
    counts = _COUNTS.get(server_state)
    if counts is None:
        counts = _COUNTS[server_state] = ClientCounts()
    return counts


class _Slot:
    """One connection's place in its address's count, released exactly once."""

    __slots__ = ("_client", "_counts")

    def __init__(self, counts: ClientCounts | None, client: str) -> None:
        self._counts = counts
        self._client = client

    def release(self) -> None:
        if self._counts is not None:
            self._counts.release(self._client)
            self._counts = None


class _Limits:
    """What the protocols below add to uvicorn's. Mixed in before the uvicorn class."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    server_state: ServerState

    def __init__(
        self, *args: Any, header_timeout: float, max_per_client: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = header_timeout
        self._max_per_client = max_per_client
        self._head_deadline: asyncio.TimerHandle | None = None
        self._slot = _Slot(None, "")

    # The uvicorn protocol comes after this class in the MRO: `super()` reaches it.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        if self._admit():
            self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()
        super().connection_lost(exc)  # type: ignore[misc]

    def _admit(self) -> bool:
        """Count this connection against its address; False (and answered) when over the cap."""
        remote = get_remote_addr(self.transport)
        client = remote[0] if remote else ""
        counts = counts_of(self.server_state)
        if not counts.acquire(client, self._max_per_client):
            self.transport.write(_REFUSED_RESPONSE)
            self.transport.close()
            return False
        self._slot = _Slot(counts, client)
        return True

    def _await_head(self) -> None:
        if self._head_deadline is None and not self.transport.is_closing():
            self._head_deadline = self.loop.call_later(self._header_timeout, self._head_too_late)

    def _head_received(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _responding(self) -> bool:
        raise NotImplementedError

    def _head_too_late(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing():
            return
        if not self._responding():
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()

    def _forget(self) -> None:
        self._head_received()
        self._slot.release()

    def _hand_over(self) -> None:
        """After an upgrade: the websocket protocol now owns the socket, and the slot with it.

        Its class stays uvicorn's own (live/wire.py recognises it by name); only this instance's
        `connection_lost` is wrapped to release the slot.
        """
        self._head_received()
        upgraded: Any = self.transport.get_protocol()
        if upgraded is self:
            return
        slot, self._slot = self._slot, _Slot(None, "")
        lost: Callable[[Exception | None], None] = upgraded.connection_lost

        def connection_lost(exc: Exception | None) -> None:
            try:
                lost(exc)
            finally:
                slot.release()

        upgraded.connection_lost = connection_lost


if HttpToolsProtocol is not None:

    class LimitedHttpToolsProtocol(_Limits, HttpToolsProtocol):
        """uvicorn's httptools protocol (the one `uvicorn[standard]` runs) with the limits."""

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._await_head()

        def on_headers_complete(self) -> None:
            self._head_received()
            super().on_headers_complete()

        def handle_websocket_upgrade(self) -> None:
            super().handle_websocket_upgrade()
            self._hand_over()

        def _responding(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete


class LimitedH11Protocol(_Limits, H11Protocol):
    """uvicorn's h11 protocol (when httptools is not installed) with the same limits."""

    def handle_events(self) -> None:
        super().handle_events()
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return
        # h11 waits for a request head while its peer is IDLE; bytes already buffered mean
        # one has begun (a fresh connection's deadline runs from connection_made).
        if self.conn.their_state is not h11.IDLE:
            self._head_received()
        elif self.conn.trailing_data[0]:
            self._await_head()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        super().handle_websocket_upgrade(event)
        self._hand_over()

    def _responding(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete


def protocol_factory(header_timeout: float, max_per_client: int) -> Callable[..., asyncio.Protocol]:
    """What to pass as `uvicorn.Config(http=…)`: httptools when installed, else h11."""
    protocol: Callable[..., asyncio.Protocol] = (
        LimitedHttpToolsProtocol if HttpToolsProtocol is not None else LimitedH11Protocol
    )
    return functools.partial(protocol, header_timeout=header_timeout, max_per_client=max_per_client)
