"""The one live aggregator of a show across every process that shares Redis.

Whoever holds the show's lease (a Redis key with a time to live, renewed while alive) runs the
reducer: it rebuilds the show from storage, then folds in what ingest appends to the show's
events stream, and publishes positioned frames to the publication stream that every process
reads. Each write checks the lease's fencing token inside Redis, so an owner that lost its
lease (paused, partitioned) can never publish over its successor.

Handover: the lease lives `lease_seconds`; a process that needs the show claims it as soon as
it is free, rebuilds, and continues the same epoch from the last published offset, so consoles
resume across the handover without noticing.

Feed across a handover: numbers are recomputed from storage, but comments and order events are
sent to consoles as `feed` items, which a dead owner may have folded in without publishing yet.
So every publish also records, in the same fenced script, the feed mark (`FeedMark`): how far
along the events stream the published feed reaches. A new owner reads the events stream again
from that mark and publishes the feed items after it, and starts its recent feed from what was
published, not from storage: within an epoch, each comment and order event that reached the
events stream is published once, in events-stream order. Only what the events stream does not
hold is lost from the feed (entries trimmed past the mark, batches that never reached Redis);
their numbers are still counted, from storage. A new epoch has no mark and starts its feed
after the events stream's tail (its snapshots hold the recent feed from storage).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.config import Settings
from liveops.events import EventRecord, to_micros
from liveops.live.changes import from_json
from liveops.live.channels import Audience, pack
from liveops.live.protocol import FED_TYPES, encode
from liveops.live.publisher import ShowLive
from liveops.live.registry import LoadedShow, history_stream, load_show, make_live
from liveops.live.stream import ShowStream
from liveops.shows import repository as shows_repository
from liveops.shows.schemas import show_json
from liveops.storage.db import Transaction
from liveops.storage.models import Event
from liveops.storage.redis import Keys

log = logging.getLogger("liveops.aggregator")

# Publish frames (and optionally the snapshot) only while we still hold the lease. The feed
# mark is set in the same script, so it never claims more (nor less) than was published.
# KEYS: owner, publications, snapshot, feed mark. ARGV: token, maxlen, mark ('' leaves it),
# n, n x (offset, frame, audience), then optionally snapshot offset and frame. The audience
# ('' for every console; live/channels.py) is stored only when there is one.
_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local id = '0-' .. ARGV[5 + 3 * i]
  local audience = ARGV[7 + 3 * i]
  if audience == '' then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id, 'f', ARGV[6 + 3 * i])
  else
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id, 'f', ARGV[6 + 3 * i], 'a', audience)
  end
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[4], ARGV[3]) end
local rest = 5 + 3 * n
if ARGV[rest] then
  redis.call('HSET', KEYS[3], 'offset', ARGV[rest], 'frame', ARGV[rest + 1])
end
return 1
"""

# Continue the stream's epoch, or start a new one if Redis lost it.
# Returns {epoch, offset, feed mark or ''}.
# KEYS: owner, epoch, publications, snapshot, feed mark. ARGV: token, new epoch.
_OPEN_STREAM = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
  redis.call('SET', KEYS[2], ARGV[2])
  return {ARGV[2], 0, ''}
end
local offset = 0
local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
if last[1] then offset = tonumber(string.match(last[1][1], '%-(%d+)$')) end
local snap = redis.call('HGET', KEYS[4], 'offset')
if snap and tonumber(snap) > offset then offset = tonumber(snap) end
return {epoch, offset, redis.call('GET', KEYS[5]) or ''}
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


def entry_before(entry_id: str) -> str:
    """The stream id just before `entry_id`: reading after it starts with `entry_id` itself."""
    ms, seq = (int(part) for part in entry_id.split("-"))
    if seq > 0:
        return f"{ms}-{seq - 1}"
    if ms > 0:
        return f"{ms - 1}-{2**64 - 1}"
    return "0-0"  # no entry is ever 0-0, so reading after it reads everything


@dataclass(frozen=True, slots=True)
class FeedMark:
    """How far along the events stream the published feed reaches: the feed items (comments
    and order events, in stream order) of every entry before `entry`, and the first `items`
    of `entry` itself. An entry is one ingest batch, which may fill several feed frames, so
    the mark can fall inside an entry."""

    entry: str
    items: int

    def encode(self) -> str:
        return f"{self.entry} {self.items}"

    @classmethod
    def decode(cls, raw: str) -> FeedMark:
        entry, items = raw.split(" ")
        return cls(entry, int(items))


class FeedLedger:
    """Turns ShowLive's count of published feed items into the feed mark that has become true.
    Pure: no I/O.

    The owner hands feed items to ShowLive in events-stream order and ShowLive publishes them
    in the order it got them, so the n-th item handed is the n-th published.
    """

    def __init__(self, start: FeedMark, *, recorded: bool) -> None:
        self._handed = 0
        # Items handed but not published yet: (their ordinal, the mark just before them).
        self._waiting: deque[tuple[int, FeedMark]] = deque()
        self._end = start  # the mark once every item handed so far is published
        self._recorded = start if recorded else None

    def entry(self, entry_id: str, total: int, handed: Iterable[int]) -> None:
        """An events entry was applied: it holds `total` feed items, and those at the indexes
        `handed` (ascending) went to ShowLive to be published. The others need no publishing
        (published already, or in the snapshots consoles start from)."""
        for index in handed:
            self._handed += 1
            self._waiting.append((self._handed, FeedMark(entry_id, index)))
        self._end = FeedMark(entry_id, total)

    def published(self, count: int) -> FeedMark | None:
        """ShowLive has published `count` feed items in all: the mark to record with the
        publication at hand, or None when it is the one recorded already."""
        while self._waiting and self._waiting[0][0] <= count:
            self._waiting.popleft()
        mark = self._waiting[0][1] if self._waiting else self._end
        if mark == self._recorded:
            return None
        self._recorded = mark
        return mark


def published_feed(snapshot: str | None, later: Iterable[str], keep: int) -> list[dict[str, Any]]:
    """The last `keep` feed items published: the recent feed of the stored snapshot, then the
    items of the feed frames among the publications `later` than it."""
    items: list[dict[str, Any]] = [] if snapshot is None else orjson.loads(snapshot)["feed"]
    for raw in later:
        frame = orjson.loads(raw)
        if frame["type"] == "feed":
            items += frame["items"]
    return items[-keep:]


def feed_items_in(fields: dict[str, str]) -> int:
    """How many feed items an events entry holds."""
    if "r" not in fields:
        return 0
    return sum(record.type in FED_TYPES for _, record in decode_records(fields["r"]))


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
        write: Transaction | None = None,
    ) -> None:
        self.show_id = show_id
        # Events reach the owner through its process's one reader of every owned show's events
        # stream (a blocking read per show would hold a Redis connection per show).
        self._consume_from = consume_from
        self.token = token
        self._redis: Any = redis  # replies decoded to str (see RedisBackend)
        self._keys = keys
        self._sessionmaker = sessionmaker
        self._transaction = write  # how the live side stores what it decides (alerts)
        self._settings = settings
        # (kind, offset, frame, feed mark to record with it or None)
        # (kind, offset, frame, feed mark, packed audience): "pub"lications and "snap"shots
        self._outbox: asyncio.Queue[tuple[str, int, str, str | None, str]] = asyncio.Queue()
        self._live: ShowLive | None = None
        self._ledger: FeedLedger | None = None
        self._resume_feed_at = FeedMark("0-0", 0)  # the feed items before it are not resent
        self._loaded_rows: set[int] = set()
        # Rows whose feed items consoles get in their snapshot (see begin): never published.
        self._rows_in_snapshots: set[int] = set()
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
                5,
                keys.owner(self.show_id),
                keys.epoch(self.show_id),
                keys.publications(self.show_id),
                keys.snapshot(self.show_id),
                keys.feed_mark(self.show_id),
                self.token,
                secrets.token_hex(6),
            )
            if not opened:
                raise LeaseLost
            epoch, offset, recorded = str(opened[0]), int(opened[1]), str(opened[2])
            async with asyncio.TaskGroup() as group:
                # Renewing from the claim on: rebuilding a long show takes longer than a
                # lease, and a lease that ran out mid-rebuild would be taken by another
                # process, which would start rebuilding in turn, and so on, for ever.
                renewing = group.create_task(self._renew(ttl_ms))
                # Where ingest will append next: everything before is in the storage replay.
                tail = await self._events_tail()
                loaded = await self._fetch()
                if loaded is None:
                    renewing.cancel()
                    return
                mark = FeedMark.decode(recorded) if recorded else None
                published_feed = await self._published_feed() if mark else None
                stream = history_stream(self._settings, epoch, offset)
                read_after = self.begin(loaded, stream, mark, tail, published_feed)
                log.info(
                    "aggregating show %s (epoch %s from offset %d)", self.show_id, epoch, offset
                )
                group.create_task(self._write())
                group.create_task(self._reconcile())
                group.create_task(self._forget_replayed_rows())
                self._consume_from(self, read_after)
        except* LeaseLost:
            log.warning("lost the lease of show %s; another process takes over", self.show_id)
        except* RedisError as errors:
            log.warning("Redis failed under show %s: %s", self.show_id, errors.exceptions[0])
        finally:
            if self._live is not None:
                self._live.close()
            self.stopped.set()

    def begin(
        self,
        loaded: LoadedShow,
        stream: ShowStream,
        mark: FeedMark | None,
        tail: FeedMark,
        published_feed: list[dict[str, Any]] | None,
    ) -> str:
        """Take over from the replay `loaded` and the feed mark a predecessor recorded (None
        for none), with `tail` the events stream's newest entry as of before the replay and
        `published_feed` the recent feed as published. Returns the events-stream id to read
        after."""
        self._remember_replay(loaded)
        if mark is not None:
            # The predecessor's feed stops at its mark: the feed items after it, counted by the
            # replay or not, go out from here. They are all still in the events stream (unless
            # trimmed), since a mark only ever names an entry its owner read from there.
            resume = mark
        else:
            # A new epoch (or a predecessor that never recorded a mark): consoles start from
            # this owner's snapshots, whose recent feed comes from the replay, so no replayed
            # row is fed again, even one whose entry lands after the tail.
            resume = tail
            self._rows_in_snapshots = loaded.row_ids
        self._ledger = FeedLedger(resume, recorded=mark is not None)
        self._resume_feed_at = resume
        self._live = make_live(
            self.show_id,
            loaded,
            self._settings,
            self._enqueue_publication,
            sessionmaker=self._sessionmaker,
            write=self._transaction,
            stream=stream,
            after_metrics=self._enqueue_snapshot,
        )
        if published_feed is not None:
            self._live.continue_feed(published_feed)
        self._enqueue_snapshot(self._live)
        return entry_before(resume.entry)

    @property
    def offset(self) -> int | None:
        return None if self._live is None else self._live.stream.offset

    async def release(self) -> None:
        with contextlib.suppress(RedisError):
            await self._redis.eval(_RELEASE, 1, self._keys.owner(self.show_id), self.token)

    async def _fetch(self) -> LoadedShow | None:
        async with self._sessionmaker() as session:
            return await load_show(session, self.show_id, self._settings, keep_row_ids=True)

    async def _load(self) -> LoadedShow | None:
        loaded = await self._fetch()
        if loaded is not None:
            self._remember_replay(loaded)
        return loaded

    def _remember_replay(self, loaded: LoadedShow) -> None:
        self._loaded_rows = loaded.row_ids
        self._max_loaded_row = loaded.max_row_id
        self._max_applied_row = loaded.max_row_id
        self._applied_total = len(loaded.row_ids)
        self._horizon = None

    async def _events_tail(self) -> FeedMark:
        """The events stream's newest entry, with all its feed items (a mark at the tail)."""
        last = await self._redis.xrevrange(self._keys.events(self.show_id), count=1)
        if not last:
            return FeedMark("0-0", 0)
        entry_id, fields = last[0]
        return FeedMark(str(entry_id), feed_items_in(fields))

    async def _published_feed(self) -> list[dict[str, Any]]:
        """The recent feed as published (see `published_feed`). Read while holding the lease,
        so nothing is published meanwhile."""
        keys = self._keys
        stored = await self._redis.hgetall(keys.snapshot(self.show_id))
        after = int(stored["offset"]) if stored else 0
        frames = await self._redis.xrange(
            keys.publications(self.show_id), min=f"0-{after + 1}", max="+"
        )
        return published_feed(
            stored["frame"] if stored else None,
            [fields["f"] for _, fields in frames],
            self._settings.feed_recent_in_snapshot,
        )

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
        self._rows_in_snapshots = set()

    def apply_entry(self, entry_id: str, fields: dict[str, str]) -> None:
        """One entry of the show's events stream: new events, or a show or lineup change.

        Rows the replay holds are counted already; their feed items still go out unless they
        were published before (`_resume_feed_at`) or are in the snapshots consoles start
        from. A row the replay lacks was committed after this owner took over, so no one can
        have published it: it is folded in and fed.

        Show, lineup and stock changes after the mark are applied again (the replay holds them
        already, and applying them in order ends on the newest): a `show` frame the dead owner
        did not publish goes out, one it did may go out twice (it carries the whole show).
        """
        live = self._live
        ledger = self._ledger
        assert live is not None
        assert ledger is not None
        if "r" in fields:
            # Consecutive rows to fold in (True) or only to feed (False), in stream order, so
            # the feed keeps that order.
            runs: list[tuple[bool, list[EventRecord]]] = []
            handed: list[int] = []
            fed = 0  # feed items seen in this entry
            for row_id, record in decode_records(fields["r"]):
                replayed = row_id <= self._max_loaded_row and row_id in self._loaded_rows
                index = -1
                if record.type in FED_TYPES:
                    index, fed = fed, fed + 1
                if not replayed:
                    self._applied_total += 1
                    self._max_applied_row = max(self._max_applied_row, row_id)
                    if self._horizon is not None and row_id <= self._horizon:
                        self._applied_to_horizon += 1
                elif index < 0 or not self._to_feed(entry_id, index, row_id):
                    continue
                if index >= 0:
                    handed.append(index)
                if runs and runs[-1][0] == (not replayed):
                    runs[-1][1].append(record)
                else:
                    runs.append((not replayed, [record]))
            ledger.entry(entry_id, fed, handed)
            for fold, records in runs:
                if fold:
                    live.apply(records)
                else:
                    live.feed(records)
            return
        # Noted before the change publishes anything, so a mark names this entry only from the
        # change's own frame on: a mark at this entry means the frame went out.
        ledger.entry(entry_id, 0, ())
        if entry_id == self._resume_feed_at.entry:
            return  # went out with the mark, or (at the tail of a new epoch) is in the replay
        if "change" in fields:
            live.apply_change(from_json(orjson.loads(fields["change"])))

    def _to_feed(self, entry_id: str, index: int, row_id: int) -> bool:
        """Whether a replayed row's feed item (the `index`-th of its entry) still has to go out."""
        start = self._resume_feed_at
        if entry_id == start.entry and index < start.items:
            return False
        return row_id not in self._rows_in_snapshots

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

    def _enqueue_publication(self, offset: int, frame: str, audience: Audience) -> None:
        self._outbox.put_nowait(("pub", offset, frame, self._feed_mark(), pack(audience)))

    def _enqueue_snapshot(self, live: ShowLive) -> None:
        snapshot = live.current_snapshot()
        frame = encode(snapshot)
        self._outbox.put_nowait(("snap", snapshot["offset"], frame, self._feed_mark(), ""))

    def _feed_mark(self) -> str | None:
        """The feed mark true once everything queued so far is written, if it moved. Taken as
        each frame is queued, because a mark must never run ahead of the frames written with
        it (a later frame may already be queued when an earlier one is written)."""
        if self._live is None or self._ledger is None:
            return None
        mark = self._ledger.published(self._live.feed_published)
        return None if mark is None else mark.encode()

    async def _write(self) -> None:
        """Send publications in order, many per round trip, each round trip fenced."""
        keys = self._keys
        history = self._settings.stream_history_size
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty() and len(batch) < 500:
                batch.append(self._outbox.get_nowait())
            publications = [(o, f, a) for kind, o, f, _, a in batch if kind == "pub"]
            snapshots = [(o, f) for kind, o, f, _, _ in batch if kind == "snap"]
            # Marks only move forward, so the batch's newest one covers it all.
            mark = next((m for _, _, _, m, _ in reversed(batch) if m is not None), "")
            args: list[Any] = [self.token, history, mark, len(publications)]
            for offset, frame, audience in publications:
                args += [offset, frame, audience]
            if snapshots:
                args += list(snapshots[-1])  # only the newest snapshot matters
            written = await self._redis.eval(
                _PUBLISH,
                4,
                keys.owner(self.show_id),
                keys.publications(self.show_id),
                keys.snapshot(self.show_id),
                keys.feed_mark(self.show_id),
                *args,
            )
            if not written:
                raise LeaseLost
