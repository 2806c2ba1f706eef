"""Ingest benchmark: accepted events/s through the HTTP API, and ingest→console latency.

    python bench/ingest.py --backend sqlite|postgres|postgres+redis [--workers N]
        [--events 300000] [--batch 1000] [--concurrency 4] [--latency-rate 5000]
        [--latency-seconds 20] [--classify on|off] [--varied-comments] [--server-src DIR]

Starts `liveops serve` as a subprocess pinned to CPU 0 (this process runs on CPU 1), creates
a show, then:

1. throughput: posts `--events` unique events of a realistic mix in batches of `--batch` from
   `--concurrency` concurrent clients, as fast as the server acknowledges them;
2. latency: with a console connected over the websocket, posts `--latency-rate` events/s in
   batches of 100 for `--latency-seconds`, and measures, for every comment, the time from the
   start of its POST to its arrival in a `feed` frame on the console.

Prints one JSON line of figures at the end. Every request goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import redis.asyncio
from websockets.asyncio.client import connect

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
LIVEOPS = str(Path(sys.executable).with_name("liveops"))

# Proportions seen in a busy room: engagement dominates, orders are a few percent.
MIX = [
    ("comment", 28),
    ("like", 25),
    ("viewer.join", 14),
    ("viewer.leave", 10),
    ("product.impression", 6),
    ("product.click", 6),
    ("cart.add", 3),
    ("order.created", 3),
    ("order.paid", 3),
    ("share", 1),
    ("gift", 1),
]


def labelled_texts() -> list[str]:
    """Every comment of the classifier's labelled set (liveops/comments/data)."""
    from liveops.comments.train import labelled_set

    return [example.text for example in labelled_set()]


class EventFactory:
    def __init__(self, seed: int, comment_texts: list[str] | None = None) -> None:
        self.rng = random.Random(seed)
        # With texts given, every comment is one of them plus its own number, so that no two
        # are alike and the classifier's cache of repeated texts never helps.
        self.comment_texts = comment_texts
        self.kinds = [k for k, w in MIX for _ in range(w)]
        self.n = 0
        self.start = datetime.now(UTC)

    def make(self, kind: str | None = None) -> dict[str, Any]:
        self.n += 1
        n, rng = self.n, self.rng
        kind = kind or rng.choice(self.kinds)
        viewer = f"u{rng.randrange(200_000)}"
        sku = f"sku-{rng.randrange(8)}"
        ts = (self.start + timedelta(microseconds=n * 200)).isoformat().replace("+00:00", "Z")
        event: dict[str, Any] = {"id": f"b{n}", "type": kind, "ts": ts, "source": "bench"}
        if kind in ("viewer.join", "viewer.leave", "share"):
            event["viewer_id"] = viewer
        elif kind == "comment":
            if self.comment_texts:
                text = f"{rng.choice(self.comment_texts)} {n}"
            else:
                text = rng.choice(["有XL码吗", "多少钱", "拍了", "好看"])
            event |= {"viewer_id": viewer, "text": text}
        elif kind == "like":
            event |= {"viewer_id": viewer, "count": rng.randint(1, 20)}
        elif kind == "gift":
            event |= {"viewer_id": viewer, "gift": "小心心", "value": 100}
        elif kind == "product.impression":
            event |= {"sku": sku, "count": rng.randint(1, 50)}
        elif kind == "product.click":
            event |= {"viewer_id": viewer, "sku": sku}
        elif kind == "cart.add":
            event |= {"viewer_id": viewer, "sku": sku, "qty": 1}
        elif kind == "order.created":
            event |= {
                "order_id": f"o{n}",
                "viewer_id": viewer,
                "sku": sku,
                "qty": 1,
                "amount": 9900,
            }
        elif kind == "order.paid":
            event |= {"order_id": f"o{n - 1}", "amount": 9900}
        return event


async def record_feed_arrivals(
    ws: Any, arrivals: dict[str, float], kind: str | None = None
) -> None:
    """Until the socket closes: the moment each feed item (of `kind`, if given) first reached
    this console, by item id."""
    async for raw in ws:
        now = time.perf_counter()
        frame = orjson.loads(raw)
        if frame["type"] == "feed":
            for item in frame["items"]:
                if kind is None or item["kind"] == kind:
                    arrivals.setdefault(item["id"], now)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drop_redis_keys(prefix: str) -> None:
    """Leave Redis as we found it: every key this run created is under its own prefix."""
    client = redis.asyncio.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start : start + 500])
    finally:
        await client.aclose()


def start_server(
    env: dict[str, str], port: int, *extra: str, pin: bool = True
) -> subprocess.Popen[bytes]:
    """`liveops serve` on 127.0.0.1:`port`, pinned to CPU 0 (and this process to CPU 1).
    Its log goes to $LIVEOPS_BENCH_SERVER_LOG when set. Every benchmark client connects from
    loopback, thousands of consoles at once: no cap per client address (unless env sets one)."""
    env = {"LIVEOPS_MAX_CONNECTIONS_PER_CLIENT": "0", **env}
    command = [LIVEOPS, "serve", "--port", str(port), *extra]
    if pin:
        command = ["taskset", "-c", "0", *command]
        os.sched_setaffinity(0, {1})
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("LIVEOPS_BENCH_SERVER_LOG", os.devnull), "w"),
    )


async def ready_show(client: httpx.AsyncClient) -> str:
    """Wait until the server answers, then create a show; returns its id."""
    for _ in range(200):
        try:
            if (await client.get("/healthz")).status_code == 200:
                break
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    show = await client.post("/api/v1/shows", json={"title": "bench", "platform": "x"})
    show.raise_for_status()
    return str(show.json()["id"])


async def tear_down(
    server: subprocess.Popen[bytes], database: str | None, env: dict[str, str]
) -> None:
    """Stop the server and leave PostgreSQL and Redis as the run found them."""
    server.terminate()
    server.wait(15)
    if database:
        await pg_database(database, drop=True)
    if "LIVEOPS_REDIS_PREFIX" in env:
        await drop_redis_keys(env["LIVEOPS_REDIS_PREFIX"])


async def pg_database(name: str, drop: bool = False) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        if drop:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def settle(client: httpx.AsyncClient, quiet: float = 1.0, limit: float = 60.0) -> None:
    """Wait until the stream positions stop moving: with Redis the aggregator applies events
    after they are acknowledged, and the latency phase must not queue behind that backlog."""
    last, still_since, deadline = None, time.perf_counter(), time.perf_counter() + limit
    while time.perf_counter() < deadline:
        text = (await client.get("/metrics")).text
        positions = [line for line in text.splitlines() if line.startswith("liveops_stream_offset")]
        if positions != last:
            last, still_since = positions, time.perf_counter()
        elif time.perf_counter() - still_since >= quiet:
            return
        await asyncio.sleep(0.1)


async def throughput(
    client: httpx.AsyncClient, path: str, bodies: list[bytes], concurrency: int
) -> tuple[int, float]:
    queue = list(reversed(bodies))
    accepted = 0

    async def worker() -> None:
        nonlocal accepted
        while queue:
            body = queue.pop()
            response = await client.post(path, content=body)
            response.raise_for_status()
            accepted += response.json()["accepted"]

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return accepted, time.perf_counter() - started


async def latency(
    client: httpx.AsyncClient,
    ws_url: str,
    token: str,
    path: str,
    factory: EventFactory,
    rate: int,
    seconds: float,
) -> list[float]:
    sent_at: dict[str, float] = {}
    arrivals: dict[str, float] = {}
    batch_size = 100
    batches = int(rate * seconds / batch_size)
    interval = batch_size / rate

    async with connect(
        ws_url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None
    ) as ws:
        await ws.recv()  # snapshot

        listener = asyncio.create_task(record_feed_arrivals(ws, arrivals))
        bodies = []
        for _ in range(batches):
            events = [factory.make() for _ in range(batch_size)]
            bodies.append(
                (
                    orjson.dumps({"events": events}),
                    [e["id"] for e in events if e["type"] == "comment"],
                )
            )
        start = time.perf_counter()
        posts = []
        for i, (body, comment_ids) in enumerate(bodies):
            due = start + i * interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            now = time.perf_counter()
            for event_id in comment_ids:
                sent_at[event_id] = now
            posts.append(asyncio.create_task(client.post(path, content=body)))
        for response in await asyncio.gather(*posts):
            response.raise_for_status()
        deadline = time.perf_counter() + 10
        # By id: the console also sees the throughput phase's tail, so counts would stop early.
        while not sent_at.keys() <= arrivals.keys() and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        listener.cancel()
    missing = len(sent_at) - len(arrivals.keys() & sent_at.keys())
    if missing:
        print(f"warning: {missing} comments never reached the console", file=sys.stderr)
    return [(arrivals[i] - sent_at[i]) * 1000 for i in sent_at if i in arrivals]


async def prepare_backend(backend: str, token: str) -> tuple[dict[str, str], str | None]:
    """The server's environment for `backend` (sqlite, postgres, postgres+redis), with a
    throwaway database and Redis prefix of its own; returns (env, database or None)."""
    data_dir = tempfile.mkdtemp(prefix="liveops-bench-")
    env = {**os.environ, "LIVEOPS_ADMIN_TOKEN": token, "LIVEOPS_DATA_DIR": data_dir}
    database = None
    if backend.startswith("postgres"):
        database = f"liveops_bench_{secrets.token_hex(4)}"
        await pg_database(database)
        env["LIVEOPS_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
        subprocess.run([LIVEOPS, "migrate"], env=env, check=True, capture_output=True)
    if backend == "postgres+redis":
        env["LIVEOPS_REDIS_URL"] = "redis://127.0.0.1:6379/0"
        env["LIVEOPS_REDIS_PREFIX"] = f"liveops-bench-{secrets.token_hex(4)}"
    return env, database


async def main(args: argparse.Namespace) -> dict[str, Any]:
    token = "bench_" + secrets.token_hex(8)
    port = free_port()
    env, database = await prepare_backend(args.backend, token)
    env["LIVEOPS_CLASSIFY_COMMENTS"] = "true" if args.classify == "on" else "false"
    if args.server_src:
        # Another checkout's server (its src/ first on the path), for a before/after figure.
        env["PYTHONPATH"] = str(Path(args.server_src).resolve())
    pin = args.pin and args.workers == 1
    server = start_server(env, port, "--workers", str(args.workers), pin=pin)
    base = f"http://127.0.0.1:{port}"
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        limits = httpx.Limits(max_connections=args.concurrency + 64)
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=120, limits=limits
        ) as client:
            show_id = await ready_show(client)
            path = f"/api/v1/shows/{show_id}/events"

            factory = EventFactory(
                seed=7, comment_texts=labelled_texts() if args.varied_comments else None
            )
            bodies = []
            for _ in range(args.events // args.batch):
                bodies.append(orjson.dumps({"events": [factory.make() for _ in range(args.batch)]}))
            accepted, elapsed = await throughput(client, path, bodies, args.concurrency)
            print(f"throughput: {accepted} events in {elapsed:.1f} s", file=sys.stderr)
            await settle(client)

            ws_url = f"ws://127.0.0.1:{port}/api/v1/shows/{show_id}/live"
            latencies = await latency(
                client, ws_url, token, path, factory, args.latency_rate, args.latency_seconds
            )
    finally:
        await tear_down(server, database, env)
    return {
        "backend": args.backend,
        "workers": args.workers,
        "events": accepted,
        "batch": args.batch,
        "concurrency": args.concurrency,
        "classify": args.classify,
        "server_src": args.server_src,
        "varied_comments": args.varied_comments,
        "accepted_per_s": round(accepted / elapsed),
        "latency_rate": args.latency_rate,
        "latency_samples": len(latencies),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backend", choices=["sqlite", "postgres", "postgres+redis"], default="sqlite"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (Redis only)")
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument(
        "--classify",
        choices=("on", "off"),
        default="on",
        help="classify comments at ingest (LIVEOPS_CLASSIFY_COMMENTS; on in production)",
    )
    parser.add_argument(
        "--server-src",
        metavar="DIR",
        help="run the server from another checkout's src/ (e.g. a git worktree of an older "
        "commit), to measure before and after",
    )
    parser.add_argument(
        "--varied-comments",
        action="store_true",
        help="every comment a different text from the labelled set (defeats the cache)",
    )
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-rate", type=int, default=5_000)
    parser.add_argument("--latency-seconds", type=float, default=20)
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="do not pin the server to CPU 0 and this process to CPU 1",
    )
    result = asyncio.run(main(parser.parse_args()))
    print(json.dumps(result))
