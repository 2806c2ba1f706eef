"""The database driver's own connection, for hot paths that skip SQLAlchemy's statement layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class DriverConnection:
    driver: Any  # asyncpg.Connection or aiosqlite.Connection
    postgres: bool


async def driver_in_transaction(session: AsyncSession) -> DriverConnection:
    """The driver connection under the session's transaction, with that transaction begun.

    Statements sent here commit or roll back with the session. That is not automatic on
    PostgreSQL: SQLAlchemy's asyncpg adapter sends BEGIN lazily, with the first statement it
    runs itself, so a statement sent to the driver first would run in autocommit, one by one,
    holding no lock past its own end and surviving a rollback. SQLite needs nothing here: its
    "begin" hook (storage/db.py) has already sent BEGIN when the session took the connection.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    adapter: Any = raw.dbapi_connection
    postgres = connection.dialect.name == "postgresql"
    if postgres and not driver.is_in_transaction():
        # The adapter's own start, so that the session's commit and rollback end this
        # transaction; there is no public way to ask for BEGIN without a statement.
        await adapter._start_transaction()
        if not driver.is_in_transaction():
            raise RuntimeError("could not begin a transaction on the PostgreSQL connection")
    return DriverConnection(driver, postgres)
