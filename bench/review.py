"""Post-show review benchmark (issue #13): the full review of a large show, and the NDJSON export.

    python bench/review.py --backend sqlite|postgres [--events 1000000] [--repeats 5]
        [--export-repeats 3] [--hours 3] [--seed 7] [--review-timeout 900] [--keep]
        [--no-export] [--trace FILE] [--reuse DATABASE SHOW]

1. *fill*: creates a database of its own (PostgreSQL: `liveops_bench_<hex>` on 127.0.0.1,
   migrated with Alembic as the server does; SQLite: a file in a temporary directory), then a
   show through the service layer: a lineup of 20 SKUs, a run-sheet of 12 segments, started,
   moved segment to segment by `segment.goto` at its show times, ended. Its `--events` events
   (a seeded live-commerce mix over `--hours` of show time, 200,000 viewers) are validated and
   classified as ingest does, then bulk-inserted into `event` (PostgreSQL COPY, SQLite
   `executemany` in large transactions). PostgreSQL then gets `VACUUM ANALYZE event`, as its
   autovacuum would after such an insert.
2. *review*: `liveops.review.service.review` in a fresh session, `--repeats` times (each and the
   median), then once more with every SQL statement timed (the per-query breakdown; `--trace`
   writes each statement with its parameters, to EXPLAIN). A review still running after
   `--review-timeout` seconds is stopped and reported as not done (`null`), with the statement
   it was in.
3. *export*: starts `liveops serve` on a free loopback port against the same database (pinned
   to CPU 0, this process on CPU 1), streams `GET …/export/events.ndjson` `--export-repeats`
   times counting lines and bytes, and samples the server's resident memory every 50 ms.

Prints one JSON line of figures at the end. Every request goes to 127.0.0.1 only; the database
is dropped (or the directory removed) at the end unless `--keep`. `--reuse` measures a show a
`--keep` run left (PostgreSQL database name or SQLite data directory, and the show id) without
filling again: for before/after comparisons of an index or a query.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import greenlet  # type: ignore[import-untyped]
import httpx
from sqlalchemy import TextClause, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ingest import free_port, pg_database, start_server
from liveops.actions import log as action_log
from liveops.comments.model import shipped
from liveops.config import Settings
from liveops.events import iso_from_micros, to_micros
from liveops.ingest.repository import EVENT_COLUMNS, event_row
from liveops.ingest.validation import ANY_TIME, validate_items
from liveops.review import service as review_service
from liveops.rundown import service as rundown_service
from liveops.rundown.schemas import RunsheetIn
from liveops.shows import service as shows_service
from liveops.shows.schemas import LineupProduct as LineupProductIn, ShowCreate
from liveops.simulate import texts
from liveops.simulate.lineup import DEMO_LINEUP, Product
from liveops.simulate.scenario import plan_runsheet
from liveops.storage.db import create_engine, create_sessionmaker
from liveops.storage.migrate import upgrade_to_head
from procstats import code_revision

# The columns ingest writes, in its order.
COLUMNS = EVENT_COLUMNS
SQLITE_INSERT = f"INSERT INTO event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

# Per 1,000 drawn events. On top: viewer.count every second, stream.health every 5 s,
# order.paid for 80 % of orders and order.refunded for 3 % of the paid ones.
MIX = {
    "viewer.join": 100,
    "viewer.leave": 80,
    "comment": 400,
    "like": 150,
    "product.impression": 55,
    "product.click": 80,
    "cart.add": 40,
    "order.created": 30,
    "share": 10,
    "follow": 8,
    "gift": 5,
}
PAID_SHARE = 0.8
REFUND_SHARE = 0.03
VIEWERS = 200_000
SKUS = 20
RUNSHEET_PRODUCTS = 10  # warm-up, ten product segments, closing: 12 segments
PINNED_SHARE = 0.6  # of product events go to the product on air
PRESENT_SHARE = 0.7  # of engagement comes from viewers present (the rest: missed joins)
CHUNK = 20_000  # events validated and inserted at a time
RSS_SAMPLE_SECONDS = 0.05


def lineup() -> tuple[Product, ...]:
    """The demo's six products and fourteen variants of them: 20 SKUs."""
    products = list(DEMO_LINEUP)
    for n in range(SKUS - len(DEMO_LINEUP)):
        base = DEMO_LINEUP[n % len(DEMO_LINEUP)]
        products.append(
            Product(
                f"BN-{n + 1:02d}",
                f"{base.name}·{n // len(DEMO_LINEUP) + 2}号款",
                base.role,
                base.list_price + 1000 * (n + 1),
                base.live_price + 500 * (n + 1),
                base.allocated_stock * 4,
                sized=base.sized,
            )
        )
    return tuple(products)


@dataclass(frozen=True, slots=True)
class OnAir:
    """A run-sheet segment as the bench plays it: on air from `start_s` into the show."""

    body: dict[str, Any]
    start_s: int
    product: Product | None


def runsheet(seconds: int, products: tuple[Product, ...]) -> list[OnAir]:
    """The simulator's run-sheet of the first products (laid out for a short show, so that each
    product has one segment), stretched to `seconds`."""
    short = 2_400  # seconds: round(duration / 30 min) = 1 cycle of the lineup
    scale = seconds / short
    segments = plan_runsheet(short, products[:RUNSHEET_PRODUCTS]).segments
    played = []
    for segment in segments:
        body = segment.as_json()
        body["planned_seconds"] = min(86_400, max(1, round(segment.planned_seconds * scale)))
        start_s = int(segment.window.start_ms / 1000 * scale)
        played.append(OnAir(body, start_s, segment.product))
    return played


class Audience:
    """Who is in the room: joins add a viewer, leaves remove one, engagement picks one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.present: list[str] = []
        self.index: dict[str, int] = {}

    def anyone(self) -> str:
        return f"v{self.rng.randrange(VIEWERS)}"

    def join(self) -> str:
        viewer = self.anyone()
        if viewer not in self.index:
            self.index[viewer] = len(self.present)
            self.present.append(viewer)
        return viewer

    def leave(self) -> str:
        if not self.present:
            return self.anyone()
        position = self.rng.randrange(len(self.present))
        viewer, last = self.present[position], self.present[-1]
        self.present[position], self.index[last] = last, position
        self.present.pop()
        del self.index[viewer]
        return viewer

    def engaged(self) -> str:
        if self.present and self.rng.random() < PRESENT_SHARE:
            return self.rng.choice(self.present)
        return self.anyone()


@dataclass(slots=True)
class ShowEvents:
    """The events of one show as a producer sends them, in ts order except the payments and
    refunds (dated after their order, sent with it: late and early events are ordinary)."""

    total: int
    start_us: int
    seconds: int
    products: tuple[Product, ...]
    on_air: list[OnAir]
    seed: int
    counts: Counter[str] = field(default_factory=Counter)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for n, (t_us, kind, extra) in enumerate(self._drawn(), 1):
            self.counts[kind] += 1
            ts = iso_from_micros(self.start_us + t_us // 1000 * 1000)  # to the millisecond
            yield {"id": f"e{n}", "type": kind, "ts": ts, "source": "bench"} | extra
            if n == self.total:
                return

    def _drawn(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """(offset in µs, type, fields) without end: the caller takes `total`."""
        rng = random.Random(self.seed)
        audience = Audience(rng)
        kinds, weights = list(MIX), list(MIX.values())
        ticks = self.seconds + self.seconds // 5  # viewer.count and stream.health
        derived = MIX["order.created"] * PAID_SHARE * (1 + REFUND_SHARE) / sum(weights)
        drawn = max(1, round((self.total - ticks) / (1 + derived)))
        tick_s, segment, i = 0, 0, 0
        while True:
            # Evenly spread over the show; past `drawn` (an estimate) they pile up at its end.
            t_us = int(self.seconds * 1_000_000 * (min(i, drawn - 1) + rng.random()) / drawn)
            i += 1
            while tick_s * 1_000_000 <= t_us:
                yield tick_s * 1_000_000, "viewer.count", {"online": len(audience.present)}
                if tick_s % 5 == 0:
                    yield tick_s * 1_000_000, "stream.health", health(rng)
                tick_s += 1
            while (
                segment + 1 < len(self.on_air)
                and self.on_air[segment + 1].start_s * 1_000_000 <= t_us
            ):
                segment += 1
            pinned = self.on_air[segment].product
            product = (
                pinned
                if pinned is not None and rng.random() < PINNED_SHARE
                else rng.choice(self.products)
            )
            kind = rng.choices(kinds, weights)[0]
            if kind == "order.created":
                yield from order(i, t_us, rng, audience.engaged(), product)
            else:
                yield t_us, kind, fields(kind, rng, audience, product)


def order(
    number: int, t_us: int, rng: random.Random, viewer: str, product: Product
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """An order, paid a few seconds to minutes later (or never), now and then refunded."""
    qty = rng.choice((1, 1, 1, 2))
    amount = product.live_price * qty
    order_id = f"o{number}"
    created = {"order_id": order_id, "viewer_id": viewer, "sku": product.sku}
    yield t_us, "order.created", created | {"qty": qty, "amount": amount}
    if rng.random() < PAID_SHARE:
        paid_us = t_us + rng.randrange(2_000_000, 180_000_000)
        yield paid_us, "order.paid", {"order_id": order_id, "amount": amount}
        if rng.random() < REFUND_SHARE:
            refund_us = paid_us + rng.randrange(60_000_000, 1_800_000_000)
            yield refund_us, "order.refunded", {"order_id": order_id, "amount": amount}


def health(rng: random.Random) -> dict[str, Any]:
    return {
        "bitrate_kbps": rng.randrange(2_500, 4_000),
        "fps": rng.choice((25, 30, 30, 30)),
        "latency_ms": rng.randrange(800, 2_500),
        "stall_ratio": round(rng.random() * 0.02, 4),
        "line": "main",
    }


def fields(kind: str, rng: random.Random, audience: Audience, product: Product) -> dict[str, Any]:
    """The type's own fields (contract §3)."""
    if kind == "viewer.join":
        region, age_band, device, tier = texts.audience(rng)
        return {
            "viewer_id": audience.join(),
            "channel": texts.channel(rng),
            "region": region,
            "age_band": age_band,
            "device": device,
            "tier": tier,
        }
    if kind == "viewer.leave":
        return {"viewer_id": audience.leave()}
    viewer = audience.engaged()
    if kind == "comment":
        category = texts.pick_category(rng, product, in_flash=False)
        return {"viewer_id": viewer, "text": texts.comment_text(rng, category, product)}
    if kind == "like":
        return {"viewer_id": viewer, "count": rng.randint(1, 20)}
    if kind in ("share", "follow"):
        return {"viewer_id": viewer}
    if kind == "gift":
        name, value = texts.gift(rng)
        return {"viewer_id": viewer, "gift": name, "value": value}
    if kind == "product.impression":
        return {"sku": product.sku, "count": rng.randint(1, 50)}
    if kind == "product.click":
        return {"viewer_id": viewer, "sku": product.sku}
    if kind == "cart.add":
        return {"viewer_id": viewer, "sku": product.sku, "qty": rng.choice((1, 1, 2))}
    raise ValueError(f"no fields for {kind}")


def stored_rows(
    show_id: str, items: list[dict[str, Any]], received_at_us: int
) -> list[tuple[Any, ...]]:
    """The rows ingest would store for `items`: validated, comments classified."""
    batch = validate_items(items, received_at_us=received_at_us, window=ANY_TIME)
    if batch.rejections:
        raise RuntimeError(f"the bench made invalid events: {batch.rejections[:3]}")
    classify = shipped().classify
    rows = []
    for r, payload in zip(batch.records, batch.payloads, strict=True):
        if r.type == "comment" and r.text is not None:
            r.intent = classify(r.text).intent
        rows.append(event_row(show_id, r, payload))
    return rows


# ---- the database ---------------------------------------------------------------------------


@dataclass(slots=True)
class Database:
    backend: str
    settings: Settings
    data_dir: Path
    pg_name: str | None = None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "liveops.db"

    @property
    def pg_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:5432/{self.pg_name}"

    def server_env(self, token: str) -> dict[str, str]:
        env = {**os.environ, "LIVEOPS_ADMIN_TOKEN": token, "LIVEOPS_DATA_DIR": str(self.data_dir)}
        if self.settings.database_url:
            env["LIVEOPS_DATABASE_URL"] = self.settings.database_url
        return env


async def create_database(backend: str) -> Database:
    data_dir = Path(tempfile.mkdtemp(prefix="liveops-bench-review-"))
    if backend == "postgres":
        name = f"liveops_bench_{secrets.token_hex(4)}"
        await pg_database(name)
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        database = Database(backend, Settings(database_url=url, data_dir=data_dir), data_dir, name)
    else:
        database = Database(backend, Settings(database_url=None, data_dir=data_dir), data_dir)
    engine = create_engine(database.settings)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    return database


def existing_database(backend: str, where: str) -> Database:
    """A database a `--keep` run left: a PostgreSQL database's name, or a SQLite data dir."""
    if backend == "postgres":
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{where}"
        data_dir = Path(tempfile.mkdtemp(prefix="liveops-bench-review-"))
        return Database(backend, Settings(database_url=url, data_dir=data_dir), data_dir, where)
    return Database(backend, Settings(database_url=None, data_dir=Path(where)), Path(where))


async def drop_database(database: Database) -> None:
    if database.pg_name:
        await pg_database(database.pg_name, drop=True)
    shutil.rmtree(database.data_dir, ignore_errors=True)


async def create_show(
    engine: AsyncEngine,
    products: tuple[Product, ...],
    on_air: list[OnAir],
    start: datetime,
    seconds: int,
) -> str:
    """The show through the service layer, every step at its show time: lineup, run-sheet,
    start (first segment), a `segment.goto` per segment, end."""
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        show = await shows_service.create(
            session,
            ShowCreate(
                title="bench review",
                platform="douyin",
                room="bench-room",
                planned_start_at=start,
                planned_minutes=seconds // 60,
                lineup=[LineupProductIn(**p.as_json()) for p in products],
            ),
            now=start - timedelta(minutes=30),
        )
        await rundown_service.save(
            session,
            show.id,
            RunsheetIn.model_validate({"segments": [s.body for s in on_air]}),
            start,
        )
        await shows_service.start(session, show, override_reason="bench", now=start)
        for segment in on_air[1:]:
            at = start + timedelta(seconds=segment.start_s)
            segment_id = segment.body["id"]
            previous = await rundown_service.goto(session, show.id, segment_id, at)
            await action_log.record(
                session,
                show.id,
                action_log.SYSTEM,
                "segment.goto",
                {"segment_id": segment_id, "from_segment_id": previous},
                at,
            )
        await shows_service.end(session, show, now=start + timedelta(seconds=seconds))
        await session.commit()
        return show.id


async def fill(database: Database, show_id: str, events: ShowEvents) -> float:
    """Insert every event; returns the seconds it took (generation and validation included)."""
    started = time.perf_counter()
    chunks = _chunks(show_id, events)
    if database.backend == "postgres":
        connection = await asyncpg.connect(database.pg_dsn)
        try:
            for rows in chunks:
                await connection.copy_records_to_table("event", records=rows, columns=COLUMNS)
            loaded = time.perf_counter()
            await connection.execute("VACUUM ANALYZE event")
            print(f"vacuum analyze: {time.perf_counter() - loaded:.1f} s", file=sys.stderr)
        finally:
            await connection.close()
        return loaded - started
    with sqlite3.connect(database.sqlite_path, isolation_level=None) as connection:
        connection.execute("BEGIN")
        inserted = 0
        for rows in chunks:
            connection.executemany(SQLITE_INSERT, rows)
            inserted += len(rows)
            if inserted % 200_000 < CHUNK:
                connection.execute("COMMIT")
                connection.execute("BEGIN")
        connection.execute("COMMIT")
    connection.close()
    return time.perf_counter() - started


def _chunks(show_id: str, events: ShowEvents) -> Iterator[list[tuple[Any, ...]]]:
    items: list[dict[str, Any]] = []
    received_at_us = events.start_us + events.seconds * 1_000_000
    for item in events:
        items.append(item)
        if len(items) == CHUNK:
            yield stored_rows(show_id, items, received_at_us)
            items = []
    if items:
        yield stored_rows(show_id, items, received_at_us)


# ---- the review -----------------------------------------------------------------------------

EVENT_TOTALS = text(
    "SELECT COUNT(*) AS events, COUNT(DISTINCT CASE WHEN type = 'viewer.join' THEN viewer_id END)"
    " AS uv FROM event WHERE show_id = :show_id"
)


def statement_names(engine: AsyncEngine) -> dict[str, str]:
    """Every `text()` statement of liveops's modules, as the engine sends it, by its name."""
    names = {}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("liveops.") or module is None:
            continue
        for attribute, value in vars(module).items():
            if isinstance(value, TextClause):
                compiled = str(value.compile(dialect=engine.dialect))
                names[compiled] = f"{module_name.removeprefix('liveops.')}.{attribute}"
    return names


def caller() -> str:
    """The liveops function that sent the statement being executed: the statement runs in a
    greenlet whose parent is suspended in the awaiting coroutines (SQLAlchemy's async bridge)."""
    current = greenlet.getcurrent()
    frame = current.parent.gr_frame if current.parent is not None else None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("liveops.") and not module.startswith("liveops.storage"):
            return f"{module.removeprefix('liveops.')}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def describe(statement: str) -> str:
    """A short name for a statement that is not a module constant: what it reads, and who."""
    words = " ".join(statement.split())
    table = words.split(" FROM ", 1)[1].split(" ", 1)[0].strip("(") if " FROM " in words else ""
    return f"{caller()}: {words.split(' ', 1)[0].lower()} … {table}".rstrip(" …")


async def one_review(session: AsyncSession, show_id: str, limit_s: float) -> bool:
    """Run the review; False when it took longer than `limit_s` seconds, in which case the
    statement under way is stopped (SQLite: interrupted in aiosqlite's thread; PostgreSQL:
    cancelled with the task)."""
    raw = await (await session.connection()).get_raw_connection()
    task = asyncio.ensure_future(review_service.review(session, show_id))
    done, _ = await asyncio.wait({task}, timeout=limit_s)
    if task in done:
        task.result()
        return True
    sqlite_connection = getattr(raw.driver_connection, "_conn", None)
    if isinstance(sqlite_connection, sqlite3.Connection):
        sqlite_connection.interrupt()  # thread-safe, unlike the rest of the connection
    task.cancel()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await task
    return False


async def time_reviews(
    engine: AsyncEngine, show_id: str, repeats: int, limit_s: float
) -> list[float | None]:
    """Seconds of each review in a fresh session (None: not done within `limit_s`; the
    repeats stop there)."""
    sessionmaker = create_sessionmaker(engine)
    runs: list[float | None] = []
    for _ in range(repeats):
        async with sessionmaker() as session:
            started = time.perf_counter()
            finished = await one_review(session, show_id, limit_s)
            runs.append(time.perf_counter() - started if finished else None)
        print(f"review: {runs[-1] or f'over {limit_s}'} s", file=sys.stderr)
        if not finished:
            break
    return runs


async def breakdown(
    engine: AsyncEngine, show_id: str, limit_s: float, trace: Path | None
) -> tuple[float | None, list[dict[str, Any]]]:
    """One more review with every statement timed: (total seconds, statements by time spent;
    the one under way at a timeout marked `unfinished`). With `trace`, every statement's text,
    parameters and time go there (JSON), to EXPLAIN."""
    names = statement_names(engine)
    spent: dict[str, list[float]] = {}
    sent: list[dict[str, Any]] = []
    running: dict[str, Any] = {}

    def before(conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        name = names.get(statement) or describe(statement)
        running.update(name=name, sql=statement, params=parameters, started=time.perf_counter())

    def after(*_: Any) -> None:
        seconds = time.perf_counter() - running.pop("started")
        spent.setdefault(running["name"], []).append(seconds)
        sent.append({**running, "ms": seconds * 1000})
        running.clear()

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        (total,) = await time_reviews(engine, show_id, 1, limit_s)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
        event.remove(engine.sync_engine, "after_cursor_execute", after)
    if trace is not None:
        trace.write_text(json.dumps(sent, ensure_ascii=False, indent=1, default=str))
    by_time = sorted(spent.items(), key=lambda item: -sum(item[1]))
    statements = [
        {"statement": name, "calls": len(times), "ms": round(sum(times) * 1000, 1)}
        for name, times in by_time
    ]
    if "started" in running:
        ms = round((time.perf_counter() - running["started"]) * 1000)
        statements.insert(
            0, {"statement": running["name"], "calls": 1, "ms": ms, "unfinished": True}
        )
    return total, statements


# ---- the export -----------------------------------------------------------------------------


def rss_kb(pid: int, key: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {key} for {pid}")


async def export(database: Database, show_id: str, repeats: int) -> dict[str, Any]:
    token = "bench_" + secrets.token_hex(8)
    port = free_port()
    server = start_server(database.server_env(token), port)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=600
        ) as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the server did not answer /healthz")
            idle_kb = rss_kb(server.pid)
            peak_kb = idle_kb
            sampling = True

            async def sample() -> None:
                nonlocal peak_kb
                while sampling:
                    peak_kb = max(peak_kb, rss_kb(server.pid))
                    await asyncio.sleep(RSS_SAMPLE_SECONDS)

            sampler = asyncio.create_task(sample())
            runs = []
            for _ in range(repeats):
                lines = size = 0
                started = time.perf_counter()
                path = f"/api/v1/shows/{show_id}/export/events.ndjson"
                async with client.stream("GET", path) as response:
                    response.raise_for_status()
                    async for chunk in response.aiter_raw():
                        lines += chunk.count(b"\n")
                        size += len(chunk)
                runs.append((time.perf_counter() - started, lines, size))
                print(f"export: {lines} lines in {runs[-1][0]:.2f} s", file=sys.stderr)
            sampling = False
            await sampler
            hwm_kb = rss_kb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(15)
    seconds = statistics.median(r[0] for r in runs)
    lines, size = runs[0][1], runs[0][2]
    return {
        "export_lines": lines,
        "export_mb": round(size / 1e6, 1),
        "export_runs_s": [round(r[0], 2) for r in runs],
        "export_events_per_s": round(lines / seconds),
        "export_mb_per_s": round(size / 1e6 / seconds, 1),
        "server_rss_idle_mb": round(idle_kb / 1024, 1),
        "server_rss_peak_mb": round(peak_kb / 1024, 1),
        "server_vmhwm_mb": round(hwm_kb / 1024, 1),
    }


def median(runs: list[float | None]) -> float | None:
    done = [r for r in runs if r is not None]
    return round(statistics.median(done), 3) if done and len(done) == len(runs) else None


# ---- main -----------------------------------------------------------------------------------


async def prepare(args: argparse.Namespace, database: Database) -> tuple[str, dict[str, Any]]:
    """Create and fill the show; returns its id and figures of the fill."""
    seconds = round(args.hours * 3600)
    products = lineup()
    on_air = runsheet(seconds, products)
    # Whole minutes, long enough ago that the show has ended before now.
    start = datetime.fromtimestamp((time.time() - seconds - 3600) // 60 * 60, UTC)
    engine = create_engine(database.settings)
    try:
        show_id = await create_show(engine, products, on_air, start, seconds)
    finally:
        await engine.dispose()
    events = ShowEvents(args.events, to_micros(start), seconds, products, on_air, args.seed)
    load_s = await fill(database, show_id, events)
    print(f"filled {args.events} events in {load_s:.1f} s", file=sys.stderr)
    return show_id, {
        "segments": len(on_air),
        "mix": dict(events.counts.most_common()),
        "viewers_pool": VIEWERS,
        "load_s": round(load_s, 1),
        "load_rows_per_s": round(args.events / load_s),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    show_id = ""  # set below: by --reuse, or by the fill
    result: dict[str, Any] = {}
    if args.reuse:
        database, show_id = existing_database(args.backend, args.reuse[0]), args.reuse[1]
    else:
        database = await create_database(args.backend)
    try:
        if not args.reuse:
            show_id, result = await prepare(args, database)
        engine = create_engine(database.settings, reads_only=True)
        try:
            runs = await time_reviews(engine, show_id, args.repeats, args.review_timeout)
            traced_s, statements = await breakdown(engine, show_id, args.review_timeout, args.trace)
            async with create_sessionmaker(engine)() as session:
                # What was reviewed, read once more (quick once the review's statements ran).
                totals = (await session.execute(EVENT_TOTALS, {"show_id": show_id})).one()
        finally:
            await engine.dispose()
        for row in statements[:12]:
            line = f"{row['ms']:>10.1f} ms {row['calls']:>3}× {row['statement']}"
            print(line, file=sys.stderr)
        result = {
            "backend": args.backend,
            "events": totals.events,
            "hours": None if args.reuse else args.hours,
            "commit": code_revision(),
            "show_id": show_id,
            "database": database.pg_name or str(database.sqlite_path),
            **result,
            "uv": totals.uv,
            "review_timeout_s": args.review_timeout,
            "review_runs_s": [None if r is None else round(r, 3) for r in runs],
            "review_median_s": median(runs),
            "review_traced_s": None if traced_s is None else round(traced_s, 3),
            "review_sql_ms": round(sum(s["ms"] for s in statements), 1),
            "review_statements": statements,
        }
        if not args.reuse and totals.events != args.events:
            raise RuntimeError(f"stored {totals.events} events, not {args.events}")
        if args.export:
            result |= await export(database, show_id, args.export_repeats)
    finally:
        if args.keep or args.reuse:
            print(f"kept: {database.pg_name or database.data_dir} {show_id}", file=sys.stderr)
            if args.reuse and database.pg_name:
                shutil.rmtree(database.data_dir, ignore_errors=True)  # the server's, empty
        else:
            await drop_database(database)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--export-repeats", type=int, default=3)
    parser.add_argument("--hours", type=float, default=3.0, help="show time the events span")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database for a look")
    parser.add_argument(
        "--trace", type=Path, help="write every statement of the traced review here (JSON)"
    )
    parser.add_argument(
        "--reuse",
        nargs=2,
        metavar=("DATABASE", "SHOW"),
        help="measure a show a --keep run left (PostgreSQL database name or SQLite data dir)",
    )
    parser.add_argument(
        "--review-timeout",
        type=float,
        default=900,
        help="stop a review after this many seconds (it is reported as not done)",
    )
    parser.add_argument("--no-export", dest="export", action="store_false")
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False))
