"""Everything a running process holds: built by the app's lifespan, read by dependencies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from liveops.actions.held import HeldActionApplier
from liveops.auth.cache import CredentialCache
from liveops.config import Settings
from liveops.inventory.desk import ReservationDesk
from liveops.inventory.worker import ExpirySweeper
from liveops.live.backend import LiveBackend
from liveops.live.changes import ShowChange, staged
from liveops.live.memory import MemoryBackend
from liveops.live.redis_backend import RedisBackend
from liveops.observability import Metrics
from liveops.platforms.base import Platform
from liveops.platforms.recording import RecordingPlatform
from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work
from liveops.storage.redis import create_redis

log = logging.getLogger("liveops")


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    read_engine: AsyncEngine
    read_sessionmaker: async_sessionmaker[AsyncSession]
    live: LiveBackend
    admin_token: str | None
    # SQLite allows one writer. Queueing writers here costs nothing; letting them collide
    # costs SQLite's busy handler, which sleeps in steps of up to 100 ms.
    write_lock: asyncio.Lock | None
    metrics: Metrics
    draining: bool = False  # set on SIGTERM: refuse new ingest, report not ready
    ingest_slots: asyncio.Semaphore = field(init=False)  # ingest batches handled at once
    credentials: CredentialCache = field(init=False)
    reservations: ReservationDesk = field(init=False)
    expiry: ExpirySweeper = field(init=False)
    # Where actions reach the room's viewers: the recording fake until real adapters exist.
    platform: Platform = field(default_factory=RecordingPlatform)
    held_actions: HeldActionApplier = field(init=False)

    def __post_init__(self) -> None:
        settings = self.settings
        self.ingest_slots = asyncio.Semaphore(settings.ingest_max_in_flight)
        self.credentials = CredentialCache(settings.credential_cache_seconds)
        self.reservations = ReservationDesk(
            self.transaction,
            hold_seconds=settings.reservation_hold_seconds,
            max_batch=settings.reservation_batch_max,
        )
        self.expiry = ExpirySweeper(
            self.transaction,
            self.read,
            interval=settings.reservation_sweep_seconds,
        )
        self.held_actions = HeldActionApplier(
            self.transaction,
            self.read,
            self.platform,
            interval=settings.held_action_poll_seconds,
        )
        self.metrics.watch_reservations(self._reservation_counts)

    def _reservation_counts(self) -> dict[str, int]:
        desk = self.reservations
        return {
            "decisions": desk.decisions,
            "batches": desk.batches,
            "early_probe_races": desk.early_probe_races,
            "expired": self.expiry.expired,
        }

    @classmethod
    def build(cls, settings: Settings, *, admin_token: str | None) -> Runtime:
        engine = create_engine(settings)
        read_engine = create_engine(settings, reads_only=True) if settings.is_sqlite else engine
        read_sessionmaker = create_sessionmaker(read_engine)
        metrics = Metrics()
        live: LiveBackend
        if settings.redis_url:
            redis_live = RedisBackend(settings, read_sessionmaker, create_redis(settings.redis_url))
            redis_live.on_bus_failure = metrics.bus_failures.inc
            live = redis_live
        else:
            live = MemoryBackend(read_sessionmaker, settings)
        metrics.watch_live(live.console_count, live.owned_shows, live.positions)
        runtime = cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            read_engine=read_engine,
            read_sessionmaker=read_sessionmaker,
            live=live,
            admin_token=admin_token,
            write_lock=asyncio.Lock() if settings.is_sqlite else None,
            metrics=metrics,
        )
        live.use_writer(runtime.transaction)
        return runtime

    @property
    def redis(self) -> Redis | None:
        return self.live.redis if isinstance(self.live, RedisBackend) else None

    @property
    def process_id(self) -> str:
        return self.live.process_id

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """The transaction boundary: commits when the block succeeds, before any response,
        then hands the live side the changes the block staged (live/changes.py), once."""
        changes: list[ShowChange] = []
        async with self._write_turn(), unit_of_work(self.sessionmaker) as session:
            yield session
            changes = staged(session)
        if changes:
            try:
                await self.live.publish(changes)
            except Exception:
                # Committed is committed: the request succeeds, and consoles catch up on the
                # next change or snapshot (the Redis aggregator also reconciles from storage).
                log.exception("could not publish %d committed changes", len(changes))

    def _write_turn(self) -> AbstractAsyncContextManager[object]:
        return self.write_lock if self.write_lock is not None else nullcontext()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessionmaker() as session:
            yield session

    async def close(self) -> None:
        await self.held_actions.close()
        await self.expiry.close()
        await self.reservations.close()
        await self.live.close()
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
