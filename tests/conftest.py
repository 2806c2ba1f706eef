"""Shared fixtures: real servers on loopback, real PostgreSQL, a fresh SQLite file per test."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.asyncio
import uvicorn

from liveops.app import create_app
from liveops.config import Settings
from liveops.live.server_options import uvicorn_options

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session (dropped at the end)."""
    name = f"liveops_test_{secrets.token_hex(4)}"

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(PG_DSN)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the shared Redis, deleted afterwards."""
    prefix = f"liveops-test-{secrets.token_hex(4)}"
    yield prefix

    async def clean() -> None:
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()

    asyncio.run(clean())


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("postgres+redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
    ]
)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for the embedded default, for PostgreSQL, and for PostgreSQL with Redis (the
    many-process path, here in one process): every such test runs on all three."""
    fast = {"data_dir": tmp_path, "metrics_interval_seconds": 0.05}
    if request.param == "sqlite":
        return Settings(**fast)
    url = request.getfixturevalue("pg_database")
    if request.param == "postgres":
        return Settings(database_url=url, **fast)
    prefix = request.getfixturevalue("redis_prefix")
    return Settings(database_url=url, redis_url=REDIS_URL, redis_prefix=prefix, **fast)


@dataclass
class Server:
    url: str
    token: str
    settings: Settings

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30)


async def migrate(settings: Settings) -> None:
    from liveops.storage.db import create_engine
    from liveops.storage.migrate import upgrade_to_head

    engine = create_engine(settings)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def running_server(settings: Settings, token: str | None = None) -> AsyncIterator[Server]:
    """A real uvicorn on a free loopback port, in this event loop."""
    if not settings.is_sqlite:
        await migrate(settings)
    token = token or "test_admin_" + secrets.token_hex(8)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, admin_token=token),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        **uvicorn_options(log_level="warning", settings=settings),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(400):
        if server.started or task.done():
            break
        await asyncio.sleep(0.025)
    if not server.started:
        task.result()
        raise RuntimeError("server did not start")
    try:
        yield Server(f"http://127.0.0.1:{port}", token, settings)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Server]:
    async with running_server(settings) as running:
        yield running
