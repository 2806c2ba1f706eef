"""Agency mix (issue #3): many shows at once, many consoles each, skewed event rates.

    python bench/agency.py [--shows 200] [--consoles-per-show 25] [--rate 5000] [--skew 1.0]
        [--seconds 30] [--interval 1.0] [--workers 2] [--clients 2] [--quick] [--keep-logs]
        [--profile DIR]

An agency runs many shows at the same time: a few hot ones and a long tail of quiet ones. This
starts `liveops serve --workers N` (not pinned) on a throwaway PostgreSQL database and a Redis
key prefix of its own, creates --shows shows through the API, starts them, mints per show one
field-control token (its consoles) and one integrator token (its feed), and connects
--consoles-per-show consoles to every show's websocket `/api/v1/shows/{id}/live`. The consoles
live in --clients processes (each holds consoles of every show), offer `liveops.ndjson` and
split text frames on "\n"; a console the server closes (4008, 1011, 1012, 1013...) comes back
with its position and resumes, as a real console does.

Then a poster process plays the feeds open loop for --seconds. The show of rank k gets a share
proportional to 1/k^s (s = --skew) of --rate events/s; every --interval seconds (phases spread
over the shows) each show posts what accumulated, about 85 % comments, 10 % likes and 5 %
orders, to `/api/v1/shows/{id}/events` with its integrator token: about --shows / --interval POSTs a
second whatever the rate (and each POST costs the server much more than an event in it). At
most --in-flight POSTs are in flight; a batch due while all are busy waits in the poster, and
that wait is counted (`poster_late_ms`, and in the latencies). A batch answered with a 5xx, a
transport error or nothing within --timeout is posted again, byte for byte, until acknowledged
(for at most --give-up-after seconds after the schedule ends). The poster speaks plain
HTTP/1.1 keep-alive itself: httpx costs ~1.2 ms of CPU a request, several times what the
batch costs to make. Each comment's id is `c<rank>.<seq>` and its text starts with the
wall-clock time its batch was made (just before its first POST), so every console computes
send→console latency and counts each comment it receives.

When everything is acknowledged, the consoles get up to --drain-timeout seconds to receive
every comment, then the bench prints one JSON line: accepted events/s, comment deliveries/s,
send→console latency (all shows, the hottest show, the colder half), lost, duplicated and
foreign comments per console (every console of a show must get each acknowledged comment of
that show exactly once), ingest POST latency, CPU (server process tree, console and poster
processes, PostgreSQL, Redis, interrupts (loopback TCP's softirq, which no process is charged
for), the rest of the machine; % of one core, the machine has 200 %),
the server's peak RSS, how long connecting the consoles took, reconnects by close code, the
warnings and errors in the server's log, and how the server stopped (SIGTERM, then SIGKILL
after --stop-timeout). --profile DIR records the workers with py-spy during the feed.

Loopback only; bounded (every wait has a limit); removes its processes, database and Redis keys
even on error or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import queue
import random
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import (
    EventFactory,
    drop_redis_keys,
    free_port,
    percentile,
    pg_database,
    prepare_backend,
    ready_show,
    start_server,
    tear_down,
)
from procstats import CLK_TCK, all_stats, code_revision, process_tree, py_spy_record, rss_mb

NDJSON = "liveops.ndjson"
# Closes after which a console stops: the server will never serve it.
PERMANENT_CLOSES = frozenset({"1008", "4400", "4401", "4403", "4404"})
# Shares of the feed (the rest are comments).
LIKE_SHARE = 0.10
ORDER_SHARE = 0.05


def _run_loop(coroutine: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(coroutine)


def raise_open_files() -> int:
    """Thousands of sockets: lift the soft limit to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def zipf_rates(shows: int, rate: float, skew: float) -> list[float]:
    """Events/s of the show of each rank (1-based rank k at index k-1): weight 1/k^skew."""
    weights = [1.0 / (k**skew) for k in range(1, shows + 1)]
    total = sum(weights)
    return [rate * w / total for w in weights]


def group_of(rank: int, shows: int) -> str:
    """`hot`: the hottest show; `tail`: the colder half of the shows; `mid`: the rest."""
    if rank == 1:
        return "hot"
    return "tail" if rank > shows // 2 else "mid"


# ---- console processes -----------------------------------------------------------------------


@dataclass
class ConsoleJob:
    index: int
    ws_base: str
    shows: int
    consoles: list[tuple[int, str, str]]  # (rank, show id, field-control token)
    connect_concurrency: int
    open_timeout: float


@dataclass
class Console:
    rank: int
    show_id: str
    token: str
    counts: bytearray = field(default_factory=bytearray)  # per comment seq, saturating at 255
    foreign: int = 0  # comments of another show (must never happen)
    comment_items: int = 0
    order_items: int = 0
    frames: int = 0
    messages: int = 0
    snapshot_feed_comments: int = 0  # in snapshots after a resync: not counted as deliveries
    resyncs: int = 0
    closes: Counter[str] = field(default_factory=Counter)
    connect_ms: float | None = None
    ndjson: bool = False
    failed: str | None = None
    epoch: str | None = None
    offset: int | None = None


@dataclass
class ConsoleShared:
    """What one console process shares with the main process while it runs."""

    connected: Any  # Array('q'): consoles that got their first snapshot, per process
    open: Any  # Array('q'): consoles connected now (at least one frame read), per process
    delivered: Any  # Array('q'): distinct comments received, per process
    t0: Any  # Value('d'): perf_counter() when the feed starts (0 before)
    stop: Any  # Event
    out: Any  # Queue


class ConsoleProcess:
    """The state of one console process, shared by its consoles' tasks."""

    def __init__(self, job: ConsoleJob, shared: ConsoleShared) -> None:
        self.job = job
        self.shared = shared
        self.latency: dict[str, array[float]] = {g: array("f") for g in ("hot", "mid", "tail")}
        self.per_second: list[int] = []
        self.delivered = 0

    def take(self, c: Console, raw: str, now_wall: float, now_perf: float) -> None:
        """Account for one text frame (one message, or several separated by newlines)."""
        c.frames += 1
        prefix = f"c{c.rank}."
        cut = len(prefix)
        latencies = self.latency[group_of(c.rank, self.job.shows)]
        fresh = 0
        for line in raw.split("\n"):
            message = orjson.loads(line)
            c.messages += 1
            kind = message.get("type")
            if "offset" in message:
                c.offset = message["offset"]
            if "epoch" in message:
                c.epoch = message["epoch"]
            if kind == "feed":
                for item in message["items"]:
                    if item["kind"] != "comment":
                        c.order_items += 1
                        continue
                    c.comment_items += 1
                    comment_id: str = item["id"]
                    if not comment_id.startswith(prefix):
                        c.foreign += 1
                        continue
                    seq = int(comment_id[cut:])
                    counts = c.counts
                    if seq >= len(counts):
                        counts.extend(bytes(seq - len(counts) + 4096))
                    seen = counts[seq]
                    if seen < 255:
                        counts[seq] = seen + 1
                    if seen == 0:
                        fresh += 1
                        sent = float(item["text"].split(" ", 1)[0])
                        latencies.append((now_wall - sent) * 1000)
            elif kind == "snapshot":
                if c.connect_ms is not None:  # after a resync: the recent feed, not deliveries
                    c.snapshot_feed_comments += sum(
                        1 for item in message.get("feed", ()) if item.get("kind") == "comment"
                    )
            elif kind == "resync":
                c.resyncs += 1
        if fresh:
            self.delivered += fresh
            self.shared.delivered[self.job.index] = self.delivered
            t0 = self.shared.t0.value
            if t0:
                second = int(now_perf - t0)
                if second >= 0:
                    if second >= len(self.per_second):
                        self.per_second.extend([0] * (second + 1 - len(self.per_second)))
                    self.per_second[second] += fresh

    async def console(self, c: Console, slots: asyncio.Semaphore) -> None:
        url = f"{self.job.ws_base}/api/v1/shows/{c.show_id}/live"
        headers = {"Authorization": f"Bearer {c.token}"}
        attempt = 0
        await slots.acquire()
        holding = True
        started = time.perf_counter()
        try:
            while True:
                target = url if c.epoch is None else f"{url}?epoch={c.epoch}&offset={c.offset}"
                code: str
                is_open = False
                try:
                    async with connect(
                        target,
                        additional_headers=headers,
                        subprotocols=[Subprotocol(NDJSON)],
                        compression=None,
                        max_size=None,
                        open_timeout=self.job.open_timeout,
                        ping_interval=None,  # the server keeps the connection alive
                        close_timeout=2,
                    ) as ws:
                        c.ndjson = ws.subprotocol == NDJSON
                        async for raw in ws:
                            self.take(c, str(raw), time.time(), time.perf_counter())
                            if not is_open:
                                is_open = True
                                self.shared.open[self.job.index] += 1
                            if c.connect_ms is None and c.epoch is not None:
                                c.connect_ms = (time.perf_counter() - started) * 1000
                                self.shared.connected[self.job.index] += 1
                                slots.release()
                                holding = False
                            attempt = 0
                    code = str(ws.close_code)
                except ConnectionClosed as exc:
                    code = str(exc.rcvd.code) if exc.rcvd is not None else "1006"
                except (OSError, TimeoutError, InvalidHandshake) as exc:
                    code = type(exc).__name__
                finally:
                    if is_open:
                        self.shared.open[self.job.index] -= 1
                c.closes[code] += 1
                if code in PERMANENT_CLOSES:
                    c.failed = code
                    return
                attempt += 1
                await asyncio.sleep(random.uniform(0, min(10.0, 0.5 * 2 ** (attempt - 1))))
        finally:
            if holding:
                slots.release()

    async def run(self) -> dict[str, Any]:
        slots = asyncio.Semaphore(self.job.connect_concurrency)
        consoles = [Console(rank, show_id, token) for rank, show_id, token in self.job.consoles]
        tasks = [asyncio.create_task(self.console(c, slots)) for c in consoles]
        while not self.shared.stop.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=20)
        return {
            "consoles": [
                {
                    "rank": c.rank,
                    "counts": bytes(c.counts),
                    "foreign": c.foreign,
                    "comment_items": c.comment_items,
                    "order_items": c.order_items,
                    "frames": c.frames,
                    "messages": c.messages,
                    "snapshot_feed_comments": c.snapshot_feed_comments,
                    "resyncs": c.resyncs,
                    "closes": dict(c.closes),
                    "connect_ms": c.connect_ms,
                    "ndjson": c.ndjson,
                    "failed": c.failed,
                }
                for c in consoles
            ],
            "latency": {group: values.tobytes() for group, values in self.latency.items()},
            "per_second": self.per_second,
        }


def console_process(job: ConsoleJob, shared: ConsoleShared) -> None:
    """Entry point of one console process (spawned)."""
    shared.out.put(("ready", job.index, None))
    result = _run_loop(ConsoleProcess(job, shared).run())
    shared.out.put(("done", job.index, result))


# ---- the poster process ----------------------------------------------------------------------


@dataclass
class PosterJob:
    base: str
    shows: list[tuple[int, str, str, float]]  # (rank, show id, integrator token, events/s)
    interval: float
    seconds: float
    in_flight: int
    timeout: float
    give_up_after: float
    seed: int


# One row per batch: rank, events, comments, first comment seq, due, first sent, acknowledged
# (nan if never), attempts, accepted, duplicates.
Row = tuple[int, int, int, int, float, float, float, int, int, int]


def poster_process(job: PosterJob, go: Any, t0: Any, out: Any) -> None:
    """Entry point of the poster process (spawned)."""
    out.put(("ready", 0, None))
    go.wait(120)
    out.put(("done", 0, _run_loop(_post(job, t0.value))))


def _batch(
    factory: EventFactory, rank: int, count: int, seqs: list[int], others: list[int]
) -> tuple[bytes, int, int]:
    """A batch of `count` events of show `rank`: (body, comments, first comment seq)."""
    rng = factory.rng
    now = time.time()
    ts = datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z")
    first = seqs[rank]
    events = []
    for _ in range(count):
        draw = rng.random()
        if draw < ORDER_SHARE:
            event = factory.make("order.created")
            others[rank] += 1
            event["id"] = event["order_id"] = f"o{rank}.{others[rank]}"
        elif draw < ORDER_SHARE + LIKE_SHARE:
            event = factory.make("like")
            others[rank] += 1
            event["id"] = f"l{rank}.{others[rank]}"
        else:
            event = factory.make("comment")
            event["id"] = f"c{rank}.{seqs[rank]}"
            event["text"] = f"{now:.6f} {event['text']}"
            seqs[rank] += 1
        event["ts"] = ts
        events.append(event)
    return orjson.dumps({"events": events}), seqs[rank] - first, first


class FeedHttp:
    """A lean HTTP/1.1 keep-alive client for the feed's POSTs. httpx spends about 1.2 ms of CPU
    a request here (measured against a trivial server); at hundreds of batches a second on a
    2-core machine that would be CPU taken from the server under test. Requests are built once
    (and re-sent byte for byte on retry); answers need a Content-Length, as uvicorn gives."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.stale = 0  # reused connections the server had closed (keep-alive timeout)

    def request(self, path: str, token: str, body: bytes) -> bytes:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def post(self, request: bytes) -> tuple[int, str | None, bytes]:
        """(status, Retry-After or None, body). Raises TimeoutError, OSError, EOFError or
        ValueError when there is no (complete) answer."""
        async with asyncio.timeout(self.timeout):
            while self._idle:
                conn = self._idle.pop()
                try:
                    return await self._exchange(conn, request)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                        raise
                    # Closed by the server while idle (keep-alive timeout), before any answer:
                    # send it again on another connection at once (same ids: idempotent).
                    self.stale += 1
            conn = await asyncio.open_connection(self.host, self.port)
            return await self._exchange(conn, request)

    async def _exchange(
        self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
    ) -> tuple[int, str | None, bytes]:
        reader, writer = conn
        keep = False
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            fields = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
            if "content-length" not in fields:
                raise ValueError(f"an answer without Content-Length: {lines[0]}")
            body = await reader.readexactly(int(fields["content-length"]))
            keep = fields.get("connection", "").lower() != "close"
            return status, fields.get("retry-after"), body
        finally:
            if keep:
                self._idle.append(conn)
            else:
                writer.close()

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle = []


async def _post(job: PosterJob, t0: float) -> dict[str, Any]:
    factory = EventFactory(job.seed)
    rows: list[Row] = []
    statuses: Counter[str] = Counter()
    end = t0 + job.seconds
    give_up = end + job.give_up_after
    slots = asyncio.Semaphore(job.in_flight)
    address = job.base.removeprefix("http://")
    http = FeedHttp(address.rsplit(":", 1)[0], int(address.rsplit(":", 1)[1]), job.timeout)
    top = max(rank for rank, _, _, _ in job.shows) + 1
    seqs, others = [0] * top, [0] * top
    # Each show posts every `interval`, the shows' phases spread evenly over it.
    ticks: list[tuple[float, int]] = []
    for k in range(len(job.shows)):
        phase = job.interval * k / len(job.shows)
        ticks += [
            (phase + j * job.interval, k) for j in range(math.ceil(job.seconds / job.interval))
        ]
    ticks = sorted(t for t in ticks if t[0] < job.seconds)
    owed = [0.0] * len(job.shows)

    async def send(k: int, body: bytes, events: int, comments: int, first: int, due: float) -> None:
        rank, show_id, token, _ = job.shows[k]
        request = http.request(f"/api/v1/shows/{show_id}/events", token, body)
        first_sent, attempts = math.nan, 0
        while True:
            async with slots:
                attempts += 1
                sent = time.perf_counter()
                if attempts == 1:
                    first_sent = sent
                backoff = random.uniform(0, min(8.0, 0.5 * 2 ** (attempts - 1)))
                try:
                    status, after, answer = await http.post(request)
                except TimeoutError:
                    statuses["timeout"] += 1
                    retry_in = backoff
                except (OSError, EOFError, ValueError) as exc:
                    statuses[type(exc).__name__] += 1
                    retry_in = backoff
                else:
                    statuses[str(status)] += 1
                    if status == 200:
                        acked = time.perf_counter()
                        result = orjson.loads(answer)
                        rows.append(
                            (
                                rank,
                                events,
                                comments,
                                first,
                                due,
                                first_sent,
                                acked,
                                attempts,
                                int(result["accepted"]),
                                int(result["duplicates"]),
                            )
                        )
                        return
                    if status < 500:
                        raise RuntimeError(f"show {rank}: {status} {answer[:300]!r}")
                    retry_in = float(after) if after else backoff
            if time.perf_counter() + retry_in > give_up:
                rows.append(
                    (rank, events, comments, first, due, first_sent, math.nan, attempts, 0, 0)
                )
                return
            await asyncio.sleep(retry_in)

    tasks = []
    try:
        for offset, k in ticks:
            due = t0 + offset
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            owed[k] += job.shows[k][3] * job.interval
            count = min(5_000, int(owed[k]))
            owed[k] -= count
            if count:
                body, comments, first = _batch(factory, job.shows[k][0], count, seqs, others)
                tasks.append(asyncio.create_task(send(k, body, count, comments, first, due)))
        await asyncio.gather(*tasks)
    finally:
        http.close()
    if http.stale:
        statuses["resent_on_fresh_connection"] = http.stale
    return {"rows": rows, "statuses": dict(statuses), "comments_made": seqs}


# ---- processes: CPU and RSS from /proc -------------------------------------------------------


def _start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot), or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(raw[raw.rindex(")") + 2 :].split()[19])


def machine_busy() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy (all cores, steal excluded), and of those
    the seconds in interrupts (mostly softirq: loopback TCP, counted to no process)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4] - fields[7]
    return busy / CLK_TCK, (fields[5] + fields[6]) / CLK_TCK


def cpu_groups(server: int, consoles: list[int], posters: list[int]) -> dict[str, float]:
    """CPU seconds so far of each group of processes, and of the whole machine."""
    stats = all_stats()

    def tree_cpu(roots: list[int]) -> float:
        pids = {p for root in roots for p in process_tree(root, stats)}
        return sum(stats[p][2] for p in pids if p in stats)

    busy, interrupts = machine_busy()
    return {
        "server": tree_cpu([server]),
        "consoles": tree_cpu(consoles),
        "poster": tree_cpu(posters),
        "postgres": sum(cpu for _, name, cpu in stats.values() if name == "postgres"),
        "redis": sum(cpu for _, name, cpu in stats.values() if name.startswith("redis-server")),
        "bench_main": time.process_time(),
        "interrupts": interrupts,
        "machine": busy,
    }


def cpu_report(
    before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    """Each group's CPU over the window in % of one core (the machine has 200 %). `others` is
    what the rest of the machine used meanwhile: other programs, and py-spy with --profile."""
    used = {name: 100 * (after[name] - before[name]) / seconds for name in before}
    used["others"] = max(0.0, used["machine"] - sum(v for k, v in used.items() if k != "machine"))
    return {f"{name}_cpu_pct": round(value, 1) for name, value in used.items()}


# ---- figures ---------------------------------------------------------------------------------


def ms_summary(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p99": None, "max": None}
    ordered = sorted(values)  # percentile() sorts again: linear on sorted input
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 0.5), 1),
        "p99": round(percentile(ordered, 0.99), 1),
        "max": round(ordered[-1], 1),
    }


def server_log_summary(path: Path) -> dict[str, Any]:
    """Warnings and errors in the server's log (LiveOps' JSON lines and uvicorn's own)."""
    levels: Counter[str] = Counter()
    samples: Counter[str] = Counter()
    if not path.exists():
        return {"levels": {}, "messages": {}}
    for line in path.read_text(errors="replace").splitlines():
        level, message = None, line
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                level, message = str(entry.get("level")), str(entry.get("message"))
                if "error" in entry:
                    message += " | " + str(entry["error"]).strip().splitlines()[-1]
        elif ":" in line and line.split(":", 1)[0].strip().isupper():
            level = line.split(":", 1)[0].strip().lower()
            message = line.split(":", 1)[1].strip()
        elif line.startswith("Traceback"):
            level = "traceback"
        if level in ("warning", "error", "critical", "traceback"):
            levels[level] += 1
            samples[f"{level}: {message[:200]}"] += 1
    return {"levels": dict(levels), "messages": dict(samples.most_common(8))}


# ---- the run ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.context = multiprocessing.get_context("spawn")
        self.server: subprocess.Popen[bytes] | None = None
        self.processes: list[Any] = []
        self.rss: list[float] = []
        self.stop_report: dict[str, Any] = {}

    async def sample_rss(self, every: float = 0.5) -> None:
        assert self.server is not None
        pids: list[int] = []
        for n in range(10_000_000):
            if n % 10 == 0:
                pids = process_tree(self.server.pid, all_stats())
            self.rss.append(rss_mb(pids))
            await asyncio.sleep(every)

    def stop_processes(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
        self.processes = []

    def stop_server(self, dumps: Path | None = None) -> None:
        """SIGTERM, then SIGKILL after --stop-timeout. A server that does not stop in time is
        reported (`server_stop`) with the CPU its processes used meanwhile (busy or stuck),
        and, if `dumps` is given, a py-spy dump of each process left."""
        if self.server is None or self.server.returncode is not None:
            return
        stats = all_stats()
        tree = process_tree(self.server.pid, stats)
        born = {p: _start_time(p) for p in tree}
        cpu_before = {p: stats[p][2] for p in tree if p in stats}
        started = time.perf_counter()
        self.server.terminate()
        killed = False
        try:
            self.server.wait(self.args.stop_timeout)
        except subprocess.TimeoutExpired:
            killed = True
            stats = all_stats()
            left = [p for p in tree if p in stats]
            self.stop_report["cpu_s_while_stopping"] = round(
                sum(stats[p][2] - cpu_before.get(p, 0.0) for p in left), 2
            )
            self.stop_report["processes_left"] = len(left)
            if dumps is not None:
                spy = str(Path(sys.executable).with_name("py-spy"))
                for pid in left:
                    with contextlib.suppress(OSError, subprocess.SubprocessError):
                        dump = subprocess.run(
                            [spy, "dump", "--pid", str(pid)],
                            capture_output=True,
                            text=True,
                            timeout=20,
                        )
                        (dumps / f"stuck-{pid}.txt").write_text(dump.stdout + dump.stderr)
            self.server.kill()
            self.server.wait(5)
        for pid in tree[1:]:  # a worker left behind by a killed supervisor (not a reused pid)
            if born[pid] is not None and _start_time(pid) == born[pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.stop_report["seconds"] = round(time.perf_counter() - started, 1)
        self.stop_report["killed"] = killed

    def profile(self, into: str) -> list[subprocess.Popen[bytes]]:
        """py-spy (100 Hz, non-blocking) on each worker for the feed's --seconds: collapsed
        stacks in `into`/worker<i>.txt."""
        assert self.server is not None
        out = Path(into)
        out.mkdir(parents=True, exist_ok=True)
        workers = []
        for pid in process_tree(self.server.pid, all_stats())[1:]:
            with contextlib.suppress(OSError):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    workers.append(pid)
        print(f"profiling workers {workers} into {out}", file=sys.stderr)
        return [
            py_spy_record(pid, self.args.seconds, out / f"worker{i}.txt")
            for i, pid in enumerate(workers or [self.server.pid])
        ]

    async def collect(self, out: Any, count: int, limit: float, kind: str) -> dict[int, Any]:
        """`count` messages of `kind` from `out` within `limit` seconds."""
        found: dict[int, Any] = {}
        deadline = time.monotonic() + limit
        while len(found) < count:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError(f"{count - len(found)} processes did not report {kind!r}")
            try:
                got, index, result = await asyncio.to_thread(out.get, True, min(wait, 1.0))
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in self.processes):
                    raise RuntimeError("a bench process failed (see above)") from None
                continue
            if got == kind:
                found[index] = result
        return found

    async def run(self) -> dict[str, Any]:
        args = self.args
        open_files = raise_open_files()
        admin_token = "agency_" + secrets.token_hex(8)
        env, database = await prepare_backend("postgres+redis", admin_token)
        data_dir = Path(env["LIVEOPS_DATA_DIR"])
        log_path = data_dir / "server.log"
        os.environ["LIVEOPS_BENCH_SERVER_LOG"] = str(log_path)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        sampler: asyncio.Task[None] | None = None
        try:
            self.server = start_server(env, port, "--workers", str(args.workers), pin=False)
            headers = {"Authorization": f"Bearer {admin_token}"}
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as admin:
                shows = await self.create_shows(admin)
            sampler = asyncio.create_task(self.sample_rss())
            figures = await self.load(base, shows)
        finally:
            if sampler is not None:
                sampler.cancel()
            self.stop_processes()
            self.stop_server(data_dir if args.keep_logs else None)
            server_exit = None if self.server is None else self.server.returncode
            if self.server is not None:
                await tear_down(self.server, database, env)
            else:
                await pg_database(str(database), drop=True)
                await drop_redis_keys(env["LIVEOPS_REDIS_PREFIX"])
            logs = server_log_summary(log_path)
            if args.keep_logs:
                print(f"server log kept in {log_path}", file=sys.stderr)
            else:
                shutil.rmtree(data_dir, ignore_errors=True)
        return {
            **figures,
            "server_log": logs,
            "server_exit_code": server_exit,
            "server_stop": self.stop_report,
            "open_files_limit": open_files,
            "code": code_revision(),
        }

    async def create_shows(self, admin: httpx.AsyncClient) -> list[tuple[str, str, str]]:
        """Create, start and mint tokens for every show; (show id, console token, feed token)
        by rank."""
        first = await ready_show(admin)  # waits until the server answers
        for _ in range(100):  # and until every worker can serve (the database answers)
            if (await admin.get("/readyz")).status_code == 200:
                break
            await asyncio.sleep(0.1)

        async def make(rank: int) -> tuple[str, str, str]:
            if rank == 1:
                show_id = first
            else:
                created = await admin.post(
                    "/api/v1/shows", json={"title": f"agency show {rank}", "platform": "douyin"}
                )
                created.raise_for_status()
                show_id = str(created.json()["id"])
            (await admin.post(f"/api/v1/shows/{show_id}/start")).raise_for_status()
            tokens = []
            for role in ("field_control", "integrator"):
                minted = await admin.post(
                    "/api/v1/auth/tokens",
                    json={"role": role, "show_id": show_id, "label": f"agency {role} {rank}"},
                )
                minted.raise_for_status()
                tokens.append(str(minted.json()["token"]))
            return show_id, tokens[0], tokens[1]

        shows: list[tuple[str, str, str]] = []
        for start in range(1, self.args.shows + 1, 20):
            stop = min(start + 20, self.args.shows + 1)
            shows += await asyncio.gather(*(make(rank) for rank in range(start, stop)))
        return shows

    async def load(self, base: str, shows: list[tuple[str, str, str]]) -> dict[str, Any]:
        args = self.args
        assert self.server is not None
        ctx = self.context
        rates = zipf_rates(args.shows, args.rate, args.skew)
        per_show = args.consoles_per_show
        total_consoles = args.shows * per_show
        clients = max(1, args.clients)

        # Consoles: console j of show k goes to process (k * per_show + j) % clients, so every
        # process holds consoles of every show.
        assignments: list[list[tuple[int, str, str]]] = [[] for _ in range(clients)]
        for k, (show_id, console_token, _) in enumerate(shows):
            for j in range(per_show):
                assignments[(k * per_show + j) % clients].append((k + 1, show_id, console_token))
        shared = ConsoleShared(
            connected=ctx.Array("q", clients, lock=False),
            open=ctx.Array("q", clients, lock=False),
            delivered=ctx.Array("q", clients, lock=False),
            t0=ctx.Value("d", 0.0, lock=False),
            stop=ctx.Event(),
            out=ctx.Queue(),
        )
        ws_base = base.replace("http://", "ws://")
        console_processes = [
            ctx.Process(
                target=console_process,
                args=(
                    ConsoleJob(
                        index=i,
                        ws_base=ws_base,
                        shows=args.shows,
                        consoles=assignments[i],
                        connect_concurrency=args.connect_concurrency,
                        open_timeout=args.open_timeout,
                    ),
                    shared,
                ),
                daemon=True,
            )
            for i in range(clients)
        ]
        self.processes += console_processes
        for process in console_processes:
            process.start()
        await self.collect(shared.out, clients, 60, "ready")

        connect_started = time.perf_counter()
        deadline = connect_started + args.connect_timeout
        connected = 0
        while time.perf_counter() < deadline:
            connected = sum(shared.connected)
            if connected >= total_consoles:
                break
            await asyncio.sleep(0.05)
        connect_s = time.perf_counter() - connect_started
        print(
            f"{connected}/{total_consoles} consoles connected in {connect_s:.1f} s", file=sys.stderr
        )
        await asyncio.sleep(1)  # let the first frames settle

        poster_out, go, t0_value = ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0, lock=False)
        job = PosterJob(
            base=base,
            shows=[(k + 1, s[0], s[2], rates[k]) for k, s in enumerate(shows)],
            interval=args.interval,
            seconds=args.seconds,
            in_flight=args.in_flight,
            timeout=args.timeout,
            give_up_after=args.give_up_after,
            seed=args.seed,
        )
        poster = ctx.Process(
            target=poster_process, args=(job, go, t0_value, poster_out), daemon=True
        )
        self.processes.append(poster)
        poster.start()
        await self.collect(poster_out, 1, 60, "ready")

        console_pids = [p.pid for p in console_processes if p.pid is not None]
        poster_pids = [poster.pid] if poster.pid is not None else []
        cpu_before = cpu_groups(self.server.pid, console_pids, poster_pids)
        rss_from = len(self.rss)
        t0 = time.perf_counter() + 0.2
        t0_value.value = t0
        shared.t0.value = t0
        go.set()
        spies = self.profile(args.profile) if args.profile else []
        limit = args.seconds + args.give_up_after + args.timeout + 60
        posted = (await self.collect(poster_out, 1, limit, "done"))[0]
        cpu_after = cpu_groups(self.server.pid, console_pids, poster_pids)
        load_end = time.perf_counter()
        for spy in spies:
            try:
                spy.wait(30)
            except subprocess.TimeoutExpired:
                spy.kill()
        open_at_end_of_feed = sum(shared.open)

        rows: list[Row] = posted["rows"]
        acked = [r for r in rows if not math.isnan(r[6])]
        last_ack = max((r[6] for r in acked), default=t0)
        expected_seqs: list[bytearray] = [bytearray(n) for n in posted["comments_made"]]
        for rank, _, comments, first, *_ in acked:
            expected_seqs[rank][first : first + comments] = b"\x01" * comments
        expected_by_rank = [sum(flags) for flags in expected_seqs]
        expected_by_process = [
            sum(expected_by_rank[rank] for rank, _, _ in assignments[i]) for i in range(clients)
        ]

        # Drain: until every console process has every acknowledged comment, or progress stops.
        drained_at = None
        drain_deadline = time.perf_counter() + args.drain_timeout
        last_total, last_move = -1, time.perf_counter()
        while time.perf_counter() < drain_deadline:
            delivered = list(shared.delivered)
            if all(d >= e for d, e in zip(delivered, expected_by_process, strict=True)):
                drained_at = time.perf_counter()
                break
            if sum(delivered) != last_total:
                last_total, last_move = sum(delivered), time.perf_counter()
            elif time.perf_counter() - last_move > args.drain_stall:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a duplicate would arrive now, if at all
        shared.stop.set()
        results = await self.collect(shared.out, clients, 60, "done")
        server_peak_rss = max(self.rss[rss_from:], default=0.0)

        return self.figures(
            rates=rates,
            rows=rows,
            acked=acked,
            statuses=posted["statuses"],
            expected_seqs=expected_seqs,
            results=[results[i] for i in range(clients)],
            t0=t0,
            load_end=load_end,
            last_ack=last_ack,
            drained_at=drained_at,
            connected=connected,
            open_at_end_of_feed=open_at_end_of_feed,
            connect_s=connect_s,
            cpu=cpu_report(cpu_before, cpu_after, load_end - t0),
            server_peak_rss=server_peak_rss,
        )

    def figures(
        self,
        *,
        rates: list[float],
        rows: list[Row],
        acked: list[Row],
        statuses: dict[str, int],
        expected_seqs: list[bytearray],
        results: list[dict[str, Any]],
        t0: float,
        load_end: float,
        last_ack: float,
        drained_at: float | None,
        connected: int,
        open_at_end_of_feed: int,
        connect_s: float,
        cpu: dict[str, float],
        server_peak_rss: float,
    ) -> dict[str, Any]:
        args = self.args
        window = args.seconds
        consoles = [c for result in results for c in result["consoles"]]

        latency: dict[str, list[float]] = {"hot": [], "mid": [], "tail": []}
        per_second: list[int] = []
        for result in results:
            for group, raw in result["latency"].items():
                latency[group] += array("f", raw).tolist()
            for second, n in enumerate(result["per_second"]):
                if second >= len(per_second):
                    per_second.append(0)
                per_second[second] += n

        lost, dup, unexpected, delivered = [], [], [], 0
        for c in consoles:
            expected = expected_seqs[c["rank"]]
            counts = c["counts"]
            n_lost = n_dup = n_unexpected = 0
            for seq, want in enumerate(expected):
                got = counts[seq] if seq < len(counts) else 0
                if got == 0:
                    n_lost += want
                else:
                    delivered += 1
                    n_dup += got - 1
                    n_unexpected += 1 - want
            n_unexpected += sum(1 for got in counts[len(expected) :] if got)
            lost.append(n_lost)
            dup.append(n_dup)
            unexpected.append(n_unexpected)

        closes: Counter[str] = Counter()
        for c in consoles:
            closes.update(c["closes"])
        connect_ms = [c["connect_ms"] for c in consoles if c["connect_ms"] is not None]
        accepted_in_window = sum(r[8] for r in acked if r[6] <= t0 + window)
        expected_deliveries = sum(
            sum(expected_seqs[c["rank"]]) for c in consoles if c["failed"] is None
        )
        tail_ranks = [k for k in range(1, args.shows + 1) if group_of(k, args.shows) == "tail"]

        def per_console(values: list[int]) -> dict[str, float | int]:
            return {
                "total": sum(values),
                "consoles_affected": sum(1 for v in values if v),
                "max_per_console": max(values, default=0),
                "mean_per_console": round(statistics.fmean(values), 2) if values else 0,
            }

        return {
            "bench": "agency",
            "workers": args.workers,
            "shows": args.shows,
            "consoles_per_show": args.consoles_per_show,
            "consoles": len(consoles),
            "clients": len(results),
            "skew": args.skew,
            "seconds": window,
            "interval_s": args.interval,
            "offered_events_per_s": args.rate,
            "hottest_show_events_per_s": round(rates[0], 1),
            "tail_show_events_per_s_range": [
                round(rates[-1], 2),
                round(rates[tail_ranks[0] - 1], 2),
            ]
            if tail_ranks
            else None,
            "consoles_connected": connected,
            "consoles_open_at_end_of_feed": open_at_end_of_feed,
            "connect_all_s": round(connect_s, 2),
            "connect_ms_per_console": ms_summary(connect_ms),
            "consoles_on_ndjson": sum(1 for c in consoles if c["ndjson"]),
            "batches": len(rows),
            "batches_unacknowledged": len(rows) - len(acked),
            "batches_retried": sum(1 for r in rows if r[7] > 1),
            "statuses": statuses,
            "accepted_events": sum(r[8] for r in acked),
            "accepted_per_s": round(accepted_in_window / window),
            "all_acknowledged_after_s": round(last_ack - t0, 2),
            "comments_acknowledged": sum(sum(flags) for flags in expected_seqs),
            "ingest_post_ms": ms_summary([(r[6] - r[5]) * 1000 for r in acked]),
            "ingest_schedule_to_ack_ms": ms_summary([(r[6] - r[4]) * 1000 for r in acked]),
            "poster_late_ms": ms_summary([(r[5] - r[4]) * 1000 for r in rows]),
            "deliveries_expected": expected_deliveries,
            "deliveries": delivered,
            "deliveries_per_s": round(sum(per_second[:window]) / window) if window else None,
            "deliveries_per_s_timeline": per_second[: window + 10],
            "drained_s_after_last_ack": None
            if drained_at is None
            else round(drained_at - last_ack, 2),
            "send_to_console_ms": ms_summary(latency["hot"] + latency["mid"] + latency["tail"]),
            "send_to_console_ms_hottest_show": ms_summary(latency["hot"]),
            "send_to_console_ms_colder_half": ms_summary(latency["tail"]),
            "lost_comments": per_console(lost),
            "duplicated_comments": per_console(dup),
            "unacknowledged_comments_received": sum(unexpected),
            "foreign_comments": sum(c["foreign"] for c in consoles),
            "order_items_received": sum(c["order_items"] for c in consoles),
            "frames_received": sum(c["frames"] for c in consoles),
            "messages_received": sum(c["messages"] for c in consoles),
            "console_closes": dict(closes),
            "consoles_failed": dict(Counter(c["failed"] for c in consoles if c["failed"])),
            "resyncs": sum(c["resyncs"] for c in consoles),
            "snapshot_feed_comments_after_resync": sum(
                c["snapshot_feed_comments"] for c in consoles
            ),
            "server_peak_rss_mb": round(server_peak_rss, 1),
            "cpu_window_s": round(load_end - t0, 2),
            **cpu,
        }


async def main(args: argparse.Namespace) -> None:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        figures = await Bench(args).run()
    except asyncio.CancelledError:
        print(
            "agency: stopped by SIGTERM (processes, database and Redis keys removed)",
            file=sys.stderr,
        )
        raise SystemExit(143) from None
    print(json.dumps(figures, ensure_ascii=False), flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shows", type=int, help="200 (--quick: 20)")
    parser.add_argument("--consoles-per-show", type=int, help="25 (--quick: 5)")
    parser.add_argument(
        "--rate", type=float, help="events/s over all shows: 5,000 (--quick: 1,000)"
    )
    parser.add_argument("--skew", type=float, default=1.0, help="show of rank k: weight 1/k^s")
    parser.add_argument("--seconds", type=int, help="how long the feed plays: 30 (--quick: 10)")
    parser.add_argument(
        "--interval", type=float, default=1.0, help="each show posts what accumulated this often"
    )
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--clients", type=int, default=2, help="console processes")
    parser.add_argument("--connect-concurrency", type=int, default=50, help="per console process")
    parser.add_argument("--connect-timeout", type=float, default=180)
    parser.add_argument("--open-timeout", type=float, default=30, help="one websocket handshake")
    parser.add_argument("--in-flight", type=int, default=64, help="most POSTs in flight")
    parser.add_argument("--timeout", type=float, default=30, help="per POST, then retry")
    parser.add_argument("--give-up-after", type=float, default=60)
    parser.add_argument("--drain-timeout", type=float, default=60)
    parser.add_argument(
        "--drain-stall",
        type=float,
        default=10,
        help="stop draining after this long without progress",
    )
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--keep-logs",
        action="store_true",
        help="keep the server's log (and py-spy dumps of a server that would not stop)",
    )
    parser.add_argument("--stop-timeout", type=float, default=20, help="SIGTERM, then SIGKILL")
    parser.add_argument("--profile", help="py-spy record the workers during the feed, into DIR")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short check: 20 shows x 5 consoles, 1,000 events/s, 10 s (unless given)",
    )
    args = parser.parse_args()
    # --quick changes the defaults; what is given explicitly still wins.
    defaults = {"shows": 200, "consoles_per_show": 25, "seconds": 30, "rate": 5_000.0}
    if args.quick:
        defaults = {"shows": 20, "consoles_per_show": 5, "seconds": 10, "rate": 1_000.0}
        args.give_up_after, args.drain_timeout = 30, 30
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.shows < 1 or args.consoles_per_show < 1 or args.seconds < 1 or args.rate <= 0:
        parser.error("--shows, --consoles-per-show, --seconds and --rate must be positive")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
