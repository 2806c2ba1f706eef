"""The live state of every show this process serves, loaded from storage on first use."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.config import Settings
from liveops.events import to_micros
from liveops.live import repository
from liveops.live.hub import Hub
from liveops.live.protocol import FED_TYPES
from liveops.live.publisher import ShowLive
from liveops.metrics.state import ShowState
from liveops.shows import repository as shows_repository, service as shows_service
from liveops.shows.schemas import ShowRead
from liveops.storage.models import Show


def show_json(show: Show) -> dict[str, Any]:
    return ShowRead.model_validate(show).model_dump(mode="json")


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
            show = await shows_repository.get(session, show_id)
            if show is None:
                return None
            state = ShowState(allocated=await shows_service.allocation(session, show_id))
            state.ended_at_us = to_micros(show.ended_at) if show.ended_at else None
            s = self._settings
            live = ShowLive(
                show_id=show_id,
                show=show_json(show),
                state=state,
                deliver=functools.partial(self._hub.broadcast, show_id),
                history_size=s.stream_history_size,
                metrics_interval=s.metrics_interval_seconds,
                feed_interval=s.feed_interval_seconds,
                feed_max_items=s.feed_max_items_per_frame,
                feed_recent=s.feed_recent_in_snapshot,
            )
            recent = []
            async for record in repository.stream_records(session, show_id):
                state.apply(record)
                if record.type in FED_TYPES:
                    recent.append(record)
                    if len(recent) > 4 * s.feed_recent_in_snapshot:
                        del recent[: -s.feed_recent_in_snapshot]
            live.replay_feed(recent[-s.feed_recent_in_snapshot :])
            live.rebase()
            return live

    def close(self) -> None:
        for live in self._shows.values():
            live.close()
        self._shows.clear()
