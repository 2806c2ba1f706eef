"""A client that leaves in the middle of its request body is not a server error: nothing is
stored, and nothing is logged at ERROR (a proxy timing out, a phone losing its signal)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import pytest

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_a_client_gone_mid_body_is_no_error(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    show = await create_show(server)
    parts = urlsplit(server.url)
    assert parts.hostname is not None
    assert parts.port is not None
    caplog.set_level(logging.INFO)
    for path in (f"/api/v1/shows/{show}/events", f"/api/v1/shows/{show}/actions"):
        _, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
                f"Authorization: Bearer {server.token}\r\nContent-Type: application/json\r\n"
                "Content-Length: 100000\r\n\r\n"
            ).encode()
            + b'{"events": [{"id": "e1", "type": "like", "count": 1, '
        )
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.3)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    async with server.client() as client:
        stored = await client.get(f"/api/v1/shows/{show}/actions")
        assert stored.json()["actions"] == []
