"""Several real `liveops serve` processes sharing PostgreSQL and Redis (issue #3)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio
from websockets.asyncio.client import ClientConnection, connect

from liveops.simulate import SimulationConfig, run_simulation
from tests.conftest import REDIS_URL, free_port
from tests.integration.test_simulated_show import assert_same_metrics

pytestmark = [pytest.mark.anyio, pytest.mark.postgres, pytest.mark.redis]
LIVEOPS = str(Path(sys.executable).with_name("liveops"))


@dataclass
class Process:
    url: str
    popen: asyncio.subprocess.Process
    process_id: str

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


@asynccontextmanager
async def cluster(
    n: int,
    database_url: str,
    prefix: str,
    tmp_path: Path,
    redis_url: str = REDIS_URL,
    extra_env: dict[str, str] | None = None,
) -> AsyncIterator[tuple[list[Process], str]]:
    token = "cluster_" + secrets.token_hex(8)
    env = {
        **os.environ,
        "LIVEOPS_DATABASE_URL": database_url,
        "LIVEOPS_REDIS_URL": redis_url,
        "LIVEOPS_REDIS_PREFIX": prefix,
        "LIVEOPS_ADMIN_TOKEN": token,
        "LIVEOPS_DATA_DIR": str(tmp_path),
        "LIVEOPS_LEASE_SECONDS": "2",
        **(extra_env or {}),
    }
    migrate = await asyncio.create_subprocess_exec(
        LIVEOPS, "migrate", env=env, stdout=asyncio.subprocess.DEVNULL
    )
    assert await asyncio.wait_for(migrate.wait(), 60) == 0
    processes: list[Process] = []
    try:
        for i in range(n):
            port = free_port()
            with (tmp_path / f"server-{i}.log").open("wb") as log:
                popen = await asyncio.create_subprocess_exec(
                    LIVEOPS, "serve", "--port", str(port), env=env, stdout=log, stderr=log
                )
            processes.append(Process(f"http://127.0.0.1:{port}", popen, ""))
        async with httpx.AsyncClient(timeout=5) as client:
            for process in processes:
                for _ in range(200):
                    try:
                        health = await client.get(f"{process.url}/healthz")
                        process.process_id = health.json()["process"]
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                assert process.process_id, "a server did not start"
        yield processes, token
    finally:
        for process in processes:
            if process.popen.returncode is None:
                process.popen.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.popen.wait(), 15)
            except TimeoutError:
                process.popen.kill()


def console(process: Process, show: str, token: str) -> Any:
    return connect(
        f"{process.ws_url}/api/v1/shows/{show}/live",
        additional_headers={"Authorization": f"Bearer {token}"},
        max_size=None,
    )


_RESTATED = ("snapshot", "resumed")


class ConsoleLog:
    """Reads a console until told to stop; checks positions as it goes."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.frames.append(json.loads(raw))

    def offsets(self) -> list[int]:
        """Positions of every published frame (a snapshot or `resumed` only restates one)."""
        return [f["offset"] for f in self.frames if "offset" in f and f["type"] not in _RESTATED]

    def comment_ids(self) -> list[str]:
        """Comments as the console got them: in its snapshot's recent feed, then in feeds."""
        return [
            item["id"]
            for f in self.frames
            if f["type"] in ("feed", "snapshot")
            for item in f["items" if f["type"] == "feed" else "feed"]
            if item["kind"] == "comment"
        ]


async def snapshot_metrics(process: Process, show: str, token: str) -> dict[str, Any]:
    async with console(process, show, token) as ws:
        snapshot = json.loads(await asyncio.wait_for(ws.recv(), 15))
    assert snapshot["type"] == "snapshot"
    return dict(snapshot["metrics"])


async def owner_of(prefix: str, show: str) -> str | None:
    client = redis.asyncio.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        token = await client.get(f"{prefix}:show:{show}:owner")
    finally:
        await client.aclose()
    return None if token is None else str(token).split(":")[0]


async def create_show(process: Process, token: str) -> str:
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
        response = await client.post(
            f"{process.url}/api/v1/shows", json={"title": "多进程专场", "platform": "douyin"}
        )
    assert response.status_code == 201
    return str(response.json()["id"])


@pytest.mark.timeout(240)
async def test_events_posted_to_one_process_reach_consoles_on_the_others(
    pg_database: str, redis_prefix: str, tmp_path: Path
) -> None:
    async with cluster(3, pg_database, redis_prefix, tmp_path) as (processes, token):
        a, b, c = processes
        show = await create_show(a, token)
        async with console(b, show, token) as on_b, console(c, show, token) as on_c:
            log_b, log_c = ConsoleLog(on_b), ConsoleLog(on_c)
            deadline = time.monotonic() + 15
            while not (log_b.frames and log_c.frames):  # both hold a snapshot
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            config = SimulationConfig(
                url=a.url,
                show_id=show,
                duration=10,
                rate=300,
                seed=5,
                token=token,
                realtime=False,
                start=datetime.now(UTC) - timedelta(minutes=2),
            )
            report = await run_simulation(config, out=lambda _: None)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if (
                    len(log_b.comment_ids())
                    == len(log_c.comment_ids())
                    == report.totals["comments"]
                ):
                    break
                await asyncio.sleep(0.1)
            for log in (log_b, log_c):
                offsets = log.offsets()
                assert offsets == list(range(offsets[0], offsets[0] + len(offsets)))
                assert len(log.comment_ids()) == report.totals["comments"]
            assert log_b.comment_ids() == log_c.comment_ids()
            await asyncio.sleep(0.5)
            snapshots = [await snapshot_metrics(p, show, token) for p in processes]
        for metrics in snapshots:
            assert_same_metrics(metrics, report.totals, "live snapshot")
        assert snapshots[0] == snapshots[1] == snapshots[2]


@pytest.mark.timeout(300)
async def test_killing_the_aggregators_owner_hands_over_within_5_seconds(
    pg_database: str, redis_prefix: str, tmp_path: Path
) -> None:
    async with cluster(3, pg_database, redis_prefix, tmp_path) as (processes, token):
        show = await create_show(processes[0], token)
        # Watch the show from every process; one of them will own the aggregator.
        watchers = [await console(p, show, token).__aenter__() for p in processes]
        for ws in watchers:
            assert json.loads(await asyncio.wait_for(ws.recv(), 15))["type"] == "snapshot"
        deadline = time.monotonic() + 10
        while (owner := await owner_of(redis_prefix, show)) is None:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        victim = next(p for p in processes if p.process_id == owner)
        survivors = [p for p in processes if p is not victim]
        logs = [
            ConsoleLog(ws) for p, ws in zip(processes, watchers, strict=True) if p is not victim
        ]

        config = SimulationConfig(
            url=survivors[0].url,
            show_id=show,
            duration=16,
            rate=250,
            seed=9,
            token=token,
            realtime=True,
        )
        simulation = asyncio.create_task(run_simulation(config, out=lambda _: None))
        await asyncio.sleep(5)
        victim.popen.send_signal(signal.SIGKILL)  # no goodbye: the lease must run out
        killed_at = time.monotonic()
        while (new_owner := await owner_of(redis_prefix, show)) in (None, owner):
            assert time.monotonic() - killed_at < 5, "no process took the show over within 5 s"
            await asyncio.sleep(0.05)
        handover = time.monotonic() - killed_at
        assert new_owner in {p.process_id for p in survivors}
        report = await simulation
        await asyncio.sleep(1.5)

        for log in logs:
            offsets = log.offsets()
            assert offsets == list(range(offsets[0], offsets[0] + len(offsets))), "gap or repeat"
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
            review = await client.get(f"{survivors[1].url}/api/v1/shows/{show}/review")
        assert_same_metrics(review.json()["summary"], report.totals, "review")
        for process in survivors:
            assert_same_metrics(
                await snapshot_metrics(process, show, token), report.totals, "live snapshot"
            )
        for ws in watchers:
            await ws.close()
        print(f"handover took {handover:.2f} s")  # noqa: T201


class CommentPoster:
    """Posts small batches of comments one request after another, alternating between
    processes, and remembers the order they were acknowledged in: a console must get exactly
    that sequence (one producer, so the events stream holds the batches in that order)."""

    def __init__(self, processes: list[Process], show: str, token: str) -> None:
        self.processes, self.show, self.token = processes, show, token
        self.acknowledged: list[str] = []
        self._stop = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(headers=headers, timeout=10) as client:
            n = 0
            while not self._stop.is_set():
                process = self.processes[n % len(self.processes)]
                now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
                ids = [f"c{n}-{i}" for i in range(1 + n % 3)]
                events = [
                    {"id": i, "type": "comment", "ts": now, "viewer_id": f"v{n % 11}", "text": i}
                    for i in ids
                ]
                response = await client.post(
                    f"{process.url}/api/v1/shows/{self.show}/events", json={"events": events}
                )
                assert response.status_code == 200, response.text
                assert response.json()["accepted"] == len(ids)
                self.acknowledged += ids
                n += 1
                await asyncio.sleep(0.01)

    async def stop(self) -> list[str]:
        self._stop.set()
        await self.task
        return self.acknowledged


@pytest.mark.timeout(240)
async def test_comments_the_killed_owner_never_published_reach_consoles_exactly_once(
    pg_database: str, redis_prefix: str, tmp_path: Path
) -> None:
    # A one-second feed batch keeps comments waiting in the owner most of the time, so the kill
    # all but surely lands on comments it had folded in but not yet published.
    slow_feed = {"LIVEOPS_FEED_INTERVAL_SECONDS": "1"}
    async with cluster(3, pg_database, redis_prefix, tmp_path, extra_env=slow_feed) as (
        processes,
        token,
    ):
        show = await create_show(processes[0], token)
        watchers = [await console(p, show, token).__aenter__() for p in processes]
        for ws in watchers:
            assert json.loads(await asyncio.wait_for(ws.recv(), 15))["type"] == "snapshot"
        deadline = time.monotonic() + 10
        while (owner := await owner_of(redis_prefix, show)) is None:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        victim = next(p for p in processes if p.process_id == owner)
        survivors = [p for p in processes if p is not victim]
        logs = [
            ConsoleLog(ws) for p, ws in zip(processes, watchers, strict=True) if p is not victim
        ]

        poster = CommentPoster(survivors, show, token)
        await asyncio.sleep(3)
        victim.popen.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        while await owner_of(redis_prefix, show) in (None, owner):
            assert time.monotonic() - killed_at < 5, "no process took the show over within 5 s"
            await asyncio.sleep(0.02)
        # Consoles that start from the snapshots stored around the handover: the dead owner's,
        # then the new one's, whose recent feed must hold exactly what was published.
        late: list[tuple[Any, ConsoleLog]] = []
        for i in range(6):
            ws = await console(survivors[i % 2], show, token).__aenter__()
            late.append((ws, ConsoleLog(ws)))
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        posted = await poster.stop()

        everyone = logs + [log for _, log in late]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if all(log.comment_ids()[-1:] == posted[-1:] for log in everyone):
                break
            await asyncio.sleep(0.1)
        assert len(set(posted)) == len(posted) > 300
        for log in logs:
            received = log.comment_ids()
            got = set(received)
            missed = [i for i in posted if i not in got]
            assert not missed, f"{len(missed)} comments never reached a console: {missed[:10]}"
            assert received == posted, "a comment repeated or out of order"
            offsets = log.offsets()
            assert offsets == list(range(offsets[0], offsets[0] + len(offsets))), "gap or repeat"
        for ws, log in late:
            received = log.comment_ids()
            assert received
            assert len(received) == len(set(received)), "a late console got a comment twice"
            assert received == posted[-len(received) :], "a late console missed a comment"
            await ws.close()
        for ws in watchers:
            await ws.close()


@pytest.mark.timeout(60)
async def test_a_rebuild_longer_than_the_lease_keeps_the_lease(
    pg_database: str, redis_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long show takes longer to rebuild than a lease lasts. The owner must keep renewing
    meanwhile; otherwise another process takes the show over and starts rebuilding in turn,
    and the show changes hands for ever (seen under load as throughput collapsing)."""
    from liveops.config import Settings
    from liveops.live import aggregator
    from liveops.live.redis_backend import RedisBackend
    from liveops.shows import service as shows_service
    from liveops.shows.schemas import ShowCreate
    from liveops.storage.db import create_engine, create_sessionmaker
    from liveops.storage.redis import Keys, create_redis
    from tests.conftest import migrate

    lease = 0.6
    real_load = aggregator.load_show

    async def slow_load(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(3 * lease)  # a replay of a long show
        return await real_load(*args, **kwargs)

    monkeypatch.setattr(aggregator, "load_show", slow_load)
    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_database,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        lease_seconds=lease,
    )
    await migrate(settings)
    engine = create_engine(settings)
    backend = RedisBackend(settings, create_sessionmaker(engine), create_redis(REDIS_URL))
    watcher = redis.asyncio.Redis.from_url(REDIS_URL, decode_responses=True)
    owner_key = Keys(redis_prefix).owner
    async with create_sessionmaker(engine)() as session, session.begin():
        show = (await shows_service.create(session, ShowCreate(title="长", platform="x"))).id
    await backend.start()
    try:
        await backend.ingested(show, [], [])
        holders: list[str | None] = []
        deadline = time.monotonic() + 6 * lease
        while time.monotonic() < deadline:
            holders.append(await watcher.get(owner_key(show)))
            await asyncio.sleep(0.05)
        claimed = [h for h in holders if h is not None]
        assert claimed, "the show was never claimed"
        assert len(set(claimed)) == 1, f"the lease changed hands {len(set(claimed)) - 1} times"
        assert None not in holders[holders.index(claimed[0]) :], "the lease ran out"
        assert backend.positions().get(show) is not None, "the owner never finished its rebuild"
    finally:
        await backend.close()
        await watcher.aclose()
        await engine.dispose()
