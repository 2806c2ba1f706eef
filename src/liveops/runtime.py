"""Everything a running process holds: built by the app's lifespan, read by dependencies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from liveops.config import Settings
from liveops.live.hub import Hub
from liveops.live.registry import LiveRegistry
from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    hub: Hub
    live: LiveRegistry
    admin_token: str | None

    @classmethod
    def build(cls, settings: Settings, *, admin_token: str | None) -> Runtime:
        engine = create_engine(settings)
        sessionmaker = create_sessionmaker(engine)
        hub = Hub()
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            hub=hub,
            live=LiveRegistry(sessionmaker, hub, settings),
            admin_token=admin_token,
        )

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """The transaction boundary: commits when the block succeeds, before any response."""
        return unit_of_work(self.sessionmaker)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    async def close(self) -> None:
        self.live.close()
        self.hub.close_all()
        await self.engine.dispose()
