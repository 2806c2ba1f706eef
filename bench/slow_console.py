"""A console that stops reading must not slow the others, nor grow the server's memory.

    python bench/slow_console.py [--healthy 50] [--events 20000] [--rate 2000] [--pause 30]

Runs the same show twice against a fresh embedded server (pinned to CPU 0; this process on
CPU 1): `--events` comments with incompressible ~1 KB texts posted at `--rate` per second, with
`--healthy` consoles reading. The second run adds one console that stops reading for `--pause`
seconds (small socket buffer, so it really falls behind). Prints, for each run, the healthy
consoles' delivery latency p50/p99 (POST start → arrival), the server's peak RSS, and for the
stalled console its close code and whether it then resumed with every comment exactly once.
Loopback only; bounded; stops by itself.
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
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import free_port, percentile, ready_show, start_server

LIVEOPS = str(Path(sys.executable).with_name("liveops"))


def comment(n: int) -> dict[str, Any]:
    rng = random.Random(n)
    return {
        "id": f"c{n}",
        "type": "comment",
        "ts": f"2026-11-22T10:{(n // 1000) % 60:02d}:{(n // 20) % 60:02d}.000Z",
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
            frame = json.loads(raw)
            if frame["type"] == "feed":
                for item in frame["items"]:
                    arrivals.setdefault(item["id"], now)
    except ConnectionClosed:
        pass


async def one_run(args: argparse.Namespace, with_stalled: bool) -> dict[str, Any]:
    token = "slow_" + secrets.token_hex(6)
    port = free_port()
    env = {**os.environ, "LIVEOPS_ADMIN_TOKEN": token, "LIVEOPS_DATA_DIR": tempfile.mkdtemp()}
    server = start_server(env, port)
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            show_id = await ready_show(client)
            url = f"ws://127.0.0.1:{port}/api/v1/shows/{show_id}/live"
            path = f"/api/v1/shows/{show_id}/events"
            healthy = [
                await connect(url, additional_headers=headers, max_size=None)
                for _ in range(args.healthy)
            ]
            arrivals: list[dict[str, float]] = [{} for _ in healthy]
            for ws in healthy:
                await ws.recv()
            readers = [
                asyncio.create_task(read_console(ws, seen))
                for ws, seen in zip(healthy, arrivals, strict=True)
            ]
            stalled = None
            if with_stalled:
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
                sock.setblocking(False)
                await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
                stalled = await connect(
                    url, additional_headers=headers, max_size=None, max_queue=1, sock=sock
                )
                snapshot = json.loads(await stalled.recv())
            sent_at: dict[str, float] = {}
            peak_rss = rss_kb(server.pid)
            batch = 100
            interval = batch / args.rate
            started = time.perf_counter()
            posts = []
            for i, start in enumerate(range(0, args.events, batch)):
                await asyncio.sleep(max(0.0, started + i * interval - time.perf_counter()))
                events = [comment(n) for n in range(start, start + batch)]
                now = time.perf_counter()
                for event in events:
                    sent_at[event["id"]] = now
                posts.append(asyncio.create_task(client.post(path, json={"events": events})))
                if i % 20 == 0:
                    peak_rss = max(peak_rss, rss_kb(server.pid))
            for response in await asyncio.gather(*posts):
                response.raise_for_status()
            while time.perf_counter() - started < args.pause:
                peak_rss = max(peak_rss, rss_kb(server.pid))
                await asyncio.sleep(0.5)
            stalled_result: dict[str, Any] = {}
            if stalled is not None:
                seen: list[str] = []
                offsets: list[int] = []
                code = None
                try:
                    while len(seen) < args.events:
                        frame = json.loads(await asyncio.wait_for(stalled.recv(), 10))
                        if frame["type"] == "feed":
                            offsets.append(frame["offset"])
                            seen += [item["id"] for item in frame["items"]]
                except ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else None
                except TimeoutError:
                    code = None  # still open and idle: it was never cut off
                last = offsets[-1] if offsets else snapshot["offset"]
                resume = f"{url}?epoch={snapshot['epoch']}&offset={last}"
                first = "not needed (caught up)"
                if code is not None:
                    async with connect(resume, additional_headers=headers, max_size=None) as again:
                        first = json.loads(await again.recv())["type"]
                        while len(seen) < args.events:
                            frame = json.loads(await asyncio.wait_for(again.recv(), 10))
                            if frame["type"] == "feed":
                                seen += [item["id"] for item in frame["items"]]
                stalled_result = {
                    "stalled_close_code": code,
                    "stalled_then": first,
                    "stalled_got_every_comment_once": seen == [f"c{n}" for n in range(args.events)],
                }
            for task in readers:
                task.cancel()
            latencies = [
                (seen[i] - sent_at[i]) * 1000 for seen in arrivals for i in sent_at if i in seen
            ]
            missing = args.healthy * args.events - len(latencies)
    finally:
        server.terminate()
        server.wait(15)
    return {
        "stalled_console": with_stalled,
        "healthy_consoles": args.healthy,
        "deliveries_missing": missing,
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "server_peak_rss_mb": round(peak_rss / 1024, 1),
        **stalled_result,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    without = await one_run(args, with_stalled=False)
    with_one = await one_run(args, with_stalled=True)
    return {
        "without": without,
        "with_stalled": with_one,
        "p99_ratio": round(with_one["p99_ms"] / without["p99_ms"], 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--healthy", type=int, default=50)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=2_000)
    parser.add_argument("--pause", type=float, default=30.0)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
