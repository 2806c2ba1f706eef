"""Alembic environment. The app calls it with a live connection (see liveops.storage.migrate);
the `alembic` command line gets its URL from the same LIVEOPS_* settings as the app."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from liveops.config import Settings
from liveops.storage import models  # noqa: F401  (registers every table on Base.metadata)
from liveops.storage.base import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER through copy-and-move batches
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(Settings().effective_database_url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


shared: Connection | None = config.attributes.get("connection")
if shared is not None:
    _run(shared)
else:
    asyncio.run(_run_online())
