"""Replay of an ended show over the live websocket (contract §13, docs/protocol.md "Replay").

A console that opens `/api/v1/shows/{id}/live?replay=SPEED` gets the stored show played again
from its first event, SPEED times faster than it happened, with the message types of the live
stream: the same `ShowLive` publisher folds the stored events in, in source-time order, and
publishes `metrics`, `feed` and `show` exactly as it does live; the audit log's actions and the
alerts (as they fired, were acknowledged and resolved) are published as `action` and `alert`
messages at their times. `replay` messages say where the replay stands; the console steers it
with `replay.play`, `replay.pause`, `replay.speed` and `replay.seek` frames.

Each replay is private to its console: nothing is stored and no other console sees it. The
clock (`ReplayClock`) and the merge of events with markers are pure; reading windows of
events and writing frames are the I/O around them.

Bounds: events are read 30 s of show time at a time (`WINDOW_US`); at most `STEP_MAX` events
are folded in per step; a silence longer than `IDLE_SKIP_US` is skipped rather than waited
out; and when the console's queue is half full the replay waits for it (backpressure), so a
slow console slows its replay instead of being closed.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.actions import repository as actions_repository
from liveops.actions.log import action_json
from liveops.alerts import repository as alerts_repository
from liveops.alerts.live import alert_message
from liveops.alerts.service import alert_read
from liveops.config import Settings
from liveops.events import EventRecord, to_micros
from liveops.ingest.schemas import EVENT_TYPES
from liveops.live import repository
from liveops.live.channels import Audience, for_role, skip_frame_of, visible
from liveops.live.connection import ConsoleConnection
from liveops.live.messages import (
    ReplayControl,
    ReplayPauseMessage,
    ReplayPlayMessage,
    ReplaySeekMessage,
    ReplaySpeedMessage,
)
from liveops.live.protocol import encode
from liveops.live.publisher import ShowLive
from liveops.live.stock import StockBoard
from liveops.metrics.state import ShowState
from liveops.moderation import service as moderation_service
from liveops.moderation.filter import ModerationState
from liveops.shows import service as shows_service
from liveops.shows.schemas import show_json
from liveops.storage.models import Event, Show

MIN_SPEED = 1.0
MAX_SPEED = 120.0
WINDOW_US = 30_000_000
IDLE_SKIP_US = 300_000_000
STEP_MAX = 2_000
PROGRESS_EVERY_S = 1.0
BUSY_WAIT_S = 0.05
# Recent actions kept for a replay: as many as the review lists.
ACTIONS_MAX = 5_000


class ReplayError(ValueError):
    """A replay request that cannot be served; the message is for a person."""


def parse_speed(raw: str) -> float:
    """`?replay=SPEED`: a number from 1 to 120 (times real time)."""
    try:
        speed = float(raw)
    except ValueError:
        speed = math.nan
    if not math.isfinite(speed) or not MIN_SPEED <= speed <= MAX_SPEED:
        raise ReplayError(f"replay speed must be a number from 1 to 120, not {raw[:20]!r}")
    return speed


@dataclass
class ReplayClock:
    """Show (source) time against wall time at a speed. Pure: callers pass the wall clock."""

    position_us: int  # the show time at `anchor_wall`
    speed: float
    playing: bool = True
    anchor_wall: float = 0.0

    def at(self, wall: float) -> int:
        if not self.playing:
            return self.position_us
        return self.position_us + int((wall - self.anchor_wall) * self.speed * 1_000_000)

    def seconds_until(self, ts_us: int, wall: float) -> float | None:
        """Wall seconds until show time `ts_us` is reached; None while paused."""
        if not self.playing:
            return None
        return max(0.0, (ts_us - self.at(wall)) / self.speed / 1_000_000)

    def jump(self, position_us: int, wall: float) -> None:
        self.position_us, self.anchor_wall = position_us, wall

    def pause(self, wall: float) -> None:
        self.jump(self.at(wall), wall)
        self.playing = False

    def play(self, wall: float) -> None:
        self.jump(self.at(wall), wall)
        self.playing = True

    def set_speed(self, speed: float, wall: float) -> None:
        self.jump(self.at(wall), wall)
        self.speed = speed


@dataclass(frozen=True, slots=True)
class Marker:
    """A message published at a show time (an action taken, an alert fired or changed)."""

    ts_us: int
    message: dict[str, Any]


def alert_markers(alert: dict[str, Any]) -> list[Marker]:
    """An alert as consoles saw it over time: firing, then acknowledged, then resolved."""
    fired = {
        **alert,
        "state": "firing",
        "acked_at": None,
        "acked_by": None,
        "ack_seconds": None,
        "resolved_at": None,
        "resolved_by": None,
        "resolve_seconds": None,
    }
    markers = [Marker(_micros_of(alert["fired_at"]), alert_message(fired))]
    if alert.get("acked_at"):
        acked = {**alert, "state": "acknowledged", "resolved_at": None, "resolved_by": None}
        acked["resolve_seconds"] = None
        markers.append(Marker(_micros_of(alert["acked_at"]), alert_message(acked)))
    if alert.get("resolved_at"):
        markers.append(Marker(_micros_of(alert["resolved_at"]), alert_message(alert)))
    return markers


def _micros_of(iso: str) -> int:
    return to_micros(datetime.fromisoformat(iso))


@dataclass
class Span:
    """What is replayed: from the first event to the last one on air (at or before the end);
    events after `end_us` (late refunds) are folded in at the end."""

    start_us: int
    end_us: int
    last_us: int  # the newest event of all, late ones included


@dataclass
class _Cursor:
    """Where the replay reads next, and what it read ahead."""

    next_from_us: int
    events: deque[EventRecord] = field(default_factory=deque)
    markers: deque[Marker] = field(default_factory=deque)


class Replay:
    """One console's replay of an ended show."""

    def __init__(
        self,
        *,
        show: Show,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        connection: ConsoleConnection,
        speed: float,
    ) -> None:
        if show.ended_at is None:
            raise ReplayError("only an ended show can be replayed")
        self._show = show
        self._show_json = show_json(show)
        self._ended_at_us = to_micros(show.ended_at)
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._connection = connection
        self._speed = speed
        self._allocated: dict[str, int] = {}
        self._moderation = ModerationState()
        self._markers: list[Marker] = []
        self._span = Span(0, 0, 0)
        self._clock = ReplayClock(0, speed)
        self._cursor = _Cursor(0)
        self._live: ShowLive | None = None
        self._ended = False
        self._last_progress = 0.0

    # ---- setting up ----------------------------------------------------------------------

    async def prepare(self) -> None:
        """Read what the whole replay needs besides the events."""
        show_id = self._show.id
        async with self._sessionmaker() as session:
            self._allocated = await shows_service.allocation(session, show_id)
            self._moderation = await moderation_service.state_of(session, self._show)
            self._span = await _span(session, show_id, self._ended_at_us)
            actions = await actions_repository.oldest_first(session, show_id, limit=ACTIONS_MAX)
            alerts = await alerts_repository.oldest_first(session, show_id)
        markers = [
            Marker(to_micros(row.at), {"type": "action", "action": action_json(row)})
            for row in actions
        ]
        for row in alerts:
            markers += alert_markers(alert_read(row).model_dump(mode="json"))
        markers.sort(key=lambda m: m.ts_us)
        self._markers = markers

    # ---- running -------------------------------------------------------------------------

    async def run(self, controls: asyncio.Queue[ReplayControl]) -> None:
        """Play until the console goes away (the caller cancels this task)."""
        await self._restart_at(self._span.start_us, first=True)
        while True:
            while not controls.empty():
                await self._steer(controls.get_nowait())
            if self._ended:
                await self._steer(await controls.get())
                continue
            now = time.monotonic()
            due_us = await self._next_due()
            if due_us is None:
                self._finish()
                continue
            if due_us - self._clock.at(now) > IDLE_SKIP_US:
                self._clock.jump(due_us, now)  # nothing happens for minutes: skip the silence
                self._progress(force=True)
            wait = self._clock.seconds_until(due_us, now)
            if wait is None:  # paused
                await self._steer(await controls.get())
                continue
            if self._connection_busy():
                wait = max(wait, BUSY_WAIT_S)  # let the console read what it has first
            if wait > 0:
                try:
                    control = await asyncio.wait_for(controls.get(), min(wait, PROGRESS_EVERY_S))
                except TimeoutError:
                    self._progress()
                    continue
                await self._steer(control)
                continue
            await self._step(self._clock.at(time.monotonic()))
            self._progress()

    async def _steer(self, control: ReplayControl) -> None:
        now = time.monotonic()
        match control:
            case ReplayPauseMessage():
                if not self._ended:
                    self._clock.pause(now)
            case ReplayPlayMessage():
                if self._ended:  # play after the end: from the start again
                    await self._restart_at(self._span.start_us)
                self._clock.play(time.monotonic())
            case ReplaySpeedMessage(speed=speed):
                self._speed = speed
                self._clock.set_speed(speed, now)
            case ReplaySeekMessage(position_ms=position_ms):
                playing = self._clock.playing and not self._ended
                target = min(max(position_ms * 1000, self._span.start_us), self._span.end_us)
                await self._restart_at(target, playing=playing)
                return
        self._progress(force=True)

    async def _restart_at(
        self, position_us: int, *, first: bool = False, playing: bool = True
    ) -> None:
        """A fresh publisher holding the show as it stood at `position_us`, and its snapshot."""
        if self._live is not None:
            self._live.close()
        live = ShowLive(
            show_id=self._show.id,
            show=self._show_json,
            state=ShowState(allocated=self._allocated),
            deliver=self._deliver,
            history_size=self._settings.stream_history_size,
            metrics_interval=self._settings.metrics_interval_seconds,
            feed_interval=self._settings.feed_interval_seconds,
            feed_max_items=self._settings.feed_max_items_per_frame,
            feed_recent=self._settings.feed_recent_in_snapshot,
            stock=StockBoard(),
        )
        live.feed_filter = self._moderation.hides_item
        cursor = _Cursor(self._span.start_us)
        recent: deque[EventRecord] = deque(maxlen=self._settings.feed_recent_in_snapshot)
        while cursor.next_from_us < position_us:
            for record in await self._read(cursor, until_us=position_us):
                live.state.apply(record)
                recent.append(record)
        live.replay_feed(recent)
        live.rebase()
        cursor.markers = deque(m for m in self._markers if m.ts_us >= position_us)
        self._live, self._cursor, self._ended = live, cursor, False
        self._clock = ReplayClock(position_us, self._speed, playing, time.monotonic())
        snapshot = encode(for_role(live.snapshot(), self._connection.role))
        if first:
            self._connection.push_backlog([(None, snapshot)])
        else:
            self._connection.push(snapshot)
        self._progress(force=True, position_us=position_us)

    async def _next_due(self) -> int | None:
        """The show time of the next thing to publish, or None when everything is out."""
        cursor = self._cursor
        while not cursor.events and cursor.next_from_us <= self._span.last_us:
            cursor.events.extend(await self._read(cursor, until_us=self._span.last_us + 1))
        heads = [q[0].ts_us for q in (cursor.events, cursor.markers) if q]
        if not heads:
            return None
        # Late events (a refund a day after the end) are due at the end, not a day later.
        return min(max(min(heads), self._span.start_us), self._span.end_us)

    async def _step(self, now_us: int) -> None:
        """Publish everything due by `now_us`, events and markers in time order."""
        live, cursor = self._live, self._cursor
        assert live is not None
        batch: list[EventRecord] = []
        end_us = self._span.end_us
        while len(batch) < STEP_MAX:
            while not cursor.events and cursor.next_from_us <= self._span.last_us:
                cursor.events.extend(await self._read(cursor, until_us=self._span.last_us + 1))
            event_due = min(cursor.events[0].ts_us, end_us) if cursor.events else None
            marker_due = min(cursor.markers[0].ts_us, end_us) if cursor.markers else None
            if (
                marker_due is not None
                and marker_due <= now_us
                and (event_due is None or marker_due < event_due)
            ):
                if batch:
                    live.apply(batch)
                    batch = []
                live.publish_message(cursor.markers.popleft().message)
            elif event_due is not None and event_due <= now_us:
                batch.append(cursor.events.popleft())
            else:
                break
        if batch:
            live.apply(batch)

    def _finish(self) -> None:
        """Everything is out: the show ends as it did, the final metrics follow, and then a
        whole snapshot, so that a console that joins the pieces and one that reads only the
        last snapshot hold the same final figures (the review's summary)."""
        live = self._live
        assert live is not None
        self._clock.jump(self._span.end_us, time.monotonic())
        self._clock.playing = False
        live.update_show(self._show_json, self._ended_at_us)
        self._connection.push(encode(for_role(live.snapshot(), self._connection.role)))
        self._ended = True
        self._progress(force=True)

    # ---- I/O at the edges ----------------------------------------------------------------

    async def _read(self, cursor: _Cursor, *, until_us: int) -> list[EventRecord]:
        """The next window of events before `until_us`. An empty window moves the cursor to
        the next event at once, so a long silence costs one query, not one per window."""
        start = cursor.next_from_us
        stop = min(start + WINDOW_US, until_us)
        async with self._sessionmaker() as session:
            records = await repository.records_between(session, self._show.id, start, stop)
            following = None if records else await _next_ts(session, self._show.id, stop)
        if records:
            cursor.next_from_us = stop
        else:
            cursor.next_from_us = (
                following if following is not None and following < until_us else until_us
            )
        return records

    def _deliver(self, offset: int, frame: str, audience: Audience) -> None:
        # Offsets are the replay's own; a replay is not resumed, so none is handed on.
        connection = self._connection
        connection.push(frame if visible(connection.role, audience) else skip_frame_of(frame))

    def _connection_busy(self) -> bool:
        return self._connection.queued_frames * 2 > self._settings.console_queue_max_frames

    def _progress(self, *, force: bool = False, position_us: int | None = None) -> None:
        now = time.monotonic()
        if self._live is None or (not force and now - self._last_progress < PROGRESS_EVERY_S):
            return
        self._last_progress = now
        state = "ended" if self._ended else "playing" if self._clock.playing else "paused"
        self._live.publish_message(
            {
                "type": "replay",
                "state": state,
                "speed": self._speed,
                "position_ms": min(
                    self._clock.at(now) if position_us is None else position_us,
                    self._span.end_us,
                )
                // 1000,
                "start_ms": self._span.start_us // 1000,
                "end_ms": self._span.end_us // 1000,
            }
        )

    def close(self) -> None:
        if self._live is not None:
            self._live.close()


async def _span(session: AsyncSession, show_id: str, ended_at_us: int) -> Span:
    in_show = (Event.show_id == show_id, Event.type.in_(EVENT_TYPES))
    first, last = (
        await session.execute(select(func.min(Event.ts_us), func.max(Event.ts_us)).where(*in_show))
    ).one()
    if first is None:
        return Span(ended_at_us, ended_at_us, ended_at_us)
    on_air = select(func.max(Event.ts_us)).where(*in_show, Event.ts_us <= ended_at_us)
    on_air_last = (await session.execute(on_air)).scalar_one()
    end = int(on_air_last) if on_air_last is not None else int(first)
    return Span(int(first), end, int(last))


async def _next_ts(session: AsyncSession, show_id: str, from_us: int) -> int | None:
    found = (
        await session.execute(
            select(func.min(Event.ts_us)).where(
                Event.show_id == show_id, Event.type.in_(EVENT_TYPES), Event.ts_us >= from_us
            )
        )
    ).scalar_one()
    return None if found is None else int(found)
