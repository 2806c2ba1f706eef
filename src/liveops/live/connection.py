"""One console's outbound side: a bounded queue of encoded frames and the task that sends them."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

SLOW_CONSOLE_CLOSE_CODE = 4008


class ConsoleConnection:
    """Frames are pushed without awaiting; a sender task writes them in order.

    Overflow rule (`disconnect-slow`): every frame of the stream must reach the console, and
    metric frames are already coalesced upstream, so a console whose queue passes `max_frames`
    has fallen hopelessly behind. It is closed with 4008 and resumes from its last position.
    """

    def __init__(self, send: Callable[[str], Awaitable[None]], *, max_frames: int) -> None:
        self._send = send
        self._queue: deque[str] = deque()
        self._max_frames = max_frames
        self._wakeup = asyncio.Event()
        self.overflowed = False
        self.closed = False
        self.close_code: int | None = None  # set when the server ends the connection
        self.position = -1  # the stream offset of the newest frame queued
        self._held: list[tuple[int, str]] | None = None

    def hold(self) -> None:
        """Keep live publications aside while the first frames are being fetched."""
        self._held = []

    def release(self) -> None:
        """Queue what was kept aside; the ones the first frames already covered are dropped."""
        held, self._held = self._held or [], None
        for offset, frame in held:
            self.push(frame, offset)

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
        if len(self._queue) >= self._max_frames:
            self.overflowed = True
            self.close_code = SLOW_CONSOLE_CLOSE_CODE
            self._queue.clear()
        else:
            self._queue.append(frame)
        self._wakeup.set()

    def close(self) -> None:
        self.closed = True
        self._wakeup.set()

    def close_with(self, code: int) -> None:
        """Ask the handler to close the socket with `code` (the console should reconnect)."""
        self.close_code = code
        self.close()

    async def run_sender(self) -> None:
        """Send until closed or overflowed; returns so the handler can close the socket."""
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue and not self.closed:
                await self._send(self._queue.popleft())
            if self.closed or self.overflowed:
                return
