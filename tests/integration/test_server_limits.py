"""Slow clients: a request head must arrive in time, and one address may hold only so many
connections (server_limits.py), on real sockets on loopback."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect

from liveops.config import Settings
from tests.conftest import Server, free_port, running_server
from tests.integration.test_ingest_api import create_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Server]:
    settings = Settings(data_dir=tmp_path, header_timeout_seconds=0.6, max_connections_per_client=3)
    async with running_server(settings) as server:
        yield server


async def open_raw(server: Server, source: str = "127.0.0.1") -> Stream:
    parts = urlsplit(server.url)
    return await asyncio.wait_for(
        asyncio.open_connection(parts.hostname, parts.port, local_addr=(source, 0)), 5
    )


async def read_until_closed(reader: asyncio.StreamReader, within: float) -> bytes:
    """Everything the server writes until it closes the connection (fails if it does not)."""
    return await asyncio.wait_for(reader.read(), within)


async def healthz(server: Server) -> int:
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        return (await client.get("/healthz")).status_code


class TestHeaderTimeout:
    async def test_a_trickling_head_is_closed_while_others_are_served(
        self, limited: Server
    ) -> None:
        reader, writer = await open_raw(limited)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

        async def trickle() -> None:
            for i in range(20):
                await asyncio.sleep(0.2)
                writer.write(f"X-Slow-{i}: 1\r\n".encode())

        trickling = asyncio.create_task(trickle())
        began = time.monotonic()
        try:
            answer = await read_until_closed(reader, 5)
            closed_after = time.monotonic() - began
            # Normal requests are served meanwhile and afterwards.
            assert await healthz(limited) == 200
        finally:
            trickling.cancel()
            writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert 0.4 < closed_after < 3, closed_after

    async def test_a_silent_connection_is_closed(self, limited: Server) -> None:
        reader, writer = await open_raw(limited)
        try:
            answer = await read_until_closed(reader, 5)
        finally:
            writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer

    async def test_a_later_keep_alive_request_has_the_same_deadline(self, limited: Server) -> None:
        reader, writer = await open_raw(limited)
        try:
            for _ in range(3):  # complete requests, each well within the deadline
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                assert head.startswith(b"HTTP/1.1 200"), head
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                await asyncio.wait_for(reader.readexactly(length), 5)
                await asyncio.sleep(0.3)
            writer.write(b"GET /healthz HTTP/1.1\r\n")  # then a head that never completes
            began = time.monotonic()
            answer = await read_until_closed(reader, 5)
        finally:
            writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert time.monotonic() - began < 3

    async def test_a_slow_body_is_not_a_slow_head(self, limited: Server) -> None:
        reader, writer = await open_raw(limited)
        body = b'{"title": "slow", "platform": "douyin"}'
        head = (
            f"POST /api/v1/shows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {limited.token}"
            f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        try:
            writer.write(head.encode())
            for i in range(0, len(body), 8):
                await asyncio.sleep(0.1)  # ~0.5 s in all: past the head's deadline
                writer.write(body[i : i + 8])
            answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        finally:
            writer.close()
        assert answer.startswith(b"HTTP/1.1 201"), answer


class TestConnectionsPerClient:
    async def test_the_connection_past_the_cap_is_refused_and_slots_come_back(
        self, tmp_path: Path
    ) -> None:
        # A long head deadline, so that idle connections stay open during the test.
        settings = Settings(
            data_dir=tmp_path, header_timeout_seconds=30, max_connections_per_client=3
        )
        async with running_server(settings) as server:
            held = [await open_raw(server) for _ in range(3)]
            try:
                reader, writer = await open_raw(server)
                refused = await read_until_closed(reader, 5)
                writer.close()
                assert refused.startswith(b"HTTP/1.1 503"), refused
                assert b"too many connections" in refused

                # Another address is not affected (all of 127/8 is loopback on Linux).
                reader, writer = await open_raw(server, source="127.0.0.2")
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert (await read_until_closed(reader, 5)).startswith(b"HTTP/1.1 200")
                writer.close()

                # Closing one of the three gives its place back.
                _, first = held.pop()
                first.close()
                await first.wait_closed()
                assert await self._eventually_ok(server)
            finally:
                for _, writer in held:
                    writer.close()

    async def test_websockets_count_and_are_released_when_closed(self, tmp_path: Path) -> None:
        settings = Settings(
            data_dir=tmp_path, header_timeout_seconds=30, max_connections_per_client=2
        )
        async with running_server(settings) as server:
            show = await create_show(server)
            url = f"{server.ws_url}/api/v1/shows/{show}/live"
            headers = {"Authorization": f"Bearer {server.token}"}
            async with (
                connect(url, additional_headers=headers, open_timeout=5),
                connect(url, additional_headers=headers, open_timeout=5),
            ):
                # Two consoles hold both places: a third connection is refused.
                reader, writer = await open_raw(server)
                refused = await read_until_closed(reader, 5)
                writer.close()
                assert refused.startswith(b"HTTP/1.1 503"), refused
            # Both consoles closed: their places are free again.
            assert await self._eventually_ok(server)
            async with (
                connect(url, additional_headers=headers, open_timeout=5),
                connect(url, additional_headers=headers, open_timeout=5),
            ):
                pass

    async def test_zero_means_no_cap(self, tmp_path: Path) -> None:
        settings = Settings(
            data_dir=tmp_path, header_timeout_seconds=30, max_connections_per_client=0
        )
        async with running_server(settings) as server:
            held = [await open_raw(server) for _ in range(20)]
            try:
                assert await healthz(server) == 200
            finally:
                for _, writer in held:
                    writer.close()

    @staticmethod
    async def _eventually_ok(server: Server) -> bool:
        """The server notices a closed socket a moment after the client closes it."""
        for _ in range(50):
            try:
                if await healthz(server) == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
        return False


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"hello"})


@pytest.mark.parametrize("protocol", ["httptools", "h11"])
async def test_both_uvicorn_protocols_keep_the_limits(protocol: str) -> None:
    """uvicorn runs h11 where httptools is not installed: the limits hold there too."""
    from liveops.server_limits import LimitedH11Protocol, LimitedHttpToolsProtocol

    cls = {"httptools": LimitedHttpToolsProtocol, "h11": LimitedH11Protocol}[protocol]
    port = free_port()
    http: Any = functools.partial(cls, header_timeout=0.5, max_per_client=2)
    server = uvicorn.Server(
        uvicorn.Config(_hello, host="127.0.0.1", port=port, http=http, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done()
            await asyncio.sleep(0.02)
        target = Server(f"http://127.0.0.1:{port}", "", Settings())
        # A head that never completes: 408, then closed.
        slow_reader, slow = await open_raw(target)
        slow.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
        # The second place is taken by a keep-alive connection that completes a request.
        reader, writer = await open_raw(target)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await asyncio.wait_for(reader.readuntil(b"hello"), 5)).startswith(b"HTTP/1.1 200")
        # Both places taken: refused.
        refused_reader, refused = await open_raw(target)
        assert (await read_until_closed(refused_reader, 5)).startswith(b"HTTP/1.1 503")
        refused.close()
        assert (await read_until_closed(slow_reader, 5)).startswith(b"HTTP/1.1 408")
        slow.close()
        writer.close()
        # Both closed: their places are free again.
        for _ in range(50):
            reader, writer = await open_raw(target)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = await read_until_closed(reader, 5)
            writer.close()
            if answer.startswith(b"HTTP/1.1 200"):
                break
            await asyncio.sleep(0.05)
        assert answer.startswith(b"HTTP/1.1 200"), answer
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
