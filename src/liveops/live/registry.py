"""The live state of every show this process serves, loaded from storage on first use."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.actions.commerce import state as commerce_state, state_if_any as commerce_state_if_any
from liveops.actions.live import CommerceProjection
from liveops.alerts import service as alerts_service
from liveops.alerts.board import AlertBoard
from liveops.alerts.live import AlertsProjection, AlertWriter, show_rules
from liveops.alerts.rules import Rule, effective
from liveops.comments.live import BoardBuilder, QuestionsProjection
from liveops.comments.service import question_actions
from liveops.compliance.service import engine as compliance_engine
from liveops.config import Settings
from liveops.errors import NotFound
from liveops.events import EventRecord, to_micros
from liveops.inventory import service as inventory_service
from liveops.live import repository
from liveops.live.channels import Audience
from liveops.live.hub import Hub
from liveops.live.protocol import FED_TYPES
from liveops.live.publisher import ShowLive
from liveops.live.stock import StockBoard
from liveops.live.stream import ShowStream
from liveops.metrics.state import ShowState
from liveops.moderation import service as moderation_service
from liveops.moderation.filter import ModerationState
from liveops.moderation.live import ModerationProjection
from liveops.rundown.live import PrompterProjection
from liveops.rundown.view import PrompterInputs, prompter_inputs
from liveops.shows import repository as shows_repository, service as shows_service
from liveops.shows.schemas import show_json
from liveops.storage.db import Transaction, unit_of_work

T = TypeVar("T")


@dataclass
class LoadedShow:
    """A show's live state rebuilt from storage."""

    show: dict[str, Any]
    state: ShowState
    recent_feed: list[EventRecord]
    row_ids: set[int]  # every row replayed, to skip them if they arrive again on a bus
    max_row_id: int
    stock: list[dict[str, Any]]  # the ledger's rows, as read with the events
    prompter: PrompterInputs | None = None  # run-sheet, prices and open cues, read with them
    alert_rules: dict[str, Rule] | None = None  # None: the shipped defaults
    open_alerts: list[dict[str, Any]] = field(default_factory=list)
    moderation: ModerationState = field(default_factory=ModerationState)
    commerce: dict[str, Any] | None = None  # what viewers see (actions/commerce.py)
    questions: BoardBuilder | None = None  # the question queue, rebuilt with the replay


async def load_show(
    session: AsyncSession, show_id: str, settings: Settings, *, keep_row_ids: bool = False
) -> LoadedShow | None:
    """Replay every stored event of the show into a fresh reducer."""
    show = await shows_repository.get(session, show_id)
    if show is None:
        return None
    state = ShowState(allocated=await shows_service.allocation(session, show_id))
    state.ended_at_us = to_micros(show.ended_at) if show.ended_at else None
    keep = settings.feed_recent_in_snapshot
    # Read first, so that the recent feed is filled with what consoles may see.
    moderation = await moderation_service.state_of(session, show)
    questions = BoardBuilder(await question_actions(session, show_id))
    recent: list[EventRecord] = []
    row_ids: set[int] = set()
    max_row_id = 0
    async for row_id, record in repository.stream_records(session, show_id):
        state.apply(record)
        max_row_id = max(max_row_id, row_id)
        if keep_row_ids:
            row_ids.add(row_id)
        if record.type in FED_TYPES and (
            record.type != "comment"
            or moderation.hides(record.viewer_id, record.text, record.ts_us, record.event_id)
            is None
        ):
            recent.append(record)
            if record.type == "comment":
                questions.comment(record)
            if len(recent) > 4 * keep:
                del recent[:-keep]
    stock = [row.model_dump() for row in await inventory_service.listing(session, show_id)]
    prompter = await prompter_inputs(session, show_id)
    return LoadedShow(
        show_json(show),
        state,
        recent[-keep:],
        row_ids,
        max_row_id,
        stock,
        prompter,
        await show_rules(session, show_id, settings),
        [a.model_dump(mode="json") for a in await alerts_service.open_alerts(session, show_id)],
        moderation,
        await commerce_state(session, show),
        questions,
    )


def in_own_session(
    sessionmaker: async_sessionmaker[AsyncSession],
    read: Callable[[AsyncSession], Awaitable[T]],
) -> Callable[[], Awaitable[T]]:
    """`read` again, whenever called, in a session of its own (a projection's reload)."""

    async def load() -> T:
        async with sessionmaker() as session:
            return await read(session)

    return load


async def prompter_inputs_if_any(session: AsyncSession, show_id: str) -> PrompterInputs | None:
    try:
        return await prompter_inputs(session, show_id)
    except NotFound:  # deleted meanwhile: keep what the prompter shows
        return None


def history_stream(settings: Settings, epoch: str | None = None, offset: int = 0) -> ShowStream:
    return ShowStream(
        settings.stream_history_size,
        epoch,
        offset,
        history_bytes=settings.stream_history_max_bytes,
    )


def make_live(
    show_id: str,
    loaded: LoadedShow,
    settings: Settings,
    deliver: Callable[[int, str, Audience], None],
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    write: Transaction | None = None,
    stream: ShowStream | None = None,
    after_metrics: Callable[[ShowLive], None] | None = None,
) -> ShowLive:
    """The show's live side with its projections (needs the running loop: they tick)."""
    live = ShowLive(
        show_id=show_id,
        show=loaded.show,
        state=loaded.state,
        deliver=deliver,
        history_size=settings.stream_history_size,
        stream=stream or history_stream(settings),
        after_metrics=after_metrics,
        metrics_interval=settings.metrics_interval_seconds,
        feed_interval=settings.feed_interval_seconds,
        feed_max_items=settings.feed_max_items_per_frame,
        feed_recent=settings.feed_recent_in_snapshot,
        stock=StockBoard(),
        check_speech=compliance_engine(settings.compliance_rules_path).check,
    )
    moderation = ModerationProjection(
        show_id=show_id,
        state=loaded.moderation,
        load=in_own_session(sessionmaker, lambda s: moderation_service.load_state(s, show_id)),
        purge=live.drop_hidden,
    )
    live.feed_filter = moderation.hides_item  # before the feed is filled
    live.stock.load(loaded.stock, time.monotonic())
    live.replay_feed(loaded.recent_feed)
    live.rebase()
    writer = AlertWriter(write or functools.partial(unit_of_work, sessionmaker), show_id)
    alerts = AlertsProjection(
        show_id=show_id,
        board=AlertBoard(loaded.alert_rules or effective({}), loaded.open_alerts),
        values=live.live_values,
        publish=live.publish_message,
        store=writer.put,
        load_rules=in_own_session(sessionmaker, lambda s: show_rules(s, show_id, settings)),
        close=writer.close,
    )
    live.raise_event = alerts.raise_event
    prompter = PrompterProjection(
        show_id=show_id,
        inputs=loaded.prompter,
        load=in_own_session(sessionmaker, lambda s: prompter_inputs_if_any(s, show_id)),
        live_values=live.live_values,
        publish=live.publish_message,
        alert=alerts.raise_event,
        escalate_after=lambda: alerts.event_threshold("cue_unacked", settings.cue_escalate_seconds),
    )
    commerce = CommerceProjection(
        show_id=show_id,
        state=loaded.commerce,
        load=in_own_session(sessionmaker, lambda s: commerce_state_if_any(s, show_id)),
        publish=live.publish_message,
    )
    builder = loaded.questions or BoardBuilder(())
    questions = QuestionsProjection(
        board=builder.finish(),
        sku=builder.sku,
        complaint_times_ms=builder.complaint_times_ms,
        publish=live.publish_message,
    )
    live.on_comments = questions.comments
    live.comment_values = questions.values
    live.projections += [alerts, prompter, moderation, commerce, questions]
    alerts.start()
    prompter.start()
    return live


class LiveRegistry:
    """One `ShowLive` per show, built by replaying the show's stored events.

    Rule for writers: call `get()` BEFORE writing new events and `ShowLive.apply()` after the
    commit. The replay then never includes the new events, and nothing is applied twice.
    """

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], hub: Hub, settings: Settings
    ) -> None:
        self._sessionmaker = sessionmaker
        self._hub = hub
        self._settings = settings
        self._shows: dict[str, ShowLive] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self.write: Transaction | None = None  # the runtime's, once it exists

    def peek(self, show_id: str) -> ShowLive | None:
        return self._shows.get(show_id)

    async def get(self, show_id: str) -> ShowLive | None:
        """The show's live side, or None if there is no such show."""
        live = self._shows.get(show_id)
        if live is not None:
            return live
        lock = self._loading.setdefault(show_id, asyncio.Lock())
        async with lock:
            live = self._shows.get(show_id)
            if live is None:
                live = await self._load(show_id)
                if live is not None:
                    self._shows[show_id] = live
        return live

    async def _load(self, show_id: str) -> ShowLive | None:
        async with self._sessionmaker() as session:
            loaded = await load_show(session, show_id, self._settings)
        if loaded is None:
            return None
        live = make_live(
            show_id,
            loaded,
            self._settings,
            functools.partial(self._hub.broadcast, show_id),
            sessionmaker=self._sessionmaker,
            write=self.write,
        )
        return live

    def loaded(self) -> list[str]:
        return sorted(self._shows)

    def positions(self) -> dict[str, int]:
        return {show_id: live.stream.offset for show_id, live in self._shows.items()}

    def close(self) -> None:
        for live in self._shows.values():
            live.close()
        self._shows.clear()
