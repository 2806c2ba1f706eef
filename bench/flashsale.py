"""Flash-sale benchmark: reservation decisions per second and decision latency, 1 hot SKU.

    python bench/flashsale.py core --backend sqlite|postgres [--buyers 1000] [--decisions 50000]
    python bench/flashsale.py http --backend postgres|postgres+redis [--workers 2]
        [--connections 1000] [--seconds 10]

`core` measures the inventory core in-process: the reservation desk (group commit) and the
ledger SQL against a real database, with `--buyers` coroutines asking at once, each for a new
order id, until `--decisions` decisions are made. No HTTP.

`http` starts `liveops serve` (a throwaway PostgreSQL database; Redis with its own prefix)
and drives it with wrk (Debian's `wrk`; `apt-get install wrk`) from `--connections` open
connections, each request a new order id for the same SKU. wrk reports requests/s and the
latency distribution; every answer, 201 reserved or 409 sold out, is a decision.

Both run twice: with stock for every buyer (every decision reserves: the expensive path) and
with stock for 1 % of them (a real flash sale: most decisions are "sold out"). Each prints one
JSON line per run, and checks the ledger afterwards: reserved units equal the winning answers
(core) or the units handed out never exceed the stock (http). Loopback only, bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from ingest import (
    free_port,
    pg_database,
    prepare_backend,
    ready_show,
    start_server,
    tear_down,
)

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{}"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def core(args: argparse.Namespace, stock: int) -> dict[str, Any]:
    from liveops.app import create_app
    from liveops.config import Settings
    from liveops.inventory import service as inventory
    from liveops.inventory.schemas import ReservationRequest
    from liveops.shows import service as shows
    from liveops.shows.schemas import ShowCreate

    database = None
    url = None
    if args.backend == "postgres":
        database = f"liveops_bench_{secrets.token_hex(4)}"
        await pg_database(database)
        url = PG_URL.format(database)
    data_dir = tempfile.mkdtemp(prefix="liveops-bench-")
    try:
        settings = Settings(data_dir=Path(data_dir), database_url=url)
        if url is not None:
            from liveops.storage.db import create_engine
            from liveops.storage.migrate import upgrade_to_head

            engine = create_engine(settings)
            await upgrade_to_head(engine)
            await engine.dispose()
        app = create_app(settings, admin_token="bench")
        async with app.router.lifespan_context(app) as state:
            rt = state["runtime"]  # type: ignore[index]
            async with rt.transaction() as session:
                show = (await shows.create(session, ShowCreate(title="秒杀", platform="x"))).id
                await inventory.set_stock(
                    session,
                    show,
                    "HOT",
                    available=stock,
                    version=1,
                    limit_per_viewer=None,
                    now_us=time.time_ns() // 1000,
                    changes=inventory.Changes(),
                )
            next_order = 0
            latencies: list[float] = []
            won = 0

            async def buyer() -> None:
                nonlocal next_order, won
                while next_order < args.decisions:
                    order = f"o{next_order}"
                    next_order += 1
                    request = ReservationRequest(order_id=order, viewer_id=order, qty=1)
                    started = time.perf_counter()
                    answer = await rt.reservations.reserve(show, "HOT", request)
                    latencies.append(time.perf_counter() - started)
                    won += answer.status == "reserved"

            started = time.perf_counter()
            await asyncio.gather(*(buyer() for _ in range(args.buyers)))
            elapsed = time.perf_counter() - started
            async with rt.read() as session:
                (row,) = await inventory.listing(session, show)
            assert row.reserved == won == min(stock, args.decisions), (row, won)
            assert row.available == stock - won
            batches = rt.reservations.batches
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if database:
            await pg_database(database, drop=True)
    return {
        "mode": "core",
        "backend": args.backend,
        "stock": stock,
        "buyers": args.buyers,
        "decisions": len(latencies),
        "reserved": won,
        "decisions_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(1000 * _percentile(latencies, 0.5), 2),
        "p99_ms": round(1000 * _percentile(latencies, 0.99), 2),
        "mean_batch": round(len(latencies) / max(1, batches), 1),
    }


_WRK_SCRIPT = """
local n = 0
local prefix = "{prefix}"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  n = n + 1
  local order = prefix .. n
  local body = '{{"order_id":"' .. order .. '","viewer_id":"' .. order .. '","qty":1}}'
  return wrk.format(nil, "{path}", nil, body)
end
"""


def _wrk_figures(out: str) -> dict[str, Any]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": requests,
        "requests_per_s": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))),  # type: ignore[union-attr]
        "p50_ms": ms(latency["50"]),
        "p99_ms": ms(latency["99"]),
        "socket_errors": errors.group(1) if errors else None,
    }


async def http(args: argparse.Namespace, stock: int) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench/flashsale.py http needs wrk: apt-get install wrk")
    if args.workers > 1 and args.backend != "postgres+redis":
        raise SystemExit("--workers > 1 needs Redis: use --backend postgres+redis or --workers 1")
    token = "bench_" + secrets.token_hex(8)
    port = free_port()
    env, database = await prepare_backend(args.backend, token)
    pin = args.workers == 1
    server = start_server(env, port, "--workers", str(args.workers), pin=pin)
    base = f"http://127.0.0.1:{port}"
    try:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            show = await ready_show(client)
            put = await client.put(
                f"/api/v1/shows/{show}/stock/HOT", json={"available": stock, "version": 1}
            )
            put.raise_for_status()
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(
                    _WRK_SCRIPT.format(
                        prefix=f"o{secrets.token_hex(3)}-",
                        token=token,
                        path=f"/api/v1/shows/{show}/stock/HOT/reservations",
                    )
                )
            command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s"]
            command += ["--latency", "--timeout", "10s", "-s", script.name, base]
            if pin:
                command = ["taskset", "-c", "1", *command]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            os.unlink(script.name)
            figures = _wrk_figures(done.stdout)
            (row,) = (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"]
            assert row["reserved"] + row["available"] == row["allocated"] == stock, row
            # wrk counts answered requests; up to one per connection was still being decided
            # when it stopped, and those reservations stand.
            assert row["reserved"] <= min(stock, figures["requests"] + args.connections), row
    finally:
        await tear_down(server, database, env)
    return {
        "mode": "http",
        "backend": args.backend,
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "stock": stock,
        "reserved": row["reserved"],
        **figures,
    }


async def main(args: argparse.Namespace) -> None:
    for share in (1.0, 0.01):
        if args.mode == "core":
            result = await core(args, max(1, int(args.decisions * share)))
        else:
            expected = args.connections * args.seconds * 50  # generous: never runs out
            result = await http(args, max(1, int(expected * share)))
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["core", "http"])
    parser.add_argument(
        "--backend", choices=["sqlite", "postgres", "postgres+redis"], default="postgres"
    )
    parser.add_argument("--buyers", type=int, default=1_000)
    parser.add_argument("--decisions", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=1_000)
    parser.add_argument("--seconds", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
