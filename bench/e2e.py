"""End to end on PostgreSQL + Redis: sustained ingest, durability latency, and a burst (issue #3).

    python bench/e2e.py [--workers 2] [--seconds 30] [--rate 40000] [--burst-rate 250000]
        [--batch 1000] [--latency-batch 1000] [--concurrency 32] [--clients 2]
        [--phases sustained,latency,burst] [--pin server|generator|none] [--rev COMMIT]
        [--quick] [--profile DIR]

Creates a throwaway PostgreSQL database (dropped at the end) and a Redis key prefix of its own
(its keys deleted at the end). Each phase gets a fresh `liveops serve --workers N` and a show of
its own. `--pin server` (the default) puts the server on CPU 0 and the generator on CPU 1;
`--pin generator` keeps only the generator on CPU 1 and lets the workers use both cores
(PostgreSQL and Redis are never pinned). `--rev` runs the server from an exported copy of that
commit instead of the working tree. The load comes from --clients generator processes, each
with its own httpx client and pre-encoded batches (a few templates whose event ids, order ids
and clock are patched per batch, so making a body costs microseconds, not Python per event).
Batches are posted with an integrator token; one that gets a 5xx answer, a transport error or
no answer within --timeout (30 s) is posted again, byte for byte (same event ids), until
acknowledged: after Retry-After if the server gave one, else after an exponential back-off
with full jitter (0.5 s doubling, at most 8 s).

1. sustained: --concurrency posters send batches as fast as they are acknowledged for
   --seconds. Reports the accepted rate (overall and per second), how far the live numbers
   (comments, likes and orders in the show's snapshot, which every new console starts from)
   lag behind what was acknowledged, and how long after the last acknowledgement they match.
2. latency: open loop at --rate events/s in batches of --latency-batch for --latency-seconds,
   with a console connected. Reports send→acknowledgement (acknowledged = committed) p50/p99/
   max, send→arrival of each comment in a `feed` frame on the console, and checks that
   PostgreSQL holds every acknowledged event.
3. burst: open loop at --burst-rate events/s for --burst-seconds, at most --burst-connections
   requests in flight (batches due meanwhile wait at the producer, and their wait counts).
   Reports what was absorbed per second, how the time to acknowledgement grew, server RSS and
   Redis memory over time, and checks that PostgreSQL then holds exactly the distinct
   acknowledged events.

Each phase prints one JSON line, with the CPU used by the server, the generator, PostgreSQL,
Redis and the rest of the machine (in % of one core), so a reader can tell when the generator
was the limit or someone else was running. Loopback only; bounded (every wait has a limit);
stops by itself; removes its processes, database and Redis keys even on error or SIGTERM.
The aggregator's lease time is the server's setting (LIVEOPS_LEASE_SECONDS passes through).
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
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import redis.asyncio
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import (
    LIVEOPS,
    EventFactory,
    drop_redis_keys,
    free_port,
    percentile,
    pg_database,
    ready_show,
    record_feed_arrivals,
    start_server,
)
from procstats import (
    CLK_TCK,
    ROOT,
    all_stats,
    code_revision,
    process_tree,
    py_spy_record,
    rss_mb,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
MARK = b"@@@@@@@@"  # patched per batch: a phase letter and the batch number (8 characters)
CLOCK = b"##:##:##"  # patched per batch: the wall-clock time of day when the batch is made
TEMPLATES = 32


# ---- batches ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    body: bytes  # {"events": [...]} with MARK and CLOCK placeholders
    events: int
    comments: int
    likes: int  # sum of like counts
    orders: int  # order.created events (each with its own order id)


def make_templates(batch: int, seed: int) -> list[Template]:
    """Batches of the realistic mix of bench/ingest.py, with placeholders that make each
    posted batch's event ids and order ids unique and its timestamps current."""
    factory = EventFactory(seed)
    day = datetime.now(UTC).date().isoformat()
    templates = []
    for _ in range(TEMPLATES):
        events = [factory.make() for _ in range(batch)]
        for j, event in enumerate(events):
            event["id"] = f"{MARK.decode()}.{j}"
            event["ts"] = f"{day}T{CLOCK.decode()}.{j * 1_000_000 // batch:06d}Z"
            if "order_id" in event:
                event["order_id"] = f"{MARK.decode()}.{event['order_id']}"
        templates.append(
            Template(
                body=orjson.dumps({"events": events}),
                events=batch,
                comments=sum(e["type"] == "comment" for e in events),
                likes=sum(e.get("count", 0) for e in events if e["type"] == "like"),
                orders=sum(e["type"] == "order.created" for e in events),
            )
        )
    return templates


def batch_key(tag: str, number: int) -> str:
    """The 8 characters that replace MARK: ids of batch `number` start with them."""
    return f"{tag}{number:07d}"


# ---- the generator processes -----------------------------------------------------------------


@dataclass
class ClientJob:
    index: int
    clients: int
    base: str
    token: str
    path: str
    mode: str  # "closed": as fast as acknowledged; "open": on a fixed schedule
    tag: str
    templates: list[Template]
    rate: float  # open: events/s of the whole generator
    seconds: float
    in_flight: int  # closed: posters in this process; open: most requests in flight
    timeout: float
    give_up_after: float  # stop retrying this long after the schedule ends


# One row per batch: number, scheduled, first sent, acknowledged (nan if never), attempts,
# accepted, duplicates.
Row = tuple[int, float, float, float, int, int, int]
PROGRESS_FIELDS = 4  # acknowledged events, comments, likes, orders (per generator process)


def client_process(job: ClientJob, progress: Any, go: Any, t0: Any, out: Any) -> None:
    """Entry point of one generator process (spawned)."""
    try:
        import uvloop

        run: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        run = asyncio.run
    out.put(("ready", job.index, None))
    go.wait()
    cpu_before = time.process_time()
    result = run(_generate(job, progress, t0.value))
    result["cpu_s"] = time.process_time() - cpu_before
    out.put(("done", job.index, result))


async def _generate(job: ClientJob, progress: Any, t0: float) -> dict[str, Any]:
    rows: list[Row] = []
    statuses: Counter[str] = Counter()
    base = job.index * PROGRESS_FIELDS
    slots = asyncio.Semaphore(job.in_flight)
    end = t0 + job.seconds
    give_up = end + job.give_up_after
    limits = httpx.Limits(max_connections=job.in_flight, max_keepalive_connections=job.in_flight)
    timeout = httpx.Timeout(job.timeout, connect=5.0)
    headers = {"Authorization": f"Bearer {job.token}", "Content-Type": "application/json"}

    async with httpx.AsyncClient(
        base_url=job.base, headers=headers, limits=limits, timeout=timeout
    ) as client:

        async def send(number: int, scheduled: float) -> None:
            template = job.templates[number % len(job.templates)]
            clock = time.strftime("%H:%M:%S", time.gmtime()).encode()
            body = template.body.replace(MARK, batch_key(job.tag, number).encode())
            body = body.replace(CLOCK, clock)
            first_sent, attempts = math.nan, 0
            while True:
                async with slots:
                    attempts += 1
                    sent = time.perf_counter()
                    if attempts == 1:
                        first_sent = sent
                    # What a careful integrator does: exponential back-off with full jitter,
                    # unless the server says when to come back (Retry-After).
                    backoff = random.uniform(0, min(8.0, 0.5 * 2 ** (attempts - 1)))
                    try:
                        response = await client.post(job.path, content=body)
                    except httpx.TimeoutException:
                        statuses["timeout"] += 1
                        retry_in = backoff
                    except httpx.TransportError as exc:
                        statuses[type(exc).__name__] += 1
                        retry_in = backoff
                    else:
                        statuses[str(response.status_code)] += 1
                        if response.status_code == 200:
                            answer = orjson.loads(response.content)
                            acked = time.perf_counter()
                            rows.append(
                                (
                                    number,
                                    scheduled,
                                    first_sent,
                                    acked,
                                    attempts,
                                    answer["accepted"],
                                    answer["duplicates"],
                                )
                            )
                            progress[base] += template.events
                            progress[base + 1] += template.comments
                            progress[base + 2] += template.likes
                            progress[base + 3] += template.orders
                            return
                        if response.status_code < 500:
                            raise RuntimeError(
                                f"batch {number}: {response.status_code} {response.text[:300]}"
                            )
                        after = response.headers.get("retry-after")
                        retry_in = float(after) if after else backoff
                if time.perf_counter() + retry_in > give_up:
                    rows.append((number, scheduled, first_sent, math.nan, attempts, 0, 0))
                    return
                await asyncio.sleep(retry_in)

        if job.mode == "closed":

            async def poster(first: int) -> None:
                number = first
                while time.perf_counter() < end:
                    await send(number, time.perf_counter())
                    number += job.clients * job.in_flight

            await asyncio.gather(
                *(poster(job.index + job.clients * p) for p in range(job.in_flight))
            )
        else:
            batch = job.templates[0].events
            interval = batch / job.rate
            total = int(job.rate * job.seconds / batch)
            tasks = []
            for number in range(job.index, total, job.clients):
                due = t0 + number * interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                tasks.append(asyncio.create_task(send(number, due)))
            await asyncio.gather(*tasks)
    return {"rows": rows, "statuses": dict(statuses)}


class Generator:
    """Spawns the generator processes, starts them together and collects their rows."""

    def __init__(self, jobs: list[ClientJob]) -> None:
        context = multiprocessing.get_context("spawn")
        self.progress = context.Array("q", len(jobs) * PROGRESS_FIELDS, lock=False)
        self._go = context.Event()
        self._t0 = context.Value("d", 0.0, lock=False)
        self._out = context.Queue()
        self._processes = [
            context.Process(
                target=client_process,
                args=(job, self.progress, self._go, self._t0, self._out),
                daemon=True,
            )
            for job in jobs
        ]
        self.t0 = 0.0

    async def start(self) -> float:
        for process in self._processes:
            process.start()
        for _ in self._processes:
            await asyncio.to_thread(self._out.get, True, 60)
        self.t0 = self._t0.value = time.perf_counter() + 0.2
        self._go.set()
        return self.t0

    def acknowledged(self) -> tuple[int, int, int, int]:
        totals = [0] * PROGRESS_FIELDS
        for i, value in enumerate(self.progress):
            totals[i % PROGRESS_FIELDS] += value
        return totals[0], totals[1], totals[2], totals[3]

    async def results(self, limit: float) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + limit
        while len(found) < len(self._processes):
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError("a generator process did not finish in time")
            try:
                kind, _, result = await asyncio.to_thread(self._out.get, True, min(wait, 1.0))
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in self._processes):
                    raise RuntimeError("a generator process failed (see above)") from None
                continue
            if kind == "done":
                found.append(result)
        return found

    def stop(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(5)
            if process.is_alive():
                process.kill()


# ---- processes: RSS and CPU from /proc -------------------------------------------------------


def worker_pids(server_pid: int) -> list[int]:
    """The processes that serve requests: the server itself with one worker, else its
    spawned workers (not multiprocessing's resource tracker)."""
    workers = []
    for pid in process_tree(server_pid)[1:]:
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"spawn_main" in command:
                workers.append(pid)
    return workers or [server_pid]


def machine_cpu() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine so far, all cores."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    steal = fields[7] if len(fields) > 7 else 0
    return (sum(fields[:8]) - idle - steal) / CLK_TCK, steal / CLK_TCK


def cpu_groups(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the server's processes, PostgreSQL's and Redis's, this bench's
    main process, and the whole machine."""
    stats = all_stats()
    server = process_tree(server_pid, stats)
    busy, steal = machine_cpu()
    return {
        "server": sum(stats[p][2] for p in server if p in stats),
        "postgres": sum(cpu for _, name, cpu in stats.values() if name == "postgres"),
        "redis": sum(cpu for _, name, cpu in stats.values() if name.startswith("redis-server")),
        "bench_main": time.process_time(),
        "machine": busy,
        "steal": steal,
    }


def cpu_report(
    before: dict[str, float], after: dict[str, float], client_s: float, seconds: float
) -> dict[str, float]:
    """Each group's CPU over the window in % of one core (the machine has 200 %). `others`
    is what the rest of the machine used meanwhile: if it is large, someone else ran."""
    used = {name: 100 * (after[name] - before[name]) / seconds for name in before}
    used["generator"] = 100 * client_s / seconds
    mine = sum(v for k, v in used.items() if k not in ("machine", "steal"))
    used["others"] = max(0.0, used["machine"] - mine)
    return {f"{name}_cpu_pct": round(value, 1) for name, value in used.items()}


# ---- live numbers: the show's snapshot in Redis ----------------------------------------------


class LiveTotals:
    def __init__(self, prefix: str, show_id: str) -> None:
        self._client = redis.asyncio.Redis.from_url(REDIS_URL)
        self._key = f"{prefix}:show:{show_id}:snapshot"

    async def read(self) -> tuple[int, int, int] | None:
        frame = await self._client.hget(self._key, "frame")
        if frame is None:
            return None
        metrics = orjson.loads(frame)["metrics"]
        return int(metrics["comments"]), int(metrics["likes"]), int(metrics["orders_created"])

    async def wait_for(self, expected: tuple[int, int, int], limit: float) -> float | None:
        """Seconds until the snapshot shows `expected`, or None if it did not within `limit`."""
        started = time.perf_counter()
        while time.perf_counter() - started < limit:
            if await self.read() == expected:
                return time.perf_counter()
            await asyncio.sleep(0.02)
        return None

    async def close(self) -> None:
        await self._client.aclose()


# ---- PostgreSQL: what is stored --------------------------------------------------------------


async def stored_by_batch(dsn: str, show_id: str) -> tuple[dict[str, int], int, int]:
    """Rows per batch key, total rows and distinct event ids of the show."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT substr(event_id, 1, 8) AS b, count(*) AS n FROM event "
            "WHERE show_id = $1 GROUP BY 1",
            show_id,
        )
        distinct = await connection.fetchval(
            "SELECT count(DISTINCT event_id) FROM event WHERE show_id = $1", show_id
        )
    finally:
        await connection.close()
    per_batch = {row["b"]: row["n"] for row in rows}
    return per_batch, sum(per_batch.values()), int(distinct)


async def verify_storage(
    dsn: str, show_id: str, tag: str, rows: list[Row], batch: int
) -> dict[str, Any]:
    """PostgreSQL must hold every event of every acknowledged batch, once, and nothing else
    (all our events are valid and every batch is retried until acknowledged)."""
    per_batch, total, distinct = await stored_by_batch(dsn, show_id)
    acked = [r for r in rows if not math.isnan(r[3])]
    keys = {batch_key(tag, r[0]) for r in acked}
    incomplete = sum(1 for key in keys if per_batch.get(key, 0) != batch)
    unacked_stored = sum(n for key, n in per_batch.items() if key not in keys)
    accepted = sum(r[5] for r in acked)
    return {
        "acknowledged_events": len(keys) * batch,
        "stored_rows": total,
        "stored_distinct_ids": distinct,
        "acknowledged_batches_not_fully_stored": incomplete,
        "stored_events_never_acknowledged": unacked_stored,
        # Each answer says accepted + duplicates = the batch; a batch whose first commit's
        # answer was lost (timeout, reset) is acknowledged later as duplicates.
        "answers_consistent": all(r[5] + r[6] == batch for r in acked),
        "accepted_in_answers": accepted,
        "committed_but_answer_lost_events": total - accepted,
        "storage_exact": incomplete == 0
        and unacked_stored == 0
        and total == distinct == len(keys) * batch,
    }


# ---- figures ---------------------------------------------------------------------------------


def ms_summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    return {
        "p50": round(statistics.median(values), 1),
        "p99": round(percentile(values, 0.99), 1),
        "max": round(max(values), 1),
    }


def per_second(times: list[float], weights: list[int], t0: float, seconds: int) -> list[int]:
    buckets = [0] * seconds
    for t, w in zip(times, weights, strict=True):
        k = int(t - t0)
        if 0 <= k < seconds:
            buckets[k] += w
    return buckets


def merge(results: list[dict[str, Any]]) -> tuple[list[Row], dict[str, int], float]:
    rows: list[Row] = []
    statuses: Counter[str] = Counter()
    cpu = 0.0
    for result in results:
        rows += result["rows"]
        statuses.update(result["statuses"])
        cpu += result["cpu_s"]
    return sorted(rows), dict(statuses), cpu


# ---- one server per phase --------------------------------------------------------------------


@dataclass
class Run:
    args: argparse.Namespace
    env: dict[str, str]
    dsn: str
    logs: Path
    port: int = 0
    server: subprocess.Popen[bytes] | None = None
    admin: httpx.AsyncClient | None = None
    generator: Generator | None = None
    samples: list[tuple[float, float]] = field(default_factory=list)  # (time, RSS MB)
    redis_mb: list[float] = field(default_factory=list)  # Redis used_memory, sampled

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, phase: str) -> tuple[str, str]:
        """A fresh server and a show; returns (show id, integrator token)."""
        self.port = free_port()
        os.environ["LIVEOPS_BENCH_SERVER_LOG"] = str(self.logs / f"server-{phase}.log")
        workers = ["--workers", str(self.args.workers)]
        pin = self.args.pin == "server"
        if self.args.pin == "generator":
            os.sched_setaffinity(0, {1})  # the generator processes inherit it
        self.server = start_server(self.env, self.port, *workers, pin=pin)
        admin_headers = {"Authorization": f"Bearer {self.env['LIVEOPS_ADMIN_TOKEN']}"}
        self.admin = httpx.AsyncClient(base_url=self.base, headers=admin_headers, timeout=30)
        show_id = await ready_show(self.admin)
        await asyncio.sleep(0.5)  # let every worker finish starting
        minted = await self.admin.post(
            "/api/v1/auth/tokens",
            json={"role": "integrator", "show_id": show_id, "label": f"e2e {phase}"},
        )
        minted.raise_for_status()
        return show_id, str(minted.json()["token"])

    def jobs(
        self, show_id: str, token: str, mode: str, tag: str, templates: list[Template], **kw: Any
    ) -> list[ClientJob]:
        clients = self.args.clients
        return [
            ClientJob(
                index=i,
                clients=clients,
                base=self.base,
                token=token,
                path=f"/api/v1/shows/{show_id}/events",
                mode=mode,
                tag=tag,
                templates=templates,
                timeout=self.args.timeout,
                give_up_after=self.args.give_up_after,
                **kw,
            )
            for i in range(clients)
        ]

    async def sample_rss(self, every: float = 0.25) -> None:
        assert self.server is not None
        pids: list[int] = []
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        try:
            for n in range(1_000_000):
                if n % 8 == 0:  # workers may still be starting: look again now and then
                    pids = process_tree(self.server.pid)
                    info = await client.info("memory")
                    self.redis_mb.append(int(info["used_memory"]) / 2**20)
                self.samples.append((time.perf_counter(), rss_mb(pids)))
                await asyncio.sleep(every)
        finally:
            await client.aclose()

    async def stop(self) -> None:
        if self.generator is not None:
            self.generator.stop()
            self.generator = None
        if self.admin is not None:
            await self.admin.aclose()
            self.admin = None
        if self.server is not None:
            tree = process_tree(self.server.pid)
            self.server.terminate()
            try:
                self.server.wait(20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(5)
            for pid in tree[1:]:  # a worker left behind by a killed supervisor
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.server = None


async def profile_workers(run: Run, seconds: float, phase: str) -> list[subprocess.Popen[bytes]]:
    """py-spy on each worker (non-blocking sampling, 100 Hz), collapsed stacks to --profile."""
    assert run.server is not None
    out = Path(run.args.profile)
    out.mkdir(parents=True, exist_ok=True)
    return [
        py_spy_record(pid, seconds, out / f"{phase}-worker{i}.txt")
        for i, pid in enumerate(worker_pids(run.server.pid))
    ]


# ---- phase 1: sustained ----------------------------------------------------------------------


async def sustained(run: Run) -> dict[str, Any]:
    args = run.args
    show_id, token = await run.start("sustained")
    templates = make_templates(args.batch, seed=1)
    posters = max(1, args.concurrency // args.clients)
    run.generator = Generator(
        run.jobs(
            show_id,
            token,
            "closed",
            "s",
            templates,
            rate=0.0,
            seconds=args.seconds,
            in_flight=posters,
        )
    )
    live = LiveTotals(run.env["LIVEOPS_REDIS_PREFIX"], show_id)
    sampler = asyncio.create_task(run.sample_rss())
    assert run.server is not None
    try:
        cpu_before = cpu_groups(run.server.pid)
        t0 = await run.generator.start()
        spies = []
        if args.profile:
            await asyncio.sleep(3)
            spies = await profile_workers(run, args.seconds - 5, "sustained")
        lag_events: list[float] = []
        while time.perf_counter() < t0 + args.seconds:
            await asyncio.sleep(0.5)
            events, comments, _, _ = run.generator.acknowledged()
            shown = await live.read()
            if shown is not None and comments:
                # Comments acknowledged but not yet in the live numbers, as events.
                lag_events.append(max(0, comments - shown[0]) * events / comments)
        results = await run.generator.results(args.seconds + args.give_up_after + 60)
        cpu_after = cpu_groups(run.server.pid)
        rows, statuses, client_cpu = merge(results)
        acked_rows = [r for r in rows if not math.isnan(r[3])]
        last_ack = max(r[3] for r in acked_rows)
        expected = (
            sum(templates[r[0] % TEMPLATES].comments for r in acked_rows),
            sum(templates[r[0] % TEMPLATES].likes for r in acked_rows),
            sum(templates[r[0] % TEMPLATES].orders for r in acked_rows),
        )
        matched = await live.wait_for(expected, args.catch_up_limit)
        final = await live.read()
        for spy in spies:
            spy.wait(args.seconds)
        storage = await verify_storage(run.dsn, show_id, "s", rows, args.batch)
    finally:
        sampler.cancel()
        await live.close()
        await run.stop()
    window = float(args.seconds)
    in_window = [r for r in acked_rows if r[3] <= t0 + window]
    timeline = per_second(
        [r[3] for r in acked_rows], [r[5] for r in acked_rows], t0, int(args.seconds)
    )
    steady = timeline[min(5, len(timeline) // 4) :]
    return {
        "phase": "sustained",
        "workers": args.workers,
        "pin": args.pin,
        "batch": args.batch,
        "concurrency": posters * args.clients,
        "clients": args.clients,
        "seconds": args.seconds,
        "accepted_events": sum(r[5] for r in acked_rows),
        "accepted_per_s": round(sum(r[5] for r in in_window) / window),
        "accepted_per_s_after_warmup_median": round(statistics.median(steady)) if steady else None,
        "accepted_per_s_timeline": timeline,
        "batch_ack_ms": ms_summary([(r[3] - r[2]) * 1000 for r in acked_rows]),
        "statuses": statuses,
        "live_lag_events_max": round(max(lag_events)) if lag_events else None,
        "live_lag_events_median": round(statistics.median(lag_events)) if lag_events else None,
        "live_caught_up_s_after_last_ack": None
        if matched is None
        else round(matched - last_ack, 2),
        "live_totals_expected": expected,
        "live_totals_shown": final,
        "server_peak_rss_mb": round(max(mb for _, mb in run.samples), 1),
        "redis_peak_used_mb": round(max(run.redis_mb), 1),
        **cpu_report(cpu_before, cpu_after, client_cpu, last_ack - t0),
        **storage,
    }


# ---- phase 2: durability latency at a fixed rate ---------------------------------------------


async def latency(run: Run) -> dict[str, Any]:
    args = run.args
    show_id, token = await run.start("latency")
    templates = make_templates(args.latency_batch, seed=2)
    run.generator = Generator(
        run.jobs(
            show_id,
            token,
            "open",
            "l",
            templates,
            rate=float(args.rate),
            seconds=args.latency_seconds,
            in_flight=max(1, args.latency_connections // args.clients),
        )
    )
    arrivals: dict[str, float] = {}
    ws_url = f"ws://127.0.0.1:{run.port}/api/v1/shows/{show_id}/live"
    admin_token = run.env["LIVEOPS_ADMIN_TOKEN"]
    sampler = asyncio.create_task(run.sample_rss())
    assert run.server is not None
    try:
        async with connect(
            ws_url, additional_headers={"Authorization": f"Bearer {admin_token}"}, max_size=None
        ) as ws:
            await ws.recv()  # snapshot

            listener = asyncio.create_task(record_feed_arrivals(ws, arrivals, "comment"))
            cpu_before = cpu_groups(run.server.pid)
            t0 = await run.generator.start()
            results = await run.generator.results(args.latency_seconds + args.give_up_after + 60)
            cpu_after = cpu_groups(run.server.pid)
            rows, statuses, client_cpu = merge(results)
            acked_rows = [r for r in rows if not math.isnan(r[3])]
            sent_at = {batch_key("l", r[0]): r[2] for r in acked_rows}
            comments_sent = sum(templates[r[0] % TEMPLATES].comments for r in acked_rows)
            deadline = time.perf_counter() + 15
            while len(arrivals) < comments_sent and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            listener.cancel()
        storage = await verify_storage(run.dsn, show_id, "l", rows, args.latency_batch)
    finally:
        sampler.cancel()
        await run.stop()
    to_console = [
        (at - sent_at[comment_id[:8]]) * 1000
        for comment_id, at in arrivals.items()
        if comment_id[:8] in sent_at
    ]
    last_ack = max(r[3] for r in acked_rows)
    sent_lag = [(r[2] - r[1]) * 1000 for r in rows]
    return {
        "phase": "latency",
        "workers": args.workers,
        "pin": args.pin,
        "rate": args.rate,
        "batch": args.latency_batch,
        "seconds": args.latency_seconds,
        "clients": args.clients,
        "acknowledged_per_s": round(sum(r[5] for r in acked_rows) / max(1e-9, last_ack - t0), 0),
        "send_to_ack_ms": ms_summary([(r[3] - r[2]) * 1000 for r in acked_rows]),
        "schedule_to_ack_ms": ms_summary([(r[3] - r[1]) * 1000 for r in acked_rows]),
        "generator_late_ms": ms_summary(sent_lag),
        "retried_batches": sum(1 for r in rows if r[4] > 1),
        "statuses": statuses,
        "console_comments_expected": comments_sent,
        "console_comments_arrived": len(to_console),
        "send_to_console_ms": ms_summary(to_console),
        "server_peak_rss_mb": round(max(mb for _, mb in run.samples), 1),
        "redis_peak_used_mb": round(max(run.redis_mb), 1),
        **cpu_report(cpu_before, cpu_after, client_cpu, last_ack - t0),
        **storage,
    }


# ---- phase 3: burst --------------------------------------------------------------------------


async def burst(run: Run) -> dict[str, Any]:
    args = run.args
    show_id, token = await run.start("burst")
    templates = make_templates(args.batch, seed=3)
    run.generator = Generator(
        run.jobs(
            show_id,
            token,
            "open",
            "b",
            templates,
            rate=float(args.burst_rate),
            seconds=args.burst_seconds,
            in_flight=max(1, args.burst_connections // args.clients),
        )
    )
    live = LiveTotals(run.env["LIVEOPS_REDIS_PREFIX"], show_id)
    assert run.server is not None
    await asyncio.sleep(1)
    sampler = asyncio.create_task(run.sample_rss())
    try:
        await asyncio.sleep(1)
        rss_before = run.samples[-1][1]
        cpu_before = cpu_groups(run.server.pid)
        t0 = await run.generator.start()
        results = await run.generator.results(args.burst_seconds + args.give_up_after + 60)
        cpu_after = cpu_groups(run.server.pid)
        rows, statuses, client_cpu = merge(results)
        acked_rows = [r for r in rows if not math.isnan(r[3])]
        last_ack = max(r[3] for r in acked_rows)
        expected = (
            sum(templates[r[0] % TEMPLATES].comments for r in acked_rows),
            sum(templates[r[0] % TEMPLATES].likes for r in acked_rows),
            sum(templates[r[0] % TEMPLATES].orders for r in acked_rows),
        )
        matched = await live.wait_for(expected, args.catch_up_limit)
        await asyncio.sleep(max(0.0, last_ack + args.after_seconds - time.perf_counter()))
        rss_after = run.samples[-1][1]
        storage = await verify_storage(run.dsn, show_id, "b", rows, args.batch)
    finally:
        sampler.cancel()
        await live.close()
        await run.stop()
    end = t0 + args.burst_seconds
    seconds = math.ceil(last_ack - t0) + 1
    offered = len(rows) * args.batch
    first_tries = sorted(r[2] for r in rows)
    in_burst = sum(r[5] for r in acked_rows if r[3] <= end)
    by_second: dict[int, list[float]] = {}
    for r in acked_rows:
        by_second.setdefault(int(r[1] - t0), []).append((r[3] - r[1]) * 1000)
    rss_timeline = [
        round(max((mb for t, mb in run.samples if math.floor(t - t0) == k), default=0.0))
        for k in range(-1, seconds + args.after_seconds)
    ]
    return {
        "phase": "burst",
        "workers": args.workers,
        "pin": args.pin,
        "burst_rate": args.burst_rate,
        "burst_seconds": args.burst_seconds,
        "batch": args.batch,
        "connections": args.burst_connections,
        "clients": args.clients,
        "offered_events": offered,
        "first_attempts_sent_per_s_during_burst": round(
            sum(1 for t in first_tries if t <= end) * args.batch / args.burst_seconds
        ),
        "accepted_per_s_during_burst": round(in_burst / args.burst_seconds),
        "accepted_per_s_timeline": per_second(
            [r[3] for r in acked_rows], [r[5] for r in acked_rows], t0, seconds
        ),
        "all_acknowledged_after_s": round(last_ack - t0, 1),
        "unacknowledged_batches": len(rows) - len(acked_rows),
        "schedule_to_ack_ms": ms_summary([(r[3] - r[1]) * 1000 for r in acked_rows]),
        "schedule_to_ack_p50_ms_by_second_scheduled": [
            round(statistics.median(by_second[k])) for k in sorted(by_second)
        ],
        "send_to_ack_ms_per_attempt_final": ms_summary(
            [(r[3] - r[2]) * 1000 for r in acked_rows if r[4] == 1]
        ),
        "retried_batches": sum(1 for r in rows if r[4] > 1),
        "attempts": sum(r[4] for r in rows),
        "statuses": statuses,
        "live_caught_up_s_after_last_ack": None
        if matched is None
        else round(matched - last_ack, 2),
        "server_rss_mb_before": round(rss_before, 1),
        "server_rss_mb_peak": round(max(mb for _, mb in run.samples), 1),
        "server_rss_mb_after": round(rss_after, 1),
        "server_rss_mb_timeline_1s": rss_timeline,
        "redis_used_mb_before_peak_after": [
            round(run.redis_mb[0], 1),
            round(max(run.redis_mb), 1),
            round(run.redis_mb[-1], 1),
        ],
        **cpu_report(cpu_before, cpu_after, client_cpu, last_ack - t0),
        **storage,
    }


# ---- main ------------------------------------------------------------------------------------


PHASES = {"sustained": sustained, "latency": latency, "burst": burst}


def export_revision(rev: str, into: Path) -> str:
    """Unpack commit `rev` into `into` (for a server that runs exactly that code, whatever
    the working tree holds meanwhile); returns its short hash."""
    short = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    into.mkdir()
    archive = subprocess.Popen(["git", "archive", short], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=True)
    archive.wait()
    return short


async def main(args: argparse.Namespace) -> None:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    logs = Path(tempfile.mkdtemp(prefix="liveops-e2e-"))
    database = f"liveops_e2e_{secrets.token_hex(4)}"
    prefix = f"liveops-e2e-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "LIVEOPS_ADMIN_TOKEN": "e2e_" + secrets.token_hex(8),
        "LIVEOPS_DATA_DIR": str(logs),
        "LIVEOPS_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
        "LIVEOPS_REDIS_URL": REDIS_URL,
        "LIVEOPS_REDIS_PREFIX": prefix,
    }
    run = Run(args, env, f"postgresql://postgres@127.0.0.1:5432/{database}", logs)
    created = False
    try:
        if args.rev:
            code = export_revision(args.rev, logs / "code")
            # Ahead of the editable install's path entry: the server imports this copy.
            env["PYTHONPATH"] = str(logs / "code" / "src")
        else:
            code = code_revision()
        await pg_database(database)
        created = True
        subprocess.run([LIVEOPS, "migrate"], env=env, check=True, capture_output=True)
        for name in args.phases.split(","):
            run.samples, run.redis_mb = [], []
            figures = await PHASES[name](run)
            print(json.dumps({**figures, "code": code}), flush=True)
    finally:
        await run.stop()
        if created:
            await pg_database(database, drop=True)
        await drop_redis_keys(prefix)
        if not args.keep_logs:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"server logs kept in {logs}", file=sys.stderr)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--phases", default="sustained,latency,burst")
    parser.add_argument("--seconds", type=float, default=30, help="sustained phase length")
    parser.add_argument("--batch", type=int, default=1000, help="events per batch (1 and 3)")
    parser.add_argument("--concurrency", type=int, default=32, help="sustained: posters in all")
    parser.add_argument("--rate", type=int, default=40_000, help="latency phase: events/s")
    parser.add_argument("--latency-batch", type=int, default=1000)
    parser.add_argument("--latency-seconds", type=float, default=20)
    parser.add_argument("--latency-connections", type=int, default=256)
    parser.add_argument("--burst-rate", type=int, default=250_000, help="events/s offered")
    parser.add_argument("--burst-seconds", type=float, default=10)
    parser.add_argument("--burst-connections", type=int, default=256)
    parser.add_argument("--clients", type=int, default=2, help="generator processes")
    parser.add_argument("--timeout", type=float, default=30, help="per request, then retry")
    parser.add_argument(
        "--give-up-after", type=float, default=240, help="stop retrying this long after the end"
    )
    parser.add_argument("--catch-up-limit", type=float, default=60)
    parser.add_argument("--after-seconds", type=int, default=10, help="burst: RSS watched after")
    parser.add_argument("--profile", help="py-spy the workers during the sustained phase")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument(
        "--rev", help="run the server from this commit (exported), not the working tree"
    )
    parser.add_argument(
        "--pin",
        choices=["server", "generator", "none"],
        default="server",
        help="server: server on CPU 0, generator on CPU 1; generator: only the generator on "
        "CPU 1 (the workers may use both cores); none: nothing pinned",
    )
    parser.add_argument("--quick", action="store_true", help="short phases, for a smoke test")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.latency_seconds, args.burst_seconds = 8, 6, 3
        args.after_seconds, args.give_up_after = 3, 120
    unknown = set(args.phases.split(",")) - PHASES.keys()
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
