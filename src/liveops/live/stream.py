"""A show's stream: positions and a bounded history for resume. Pure: no I/O, no clock."""

from __future__ import annotations

import secrets
from collections import deque
from typing import Any

from liveops.live.channels import Audience
from liveops.live.protocol import encode

# (offset, frame, audience): a publication as the history keeps it.
Publication = tuple[int, str, Audience]


class ShowStream:
    """Stamps publications with (epoch, offset), encodes them once, keeps the last N frames.

    The epoch is new for every stream object, i.e. every time a process rebuilds the show's
    live state: positions from an earlier epoch can never be resumed, only resynced.
    """

    def __init__(
        self,
        history_size: int,
        epoch: str | None = None,
        offset: int = 0,
        *,
        history_bytes: int | None = None,
    ) -> None:
        """The history keeps at most `history_size` frames and, if given, `history_bytes` of
        them (the newest frame is always kept): a show of big feed frames must not hold
        thousands of them in memory."""
        self.epoch = epoch or secrets.token_hex(6)
        self.offset = offset  # the position of the newest publication (0: none yet)
        self._history: deque[Publication] = deque()
        self._max_frames = history_size
        self._max_bytes = history_bytes
        self._bytes = 0

    def publish(self, message: dict[str, Any], audience: Audience = None) -> str:
        """Give `message` the next position and return its encoded frame (shared by every
        console in `audience`; live/channels.py)."""
        self.offset += 1
        message["epoch"] = self.epoch
        message["offset"] = self.offset
        frame = encode(message)
        history = self._history
        history.append((self.offset, frame, audience))
        self._bytes += len(frame)
        while len(history) > 1 and (
            len(history) > self._max_frames
            or (self._max_bytes is not None and self._bytes > self._max_bytes)
        ):
            self._bytes -= len(history.popleft()[1])
        return frame

    def since(self, epoch: str, offset: int) -> list[Publication] | None:
        """Every publication after `offset`, or None when that position cannot be resumed
        exactly (another epoch, or pushed out of the history)."""
        if epoch != self.epoch or offset < 0 or offset > self.offset:
            return None
        if offset == self.offset:
            return []
        oldest = self._history[0][0] if self._history else self.offset + 1
        if offset + 1 < oldest:
            return None  # the gap has been pushed out of the history
        start = offset + 1 - oldest
        return list(self._history)[start:]
