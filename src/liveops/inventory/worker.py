"""The expiry sweeper: reservations not paid in time go back to stock.

Every process runs one. The state change `reserved → expired` is conditional, so however many
sweepers run, each reservation returns its units exactly once. It looks for due reservations
with a plain read first and opens a write transaction only when there are some: on SQLite a
write transaction takes the database's write lock, and a sweep every second that finds nothing
(the usual case) should not make ingest wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from liveops.inventory import service
from liveops.inventory.desk import Transaction

log = logging.getLogger("liveops.inventory")


class ExpirySweeper:
    def __init__(
        self,
        transaction: Transaction,
        read: Transaction,
        *,
        interval: float,
        batch: int = 500,
    ) -> None:
        self._transaction = transaction
        self._read = read
        self._interval = interval
        self._batch = batch
        self._task: asyncio.Task[None] | None = None
        self.expired = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reservation-expiry")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sweep(self) -> int:
        """Expire what is due now; returns how many SKU rows it changed."""
        total = 0
        while True:
            async with self._read() as session:
                if not await service.anything_due(session, now_us=time.time_ns() // 1000):
                    return total
            async with self._transaction() as session:
                by_show = await service.expire(
                    session, now_us=time.time_ns() // 1000, limit=self._batch
                )
                for show_id, changes in by_show.items():
                    changes.stage(session, show_id)
            count = sum(len(c.items) for c in by_show.values())
            if not by_show:
                return total
            total += count
            self.expired += count

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.sweep()
            except Exception as exc:
                log.warning("reservation expiry failed, will retry: %s", exc)
