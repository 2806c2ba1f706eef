"""The simulator's I/O edge: play a seeded show plan against a running server over HTTP."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from liveops.simulate.lineup import DEMO_LINEUP, Product
from liveops.simulate.scenario import Delivery, ShowPlan, build_plan, post_show_seconds
from liveops.simulate.truth import recount

MAX_TRIES = 8
FLUSH_SECONDS = 0.1
_KEPT_REJECTIONS = 20


class SimulationError(RuntimeError):
    """The server cannot be played against: unreachable, or it refused us for good."""


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """What to play and where. ``duration`` in seconds, ``rate`` in events per second.

    ``realtime=False`` sends everything back to back (tests, benchmarks) with ts dated in the
    recent past; ``end_show=False`` neither starts nor ends the show. ``start`` fixes the show's
    start instant (ts of offset 0); by default it is now.
    """

    url: str
    show_id: str
    duration: float
    rate: float
    seed: int
    token: str | None = None
    batch_size: int = 200
    realtime: bool = True
    end_show: bool = True
    lineup: tuple[Product, ...] = DEMO_LINEUP
    start: datetime | None = None


@dataclass(slots=True)
class SimulationReport:
    """What was sent, and what the server answered.

    ``totals`` are the contract §4 metrics of the unique valid events sent (`recount`), which a
    correct server's review summary equals. ``events_sent`` counts every POSTed item, duplicates
    and malformed ones included; ``accepted``, ``duplicates`` and ``rejected`` are the server's
    answers summed (a retried batch may be answered as duplicates the second time).
    """

    totals: dict[str, int | float]
    events_sent: int
    unique_events: int
    duplicates_sent: int
    malformed_sent: int
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    requests: int = 0
    retries: int = 0
    elapsed_seconds: float = 0.0
    rejections: list[dict[str, Any]] = field(default_factory=list)


class _Sender:
    def __init__(
        self,
        http: httpx.AsyncClient,
        config: SimulationConfig,
        report: SimulationReport,
        out: Callable[[str], None],
    ) -> None:
        self.http = http
        self.config = config
        self.report = report
        self.out = out
        self.base = f"{config.url.rstrip('/')}/api/v1/shows/{quote(config.show_id, safe='')}"
        self.headers = {"content-type": "application/json"}
        if config.token:
            self.headers["authorization"] = f"Bearer {config.token}"

    async def post(self, path: str, body: bytes, what: str) -> httpx.Response:
        """POST, retrying the same body on transport errors, 429 and 5xx (ingest is idempotent)."""
        delay = 0.1
        for attempt in range(1, MAX_TRIES + 1):
            wait = delay
            try:
                response = await self.http.post(
                    self.base + path, content=body, headers=self.headers
                )
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}".rstrip(": ")
            else:
                self.report.requests += 1
                status = response.status_code
                if status != 429 and status < 500:
                    return response
                problem = f"HTTP {status}"
                wait = max(delay, _retry_after(response))
            if attempt == MAX_TRIES:
                raise SimulationError(
                    f"{what}: gave up after {MAX_TRIES} tries on {self.config.url} ({problem})"
                )
            self.report.retries += 1
            # Jitter keeps several simulators from retrying in lockstep.
            await asyncio.sleep(min(wait, 10.0) * random.uniform(0.8, 1.2))
            delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    async def lifecycle(self, action: str) -> None:
        """Start or end the show. A show already in that state (409) is reported and play goes
        on; any other refusal (a bad token, an unknown show) stops the simulation."""
        response = await self.post(f"/{action}", b"{}", f"{action} show {self.config.show_id}")
        show = self.config.show_id
        if response.is_success:
            self.out(f"show {show} {'started' if action == 'start' else 'ended'}")
        elif response.status_code == 409:
            self.out(f"show {show}: {action} refused (409 {_excerpt(response)}); playing on")
        else:
            raise SimulationError(self.refusal(response, what=f"{action} the show"))

    async def send(self, batch: Sequence[Delivery]) -> None:
        body = orjson.dumps({"events": [d.event for d in batch]})
        response = await self.post("/events", body, f"posting {len(batch)} events")
        if not response.is_success:
            raise SimulationError(self.refusal(response, size=len(batch)))
        try:
            answer = response.json()
            accepted, duplicates = int(answer["accepted"]), int(answer["duplicates"])
            rejected = list(answer.get("rejected") or [])
        except (ValueError, KeyError, TypeError) as exc:
            raise SimulationError(
                f"the server's answer to a batch is not {{accepted, duplicates, rejected}}:"
                f" {_excerpt(response)}"
            ) from exc
        self.report.accepted += accepted
        self.report.duplicates += duplicates
        self.report.rejected += len(rejected)
        room = _KEPT_REJECTIONS - len(self.report.rejections)
        self.report.rejections.extend(r for r in rejected[:room] if isinstance(r, dict))
        self.report.events_sent += len(batch)

    def refusal(self, response: httpx.Response, *, size: int = 0, what: str = "") -> str:
        """Why the server refused us for good, with its HTTP status and what to do about it."""
        status, show, url = response.status_code, self.config.show_id, self.config.url.rstrip("/")
        what = what or f"post a batch of {size} events"
        if status == 401:
            given = "the token given" if self.config.token else "no token given"
            return (
                f"the server at {url} refused {given} (HTTP 401) when asked to {what}: pass "
                "--token or set LIVEOPS_ADMIN_TOKEN to a valid token (`liveops token --role "
                "operations` mints one)"
            )
        if status == 403:
            return (
                f"the token may not {what} for show {show} (HTTP 403): pass one whose role "
                "may (admin, operations; integrator for events only) with --token"
            )
        if status == 404:
            return f"no show {show} on {url} (HTTP 404): create it first, or check --show"
        if status == 413:
            return (
                f"the server refused {size} events in one request as too large (HTTP 413):"
                " send fewer"
            )
        return f"the server refused to {what} (HTTP {status}): {_excerpt(response)}"

    async def play(
        self, deliveries: Sequence[Delivery], started: float, progress: Callable[[], None]
    ) -> None:
        """Send ``deliveries`` at their times after ``started`` (loop time), or back to back."""
        loop = asyncio.get_running_loop()
        size = self.config.batch_size
        i, n = 0, len(deliveries)
        last_flush = -FLUSH_SECONDS
        while i < n:
            if not self.config.realtime:
                j = min(n, i + size)
            else:
                # Wait for the next event, but flush no more often than every FLUSH_SECONDS:
                # at high rates that groups ~rate/10 events a request.
                wake = max(deliveries[i].at, last_flush + FLUSH_SECONDS)
                now = loop.time() - started
                if wake > now:
                    await asyncio.sleep(wake - now)
                    now = loop.time() - started
                j = i
                while j < n and deliveries[j].at <= now:
                    j += 1
                if j > i:
                    last_flush = now
            for k in range(i, j, size):
                await self.send(deliveries[k : min(j, k + size)])
                progress()
            i = j


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "0")))
    except ValueError:
        return 0.0


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


def _plan(config: SimulationConfig) -> ShowPlan:
    start = config.start
    if start is None:
        start = datetime.now(UTC)
        if not config.realtime:
            # Sent at once, the whole show is dated in the recent past, never in the future.
            span = config.duration + post_show_seconds(config.duration) + 1.0
            start -= timedelta(seconds=span)
    return build_plan(config.seed, config.duration, config.rate, start, config.lineup)


async def run_simulation(
    config: SimulationConfig,
    *,
    client: httpx.AsyncClient | None = None,
    out: Callable[[str], None] = print,
) -> SimulationReport:
    """Play the seeded show of ``config`` against the server at ``config.url``.

    Starts the show (if ``end_show``), posts every delivery of the plan to
    ``POST /api/v1/shows/{id}/events`` in batches of at most ``batch_size`` (in real time unless
    ``realtime`` is false), ends the show, then posts the refunds dated after the end. A batch
    that fails on the network, or is answered 429 or 5xx, is retried as is, up to `MAX_TRIES`
    times. ``out`` gets a few progress lines; the totals are returned, not printed.

    Raises SimulationError when the server stays unreachable or refuses us for good (a bad
    token, an unknown show), at the start or at any batch; a show that is already live at the
    start, or already ended at the end (409), is reported and play goes on.
    """
    if config.batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    loop = asyncio.get_running_loop()
    began = loop.time()
    report = SimulationReport(
        totals={}, events_sent=0, unique_events=0, duplicates_sent=0, malformed_sent=0
    )
    http = client or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
    try:
        sender = _Sender(http, config, report, out)
        if config.end_show:
            # Before planning, so that the show is live when its first event happens.
            await sender.lifecycle("start")
        # Planning is CPU work of up to seconds; off the loop, a server in this process serves on.
        plan = await asyncio.to_thread(_plan, config)
        report.unique_events = len(plan.unique_events)
        report.duplicates_sent = plan.duplicates
        report.malformed_sent = plan.malformed
        total = len(plan.deliveries)
        out(
            f"playing show {config.show_id} on {config.url}: {total} events over"
            f" {config.duration:g} s, seed {config.seed} ({plan.duplicates} duplicates,"
            f" {plan.malformed} malformed; flash sale of {plan.flash_sale.orders} orders"
            f" at {plan.flash_sale.start:g} s)"
        )
        milestones = [total * q // 4 for q in (1, 2, 3)]

        def progress() -> None:
            while milestones and report.events_sent >= milestones[0]:
                milestones.pop(0)
                out(
                    f"sent {report.events_sent}/{total} in {loop.time() - began:.1f} s:"
                    f" {report.accepted} accepted, {report.duplicates} duplicates,"
                    f" {report.rejected} rejected"
                )

        # Offset 0 of the plan is `plan.start`, so events go out when their ts says.
        started = loop.time() - (datetime.now(UTC) - plan.start).total_seconds()
        await sender.play([d for d in plan.deliveries if not d.after_end], started, progress)
        if config.end_show:
            await sender.lifecycle("end")
        await sender.play([d for d in plan.deliveries if d.after_end], started, progress)
    finally:
        if client is None:
            await http.aclose()
    report.totals = await asyncio.to_thread(recount, plan.unique_events)
    report.elapsed_seconds = loop.time() - began
    out(
        f"done in {report.elapsed_seconds:.1f} s: {report.events_sent} events in"
        f" {report.requests} requests ({report.retries} retries): {report.accepted} accepted,"
        f" {report.duplicates} duplicates, {report.rejected} rejected"
    )
    return report
