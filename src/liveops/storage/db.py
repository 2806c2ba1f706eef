"""Engines and sessions. SQLite gets the pragmas and BEGIN handling it needs to be safe."""

from __future__ import annotations

import fcntl
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from liveops.config import Settings


def create_engine(settings: Settings, *, reads_only: bool = False) -> AsyncEngine:
    """An engine for the configured database.

    On SQLite, writers take the write lock when they begin (`BEGIN IMMEDIATE`); `reads_only`
    engines begin deferred, so reads never wait for a writer (WAL lets them run alongside).
    """
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_size=4, max_overflow=4)
        _configure_sqlite(engine, begin="BEGIN" if reads_only else "BEGIN IMMEDIATE")
        return engine
    # Fail fast when PostgreSQL is unreachable: a request answers 503 within seconds instead
    # of hanging, and the producer retries.
    #
    # Custom plans only: asyncpg prepares every statement, and PostgreSQL may settle on a
    # generic plan while a table is still small (a fresh show's reservations), then keep it
    # for the connection's life. For the reservation desk's per-order index probes that plan
    # became a sequential scan per order id, 40x slower by 20,000 rows (bench/flashsale.py).
    # Planning each statement costs tens of microseconds; our statements are few and batched.
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={
            "timeout": 5,
            "command_timeout": 30,
            "server_settings": {"plan_cache_mode": "force_custom_plan"},
        },
    )


def _configure_sqlite(engine: AsyncEngine, *, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling mis-orders BEGIN; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged ingest batch survives a power cut, not only a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing.
        connection.exec_driver_sql(begin)


# A transaction boundary to write through: `async with write() as session: …` commits at the
# end (Runtime.transaction, which on SQLite also takes the process's write turn).
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """The one transaction boundary outside HTTP requests: commit on success, roll back on error."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


class EmbeddedDatabaseBusy(RuntimeError):
    """Another process already serves this embedded database."""


async def insert_unless_taken(session: AsyncSession, row: object) -> bool:
    """Insert `row` in a savepoint; False when a unique key refused it (a concurrent request
    inserted the same key first), in which case nothing else of the transaction is lost."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


@contextmanager
def exclusive_embedded_use(data_dir: Path) -> Iterator[None]:
    """Hold the embedded database for this process alone.

    The embedded mode keeps each show's live state in process memory. A second process on the
    same SQLite file would build its own, and its consoles would show other numbers, so it is
    refused instead (the lock is released by the OS even if this process dies).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "liveops.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EmbeddedDatabaseBusy(
                f"another liveops process is already serving the embedded database in "
                f"{data_dir.resolve()}; the embedded mode runs one process. Stop the other "
                f"one, pick another LIVEOPS_DATA_DIR, or use PostgreSQL and Redis."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
