"""A console that stops reading must not slow the others, nor grow the server's memory.

    python bench/slow_console.py [--healthy 50] [--events 20000] [--rate 2000] [--pause 30]
        [--pairs 3]

One embedded server (pinned to CPU 0; this process on CPU 1) and one show, with `--healthy`
consoles reading throughout. The run is a series of rounds of equal length (`--pause`
seconds): each posts `--events` comments with incompressible ~300-character texts at `--rate`
per second. In a "stalled" round one more console (small socket buffer, client queue of 1)
connects first and stops reading for the whole round, then reads again; in a "clear" round
there is none. After a short warm-up round (not compared), rounds alternate in ABBA order
(clear, stalled, stalled, clear, ...), so a drift over the run (the show grows, the machine
gets busier) weighs on both kinds alike.

Compared: the healthy consoles' delivery latency (POST start → arrival in a `feed` frame),
per round. Printed: each round's p50/p99, the median p99 of each kind and their ratio, and the
spread of the clear rounds among themselves (the noise floor: a difference smaller than it is
not an effect). Also the server's peak RSS per kind, and for each stalled console its close
code and whether it then got every comment of its round exactly once (resuming if cut off).
One JSON line at the end. Loopback only; bounded; stops by itself.
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
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import free_port, percentile, ready_show, start_server

# Events must lie within their show's window (contract §3: at most 7 days before creation).
TODAY = datetime.now(UTC).strftime("%Y-%m-%d")


def comment(round_no: int, n: int) -> dict[str, Any]:
    rng = random.Random(round_no * 1_000_000 + n)
    return {
        "id": f"r{round_no}c{n}",
        "type": "comment",
        "ts": f"{TODAY}T00:{(n // 1000) % 60:02d}:{(n // 20) % 60:02d}.000Z",
        "viewer_id": f"v{n % 500}",
        "text": "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(300)),
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def read_console(ws: ClientConnection, arrivals: dict[str, float]) -> None:
    try:
        async for raw in ws:
            now = time.perf_counter()
            frame = orjson.loads(raw)
            if frame["type"] == "feed":
                for item in frame["items"]:
                    arrivals.setdefault(item["id"], now)
    except ConnectionClosed:
        pass


async def open_stalled(port: int, url: str, headers: dict[str, str]) -> ClientConnection:
    """A console whose socket buffer is small, so it really falls behind when not read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await connect(url, additional_headers=headers, max_size=None, max_queue=1, sock=sock)


async def drain_stalled(
    stalled: ClientConnection,
    snapshot: dict[str, Any],
    url: str,
    headers: dict[str, str],
    expected: list[str],
) -> dict[str, Any]:
    """Read the stalled console again; if it was cut off, resume from its position."""
    wanted = set(expected)
    seen: list[str] = []
    last = snapshot["offset"]
    code = None
    try:
        while len(seen) < len(expected):
            frame = orjson.loads(await asyncio.wait_for(stalled.recv(), 10))
            if frame["type"] == "feed":
                last = frame["offset"]
                seen += [i["id"] for i in frame["items"] if i["id"] in wanted]
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        code = None  # still open and idle: it was never cut off
    then = "not needed (caught up)"
    if code is not None:
        resume = f"{url}?epoch={snapshot['epoch']}&offset={last}"
        async with connect(resume, additional_headers=headers, max_size=None) as again:
            then = orjson.loads(await again.recv())["type"]
            while len(seen) < len(expected):
                frame = orjson.loads(await asyncio.wait_for(again.recv(), 10))
                if frame["type"] == "feed":
                    seen += [i["id"] for i in frame["items"] if i["id"] in wanted]
    await stalled.close()
    return {
        "close_code": code,
        "then": then,
        "every_comment_once": len(seen) == len(expected) and set(seen) == wanted,
    }


async def one_round(
    args: argparse.Namespace,
    round_no: int,
    stalled_round: bool,
    client: httpx.AsyncClient,
    server_pid: int,
    port: int,
    url: str,
    path: str,
    headers: dict[str, str],
    arrivals: list[dict[str, float]],
    events: int,
    seconds: float,
) -> dict[str, Any]:
    stalled = snapshot = None
    if stalled_round:
        stalled = await open_stalled(port, url, headers)
        snapshot = orjson.loads(await stalled.recv())
    sent_at: dict[str, float] = {}
    peak_rss = rss_kb(server_pid)
    batch = 100
    interval = batch / args.rate
    started = time.perf_counter()
    posts = []
    for i, first in enumerate(range(0, events, batch)):
        await asyncio.sleep(max(0.0, started + i * interval - time.perf_counter()))
        items = [comment(round_no, n) for n in range(first, first + batch)]
        body = orjson.dumps({"events": items})
        now = time.perf_counter()
        for item in items:
            sent_at[item["id"]] = now
        posts.append(asyncio.create_task(client.post(path, content=body)))
        if i % 20 == 0:
            peak_rss = max(peak_rss, rss_kb(server_pid))
    for response in await asyncio.gather(*posts):
        response.raise_for_status()
    # Every round lasts --pause seconds, stalled or not, so rounds are spaced alike.
    while time.perf_counter() - started < seconds:
        peak_rss = max(peak_rss, rss_kb(server_pid))
        await asyncio.sleep(0.5)
    deadline = time.perf_counter() + 15
    while time.perf_counter() < deadline and any(len(a) < len(sent_at) for a in arrivals):
        await asyncio.sleep(0.1)
    latencies = [(seen[i] - sent_at[i]) * 1000 for seen in arrivals for i in sent_at if i in seen]
    stalled_result: dict[str, Any] = {}
    if stalled is not None and snapshot is not None:
        expected = [f"r{round_no}c{n}" for n in range(events)]
        stalled_result = {"stalled": await drain_stalled(stalled, snapshot, url, headers, expected)}
    return {
        "round": round_no,
        "kind": "stalled" if stalled_round else "clear",
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "deliveries_missing": len(arrivals) * events - len(latencies),
        "server_peak_rss_mb": round(peak_rss / 1024, 1),
        **stalled_result,
    }


def abba(pairs: int) -> list[bool]:
    """True = a stalled round: clear, stalled, stalled, clear, clear, stalled, ..."""
    order = []
    for pair in range(pairs):
        order += [False, True] if pair % 2 == 0 else [True, False]
    return order


async def main(args: argparse.Namespace) -> dict[str, Any]:
    token = "slow_" + secrets.token_hex(6)
    port = free_port()
    env = {**os.environ, "LIVEOPS_ADMIN_TOKEN": token, "LIVEOPS_DATA_DIR": tempfile.mkdtemp()}
    server = start_server(env, port)
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}"
    rounds = []
    cpu_before = time.process_time()
    wall_before = time.perf_counter()
    try:
        post_headers = {**headers, "Content-Type": "application/json"}
        async with httpx.AsyncClient(base_url=base, headers=post_headers, timeout=60) as client:
            show_id = await ready_show(client)
            url = f"ws://127.0.0.1:{port}/api/v1/shows/{show_id}/live"
            path = f"/api/v1/shows/{show_id}/events"
            healthy = [
                await connect(url, additional_headers=headers, max_size=None)
                for _ in range(args.healthy)
            ]
            for ws in healthy:
                await ws.recv()
            arrivals: list[dict[str, float]] = [{} for _ in healthy]
            readers = [
                asyncio.create_task(read_console(ws, seen))
                for ws, seen in zip(healthy, arrivals, strict=True)
            ]
            # Round 0 warms the server up (first requests, caches) and is not compared.
            plan = [(False, min(args.events, 5 * args.rate), 5.0)]
            plan += [(stalled, args.events, args.pause) for stalled in abba(args.pairs)]
            try:
                for round_no, (stalled_round, events, seconds) in enumerate(plan):
                    for seen in arrivals:
                        seen.clear()
                    result = await one_round(
                        args,
                        round_no,
                        stalled_round,
                        client,
                        server.pid,
                        port,
                        url,
                        path,
                        headers,
                        arrivals,
                        events,
                        seconds,
                    )
                    print(json.dumps(result), file=sys.stderr, flush=True)
                    if round_no > 0:
                        rounds.append(result)
            finally:
                for task in readers:
                    task.cancel()
                for ws in healthy:
                    await ws.close()
    finally:
        server.terminate()
        server.wait(15)
    client_cpu_pct = 100 * (time.process_time() - cpu_before) / (time.perf_counter() - wall_before)
    clear = [r for r in rounds if r["kind"] == "clear"]
    stalled = [r for r in rounds if r["kind"] == "stalled"]
    clear_p99 = statistics.median(r["p99_ms"] for r in clear)
    stalled_p99 = statistics.median(r["p99_ms"] for r in stalled)
    return {
        "healthy_consoles": args.healthy,
        "events_per_round": args.events,
        "rate": args.rate,
        "round_seconds": args.pause,
        "rounds": [
            {k: r[k] for k in ("kind", "p50_ms", "p99_ms", "server_peak_rss_mb")} for r in rounds
        ],
        "clear_p99_ms_median": clear_p99,
        "stalled_p99_ms_median": stalled_p99,
        "p99_ratio_stalled_to_clear": round(stalled_p99 / clear_p99, 3),
        "clear_p99_spread_ratio_max_to_min": round(
            max(r["p99_ms"] for r in clear) / min(r["p99_ms"] for r in clear), 3
        ),
        "clear_p50_ms_median": statistics.median(r["p50_ms"] for r in clear),
        "stalled_p50_ms_median": statistics.median(r["p50_ms"] for r in stalled),
        "deliveries_missing": sum(r["deliveries_missing"] for r in rounds),
        "server_peak_rss_mb_clear": max(r["server_peak_rss_mb"] for r in clear),
        "server_peak_rss_mb_stalled": max(r["server_peak_rss_mb"] for r in stalled),
        "stalled_consoles": [r["stalled"] for r in stalled],
        "client_cpu_pct": round(client_cpu_pct, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--healthy", type=int, default=50)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=2_000)
    parser.add_argument("--pause", type=float, default=30.0, help="seconds per round")
    parser.add_argument("--pairs", type=int, default=3, help="clear+stalled round pairs")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
