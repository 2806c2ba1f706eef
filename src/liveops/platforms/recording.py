"""A platform that records what it was asked, for the demo and the tests.

It keeps the newest `keep` calls (bounded: a long demo must not grow it without end) and can be
told to refuse an operation, so that tests see what an action does when the platform says no.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from liveops.platforms.base import PlatformError, Room


@dataclass(frozen=True, slots=True)
class Call:
    at: datetime
    room: Room
    operation: str
    detail: dict[str, Any]


@dataclass
class RecordingPlatform:
    keep: int = 1000
    calls: deque[Call] = field(init=False)
    refusing: set[str] = field(default_factory=set)  # operations to refuse (tests)

    def __post_init__(self) -> None:
        self.calls = deque(maxlen=self.keep)

    async def call(self, room: Room, operation: str, detail: dict[str, Any]) -> None:
        if operation in self.refusing:
            raise PlatformError(f"{room.platform} refused {operation}")
        self.calls.append(Call(datetime.now(UTC), room, operation, dict(detail)))

    def for_show(self, show_id: str) -> list[Call]:
        return [c for c in self.calls if c.room.show_id == show_id]
