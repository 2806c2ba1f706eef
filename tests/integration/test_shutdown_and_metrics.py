"""SIGTERM on a real process, and the Prometheus endpoint."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from liveops.config import Settings
from liveops.shows import service as shows_service
from liveops.shows.schemas import ShowCreate
from tests.conftest import Server, free_port
from tests.integration.test_ingest_api import create_show
from tests.integration.test_live_websocket import comment, post

pytestmark = pytest.mark.anyio
LIVEOPS = str(Path(sys.executable).with_name("liveops"))


async def _read_until_closed(ws: ClientConnection) -> None:
    while True:
        await ws.recv()


async def start(tmp_path: Path, token: str, port: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "LIVEOPS_DATA_DIR": str(tmp_path), "LIVEOPS_ADMIN_TOKEN": token}
    process = await asyncio.create_subprocess_exec(
        LIVEOPS,
        "serve",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return process
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError("server did not start")


@pytest.mark.timeout(120)
async def test_sigterm_closes_consoles_with_1012_and_loses_nothing_acknowledged(
    tmp_path: Path,
) -> None:
    token = "term_" + secrets.token_hex(6)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = await start(tmp_path, token, port)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        show = (await client.post("/api/v1/shows", json={"title": "t", "platform": "p"})).json()[
            "id"
        ]
        ws = await connect(
            f"ws://127.0.0.1:{port}/api/v1/shows/{show}/live", additional_headers=headers
        )
        assert json.loads(await ws.recv())["type"] == "snapshot"

        acknowledged = 0
        refusals: list[httpx.Response] = []
        n = 0
        terminated = False
        while True:
            batch = [comment(n + i) for i in range(50)]
            n += 50
            try:
                response = await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})
            except httpx.TransportError:
                break  # the process has closed its socket
            if response.status_code == 200:
                acknowledged += response.json()["accepted"]
            else:
                refusals.append(response)
            if n == 2_000 and not terminated:
                process.send_signal(signal.SIGTERM)
                terminated = True
            if n > 200_000:
                pytest.fail("the server kept taking ingest after SIGTERM")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(_read_until_closed(ws), 10)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1012
    assert await asyncio.wait_for(process.wait(), 30) is not None
    for refusal in refusals:
        assert refusal.status_code == 503
        assert refusal.headers["retry-after"] == "1"
    assert acknowledged >= 2_000

    # Everything acknowledged is there after a restart; nothing refused is.
    process = await start(tmp_path, token, port)
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers) as client:
            summary = (await client.get(f"/api/v1/shows/{show}/review")).json()["summary"]
        assert summary["comments"] == acknowledged
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


@pytest.mark.timeout(60)
async def test_metrics_count_ingest_consoles_and_resumes(server: Server) -> None:
    show = await create_show(server)
    await post(server, show, [comment(1), comment(1), comment(2)])
    async with server.client() as client:
        put = await client.put(
            f"/api/v1/shows/{show}/stock/HOT", json={"available": 1, "version": 1}
        )
        assert put.status_code == 200, put.text
        for order in ("o1", "o1", "o2"):  # a reservation, its retry, and a sold-out answer
            body = {"order_id": order, "viewer_id": "v", "qty": 1}
            await client.post(f"/api/v1/shows/{show}/stock/HOT/reservations", json=body)
    headers = {"Authorization": f"Bearer {server.token}"}
    async with connect(
        f"{server.ws_url}/api/v1/shows/{show}/live?epoch=old&offset=3", additional_headers=headers
    ) as ws:
        await ws.recv()
        async with httpx.AsyncClient(headers=headers) as client:
            text = (await client.get(f"{server.url}/metrics")).text
    assert 'liveops_ingest_events_total{outcome="accepted"} 2.0' in text
    assert 'liveops_ingest_events_total{outcome="duplicate"} 1.0' in text
    assert "liveops_consoles 1.0" in text
    assert 'liveops_console_resumes_total{outcome="resync"} 1.0' in text
    assert f'liveops_stream_offset{{show="{show}"}}' in text
    assert "liveops_reservation_decisions_total 3.0" in text
    assert "liveops_reservation_early_probe_races_total 0.0" in text


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(60)
async def test_a_draining_process_takes_no_show_over(
    pg_database: str, redis_prefix: str, tmp_path: Path
) -> None:
    """Two processes stopping together: the one still draining must not take over the shows
    the other hands back (it would be cut off halfway through rebuilding them)."""
    from liveops.live.redis_backend import RedisBackend
    from liveops.storage.db import create_engine, create_sessionmaker
    from liveops.storage.redis import Keys, create_redis
    from tests.conftest import REDIS_URL, migrate

    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_database,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        lease_seconds=1,
    )
    await migrate(settings)
    engine = create_engine(settings)
    redis = create_redis(REDIS_URL)
    backend = RedisBackend(settings, create_sessionmaker(engine), redis)
    keys = Keys(redis_prefix)
    async with create_sessionmaker(engine)() as session, session.begin():
        wanted = (await shows_service.create(session, ShowCreate(title="a", platform="x"))).id
        handed_back = (await shows_service.create(session, ShowCreate(title="b", platform="x"))).id
    await backend.start()
    try:
        await backend.ingested(wanted, [], [])  # wanted here: claimed within a claim round
        for _ in range(200):
            if await redis.get(keys.owner(wanted)) is not None:
                break
            await asyncio.sleep(0.05)
        assert await redis.get(keys.owner(wanted)) is not None, "not claimed within 10 s"

        backend.drain()
        await backend.ingested(handed_back, [], [])  # free, and wanted, but we are draining
        await asyncio.sleep(1.5)  # several claim rounds
        assert await redis.get(keys.owner(handed_back)) is None
        assert backend.owned_shows() == [wanted]
    finally:
        async with asyncio.timeout(15):  # bounded, and hands the owned show back
            await backend.close()
        await engine.dispose()
    check = create_redis(REDIS_URL)
    try:
        assert await check.get(keys.owner(wanted)) is None
    finally:
        await check.aclose()
