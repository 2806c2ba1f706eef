"""One console's outbound side: a bounded queue of encoded frames and the task that sends them."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from liveops.live.close_codes import CloseCode
from liveops.live.wire import SocketWriter

# Offered by a console that accepts several messages per text frame, one per line.
NDJSON_SUBPROTOCOL = "liveops.ndjson"


class ConsoleConnection:
    """Frames are pushed without awaiting; a sender task writes them in order.

    Overflow rule (`disconnect-slow`): every frame of the stream must reach the console, and
    metric frames are already coalesced upstream, so a console whose queue passes `max_frames`
    or `max_bytes` (beyond the backlog it started with) has fallen hopelessly behind. It is
    closed with 4008 and resumes from its last position.

    Write rule: a console that negotiated `liveops.ndjson` (`batch_bytes` set) gets adaptive
    coalescing. When it is idle, a message goes out in a frame of its own at once; messages
    that queued while a write was under way leave together, joined by newlines, in one frame
    of at most `batch_bytes` (a bigger single message still goes alone). The cost per write,
    not per message, is what limits fan-out, so a busy show costs fewer writes per message
    instead of adding delay to a quiet one.
    """

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        *,
        max_frames: int,
        max_bytes: int = 8 * 1024 * 1024,
        batch_bytes: int | None = None,
        writer: SocketWriter | None = None,
        role: str = "admin",
    ) -> None:
        self._send = send
        self.role = role  # what it may see of the stream (live/channels.py)
        # With a socket writer, a frame is written at once, in the publisher's own call, when
        # the console is idle; what queued while its socket was full leaves in one write, each
        # message in a frame of its own (framed once for every console).
        self._writer = writer
        self._batch_bytes = batch_bytes
        self._queue: deque[str] = deque()
        self._max_frames = max_frames
        # A feed frame may carry hundreds of comments: frames alone do not bound memory.
        self._max_bytes = max_bytes
        self._queued_bytes = 0
        self._backlog_bytes = 0
        self._wakeup = asyncio.Event()
        # Set when the server ends the connection (overflow, close): the handler must act even
        # if the sender is stuck in a send that waits for a console that does not read.
        self.ended = asyncio.Event()
        self.overflowed = False
        self.closed = False
        self.close_code: CloseCode | None = None  # set when the server ends the connection
        self.position = -1  # the stream offset of the newest frame queued
        self._held: list[tuple[int, str]] | None = None
        self._backlog = 0  # first frames still queued
        self._admitting_backlog = False
        self._sending = False  # the sender runs: an idle console may be written to at once

    @property
    def writes_directly(self) -> bool:
        return self._writer is not None

    @property
    def queued_frames(self) -> int:
        """Frames waiting to be sent (a replay waits while this is high: live/replay.py)."""
        return len(self._queue)

    def hold(self) -> None:
        """Keep live publications aside while the first frames are being fetched."""
        self._held = []

    def release(self) -> None:
        """Queue what was kept aside; the ones the first frames already covered are dropped."""
        held, self._held = self._held or [], None
        for offset, frame in held:
            self.push(frame, offset)

    def push_backlog(self, frames: list[tuple[int | None, str]]) -> None:
        """Queue a console's first frames (snapshot, or the gap it resumes). They are bounded
        by the stream's history, and do not count against the lag allowed afterwards. They go
        ahead of the publications held meanwhile (`release` then drops the ones they cover):
        a console's first frame is its snapshot, never a publication after it."""
        held, self._held = self._held, None
        self._admitting_backlog = True
        try:
            for offset, frame in frames:
                self.push(frame, offset)
        finally:
            self._admitting_backlog = False
            self._held = held
        self._backlog = len(self._queue)
        self._backlog_bytes = self._queued_bytes

    def push(self, frame: str, offset: int | None = None) -> None:
        """Queue a frame. `offset` is the stream position the frame brings the console to
        (None for frames outside the stream, such as pong); a frame at or before the position
        already reached is dropped, so overlapping sources never deliver anything twice."""
        if self.closed or self.overflowed:
            return
        if self._held is not None and offset is not None:
            self._held.append((offset, frame))
            return
        if offset is not None:
            if offset <= self.position:
                return
            self.position = offset
        lag_frames = len(self._queue) - self._backlog
        lag_bytes = self._queued_bytes - self._backlog_bytes + len(frame)
        if not self._admitting_backlog and (
            lag_frames >= self._max_frames or lag_bytes > self._max_bytes
        ):
            self.overflowed = True
            self.close_code = CloseCode.TOO_SLOW
            self._queue.clear()
            self._queued_bytes = 0
            self.ended.set()
        else:
            writer = self._writer
            if (
                writer is not None
                and self._sending
                and not self._queue
                and not self._admitting_backlog
                and writer.can_write_now()
            ):
                try:
                    writer.write((frame,))  # idle: out at once, no task to wake
                except OSError:  # the socket went away: one console's end, not the broadcast's
                    self.close()
                return
            self._queue.append(frame)
            self._queued_bytes += len(frame)
        self._wakeup.set()

    def close(self) -> None:
        self.closed = True
        self._wakeup.set()
        self.ended.set()

    def close_with(self, code: CloseCode) -> None:
        """Ask the handler to close the socket with `code` (the console should reconnect)."""
        self.close_code = code
        self.close()

    async def run_sender(self) -> None:
        """Send until closed or overflowed; returns so the handler can close the socket.
        Raises when the socket is gone (SocketClosed, or the server's own error)."""
        writer = self._writer
        # The first frames (queued while attaching) leave together in the first write; only
        # then are frames written at once by whoever publishes them.
        self._sending = True
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue and not self.closed:
                if writer is None:
                    await self._send(self._next_frame())
                    continue
                await writer.wait_writable()
                if self.closed:
                    break
                frames = []
                while self._queue:
                    frames.append(self._next_frame())
                writer.write(frames)
            if self.closed or self.overflowed:
                return

    def _next_frame(self) -> str:
        first = self._pop()
        if self._batch_bytes is None or not self._queue:
            return first
        parts, size = [first], len(first)
        while self._queue and size + 1 + len(self._queue[0]) <= self._batch_bytes:
            message = self._pop()
            parts.append(message)
            size += 1 + len(message)
        return first if len(parts) == 1 else "\n".join(parts)

    def _pop(self) -> str:
        message = self._queue.popleft()
        self._queued_bytes -= len(message)
        if self._backlog:
            self._backlog -= 1
            self._backlog_bytes = max(0, self._backlog_bytes - len(message))
        return message
