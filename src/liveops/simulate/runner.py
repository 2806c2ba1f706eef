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
from liveops.simulate.storefront import StockReport, Storefront
from liveops.simulate.truth import comments_by_intent, recount

MAX_TRIES = 8
FLUSH_SECONDS = 0.1
_KEPT_REJECTIONS = 20
# The 秒杀 is scheduled to start this much (wall time) before its first order is due, so that
# the server's clock, read a moment after the runner's, never finds that order early.
_SALE_LEAD_SECONDS = 0.25


__all__ = ["SimulationConfig", "SimulationError", "SimulationReport", "run_simulation"]


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """What to play and where. ``duration`` in seconds, ``rate`` in events per second.

    ``realtime=False`` sends everything back to back (tests, benchmarks) with ts dated in the
    recent past; ``end_show=False`` neither starts nor ends the show. ``start`` fixes the show's
    start instant (ts of offset 0); by default it is now.

    ``on_air`` (when the simulator starts the show) saves a run-sheet before the start, moves
    through its segments, sends cues and runs the 秒杀 as field control; ``auto_ack=False``
    leaves the cues for a human anchor instead of acknowledging them after 2–8 s.

    ``speed`` (at least 1) plays a real-time show that many times faster: a 30-minute show at
    60 lasts 30 s, with its events dated as the plan says (so in the recent past), and its
    reservations, moves, cues and flash sale on the compressed clock.
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
    speed: float = 1.0


@dataclass(slots=True)
class SimulationReport:
    """What was sent, and what the server answered.

    ``totals`` are the contract §4 metrics of the unique valid events sent (`recount`), which a
    correct server's review summary equals. ``events_sent`` counts every POSTed item, duplicates
    and malformed ones included; ``accepted``, ``duplicates`` and ``rejected`` are the server's
    answers summed (a retried batch may be answered as duplicates the second time).
    ``unique_events`` and ``duplicates_sent`` leave out the orders the ledger refused, whose
    events were never sent (``stock``). ``comments_by_intent`` counts the comments sent by the
    intent the simulator meant (contract §11; they add up to ``totals["comments"]``), which a
    server's classification is held against.
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
    max_lag_seconds: float = 0.0  # real time: the most an event went out after its time (wall)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    transcript_lines: int = 0
    slips: int = 0  # transcript lines that break the compliance rules, on purpose
    on_air: OnAirReport | None = None  # None: no run-sheet, segment moves or cues were played
    stock: StockReport = field(default_factory=StockReport)  # the storefront's reservations
    comments_by_intent: dict[str, int] = field(default_factory=dict)


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
        self,
        method: str,
        url: str,
        body: bytes,
        what: str,
        token: str | None = None,
        *,
        tries: int = MAX_TRIES,
    ) -> httpx.Response:
        """Send, retrying the same body on transport errors, 429 and 5xx (ingest is idempotent;
        a retried action may be recorded twice if its first answer was lost), ``tries`` times
        in all. ``token`` replaces the configured one."""
        headers = self.headers
        if token is not None:
            headers = headers | {"authorization": f"Bearer {token}"}
        tries = max(1, tries)
        delay = 0.1
        for attempt in range(1, tries + 1):
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
            if attempt == tries:
                raise SimulationError(
                    f"{what}: gave up after {tries} tries on {self.config.url} ({problem})"
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
        gate: Storefront | None = None,
    ) -> None:
        """Send ``deliveries`` at their times (plan seconds, played `speed` times faster) after
        ``started`` (loop time), or back to back; back to back, ``before(until)`` runs first
        for each batch (what else is due by its last event).

        With ``gate``, an order's events wait for its reservation's answer (they go with a
        later batch) and a refused order's are never sent; every other event goes on time."""
        loop = asyncio.get_running_loop()
        size = self.config.batch_size
        speed = self.config.speed
        i, n = 0, len(deliveries)
        held: list[Delivery] = []
        last_flush = -FLUSH_SECONDS
        while i < n or held:
            j = i
            if i == n and gate is not None:
                # Only events of orders being decided are left: until one is.
                await gate.decided()
            elif not self.config.realtime:
                j = min(n, i + size)
                if before is not None:
                    await before(deliveries[j - 1].at)
            else:
                # Wait for the next event, but flush no more often than every FLUSH_SECONDS:
                # at high rates that groups ~rate/10 events a request.
                wake = max(deliveries[i].at / speed, last_flush + FLUSH_SECONDS)
                now = loop.time() - started
                if wake > now:
                    await asyncio.sleep(wake - now)
                    now = loop.time() - started
                while j < n and deliveries[j].at <= now * speed:
                    j += 1
                if j > i:
                    last_flush = now
                    # How late the oldest of them goes: a server that keeps up keeps it small.
                    lag = now - deliveries[i].at / speed
                    self.report.max_lag_seconds = max(self.report.max_lag_seconds, lag)
            batch = list(deliveries[i:j])
            if gate is not None:
                gate.mark()  # an answer from here on wakes the wait above
                batch, held = _screen(held + batch, gate)
            for k in range(0, len(batch), size):
                await self.send(batch[k : k + size])
                progress()
            i = j


def _screen(due: list[Delivery], gate: Storefront) -> tuple[list[Delivery], list[Delivery]]:
    """``due`` split into what may go now and what waits for a reservation, in order; the
    events of refused orders are counted and left out."""
    gate.raise_if_failed()
    ready: list[Delivery] = []
    held: list[Delivery] = []
    for delivery in due:
        verdict = gate.verdict(delivery.event)
        if verdict == "send":
            ready.append(delivery)
        elif verdict == "wait":
            held.append(delivery)
        else:
            gate.report.events_dropped += 1
    return ready, held


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "0")))
    except ValueError:
        return 0.0


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


def _plan(config: SimulationConfig, now: datetime) -> ShowPlan:
    start = config.start
    if start is None:
        span = config.duration + post_show_seconds(config.duration) + 1.0
        if not config.realtime:
            # Sent at once, the whole show is dated in the recent past, never in the future.
            start = now - timedelta(seconds=span)
        else:
            # Played faster than it is dated, it is dated back by what the compression saves,
            # so that no event is dated after it is sent.
            start = now - timedelta(seconds=span * (1 - 1 / config.speed))
    return build_plan(config.seed, config.duration, config.rate, start, config.lineup)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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

    Every order is reserved through the stock ledger before any of its events is sent
    (`storefront.Storefront`); one the ledger refuses is never sent, and the totals leave it
    out. What was reserved and refused is ``report.stock``.

    With ``end_show`` and ``on_air``, the show is also played on air (`control.Control`):
    field-control and anchor tokens are minted, the run-sheet is saved before the start, its
    segments follow one another by `segment.goto` on their timing, cues are sent and
    acknowledged, and the 秒杀 is scheduled and stopped; what happened is ``report.on_air``. A
    step the server refuses is reported there and in ``out``, and the show plays on.

    Raises SimulationError when the server stays unreachable or refuses us for good (a bad
    token, an unknown show), at the start or at any batch; a show that is already live at the
    start, or already ended at the end (409), is reported and play goes on.
    """
    if config.batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not config.speed >= 1:
        raise ValueError("speed must be at least 1")
    loop = asyncio.get_running_loop()
    began = loop.time()
    report = SimulationReport(
        totals={}, events_sent=0, unique_events=0, duplicates_sent=0, malformed_sent=0
    )
    http = client or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
    control: Control | None = None
    on_air: asyncio.Task[None] | None = None
    shopping: asyncio.Task[None] | None = None
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
        plan = await asyncio.to_thread(_plan, config, datetime.now(UTC))
        # Offset `at` of the plan is played at `origin + at / speed`. At normal speed that is
        # when its ts says (a show dated in the past is caught up with at once); faster, the
        # play begins now that the plan is made, so that its first minutes are not a burst.
        origin = plan.start if config.speed == 1 else datetime.now(UTC)
        storefront = Storefront(sender, plan.buys, out=out)
        report.stock = storefront.report
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

        started = loop.time() - (datetime.now(UTC) - origin).total_seconds()
        sale = plan.flash_sale
        if control is not None:
            # The show's start put the first segment on air, unless the show was live already.
            control.schedule(plan.rundown, goto_first=not started_it)
            if config.realtime:
                # Scheduled when announced, so that consoles count down to its start.
                starts = origin + timedelta(seconds=sale.start / config.speed - _SALE_LEAD_SECONDS)
                control.schedule_sale(
                    sale.sku,
                    sale.cap,
                    at=sale.announced,
                    starts_at=_rfc3339(starts),
                    stop_at=sale.end,
                )
            else:  # back to back there is no clock to count down on: started in its place
                control.schedule_sale(
                    sale.sku, sale.cap, at=sale.start, starts_at=None, stop_at=sale.end
                )

        async def wait(at: float) -> None:
            await asyncio.sleep(max(0.0, started + at / config.speed - loop.time()))

        before: Callable[[float], Awaitable[None]] | None = None
        if config.realtime:
            shopping = asyncio.create_task(storefront.run(wait))
            if control is not None:
                on_air = asyncio.create_task(control.advance(float("inf"), wait))
        else:

            async def before(until: float) -> None:
                # Reservations and field control's steps in time order, then the batch.
                await storefront.reserve_until(until, control)
                if control is not None:
                    await control.advance(until)

        await sender.play(
            [d for d in plan.deliveries if not d.after_end], started, progress, before, storefront
        )
        if before is not None:
            await before(plan.duration)  # every move and cue of the show, before its end
        if shopping is not None:
            await shopping  # every order of the show is decided by now
            storefront.raise_if_failed()
        if config.end_show:
            await sender.lifecycle("end")
        await sender.play(
            [d for d in plan.deliveries if d.after_end], started, progress, before, storefront
        )
        # The last cues' acknowledgements may come after the end, as an anchor's would.
        if on_air is not None:
            await on_air
        elif control is not None:
            await control.advance(float("inf"))
    finally:
        for task in (on_air, shopping):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if client is None:
            await http.aclose()
    # What the server kept: the orders the ledger refused were never sent.
    kept = [e for e in plan.unique_events if e.get("order_id") not in storefront.refused]
    dropped_unique = len(plan.unique_events) - len(kept)
    report.unique_events = len(kept)
    report.duplicates_sent = plan.duplicates - (report.stock.events_dropped - dropped_unique)
    report.totals = await asyncio.to_thread(recount, kept)
    report.comments_by_intent = comments_by_intent(kept, plan.comment_intents)
    report.elapsed_seconds = loop.time() - began
    if report.on_air is not None and report.on_air.runsheet_version is not None:
        played = report.on_air
        answered = played.questions_answered
        out(
            f"on air: {played.segments} segments, {played.segment_moves} moves,"
            f" {played.pins} pins, {played.lucky_bags_drawn} lucky bags drawn,"
            f" {played.cues_sent} cues ({played.cues_acked} acknowledged),"
            + (f" {answered} questions answered," if answered else "")
            + f" {len(played.problems)} problems"
        )
    stock = report.stock
    refused = "".join(f", {n} {why}" for why, n in stock.refused.most_common())
    out(
        f"done in {report.elapsed_seconds:.1f} s: {report.events_sent} events in"
        f" {report.requests} requests ({report.retries} retries): {report.accepted} accepted,"
        f" {report.duplicates} duplicates, {report.rejected} rejected; orders: {stock.reserved}"
        f" reserved{refused}, {stock.unguarded} without a reservation"
    )
    return report
