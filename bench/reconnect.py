"""Reconnect storm: N consoles reconnect at once with their positions and must all resume.

    python bench/reconnect.py [--consoles 1000] [--backend postgres+redis|sqlite]

Starts `liveops serve` (pinned to CPU 0; this process on CPU 1), creates a show, connects N
consoles, plays events so every console holds a position, disconnects them all, posts more
events while they are away, then reconnects all N within one second presenting their positions.
Prints: how long until every console got `resumed` plus its whole gap (p50/p99/max per console
and the total), how many got `resync` instead, and the PostgreSQL transactions committed by the
server's database during the storm (the goal: none; resume is served from the stream history).
Loopback only; bounded; stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import (
    PG_ADMIN_DSN,
    EventFactory,
    free_port,
    pg_database,
    ready_show,
    start_server,
    tear_down,
)

LIVEOPS = str(Path(sys.executable).with_name("liveops"))


async def committed_transactions(database: str) -> int:
    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        value = await connection.fetchval(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", database
        )
    finally:
        await connection.close()
    return int(value or 0)


async def open_console(url: str, headers: dict[str, str]) -> tuple[ClientConnection, str, int]:
    ws = await connect(url, additional_headers=headers, max_size=None, open_timeout=30)
    snapshot = json.loads(await ws.recv())
    return ws, snapshot["epoch"], snapshot["offset"]


async def drain_position(ws: ClientConnection, epoch: str, offset: int, until: int) -> int:
    """Read until the console holds `until`; returns its offset."""
    while offset < until:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
        offset = frame.get("offset", offset)
    return offset


async def main(args: argparse.Namespace) -> dict[str, Any]:
    token = "storm_" + secrets.token_hex(6)
    port = free_port()
    env = {**os.environ, "LIVEOPS_ADMIN_TOKEN": token, "LIVEOPS_DATA_DIR": tempfile.mkdtemp()}
    database = None
    if args.backend == "postgres+redis":
        database = f"liveops_storm_{secrets.token_hex(4)}"
        await pg_database(database)
        env["LIVEOPS_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
        env["LIVEOPS_REDIS_URL"] = "redis://127.0.0.1:6379/0"
        env["LIVEOPS_REDIS_PREFIX"] = f"liveops-storm-{secrets.token_hex(4)}"
        subprocess.run([LIVEOPS, "migrate"], env=env, check=True, capture_output=True)
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            show_id = await ready_show(client)
            url = f"ws://127.0.0.1:{port}/api/v1/shows/{show_id}/live"
            factory = EventFactory(seed=3)
            events_path = f"/api/v1/shows/{show_id}/events"

            consoles = []
            for start in range(0, args.consoles, 100):
                consoles += await asyncio.gather(
                    *(
                        open_console(url, headers)
                        for _ in range(start, min(start + 100, args.consoles))
                    )
                )
            for _ in range(5):
                await client.post(
                    events_path, json={"events": [factory.make() for _ in range(200)]}
                )
            await asyncio.sleep(0.5)
            top = (await client.get("/metrics")).text
            target = max(
                int(float(line.rsplit(" ", 1)[1]))
                for line in top.splitlines()
                if line.startswith("liveops_stream_offset{")
            )
            positions = await asyncio.gather(
                *(drain_position(ws, e, o, target) for ws, e, o in consoles)
            )
            epoch = consoles[0][1]
            await asyncio.gather(*(ws.close() for ws, _, _ in consoles))
            # While they are away the show goes on.
            for _ in range(5):
                await client.post(
                    events_path, json={"events": [factory.make() for _ in range(200)]}
                )
            await asyncio.sleep(0.5)
            top = (await client.get("/metrics")).text
            newest = max(
                int(float(line.rsplit(" ", 1)[1]))
                for line in top.splitlines()
                if line.startswith("liveops_stream_offset{")
            )

            before = await committed_transactions(database) if database else None
            spread = 1.0 / max(1, args.consoles)
            started = time.perf_counter()
            outcomes: list[str] = []

            async def come_back(i: int, offset: int) -> float:
                await asyncio.sleep(i * spread)  # all N within one second
                ws = await connect(
                    f"{url}?epoch={epoch}&offset={offset}",
                    additional_headers=headers,
                    max_size=None,
                    open_timeout=30,
                )
                t0 = time.perf_counter()
                first = json.loads(await asyncio.wait_for(ws.recv(), 30))
                outcomes.append(first["type"])
                position = offset
                while first["type"] == "resumed" and position < newest:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    position = frame.get("offset", position)
                await ws.close()
                return time.perf_counter() - t0

            durations = await asyncio.gather(
                *(come_back(i, offset) for i, offset in enumerate(positions))
            )
            total = time.perf_counter() - started
            after = await committed_transactions(database) if database else None
    finally:
        await tear_down(server, database, env)
    ordered = sorted(durations)
    return {
        "backend": args.backend,
        "consoles": args.consoles,
        "publications_missed_each": newest - positions[0],
        "all_resumed_within_s": round(total, 3),
        "per_console_p50_ms": round(statistics.median(ordered) * 1000, 1),
        "per_console_p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 1),
        "resumed": outcomes.count("resumed"),
        "resync": outcomes.count("resync"),
        "postgres_commits_during_storm": None if before is None else after - before,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--consoles", type=int, default=1000)
    parser.add_argument("--backend", choices=["postgres+redis", "sqlite"], default="postgres+redis")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
