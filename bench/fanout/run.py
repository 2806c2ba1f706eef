"""Console fan-out of LiveOps beside its peers, in one run (issue #3).

    .venv/bin/python bench/fanout/run.py                # the full matrix, ~12 minutes
    .venv/bin/python bench/fanout/run.py --quick        # ~2 minutes
    .venv/bin/python bench/fanout/run.py --servers liveops,websockets --consoles 1000 \\
        --steps 10000,100000,500000 --duration 4
    .venv/bin/python bench/fanout/run.py --merge a.jsonl b.jsonl c.jsonl   # medians of runs

On this shared 2-core machine wrap every run in `flock /tmp/liveops-heavy.lock …`
(`make bench-fanout` does).

Servers (`--servers`, comma-separated):

    liveops      `liveops serve`, embedded default (SQLite + in-process bus), feed batched every
                 20 ms (LIVEOPS_FEED_INTERVAL_SECONDS default); consoles offer `liveops.ndjson`
    liveops-5ms  the same with LIVEOPS_FEED_INTERVAL_SECONDS=0.005
    liveops-plain  (not in the default set) the default server, consoles do not offer
                 `liveops.ndjson`: one message per frame, as before that subprotocol
    socketio     Node socket.io 4 (peers/socketio_server.mjs): `io.to(room).emit`
    websockets   Python `websockets` asyncio server, `broadcast()` (peers/websockets_server.py)
    starlette    naive Starlette loop under uvicorn (peers/starlette_server.py)

For every server and every console count N (`--consoles`), a fresh server starts pinned to
CPU 0 (`taskset -c 0`) and the Node load client (client.mjs) runs pinned to CPU 1. The client
connects N idle consoles to one show/room (server RSS before and after: memory per idle
console), then publishes open-loop at a ladder of offered deliveries/s (`--steps`; the message
rate is offered / N) for `--duration` seconds per step, waiting up to `--drain` seconds for
the deliveries. A step on which more than 5 % is late or lost, or p99 is over 2 s, ends the
ladder for that server and N.

How each server is fed: the peers get one ~200-byte websocket message per publication from a
publisher connection (all messages due in a 1 ms tick written together). LiveOps gets comment
events POSTed to /api/v1/shows/{id}/events every 5 ms over up to 8 keep-alive connections
(JSON, committed to SQLite before the answer); every comment reaches each console as one
~200-byte item of a `feed` message. A delivery = one publication arriving at one console.
LiveOps' latency therefore includes the HTTP ingest and the SQLite commit, and its server CPU
includes ingest as well as fan-out.

Per step: deliveries/s, late/lost share (not delivered within the step + drain window),
publish→console latency p50/p99/max (the publisher stamps performance.timeOrigin +
performance.now() in µs into the message; the consoles read the same clock), server CPU %
and µs per delivery (/proc/<pid>/stat utime + stime over the step), client CPU % (rows at
≥ 90 % are flagged "C": there the client, not the server, may be the limit), and for LiveOps
feed→console p50/p99 (arrival minus the feed message's `server_time`, 1 ms resolution: the
fan-out part of the latency, without ingest, commit and batching). The machine is shared: each
step also reports how much of CPU 0 and CPU 1 other processes took (rows where that is ≥ 10 %
are flagged "N"), and before each server starts the runner waits up to `--quiet-wait` seconds
for a quiet machine.
"Sustainable" = the highest step up to which every step had nothing late or lost and p99
≤ 50 ms. `--merge` prints the median of several runs per step, leaving out runs that other
processes disturbed when an undisturbed one exists.

LiveOps runs from the working tree by default. Other engineers may be editing src/ while a
long run goes on; `--liveops-rev REV` (e.g. HEAD) runs a committed revision instead: its src/
and migrations/ are exported with `git archive` to a temporary directory put first on the
server's PYTHONPATH.

Every result line is also written to bench/results/fanout-<time>.jsonl (`--out`). Traffic goes
to 127.0.0.1 only; everything is bounded in time, stops by itself and is cleaned up (servers
stopped, temporary directories removed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
from ingest import free_port, ready_show, start_server, tear_down  # noqa: E402

PYTHON = sys.executable
DEFAULT_SERVERS = ["liveops", "liveops-5ms", "socketio", "websockets", "starlette"]
ALL_SERVERS = ["liveops", "liveops-5ms", "liveops-plain", "socketio", "websockets", "starlette"]
DEFAULT_STEPS = [10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000]
SUSTAINABLE_P99_MS = 50.0
NOISY_PCT = 10  # other processes took this much of CPU 0 or CPU 1 during a step: flag "N"

# (label shown in the tables, client protocol, LIVEOPS_FEED_INTERVAL_SECONDS, offer ndjson)
SERVERS: dict[str, tuple[str, str, str | None, bool]] = {
    "liveops": ("LiveOps (feed 20 ms)", "liveops", None, True),
    "liveops-5ms": ("LiveOps (feed 5 ms)", "liveops", "0.005", True),
    "liveops-plain": ("LiveOps (20 ms, no ndjson)", "liveops", None, False),
    "socketio": ("Node socket.io 4", "sio", None, False),
    "websockets": ("Py websockets.broadcast", "raw", None, False),
    "starlette": ("Py Starlette naive loop", "raw", None, False),
}


# ---- set-up ------------------------------------------------------------------------------------


def ensure_node_modules() -> None:
    if (HERE / "node_modules" / "socket.io").is_dir():
        return
    verb = "ci" if (HERE / "package-lock.json").exists() else "install"
    print(f"npm {verb} in {HERE} …", file=sys.stderr)
    subprocess.run(
        ["npm", verb, "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True
    )


def run_metadata() -> dict[str, Any]:
    def out(*command: str) -> str:
        try:
            return subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    diff = out("git", "diff", "HEAD", "--", "src")
    socketio_version = json.loads(
        (HERE / "node_modules" / "socket.io" / "package.json").read_text()
    )["version"]
    import uvicorn
    import websockets

    return {
        "kind": "meta",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_head": out("git", "rev-parse", "--short", "HEAD"),
        "src_uncommitted_diff_sha1": hashlib.sha1(diff.encode()).hexdigest()[:10] if diff else None,
        "node": out("node", "--version"),
        "socket.io": socketio_version,
        "websockets": websockets.__version__,
        "uvicorn": uvicorn.__version__,
        "python": sys.version.split()[0],
    }


def export_revision(rev: str) -> Path:
    """src/ and migrations/ of `rev` in a temporary directory (removed by the caller)."""
    target = Path(tempfile.mkdtemp(prefix="liveops-fanout-src-"))
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "src", "migrations"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def meta_dirty() -> bool:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "src", "migrations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return bool(status.stdout.strip())


def busy_seconds() -> list[float]:
    """CPU 0 and CPU 1 time spent running tasks so far (user + nice + system), in seconds."""
    busy = [0.0, 0.0]
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if name in ("cpu0", "cpu1"):
                busy[int(name[3:])] = sum(int(f) for f in fields[:3]) / os.sysconf("SC_CLK_TCK")
    return busy


def wait_until_quiet(limit: float, threshold: float = 15.0) -> None:
    """This machine is shared: before starting a server, wait (up to `limit` s) until neither
    CPU is more than `threshold` % busy with other work."""
    deadline = time.monotonic() + limit
    warned = False
    while True:
        before = busy_seconds()
        time.sleep(1.0)
        load = [100 * (a - b) for a, b in zip(busy_seconds(), before, strict=True)]
        if max(load) <= threshold:
            return
        if time.monotonic() >= deadline:
            print(f"  ! still busy ({load[0]:.0f} % / {load[1]:.0f} %); going on", file=sys.stderr)
            return
        if not warned:
            print(
                f"  waiting for a quiet machine (CPU 0 {load[0]:.0f} %, CPU 1 {load[1]:.0f} %)",
                file=sys.stderr,
            )
            warned = True
        time.sleep(2.0)


def wait_for_port(port: int, process: subprocess.Popen[bytes], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} during start-up")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {limit:.0f} s")


def start_peer(name: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    commands = {
        "socketio": ["node", str(HERE / "peers" / "socketio_server.mjs"), str(port)],
        "websockets": [PYTHON, str(HERE / "peers" / "websockets_server.py"), str(port)],
        "starlette": [PYTHON, str(HERE / "peers" / "starlette_server.py"), str(port)],
    }
    os.sched_setaffinity(0, {1})
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            ["taskset", "-c", "0", *commands[name]],
            cwd=log_path.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def prepare_show(port: int, token: str) -> str:
    """Create and start a show, then post a few comments so that its live state is loaded
    (and the ingest path warm) before the consoles connect."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30
    ) as client:
        show_id = await ready_show(client)
        (await client.post(f"/api/v1/shows/{show_id}/start")).raise_for_status()
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        events = [
            {"id": f"warm-{i}", "type": "comment", "ts": now, "viewer_id": "u0", "text": "hi"}
            for i in range(20)
        ]
        answer = await client.post(f"/api/v1/shows/{show_id}/events", json={"events": events})
        answer.raise_for_status()
        return show_id


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# ---- one server x one console count -----------------------------------------------------------


def client_time_limit(consoles: int, steps: list[int], args: argparse.Namespace) -> float:
    per_step = args.duration + args.drain + 5.5 + args.pause
    return 60 + consoles / 100 + len(steps) * per_step


def run_one(
    name: str, consoles: int, steps: list[int], args: argparse.Namespace, sink: Any
) -> list[dict[str, Any]]:
    label, proto, feed_interval, ndjson = SERVERS[name]
    tmp = Path(tempfile.mkdtemp(prefix="liveops-fanout-"))
    port = free_port()
    token = "bench_" + secrets.token_hex(8)
    show_id = None
    server: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    wait_until_quiet(args.quiet_wait)
    try:
        if proto == "liveops":
            env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEOPS_")}
            env |= {"LIVEOPS_ADMIN_TOKEN": token, "LIVEOPS_DATA_DIR": str(tmp)}
            if args.liveops_src is not None:
                env["PYTHONPATH"] = str(args.liveops_src / "src")
            if feed_interval is not None:
                env["LIVEOPS_FEED_INTERVAL_SECONDS"] = feed_interval
            os.environ["LIVEOPS_BENCH_SERVER_LOG"] = str(tmp / "server.log")
            server = start_server(env, port)
            show_id = asyncio.run(prepare_show(port, token))
        else:
            server = start_peer(name, port, tmp / "server.log")
            wait_for_port(port, server)
        limit = client_time_limit(consoles, steps, args)
        config = {
            "proto": proto,
            "port": port,
            "consoles": consoles,
            "steps": steps,
            "duration": args.duration,
            "drain": args.drain,
            "pause": args.pause,
            "payload": args.payload,
            "serverPid": server.pid,
            "showId": show_id,
            "token": token,
            "ndjson": ndjson,
            "timeLimit": limit,
        }
        client = subprocess.Popen(
            ["taskset", "-c", "1", "node", str(HERE / "client.mjs"), json.dumps(config)],
            stdout=subprocess.PIPE,
            text=True,
        )
        killer = threading.Timer(limit + 30, client.kill)
        killer.start()
        try:
            assert client.stdout is not None
            for line in client.stdout:
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    print(line.rstrip(), file=sys.stderr)
                    continue
                row |= {"server": name, "label": label, "consoles": consoles}
                sink.write(json.dumps(row) + "\n")
                sink.flush()
                rows.append(row)
                print(progress_line(row), file=sys.stderr, flush=True)
            client.wait()
        finally:
            killer.cancel()
            if client.poll() is None:
                client.kill()
                client.wait()
        if client.returncode != 0:
            print(f"  ! client exited with {client.returncode}", file=sys.stderr)
        if server.poll() is not None:
            print(f"  ! the server died (exit {server.returncode}); log:", file=sys.stderr)
            print((tmp / "server.log").read_text(errors="replace")[-2000:], file=sys.stderr)
    finally:
        if server is not None:
            if proto == "liveops":
                with contextlib.suppress(subprocess.TimeoutExpired):
                    asyncio.run(tear_down(server, None, env))
            stop(server)
        os.environ.pop("LIVEOPS_BENCH_SERVER_LOG", None)
        if args.keep_logs:
            print(f"  logs kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def progress_line(row: dict[str, Any]) -> str:
    kind = row.get("kind")
    head = f"  {row['label']:<28} N={row['consoles']:<5}"
    if kind == "idle":
        return (
            f"{head} connected in {row['connect_s']} s, "
            f"{row['rss_per_console_kb']} KB RSS per idle console"
        )
    if kind == "step":
        return (
            f"{head} offered {row['offered_per_s']:>9,}/s  got {row['deliveries_per_s']:>9,}/s  "
            f"late {row['late_lost_pct']:>6}%  p50 {row['p50_ms']}  p99 {row['p99_ms']}  "
            f"max {row['max_ms']} ms  "
            + (
                f"feed→console {row['fanout_p50_ms']}/{row['fanout_p99_ms']}  "
                if "fanout_p50_ms" in row
                else ""
            )
            + f"server {row['server_cpu_pct']}% "
            f"{row['server_us_per_delivery']} µs/d  client {row['client_cpu_pct']}%"
            f"  (others: {row.get('other_cpu0_pct')}% / {row.get('other_cpu1_pct')}%)"
        )
    return f"{head} {json.dumps({k: v for k, v in row.items() if k not in ('label',)})}"


# ---- tables ----------------------------------------------------------------------------------


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{int(value):,}"


def noisy(row: dict[str, Any]) -> bool:
    return max(row.get("other_cpu0_pct", 0), row.get("other_cpu1_pct", 0)) >= NOISY_PCT


def median_rows(rows: Iterable[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows grouped by `key`, numeric fields replaced by their median over the group; `runs`
    says how many runs reached the step, `range_*` keep the spread of the main figures. Runs
    in which other processes disturbed the step (flag "N") are left out of the median when
    at least one undisturbed run exists."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row.get(k) for k in key), []).append(row)
    merged = []
    for everything in groups.values():
        group = [r for r in everything if not noisy(r)] or everything
        out = dict(group[0])
        for field, value in group[0].items():
            if field in key or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            values = [r[field] for r in group if isinstance(r.get(field), int | float)]
            if values:
                out[field] = statistics.median(values)
                if field in ("p99_ms", "deliveries_per_s", "p50_ms", "rss_per_console_kb"):
                    out[f"range_{field}"] = (min(values), max(values))
        out["client_limited"] = any(r.get("client_limited") for r in group)
        out["runs"] = len(group)
        out["runs_disturbed"] = len(everything) - len(group) if len(group) < len(everything) else 0
        merged.append(out)
    return merged


def passes(row: dict[str, Any]) -> bool:
    p99 = row.get("p99_ms")
    return row["late_lost_pct"] == 0 and p99 is not None and p99 <= SUSTAINABLE_P99_MS


def sustainable(step_rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The highest step below which every step passed (nothing late or lost, p99 ≤ 50 ms)."""
    best = None
    for row in sorted(step_rows, key=lambda r: r["offered_per_s"]):
        if not passes(row):
            break
        best = row
    return best


def print_tables(rows: list[dict[str, Any]], runs: int) -> None:
    steps = median_rows(
        (r for r in rows if r.get("kind") == "step"), ("server", "consoles", "offered_per_s")
    )
    idle = median_rows((r for r in rows if r.get("kind") == "idle"), ("server", "consoles"))
    order = {name: i for i, name in enumerate(ALL_SERVERS)}
    many = runs > 1
    title = f"median of up to {runs} runs, see `runs`" if many else "1 run"
    print(f"\n# Fan-out, one show/room ({title})")
    for consoles in sorted({r["consoles"] for r in steps}):
        print(f"\n## N = {consoles:,} consoles\n")
        print(
            "| server | offered/s | deliveries/s | late/lost | p50 ms | p99 ms | max ms "
            "| feed→console p50 / p99 ms | server CPU | µs/delivery | client CPU |"
            + (" runs |" if many else "")
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if many else ""))
        mine = sorted(
            (r for r in steps if r["consoles"] == consoles),
            key=lambda r: (order.get(r["server"], 99), r["offered_per_s"]),
        )
        for r in mine:
            flag = " C" if r["client_limited"] else ""
            if noisy(r):
                flag += " N"
            fanout = (
                f"{fmt(r['fanout_p50_ms'])} / {fmt(r['fanout_p99_ms'])}"
                if r.get("fanout_p50_ms") is not None
                else "–"
            )
            print(
                f"| {r['label']} | {fmt(r['offered_per_s'], 0)} | {fmt(r['deliveries_per_s'], 0)}"
                f" | {r['late_lost_pct']:.2f} % | {fmt(r['p50_ms'])} | {fmt(r['p99_ms'])}"
                f" | {fmt(r['max_ms'])} | {fanout}"
                f" | {fmt(r['server_cpu_pct'], 0)} %"
                f" | {fmt(r['server_us_per_delivery'], 2)}"
                f" | {fmt(r['client_cpu_pct'], 0)} %{flag} |" + (f" {r['runs']} |" if many else "")
            )
        print(
            "\nSustainable (every step up to it: nothing late or lost, p99 ≤ 50 ms) and memory"
            " per idle console:\n"
        )
        print("| server | sustainable deliveries/s | p50 / p99 there | RSS per idle console |")
        print("|---|---:|---|---:|")
        for name in sorted({r["server"] for r in mine}, key=lambda n: order.get(n, 99)):
            best = sustainable([r for r in mine if r["server"] == name])
            memory = next(
                (r for r in idle if r["server"] == name and r["consoles"] == consoles), None
            )
            print(
                f"| {SERVERS[name][0]} | {fmt(best['offered_per_s'], 0) if best else 'none'}"
                f" | {fmt(best['p50_ms']) + ' / ' + fmt(best['p99_ms']) + ' ms' if best else '–'}"
                f" | {fmt(memory['rss_per_console_kb']) + ' KB' if memory else '–'} |"
            )
    print_targets(steps, idle)


def print_targets(steps: list[dict[str, Any]], idle: list[dict[str, Any]]) -> None:
    """The issue's fan-out targets, for each LiveOps variant measured."""
    variants = [
        n for n in ALL_SERVERS if n.startswith("liveops") and any(r["server"] == n for r in steps)
    ]
    if not variants:
        return
    print("\nTargets (LiveOps):\n")
    for name in variants:
        mine = [r for r in steps if r["server"] == name]
        lines = []
        at_1000 = [r for r in mine if r["consoles"] == 1000]
        if at_1000:
            best = sustainable(at_1000)
            most = max(r["deliveries_per_s"] for r in at_1000)
            got = best["offered_per_s"] if best else 0
            lowest = min(at_1000, key=lambda r: r["offered_per_s"])
            detail = (
                f"sustainable up to {got:,.0f}/s"
                if best
                else f"no step passed; p99 {lowest['p99_ms']:.1f} ms already at "
                f"{lowest['offered_per_s']:,.0f}/s"
            )
            lines.append(
                f"≥ 500,000 deliveries/s at p99 ≤ 50 ms, N=1,000: "
                f"{'met' if got >= 500_000 else 'missed'} ({detail}; at most {most:,.0f}/s "
                "delivered)"
            )
        low = [r for r in mine if r["consoles"] == 100 and r["offered_per_s"] <= 10_000]
        if low:
            r = max(low, key=lambda r: r["offered_per_s"])
            ok = r["p50_ms"] <= 2 and r["p99_ms"] <= 10 and r["late_lost_pct"] == 0
            lines.append(
                f"p50 ≤ 2 ms and p99 ≤ 10 ms at N=100, {r['offered_per_s']:,.0f}/s: "
                f"{'met' if ok else 'missed'} ({r['p50_ms']:.1f} / {r['p99_ms']:.1f} ms)"
            )
        busy = [
            r
            for r in mine
            if r["deliveries_per_s"] >= 100_000 and r["server_us_per_delivery"] is not None
        ]
        if busy:
            r = min(busy, key=lambda r: r["server_us_per_delivery"])
            ok = r["server_us_per_delivery"] <= 1
            lines.append(
                f"≤ 1 µs server CPU per delivery at ≥ 100,000/s: {'met' if ok else 'missed'} "
                f"(best {r['server_us_per_delivery']:.2f} µs at {r['deliveries_per_s']:,.0f}/s, "
                f"N={r['consoles']:,}, p99 {r['p99_ms']:.1f} ms)"
            )
        else:
            lines.append("≤ 1 µs server CPU per delivery at ≥ 100,000/s: not reached 100,000/s")
        memory = [r for r in idle if r["server"] == name]
        if memory:
            worst = max(memory, key=lambda r: r["rss_per_console_kb"])
            ok = worst["rss_per_console_kb"] <= 30
            lines.append(
                f"≤ 30 KB per idle console: {'met' if ok else 'missed'} "
                f"(up to {worst['rss_per_console_kb']:.1f} KB, N={worst['consoles']:,})"
            )
        print(f"- {SERVERS[name][0]}:")
        for line in lines:
            print(f"  - {line}")


# ---- main ------------------------------------------------------------------------------------


def parse_list(text: str, cast: Any = int) -> list[Any]:
    return [cast(part) for part in text.split(",") if part.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a ~2 minute subset")
    parser.add_argument("--servers", type=lambda s: parse_list(s, str))
    parser.add_argument("--consoles", type=parse_list, help="consoles (default 100,1000,5000)")
    parser.add_argument("--steps", type=parse_list, help="offered deliveries/s per step")
    parser.add_argument("--duration", type=float, help="seconds of publishing per step (4)")
    parser.add_argument("--drain", type=float, help="seconds allowed for late deliveries (3)")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between steps")
    parser.add_argument("--payload", type=int, default=200, help="bytes per publication")
    parser.add_argument("--out", type=Path, help="JSON lines (default bench/results/fanout-*)")
    parser.add_argument(
        "--quiet-wait", type=float, default=60, help="seconds to wait for others' load to end"
    )
    parser.add_argument("--liveops-rev", help="run LiveOps from this git revision (e.g. HEAD)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' temp dirs")
    parser.add_argument("--merge", nargs="+", type=Path, help="print medians of earlier runs")
    args = parser.parse_args()

    if args.merge:
        rows = [json.loads(line) for path in args.merge for line in path.read_text().splitlines()]
        print_tables(rows, runs=sum(1 for r in rows if r.get("kind") == "meta"))
        return 0

    quick = args.quick
    servers = args.servers or (
        ["liveops", "socketio", "websockets", "starlette"] if quick else DEFAULT_SERVERS
    )
    unknown = [s for s in servers if s not in SERVERS]
    if unknown:
        parser.error(f"unknown servers {unknown}; choose from {ALL_SERVERS}")
    consoles = args.consoles or ([100, 1000] if quick else [100, 1000, 5000])
    steps = args.steps or ([10_000, 100_000, 500_000] if quick else DEFAULT_STEPS)
    args.duration = args.duration or (2.0 if quick else 4.0)
    args.drain = args.drain or (2.0 if quick else 3.0)

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if max(consoles) + 100 > hard:
        parser.error(f"{max(consoles)} consoles need more file descriptors than {hard}")
    ensure_node_modules()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-ups

    args.liveops_src = export_revision(args.liveops_rev) if args.liveops_rev else None
    try:
        return run_matrix(args, servers, consoles, steps)
    finally:
        if args.liveops_src is not None:
            shutil.rmtree(args.liveops_src, ignore_errors=True)


def run_matrix(
    args: argparse.Namespace, servers: list[str], consoles: list[int], steps: list[int]
) -> int:
    out = args.out or ROOT / "bench" / "results" / f"fanout-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = run_metadata() | {
        "servers": servers,
        "consoles": consoles,
        "steps": steps,
        "duration": args.duration,
        "drain": args.drain,
        "payload": args.payload,
        "liveops_source": (
            "git revision "
            + subprocess.run(
                ["git", "rev-parse", "--short", args.liveops_rev],
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout.strip()
            if args.liveops_rev
            else "working tree" + (" (src/ has uncommitted changes)" if meta_dirty() else "")
        ),
    }
    print(json.dumps(meta), file=sys.stderr)
    rows: list[dict[str, Any]] = [meta]
    started = time.monotonic()
    with open(out, "w") as sink:
        sink.write(json.dumps(meta) + "\n")
        for name in servers:
            for n in consoles:
                rows += run_one(name, n, steps, args, sink)
    print(f"\n{time.monotonic() - started:.0f} s; results in {out}", file=sys.stderr)
    print_tables(rows, runs=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
