"""The simulator's I/O edge: play a seeded show plan against a running server over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from liveops.simulate.control import Control, OnAirReport, SimulationError
from liveops.simulate.lineup import DEMO_LINEUP, Product
from liveops.simulate.scenario import (
    Delivery,
    ShowPlan,
    build_plan,
    plan_runsheet,
    post_show_seconds,
)
from liveops.simulate.truth import recount

MAX_TRIES = 8
FLUSH_SECONDS = 0.1
_KEPT_REJECTIONS = 20


__all__ = ["SimulationConfig", "SimulationError", "SimulationReport", "run_simulation"]


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """What to play and where. ``duration`` in seconds, ``rate`` in events per second.

    ``realtime=False`` sends everything back to back (tests, benchmarks) with ts dated in the
    recent past; ``end_show=False`` neither starts nor ends the show. ``start`` fixes the show's
    start instant (ts of offset 0); by default it is now.

    ``on_air`` (when the simulator starts the show) saves a run-sheet before the start, moves
    through its segments and sends cues as field control; ``auto_ack=False`` leaves the cues
    for a human anchor instead of acknowledging them after 2–8 s.
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
    on_air: bool = True
    auto_ack: bool = True


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
    transcript_lines: int = 0
    slips: int = 0  # transcript lines that break the compliance rules, on purpose
    on_air: OnAirReport | None = None  # None: no run-sheet, segment moves or cues were played


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
        self.api = f"{config.url.rstrip('/')}/api/v1"
        self.base = f"{self.api}/shows/{quote(config.show_id, safe='')}"
        self.headers = {"content-type": "application/json"}
        if config.token:
            self.headers["authorization"] = f"Bearer {config.token}"

    async def post(self, path: str, body: bytes, what: str) -> httpx.Response:
        return await self.request("POST", self.base + path, body, what)

    async def request(
        self, method: str, url: str, body: bytes, what: str, token: str | None = None
    ) -> httpx.Response:
        """Send, retrying the same body on transport errors, 429 and 5xx (ingest is idempotent;
        a retried action may be recorded twice if its first answer was lost). ``token``
        replaces the configured one."""
        headers = self.headers
        if token is not None:
            headers = headers | {"authorization": f"Bearer {token}"}
        delay = 0.1
        for attempt in range(1, MAX_TRIES + 1):
            wait = delay
            try:
                response = await self.http.request(method, url, content=body, headers=headers)
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

    async def lifecycle(self, action: str, body: bytes = b"{}") -> bool:
        """Start or end the show; True when it did. A show already in that state (409) is
        reported and play goes on; any other refusal (a bad token, an unknown show) stops the
        simulation."""
        response = await self.post(f"/{action}", body, f"{action} show {self.config.show_id}")
        show = self.config.show_id
        if response.is_success:
            self.out(f"show {show} {'started' if action == 'start' else 'ended'}")
            return True
        if response.status_code == 409:
            self.out(f"show {show}: {action} refused (409 {_excerpt(response)}); playing on")
            return False
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
        self,
        deliveries: Sequence[Delivery],
        started: float,
        progress: Callable[[], None],
        before: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """Send ``deliveries`` at their times after ``started`` (loop time), or back to back;
        back to back, ``before(at)`` runs first for each batch (what else is due by then)."""
        loop = asyncio.get_running_loop()
        size = self.config.batch_size
        i, n = 0, len(deliveries)
        last_flush = -FLUSH_SECONDS
        while i < n:
            if not self.config.realtime:
                j = min(n, i + size)
                if before is not None:
                    await before(deliveries[i].at)
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

    With ``end_show`` and ``on_air``, the show is also played on air (`control.Control`):
    field-control and anchor tokens are minted, the run-sheet is saved before the start, its
    segments follow one another by `segment.goto` on their timing, and cues are sent and
    acknowledged; what happened is ``report.on_air``. A step the server refuses is reported
    there and in ``out``, and the show plays on.

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
    control: Control | None = None
    on_air: asyncio.Task[None] | None = None
    try:
        sender = _Sender(http, config, report, out)
        started_it = False
        if config.end_show:
            start_body = b"{}"
            if config.on_air:
                control = Control(
                    sender,
                    show_id=config.show_id,
                    token=config.token,
                    duration=config.duration,
                    auto_ack=config.auto_ack,
                    out=out,
                )
                report.on_air = control.report
                # The run-sheet is known without the plan: saved before the start, it is what
                # the start puts on air.
                start_body = await control.prepare(plan_runsheet(config.duration, config.lineup))
            # Before planning, so that the show is live when its first event happens.
            started_it = await sender.lifecycle("start", start_body)
        # Planning is CPU work of up to seconds; off the loop, a server in this process serves on.
        plan = await asyncio.to_thread(_plan, config)
        report.unique_events = len(plan.unique_events)
        report.duplicates_sent = plan.duplicates
        report.malformed_sent = plan.malformed
        report.transcript_lines = plan.transcript_lines
        report.slips = plan.slips
        total = len(plan.deliveries)
        cues = f", {len(plan.rundown.cues)} cues" if control is not None else ""
        out(
            f"playing show {config.show_id} on {config.url}: {total} events over"
            f" {config.duration:g} s, seed {config.seed} ({plan.duplicates} duplicates,"
            f" {plan.malformed} malformed; flash sale of {plan.flash_sale.orders} orders"
            f" at {plan.flash_sale.start:g} s; {plan.transcript_lines} transcript lines,"
            f" {plan.slips} off-limits{cues})"
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
        before: Callable[[float], Awaitable[None]] | None = None
        if control is not None:
            # The show's start put the first segment on air, unless the show was live already.
            control.schedule(plan.rundown, goto_first=not started_it)
            if config.realtime:

                async def wait(at: float) -> None:
                    await asyncio.sleep(max(0.0, started + at - loop.time()))

                on_air = asyncio.create_task(control.advance(float("inf"), wait))
            else:
                before = control.advance
        await sender.play(
            [d for d in plan.deliveries if not d.after_end], started, progress, before
        )
        if before is not None:
            await before(plan.duration)  # every move and cue of the show, before its end
        if config.end_show:
            await sender.lifecycle("end")
        await sender.play([d for d in plan.deliveries if d.after_end], started, progress, before)
        # The last cues' acknowledgements may come after the end, as an anchor's would.
        if on_air is not None:
            await on_air
        elif control is not None:
            await control.advance(float("inf"))
    finally:
        if on_air is not None and not on_air.done():
            on_air.cancel()
            with contextlib.suppress(BaseException):
                await on_air
        if client is None:
            await http.aclose()
    report.totals = await asyncio.to_thread(recount, plan.unique_events)
    report.elapsed_seconds = loop.time() - began
    if report.on_air is not None and report.on_air.runsheet_version is not None:
        played = report.on_air
        out(
            f"on air: {played.segments} segments, {played.segment_moves} moves,"
            f" {played.cues_sent} cues ({played.cues_acked} acknowledged),"
            f" {len(played.problems)} problems"
        )
    out(
        f"done in {report.elapsed_seconds:.1f} s: {report.events_sent} events in"
        f" {report.requests} requests ({report.retries} retries): {report.accepted} accepted,"
        f" {report.duplicates} duplicates, {report.rejected} rejected"
    )
    return report
