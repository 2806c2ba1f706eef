"""The seam between the HTTP/websocket edges and how live state is kept and fanned out.

Two implementations: `MemoryBackend` (embedded: one process holds every show's live state and
its consoles) and `RedisBackend` (many processes share Redis: one aggregator per show, any
process serves any console). Routers only ever talk to this interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from liveops.events import EventRecord
from liveops.live.changes import ShowChange
from liveops.live.connection import ConsoleConnection
from liveops.storage.db import Transaction


class LiveBackend(Protocol):
    process_id: str  # names this process in logs, leases and /healthz

    async def start(self) -> None: ...

    def use_writer(self, write: Transaction) -> None:
        """How the live side stores what it decides itself (alerts): the runtime's transaction
        boundary, given once the runtime exists (before `start`)."""

    def drain(self) -> None:
        """The process is shutting down (SIGTERM): take on no new work, such as aggregating
        a show another process is handing over. Called from a signal handler: no awaiting."""

    async def close(self) -> None:
        """Stop background work; consoles have been closed by then."""

    async def show_exists(self, show_id: str) -> bool:
        """Called before an ingest batch is written (the embedded mode loads the state here)."""

    async def ingested(
        self, show_id: str, records: Sequence[EventRecord], row_ids: Sequence[int]
    ) -> None:
        """Newly stored events, after their commit, in batch order."""

    async def publish(self, changes: Sequence[ShowChange]) -> None:
        """Committed changes (live/changes.py), in the order they were made. Called by the
        transaction boundary after its commit; never raises for the bus being away (the
        aggregator's reconcile heals from storage)."""

    async def current(self, show_id: str) -> dict[str, Any] | None:
        """The show's live picture now, as a new console's snapshot holds it (metrics, recent
        feed, stock), or None when there is no such show. For HTTP reads of live values, such
        as the prompter's `{online}`; on Redis it may trail the stream by a metrics interval."""

    async def attach(
        self, show_id: str, connection: ConsoleConnection, epoch: str | None, offset: int | None
    ) -> str | None:
        """Queue the console's first frames (snapshot, or the exact gap since its position) and
        start delivering publications to it, with nothing missed in between. Returns how it
        started (`snapshot`, `resumed` or `resync`), or None when there is no such show."""

    def detach(self, show_id: str, connection: ConsoleConnection) -> None: ...

    def console_count(self) -> int: ...

    def owned_shows(self) -> list[str]:
        """Shows whose live state this process computes."""

    def positions(self) -> dict[str, int]:
        """The newest publication offset of each show this process computes."""
