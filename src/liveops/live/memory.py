"""The embedded live backend: every show's live state and consoles in this one process."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.config import Settings
from liveops.events import EventRecord
from liveops.live.changes import ShowChange
from liveops.live.channels import as_seen_by, for_role
from liveops.live.connection import ConsoleConnection
from liveops.live.hub import Hub
from liveops.live.protocol import control, encode
from liveops.live.publisher import ShowLive
from liveops.live.registry import LiveRegistry
from liveops.storage.db import Transaction


def initial_frames(
    live: ShowLive, epoch: str | None, offset: int | None, role: str
) -> list[tuple[int | None, str]]:
    """A console's first frames, each with the stream offset it brings the console to, as a
    console of `role` may see them (live/channels.py)."""
    if epoch is not None and offset is not None:
        missed = live.stream.since(epoch, offset)
        if missed is not None:
            resumed: tuple[int | None, str] = (
                offset,
                encode(control("resumed", epoch=epoch, offset=offset)),
            )
            return [resumed, *(as_seen_by(role, p) for p in missed)]
        reason = (
            "the stream restarted since that position (new epoch)"
            if epoch != live.stream.epoch
            else "that position is no longer in the stream's history"
        )
        snapshot = live.snapshot()
        return [
            (None, encode(control("resync", reason=reason))),
            (snapshot["offset"], encode(for_role(snapshot, role))),
        ]
    snapshot = live.snapshot()
    return [(snapshot["offset"], encode(for_role(snapshot, role)))]


class MemoryBackend:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.process_id = secrets.token_hex(6)
        self.hub = Hub()
        self.registry = LiveRegistry(sessionmaker, self.hub, settings)

    def use_writer(self, write: Transaction) -> None:
        self.registry.write = write

    async def start(self) -> None:
        return None

    def drain(self) -> None:
        pass  # one process holds everything: there is nothing to hand over or take on

    async def close(self) -> None:
        self.registry.close()
        self.hub.close_all()

    async def show_exists(self, show_id: str) -> bool:
        # Loading here, BEFORE the batch is written, keeps the batch out of the replay.
        return await self.registry.get(show_id) is not None

    async def ingested(
        self, show_id: str, records: Sequence[EventRecord], row_ids: Sequence[int]
    ) -> None:
        live = self.registry.peek(show_id)
        if live is not None:
            live.apply(records)

    async def publish(self, changes: Sequence[ShowChange]) -> None:
        for change in changes:
            live = await self.registry.get(change.show_id)
            if live is not None:
                live.apply_change(change)

    async def current(self, show_id: str) -> dict[str, Any] | None:
        live = await self.registry.get(show_id)
        return None if live is None else live.current_snapshot()

    async def attach(
        self, show_id: str, connection: ConsoleConnection, epoch: str | None, offset: int | None
    ) -> str | None:
        live = await self.registry.get(show_id)
        if live is None:
            return None
        # No await from here to hub.add: nothing can be published in between.
        frames = initial_frames(live, epoch, offset, connection.role)
        connection.push_backlog(frames)
        self.hub.add(show_id, connection)
        return _outcome(epoch, offset, frames)

    def detach(self, show_id: str, connection: ConsoleConnection) -> None:
        self.hub.remove(show_id, connection)

    def console_count(self) -> int:
        return self.hub.count()

    def owned_shows(self) -> list[str]:
        return self.registry.loaded()

    def positions(self) -> dict[str, int]:
        return self.registry.positions()


def _outcome(epoch: str | None, offset: int | None, frames: list[tuple[int | None, str]]) -> str:
    if epoch is None or offset is None:
        return "snapshot"
    return "resync" if frames[0][0] is None else "resumed"
