"""The one live aggregator of a show across every process that shares Redis.

Whoever holds the show's lease (a Redis key with a time to live, renewed while alive) runs the
reducer: it rebuilds the show from storage, then folds in what ingest appends to the show's
events stream, and publishes positioned frames to the publication stream that every process
reads. Each write checks the lease's fencing token inside Redis, so an owner that lost its
lease (paused, partitioned) can never publish over its successor.

Handover: the lease lives `lease_seconds`; a process that needs the show claims it as soon as
it is free, rebuilds, and continues the same epoch from the last published offset, so consoles
resume across the handover without noticing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.config import Settings
from liveops.events import EventRecord, to_micros
from liveops.live.publisher import ShowLive
from liveops.live.registry import LoadedShow, load_show, make_live, show_json
from liveops.live.stream import ShowStream
from liveops.shows import repository as shows_repository
from liveops.storage.models import Event
from liveops.storage.redis import Keys

log = logging.getLogger("liveops.aggregator")

# Publish frames (and optionally the snapshot) only while we still hold the lease.
# KEYS: owner, publications, snapshot. ARGV: token, maxlen, n, n x (offset, frame),
# then optionally snapshot offset and frame.
_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-' .. ARGV[4 + 2 * i], 'f', ARGV[5 + 2 * i])
end
local rest = 4 + 2 * n
if ARGV[rest] then
  redis.call('HSET', KEYS[3], 'offset', ARGV[rest], 'frame', ARGV[rest + 1])
end
return 1
"""

# Continue the stream's epoch, or start a new one if Redis lost it. Returns {epoch, offset}.
# KEYS: owner, epoch, publications, snapshot. ARGV: token, new epoch.
_OPEN_STREAM = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('SET', KEYS[2], ARGV[2])
  return {ARGV[2], 0}
end
local offset = 0
local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
if last[1] then offset = tonumber(string.match(last[1][1], '%-(%d+)$')) end
local snap = redis.call('HGET', KEYS[4], 'offset')
if snap and tonumber(snap) > offset then offset = tonumber(snap) end
return {epoch, offset}
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaseLost(Exception):
    pass


def encode_records(records: list[EventRecord], row_ids: list[int]) -> bytes:
    """A batch for the events stream: each record's fields behind its storage row id."""
    return orjson.dumps([[row_id, *r.values()] for r, row_id in zip(records, row_ids, strict=True)])


def decode_records(raw: str | bytes) -> list[tuple[int, EventRecord]]:
    return [(row[0], EventRecord(*row[1:])) for row in orjson.loads(raw)]


async def claim(redis: Redis, keys: Keys, show_id: str, process_id: str, ttl_ms: int) -> str | None:
    """Try to take the show's lease; the token is returned on success."""
    fence = await redis.incr(keys.fence(show_id))
    token = f"{process_id}:{fence}"
    taken = await redis.set(keys.owner(show_id), token, nx=True, px=ttl_ms)
    return token if taken else None


class ShowOwner:
    """Runs one show's aggregator while this process holds its lease."""

    def __init__(
        self,
        *,
        show_id: str,
        token: str,
        redis: Redis,
        keys: Keys,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        consume_from: Callable[[ShowOwner, str], None],
    ) -> None:
        self.show_id = show_id
        # Events reach the owner through its process's one reader of every owned show's events
        # stream (a blocking read per show would hold a Redis connection per show).
        self._consume_from = consume_from
        self.token = token
        self._redis: Any = redis  # replies decoded to str (see RedisBackend)
        self._keys = keys
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._outbox: asyncio.Queue[tuple[str, int, str]] = asyncio.Queue()
        self._live: ShowLive | None = None
        self._loaded_rows: set[int] = set()
        self._max_loaded_row = 0
        # Reconcile bookkeeping: the highest row applied, and a horizon (that highest row as of
        # the previous check) with how many rows at or below it have been applied since.
        self._max_applied_row = 0
        self._applied_total = 0  # rows replayed or applied
        self._horizon: int | None = None
        self._applied_to_horizon = 0
        self.stopped = asyncio.Event()

    # ---- lifecycle -----------------------------------------------------------------------

    async def run(self) -> None:
        """Aggregate until the lease is lost or the task is cancelled."""
        ttl_ms = int(self._settings.lease_seconds * 1000)
        keys = self._keys
        try:
            opened = await self._redis.eval(
                _OPEN_STREAM,
                4,
                keys.owner(self.show_id),
                keys.epoch(self.show_id),
                keys.publications(self.show_id),
                keys.snapshot(self.show_id),
                self.token,
                secrets.token_hex(6),
            )
            if not opened:
                raise LeaseLost
            epoch, offset = str(opened[0]), int(opened[1])
            # Where ingest will append next: everything before is in the storage replay below.
            cursor = await self._events_tail()
            loaded = await self._load()
            if loaded is None:
                return
            self._live = make_live(
                self.show_id,
                loaded,
                self._settings,
                self._enqueue_publication,
                stream=ShowStream(self._settings.stream_history_size, epoch, offset),
                after_metrics=self._enqueue_snapshot,
            )
            self._enqueue_snapshot(self._live)
            log.info("aggregating show %s (epoch %s from offset %d)", self.show_id, epoch, offset)
            async with asyncio.TaskGroup() as group:
                group.create_task(self._renew(ttl_ms))
                group.create_task(self._write())
                group.create_task(self._reconcile())
                group.create_task(self._forget_replayed_rows())
                self._consume_from(self, cursor)
        except* LeaseLost:
            log.warning("lost the lease of show %s; another process takes over", self.show_id)
        except* RedisError as errors:
            log.warning("Redis failed under show %s: %s", self.show_id, errors.exceptions[0])
        finally:
            if self._live is not None:
                self._live.close()
            self.stopped.set()

    @property
    def offset(self) -> int | None:
        return None if self._live is None else self._live.stream.offset

    async def release(self) -> None:
        with contextlib.suppress(RedisError):
            await self._redis.eval(_RELEASE, 1, self._keys.owner(self.show_id), self.token)

    async def _load(self) -> LoadedShow | None:
        async with self._sessionmaker() as session:
            loaded = await load_show(session, self.show_id, self._settings, keep_row_ids=True)
        if loaded is not None:
            self._loaded_rows = loaded.row_ids
            self._max_loaded_row = loaded.max_row_id
            self._max_applied_row = loaded.max_row_id
            self._applied_total = len(loaded.row_ids)
            self._horizon = None
        return loaded

    async def _events_tail(self) -> str:
        last = await self._redis.xrevrange(self._keys.events(self.show_id), count=1)
        return str(last[0][0]) if last else "0-0"

    # ---- the loops -----------------------------------------------------------------------

    async def _renew(self, ttl_ms: int) -> None:
        while True:
            await asyncio.sleep(self._settings.lease_seconds / 3)
            renewed = await self._redis.eval(
                _RENEW, 1, self._keys.owner(self.show_id), self.token, ttl_ms
            )
            if not renewed:
                raise LeaseLost

    async def _forget_replayed_rows(self) -> None:
        # Rows committed before the replay could still be appended after it for a moment
        # (commit, then append); after a minute none are in flight, so stop checking.
        await asyncio.sleep(60)
        self._loaded_rows = set()

    def apply_entry(self, fields: dict[str, str]) -> None:
        """One entry of the show's events stream: new events, or a show or lineup change."""
        live = self._live
        assert live is not None
        if "r" in fields:
            fresh = []
            for row_id, record in decode_records(fields["r"]):
                if row_id <= self._max_loaded_row and row_id in self._loaded_rows:
                    continue  # already in the replay
                fresh.append(record)
                self._applied_total += 1
                self._max_applied_row = max(self._max_applied_row, row_id)
                if self._horizon is not None and row_id <= self._horizon:
                    self._applied_to_horizon += 1
            live.apply(fresh)
        elif "show" in fields:
            change = orjson.loads(fields["show"])
            live.update_show(change["show"], change["ended_at_us"])
        elif "allocation" in fields:
            live.update_allocation(orjson.loads(fields["allocation"]))

    async def _reconcile(self) -> None:
        """Heal what the bus missed (events stored while Redis was unreachable, or by a process
        that died between its commit and its hand-over to the bus).

        Compares a consistent cut: the rows at or below the highest row applied as of the
        previous check. An event committed then has long been applied unless the bus lost it,
        so storage holding more of those rows than were applied means a rebuild is due.
        Counting everything instead would always find the events still in flight.
        """
        while True:
            await asyncio.sleep(self._settings.reconcile_seconds)
            horizon = self._horizon
            async with self._sessionmaker() as session:
                stored = 0
                if horizon is not None:
                    stored = (
                        await session.scalar(
                            select(func.count())
                            .select_from(Event)
                            .where(Event.show_id == self.show_id, Event.id <= horizon)
                        )
                        or 0
                    )
                show = await shows_repository.get(session, self.show_id)
            live = self._live
            if show is not None and live is not None and show_json(show) != live.show:
                # A start, end or edit whose notice the bus lost.
                ended_at_us = to_micros(show.ended_at) if show.ended_at else None
                live.update_show(show_json(show), ended_at_us)
            if horizon is not None and stored > self._applied_to_horizon:
                log.warning(
                    "show %s: %d events up to row %d stored, %d applied; rebuilding from storage",
                    self.show_id,
                    stored,
                    horizon,
                    self._applied_to_horizon,
                )
                loaded = await self._load()
                if loaded is not None and self._live is not None:
                    self._live.replace_state(loaded.state)
                continue  # _load reset the horizon
            # Every row applied so far is at or below the highest one: that is the next cut.
            self._horizon = self._max_applied_row
            self._applied_to_horizon = self._applied_total

    def _enqueue_publication(self, offset: int, frame: str) -> None:
        self._outbox.put_nowait(("pub", offset, frame))

    def _enqueue_snapshot(self, live: ShowLive) -> None:
        snapshot = live.current_snapshot()
        self._outbox.put_nowait(("snap", snapshot["offset"], orjson.dumps(snapshot).decode()))

    async def _write(self) -> None:
        """Send publications in order, many per round trip, each round trip fenced."""
        keys = self._keys
        history = self._settings.stream_history_size
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty() and len(batch) < 500:
                batch.append(self._outbox.get_nowait())
            publications = [(offset, frame) for kind, offset, frame in batch if kind == "pub"]
            snapshots = [(offset, frame) for kind, offset, frame in batch if kind == "snap"]
            args: list[Any] = [self.token, history, len(publications)]
            for offset, frame in publications:
                args += [offset, frame]
            if snapshots:
                args += list(snapshots[-1])  # only the newest snapshot matters
            written = await self._redis.eval(
                _PUBLISH,
                3,
                keys.owner(self.show_id),
                keys.publications(self.show_id),
                keys.snapshot(self.show_id),
                *args,
            )
            if not written:
                raise LeaseLost
