"""Apply Alembic migrations to the configured database, from the app or the CLI."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import liveops

# Arbitrary constant: every `liveops serve` process that migrates on start takes this lock, so
# replicas starting together do not race on alembic_version.
_MIGRATION_LOCK_KEY = 7_446_051_130


def migrations_dir() -> Path:
    package_dir = Path(liveops.__file__).resolve().parent
    bundled = package_dir / "migrations"  # inside an installed wheel
    if bundled.is_dir():
        return bundled
    return package_dir.parents[1] / "migrations"  # a source checkout


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


class SchemaOutOfDate(RuntimeError):
    pass


def _current_and_head(connection: Connection) -> tuple[str | None, str | None]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return current, head


async def require_head(engine: AsyncEngine) -> None:
    """Refuse to serve a database whose schema is not the latest: say what to run."""
    async with engine.connect() as connection:
        current, head = await connection.run_sync(_current_and_head)
    if current != head:
        raise SchemaOutOfDate(
            f"the database schema is at {current or 'nothing'}, this version needs {head}: "
            "run `liveops migrate` first"
        )
