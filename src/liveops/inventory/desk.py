"""Group commit for reservations: concurrent requests for one SKU share one transaction.

A flash sale is thousands of buyers asking for one SKU at once. Deciding each in its own
transaction would make every buyer wait for a commit of its own behind the SKU's row lock.
The desk queues requests per (show, SKU); one drain task per key takes everything queued
(up to `max_batch`) into one transaction, where each request is still decided by its own
conditional statement, then answers them all after the single commit. When the SKU is quiet,
a request is decided at once, alone; under a burst, what queued during a commit goes together
in the next, so the batch grows with the load instead of the wait.

Up to `drains_per_sku` transactions per key are open at once. The row lock still decides them
one after another, in the order they took their requests, but the next one's round trips and
preparation overlap the current one's commit instead of following it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.errors import LiveOpsError, Unavailable
from liveops.inventory import service
from liveops.inventory.schemas import ReservationAnswer, ReservationRequest

log = logging.getLogger("liveops.inventory")

Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(slots=True)
class _Waiting:
    request: ReservationRequest
    answer: asyncio.Future[ReservationAnswer]


class ReservationDesk:
    def __init__(
        self,
        transaction: Transaction,
        *,
        hold_seconds: float,
        max_batch: int = 500,
        drains_per_sku: int = 2,
    ) -> None:
        self._transaction = transaction
        self._hold_us = int(hold_seconds * 1_000_000)
        self._max_batch = max_batch
        self._drains_per_sku = drains_per_sku
        self._queues: dict[tuple[str, str], list[_Waiting]] = {}
        self._drains: dict[tuple[str, str], set[asyncio.Task[None]]] = {}
        self._flying: dict[tuple[str, str], Counter[str]] = {}  # order ids being decided
        self.batches = 0
        self.decisions = 0
        self.early_probe_races = 0

    async def reserve(
        self, show_id: str, sku: str, request: ReservationRequest
    ) -> ReservationAnswer:
        key = (show_id, sku)
        waiting = _Waiting(request, asyncio.get_running_loop().create_future())
        self._queues.setdefault(key, []).append(waiting)
        drains = self._drains.setdefault(key, set())
        if len(drains) < self._drains_per_sku:
            drains.add(asyncio.create_task(self._drain(key)))
        # A caller that goes away cancels only its own wait: the request is queued already and
        # is decided with its batch (answers go only to futures still waiting), so its retry
        # reads the answer. No shield needed, which saves a future per request.
        return await waiting.answer

    async def _drain(self, key: tuple[str, str]) -> None:
        try:
            while queue := self._queues.get(key):
                batch, self._queues[key] = queue[: self._max_batch], queue[self._max_batch :]
                await self._decide_batch(key, batch)
        finally:
            drains = self._drains.get(key)
            if drains is not None:
                drains.discard(asyncio.current_task())
                if not drains:
                    del self._drains[key]
            if key not in self._drains and not self._queues.get(key):
                self._queues.pop(key, None)

    async def _decide_batch(self, key: tuple[str, str], batch: list[_Waiting]) -> None:
        ids = [w.request.order_id for w in batch]
        flying = self._flying.setdefault(key, Counter())
        # Probe for earlier answers before taking the row lock, unless an id of this batch is
        # being decided by the other drain right now: its answer would not be committed yet,
        # and the batch would only have to be decided again.
        probe_first = all(flying[order_id] == 0 for order_id in ids)
        flying.update(ids)
        try:
            await self._decide(key, batch, probe_first=probe_first)
        finally:
            flying.subtract(ids)
            for order_id in ids:  # bounded: only ids being decided stay counted
                if flying[order_id] <= 0:
                    del flying[order_id]
            if not flying:
                self._flying.pop(key, None)

    async def _decide(
        self,
        key: tuple[str, str],
        batch: list[_Waiting],
        *,
        probe_first: bool = False,
        retried: bool = False,
    ) -> None:
        try:
            answers = await self._run(key, [w.request for w in batch], probe_first)
        except service.OrderIdRace:
            # The other decision is committed now: deciding again reads its answer.
            if probe_first:
                # Decided after the early probe (a retry racing its first try, perhaps on
                # another process): probing under the lock, nothing of this SKU slips in.
                self.early_probe_races += 1
                await self._decide(key, batch)
            elif len(batch) > 1:
                for waiting in batch:
                    await self._decide(key, [waiting])
            elif not retried:
                await self._decide(key, batch, retried=True)
            else:
                message = "this order id is being reserved on another SKU right now; retry"
                _fail(batch, Unavailable(message, headers={"Retry-After": "1"}))
            return
        except LiveOpsError as exc:
            _fail(batch, exc)  # e.g. no such SKU: the same answer for all
            return
        except Exception as exc:
            if len(batch) == 1:
                log.warning("reservation failed: %s", exc)
                _fail(batch, exc)
                return
            # One request can sink a shared transaction (a deadlock between processes, an
            # order id reused across SKUs): decide each alone so the others still succeed.
            log.info("grouped reservations failed (%s); deciding one by one", exc)
            for waiting in batch:
                await self._decide(key, [waiting])
            return
        for waiting, answer in zip(batch, answers, strict=True):
            if not waiting.answer.done():
                waiting.answer.set_result(answer)

    async def _run(
        self, key: tuple[str, str], requests: list[ReservationRequest], probe_first: bool
    ) -> list[ReservationAnswer]:
        show_id, sku = key
        changes = service.Changes()
        now_us = time.time_ns() // 1000
        async with self._transaction() as session:
            answers = await service.reserve(
                session,
                show_id,
                sku,
                requests,
                now_us=now_us,
                hold_us=self._hold_us,
                changes=changes,
                probe_first=probe_first,
            )
            changes.stage(session, show_id)
        self.batches += 1
        self.decisions += len(requests)
        return answers

    async def close(self) -> None:
        drains = [task for tasks in self._drains.values() for task in tasks]
        for task in drains:
            task.cancel()
        for task in drains:
            with suppress(asyncio.CancelledError):
                await task
        for queue in self._queues.values():
            _fail(queue, Unavailable("the server is shutting down; retry the reservation"))
        self._queues.clear()


def _fail(batch: list[_Waiting], exc: BaseException) -> None:
    for waiting in batch:
        if not waiting.answer.done():
            waiting.answer.set_exception(exc)
