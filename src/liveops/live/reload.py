"""Reading a projection's inputs again off the hot path: one read at a time, and one more if
changes came in meanwhile, so that a burst of changes costs two reads, not one per change.

With `skip_overtaken`, a read that a newer request overtook is not handed on (it may predate
the change that asked for the next one, and undo it in memory): only the next read is."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger("liveops.live")


class Reloader(Generic[T]):
    def __init__(
        self,
        name: str,
        load: Callable[[], Awaitable[T]],
        loaded: Callable[[T], None],
        *,
        skip_overtaken: bool = False,
    ) -> None:
        self._name = name
        self._skip_overtaken = skip_overtaken
        self._load = load
        self._loaded = loaded
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False

    def request(self) -> None:
        if self._closed:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                value = await self._load()
            except Exception:
                # Storage failed: keep what is shown; the next change reads again.
                log.exception("reading %s failed", self._name)
                return
            if self._closed:
                return
            if self._again and self._skip_overtaken:
                continue
            self._loaded(value)
            if not self._again:
                return
