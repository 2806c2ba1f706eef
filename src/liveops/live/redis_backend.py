"""The live backend for many processes sharing PostgreSQL and Redis.

- Ingest on any process appends newly stored events to the show's events stream.
- One process per show holds the aggregator lease (live.aggregator) and publishes positioned
  frames to the show's publication stream, plus the latest snapshot.
- Every process reads the publication streams of the shows its consoles watch with ONE
  blocking read (a hub), and hands each frame, encoded once, to those consoles.
- Consoles get their first frames from Redis (snapshot, or the exact gap since their position),
  so any process can serve any console and resume any position still in the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.config import Settings
from liveops.events import EventRecord
from liveops.live.aggregator import ShowOwner, claim, encode_records
from liveops.live.changes import ShowChange, to_json
from liveops.live.channels import as_seen_by, for_role, unpack
from liveops.live.close_codes import CloseCode
from liveops.live.connection import ConsoleConnection
from liveops.live.hub import Hub
from liveops.live.protocol import control, encode
from liveops.shows import repository as shows_repository
from liveops.storage.db import Transaction
from liveops.storage.redis import Keys

log = logging.getLogger("liveops.live")

SNAPSHOT_WAIT_SECONDS = 10.0  # a console of a show nobody aggregates yet waits this long
INTEREST_SECONDS = 60.0  # a show ingested here keeps an aggregator claimed this long
CLOSE_SECONDS = 5.0  # the most shutting down waits for background work, then for hand-overs
EVENTS_STREAM_MAXLEN = 100_000  # entries (batches); the aggregator reads them within moments


def _offset_of(entry_id: str) -> int:
    return int(entry_id.rsplit("-", 1)[1])


class RedisBackend:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: Redis,
    ) -> None:
        self.process_id = secrets.token_hex(6)
        self.hub = Hub()
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._write: Transaction | None = None  # the runtime's, once it exists
        self.redis = redis
        # redis-py types every reply as a union of all decodings; this client decodes to str
        # (create_redis), so the replies are handled as the plain values they are.
        self._redis: Any = redis
        self._keys = Keys(settings.redis_prefix)
        self._known_shows: set[str] = set()
        self._positions: dict[str, str] = {}  # watched show -> last publication id read
        self._epochs: dict[str, str | None] = {}  # watched show -> epoch its consoles follow
        self._interest: dict[str, float] = {}  # show -> until when an aggregator is wanted
        self._owners: dict[str, tuple[ShowOwner, asyncio.Task[None]]] = {}
        self._events_cursors: dict[
            str, tuple[ShowOwner, str]
        ] = {}  # owned show -> (owner, read up to)
        self._tasks: list[asyncio.Task[None]] = []
        self._draining = False
        self.on_bus_failure: Callable[[int], None] | None = None

    # ---- lifecycle -----------------------------------------------------------------------

    def use_writer(self, write: Transaction) -> None:
        self._write = write

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._read_publications(), name="liveops-hub-reader"),
            asyncio.create_task(self._claim_aggregators(), name="liveops-aggregator-claims"),
            asyncio.create_task(self._read_events(), name="liveops-events-reader"),
        ]

    def drain(self) -> None:
        # A draining process that took over the shows a sibling just handed back would only
        # hand them on again, and could be stopped halfway through rebuilding them.
        self._draining = True

    async def close(self) -> None:
        self._draining = True
        tasks = [*self._tasks, *(t for _, t in self._owners.values())]
        for task in tasks:
            task.cancel()
        # Bounded: a task stuck in I/O must not keep the process from exiting (its lease then
        # simply runs out, as if the process had died).
        _, stuck = await asyncio.wait(tasks, timeout=CLOSE_SECONDS) if tasks else (set(), set())
        if stuck:
            log.warning("%d background tasks did not stop within %s s", len(stuck), CLOSE_SECONDS)
        # Hand the shows over at once rather than after the lease runs out.
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                for owner, _ in self._owners.values():
                    await owner.release()
        except TimeoutError:
            log.warning("could not hand every show over in time; their leases will run out")
        self.hub.close_all()
        await self._redis.aclose(close_connection_pool=True)

    def owned_shows(self) -> list[str]:
        return sorted(self._owners)

    def positions(self) -> dict[str, int]:
        return {
            show_id: owner.offset
            for show_id, (owner, _) in self._owners.items()
            if owner.offset is not None
        }

    def console_count(self) -> int:
        return self.hub.count()

    # ---- writes from the HTTP edge -------------------------------------------------------

    async def show_exists(self, show_id: str) -> bool:
        if show_id in self._known_shows:
            return True
        async with self._sessionmaker() as session:
            exists = await shows_repository.get(session, show_id) is not None
        if exists:
            self._known_shows.add(show_id)
        return exists

    async def ingested(
        self, show_id: str, records: Sequence[EventRecord], row_ids: Sequence[int]
    ) -> None:
        self._want(show_id)
        if not records:
            return
        payload = encode_records(list(records), list(row_ids))
        try:
            await self._redis.xadd(
                self._keys.events(show_id),
                {"r": payload},
                maxlen=EVENTS_STREAM_MAXLEN,
                approximate=True,
            )
        except RedisError as exc:
            # The events are stored (acknowledged means kept); the live view catches up when
            # the aggregator reconciles with storage. Display fails open, storage never does.
            log.warning(
                "could not pass %d events of show %s to the bus: %s", len(records), show_id, exc
            )

    async def publish(self, changes: Sequence[ShowChange]) -> None:
        for change in changes:
            await self._tell_aggregator(change.show_id, {"change": orjson.dumps(to_json(change))})

    async def _tell_aggregator(self, show_id: str, fields: dict[str, bytes]) -> None:
        """The change is committed already; if Redis is away the aggregator's reconcile picks
        it up from storage, so the request still succeeds."""
        self._want(show_id)
        try:
            await self._redis.xadd(self._keys.events(show_id), fields)
        except RedisError as exc:
            log.warning("could not tell the aggregator of show %s: %s", show_id, exc)

    def _want(self, show_id: str) -> None:
        self._interest[show_id] = time.monotonic() + INTEREST_SECONDS

    # ---- consoles ------------------------------------------------------------------------

    async def attach(
        self, show_id: str, connection: ConsoleConnection, epoch: str | None, offset: int | None
    ) -> str | None:
        if not await self.show_exists(show_id):
            return None
        self._want(show_id)
        connection.hold()
        self.hub.add(show_id, connection)
        try:
            frames, last = await self._first_frames(show_id, epoch, offset, connection.role)
        except BaseException:
            self.hub.remove(show_id, connection)
            raise
        connection.push_backlog(frames)
        if show_id not in self._positions:
            self._positions[show_id] = f"0-{last}"
            await self._wake_reader()
        connection.release()
        if epoch is None or offset is None:
            return "snapshot"
        return "resync" if frames[0][0] is None else "resumed"

    def detach(self, show_id: str, connection: ConsoleConnection) -> None:
        self.hub.remove(show_id, connection)
        if not self.hub.connections(show_id):
            self._positions.pop(show_id, None)
            self._epochs.pop(show_id, None)

    async def _first_frames(
        self, show_id: str, epoch: str | None, offset: int | None, role: str
    ) -> tuple[list[tuple[int | None, str]], int]:
        """The console's first frames and the offset they reach."""
        keys = self._keys
        current_epoch = await self._redis.get(keys.epoch(show_id))
        if epoch is not None and offset is not None:
            if epoch == current_epoch:
                gap = await self._gap(show_id, offset, role)
                if gap is not None:
                    self._epochs.setdefault(show_id, current_epoch)
                    resumed = encode(control("resumed", epoch=epoch, offset=offset))
                    last = gap[-1][0] if gap else offset
                    return [(offset, resumed), *gap], last
                reason = "that position is no longer in the stream's history"
            else:
                reason = "the stream restarted since that position (new epoch)"
            frames, last = await self._snapshot_frames(show_id, role)
            return [(None, encode(control("resync", reason=reason))), *frames], last
        return await self._snapshot_frames(show_id, role)

    async def _gap(self, show_id: str, offset: int, role: str) -> list[tuple[int, str]] | None:
        """Every publication after `offset` as a console of `role` sees it, or None if that
        cannot be given exactly."""
        key = self._keys.publications(show_id)
        entries = await self._redis.xrange(key, min=f"0-{offset + 1}", max="+")
        if entries:
            if _offset_of(entries[0][0]) != offset + 1:
                return None  # trimmed: the oldest kept entry is past the console's position
            return [
                as_seen_by(role, (_offset_of(entry_id), fields["f"], unpack(fields.get("a"))))
                for entry_id, fields in entries
            ]
        newest = await self._redis.xrevrange(key, count=1)
        newest_offset = _offset_of(newest[0][0]) if newest else 0
        return [] if newest_offset == offset else None

    async def current(self, show_id: str) -> dict[str, Any] | None:
        if not await self.show_exists(show_id):
            return None
        self._want(show_id)
        snapshot: dict[str, Any] = orjson.loads((await self._stored_snapshot(show_id))["frame"])
        return snapshot

    async def _stored_snapshot(self, show_id: str) -> dict[str, Any]:
        """The snapshot the show's aggregator stored last (waiting a moment for a new one)."""
        key = self._keys.snapshot(show_id)
        deadline = time.monotonic() + SNAPSHOT_WAIT_SECONDS
        stored: dict[str, Any] = await self._redis.hgetall(key)
        while not stored:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no aggregator published a snapshot of show {show_id}")
            await asyncio.sleep(0.05)
            stored = await self._redis.hgetall(key)
        return stored

    async def _snapshot_frames(
        self, show_id: str, role: str
    ) -> tuple[list[tuple[int | None, str]], int]:
        stored = await self._stored_snapshot(show_id)
        snapshot_offset = int(stored["offset"])
        snapshot = orjson.loads(stored["frame"])
        self._epochs.setdefault(show_id, snapshot["epoch"])
        seen = for_role(snapshot, role)
        frame = stored["frame"] if seen is snapshot else encode(seen)
        gap = await self._gap(show_id, snapshot_offset, role) or []
        frames: list[tuple[int | None, str]] = [(snapshot_offset, frame), *gap]
        return frames, gap[-1][0] if gap else snapshot_offset

    # ---- the hub's one reader ------------------------------------------------------------

    async def _wake_reader(self) -> None:
        with contextlib.suppress(RedisError):
            await self._redis.xadd(self._keys.wake(self.process_id), {"w": 1}, maxlen=10)

    async def _read_publications(self) -> None:
        """Read every watched show's publications with one blocking call, forever."""
        wake_key = self._keys.wake(self.process_id)
        wake_at = "$"
        next_epoch_check = 0.0
        while True:
            streams = {wake_key: wake_at}
            streams.update({self._keys.publications(s): p for s, p in self._positions.items()})
            try:
                response = await self._redis.xread(streams, count=1000, block=1000)
                if time.monotonic() >= next_epoch_check:
                    await self._check_epochs()
                    next_epoch_check = time.monotonic() + 1.0
            except RedisError as exc:
                log.warning("reading publications failed (%s); retrying", exc)
                await asyncio.sleep(0.5)
                with contextlib.suppress(RedisError):
                    await self._check_epochs()
                continue
            for stream_key, entries in response:
                if stream_key == wake_key:
                    wake_at = entries[-1][0]
                    continue
                show_id = stream_key.split(":")[-2]
                if show_id not in self._positions:
                    continue
                for entry_id, fields in entries:
                    self._positions[show_id] = entry_id
                    audience = unpack(fields.get("a"))
                    self.hub.broadcast(show_id, _offset_of(entry_id), fields["f"], audience)

    async def _check_epochs(self) -> None:
        """A show whose stream restarted (Redis lost it) cannot be resumed: its consoles are
        closed with 1012 and come back with their position, to be told to resync."""
        shows = list(self._positions)
        if not shows:
            return
        epochs = await self._redis.mget([self._keys.epoch(s) for s in shows])
        for show_id, epoch in zip(shows, epochs, strict=True):
            known = self._epochs.get(show_id)
            if known is not None and epoch != known:
                log.warning("show %s: stream restarted (epoch %s -> %s)", show_id, known, epoch)
                self._positions[show_id] = "0-0"
                self._epochs[show_id] = None
                for connection in self.hub.connections(show_id):
                    connection.close_with(CloseCode.SERVICE_RESTART)
            elif known is None and epoch is not None:
                self._epochs[show_id] = epoch

    # ---- the aggregators' one reader -----------------------------------------------------

    def _consume_from(self, owner: ShowOwner, cursor: str) -> None:
        """An owner is ready: read its show's events stream after `cursor` and hand it over."""
        self._events_cursors[owner.show_id] = (owner, cursor)
        asyncio.get_running_loop().create_task(self._wake_reader())

    async def _read_events(self) -> None:
        wake_key = self._keys.wake(self.process_id)
        wake_at = "$"
        while True:
            for show_id, (owner, _) in list(self._events_cursors.items()):
                if owner.stopped.is_set():
                    del self._events_cursors[show_id]
            streams = {wake_key: wake_at}
            streams.update(
                {self._keys.events(s): cursor for s, (_, cursor) in self._events_cursors.items()}
            )
            try:
                response = await self._redis.xread(streams, count=100, block=1000)
            except RedisError as exc:
                log.warning("reading events failed (%s); retrying", exc)
                await asyncio.sleep(0.5)
                continue
            for stream_key, entries in response:
                if stream_key == wake_key:
                    wake_at = entries[-1][0]
                    continue
                show_id = stream_key.split(":")[-2]
                current = self._events_cursors.get(show_id)
                if current is None:
                    continue
                owner = current[0]
                for entry_id, fields in entries:
                    try:
                        owner.apply_entry(entry_id, fields)
                    except Exception:
                        log.exception("show %s: could not apply events entry %s", show_id, entry_id)
                    self._events_cursors[show_id] = (owner, entry_id)
                    # One entry is one ingest batch (≤ 5,000 events): let consoles and requests
                    # run between batches, so a backlog never stalls the loop for long.
                    await asyncio.sleep(0)

    # ---- aggregator leases ---------------------------------------------------------------

    async def _claim_aggregators(self) -> None:
        """Make sure every show this process needs has an aggregator somewhere."""
        ttl_ms = int(self._settings.lease_seconds * 1000)
        while not self._draining:
            now = time.monotonic()
            wanted = {s for s, until in self._interest.items() if until > now}
            wanted |= self.hub.shows()
            for show_id, (_, task) in list(self._owners.items()):
                if task.done():
                    del self._owners[show_id]
            for show_id in wanted - self._owners.keys():
                try:
                    token = await claim(self._redis, self._keys, show_id, self.process_id, ttl_ms)
                except RedisError:
                    break
                if token is None:
                    continue
                owner = ShowOwner(
                    show_id=show_id,
                    token=token,
                    redis=self._redis,
                    keys=self._keys,
                    sessionmaker=self._sessionmaker,
                    write=self._write,
                    settings=self._settings,
                    consume_from=self._consume_from,
                )
                self._owners[show_id] = (owner, asyncio.create_task(owner.run()))
            await asyncio.sleep(0.25)
