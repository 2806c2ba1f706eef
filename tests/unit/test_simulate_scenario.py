"""The seeded show plan, and the runner that plays it (against an in-memory fake server)."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from liveops.simulate import (
    DEMO_LINEUP,
    ROLES,
    Product,
    ShowPlan,
    SimulationConfig,
    SimulationError,
    build_plan,
    plan_runsheet,
    recount,
    run_simulation,
)
from liveops.simulate.control import OVERRIDE_REASON
from liveops.simulate.truth import ts_micros

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# Contract §3: required fields, then optional ones, per type.
FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "viewer.join": ({"viewer_id"}, {"channel", "region", "age_band", "device", "tier"}),
    "viewer.leave": ({"viewer_id"}, set()),
    "viewer.count": ({"online"}, set()),
    "comment": ({"viewer_id", "text"}, set()),
    "like": ({"count"}, {"viewer_id"}),
    "share": ({"viewer_id"}, set()),
    "follow": ({"viewer_id"}, set()),
    "gift": ({"viewer_id", "gift", "value"}, set()),
    "product.impression": ({"sku", "count"}, set()),
    "product.click": ({"viewer_id", "sku"}, set()),
    "cart.add": ({"viewer_id", "sku", "qty"}, set()),
    "order.created": ({"order_id", "viewer_id", "sku", "qty", "amount"}, set()),
    "order.paid": ({"order_id", "amount"}, set()),
    "order.cancelled": ({"order_id"}, set()),
    "order.refunded": ({"order_id", "amount"}, set()),
    "stock.set": ({"sku", "available"}, set()),
    "stream.health": ({"bitrate_kbps", "fps", "latency_ms", "stall_ratio"}, {"line"}),
    "transcript": ({"text"}, set()),
}
INTS = {"online", "count", "value", "qty", "amount", "available", "bitrate_kbps", "latency_ms"}
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
CHANNELS = {"recommend", "follow", "paid", "search", "short_video", "share", "other"}


def contract_problem(event: dict[str, Any]) -> str | None:
    """Why ``event`` breaks contract §3 (as the simulator writes it), or None."""
    kind = event.get("type")
    if kind not in FIELDS:
        return "unknown type"
    if not isinstance(event.get("id"), str) or not 1 <= len(event["id"]) <= 128:
        return "bad id"
    if not isinstance(event.get("ts"), str) or not TS.match(event["ts"]):
        return "bad ts"
    try:
        ts_micros(event["ts"])
    except ValueError:
        return "bad ts"
    required, optional = FIELDS[kind]
    fields = set(event) - {"id", "type", "ts", "source"}
    if not required <= fields:
        return f"missing {sorted(required - fields)}"
    if fields - required - optional:
        return f"unknown fields {sorted(fields - required - optional)}"
    for name in INTS & fields:
        if type(event[name]) is not int or event[name] < 0:
            return f"{name} is not a non-negative int"
    if kind in {"like", "product.impression"} and event["count"] < 1:
        return "count below 1"
    if kind in {"comment", "transcript"} and not 1 <= len(event["text"]) <= 500:
        return "text length"
    if kind == "stream.health" and not 0 <= event["stall_ratio"] <= 1:
        return "stall_ratio out of range"
    if kind == "viewer.join" and event.get("channel", "other") not in CHANNELS:
        return "unknown channel"
    return None


@pytest.fixture(scope="module")
def plan() -> ShowPlan:
    return build_plan(7, 60, 500, START)


def order_positions(plan: ShowPlan, kind: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, delivery in enumerate(plan.deliveries):
        if delivery.event.get("type") == kind:
            positions.setdefault(delivery.event["order_id"], position)
    return positions


def test_same_seed_same_plan(plan: ShowPlan) -> None:
    again = build_plan(7, 60, 500, START)
    assert again.deliveries == plan.deliveries
    assert again.unique_events == plan.unique_events


def test_other_seed_other_plan(plan: ShowPlan) -> None:
    other = build_plan(8, 60, 500, START)
    assert [d.event for d in other.deliveries[:200]] != [d.event for d in plan.deliveries[:200]]
    assert recount(other.unique_events) != recount(plan.unique_events)


@pytest.mark.parametrize(
    ("seed", "duration", "rate"),
    [(7, 60, 500), (1, 10, 100), (2, 30, 50), (3, 600, 20), (4, 5, 2000), (5, 120, 5)],
)
def test_deliveries_are_about_duration_times_rate(seed: int, duration: float, rate: float) -> None:
    built = build_plan(seed, duration, rate, START)
    assert abs(len(built.deliveries) - duration * rate) <= 0.15 * duration * rate


@pytest.mark.parametrize(("duration", "rate"), [(1, 1), (0.5, 10), (2, 3), (0.01, 1000)])
def test_tiny_shows_still_build(duration: float, rate: float) -> None:
    built = build_plan(1, duration, rate, START)
    assert all(contract_problem(e) is None for e in built.unique_events)
    assert recount(built.unique_events)["online"] == 0


def test_every_valid_event_keeps_the_contract(plan: ShowPlan) -> None:
    problems = Counter(contract_problem(e) for e in plan.unique_events)
    assert problems == {None: len(plan.unique_events)}
    assert len({e["id"] for e in plan.unique_events}) == len(plan.unique_events)
    assert {e["type"] for e in plan.unique_events} == set(FIELDS)


def test_event_ts_is_start_plus_offset(plan: ShowPlan) -> None:
    first, last_of_show = START, START + timedelta(seconds=60)
    show = [e for e in plan.unique_events if e["type"] != "order.refunded"]
    assert show[0]["ts"] == "2026-11-22T12:00:00.000Z"
    assert all(at_or_after(e["ts"], first) and at_or_after(last_of_show, e["ts"]) for e in show)
    assert [e["ts"] for e in plan.unique_events] == sorted(e["ts"] for e in plan.unique_events)


def at_or_after(a: datetime | str, b: datetime | str) -> bool:
    def micros(x: datetime | str) -> int:
        return ts_micros(x if isinstance(x, str) else x.isoformat())

    return micros(a) >= micros(b)


def test_duplicates_are_identical_resends(plan: ShowPlan) -> None:
    by_id: dict[str, list[dict[str, Any]]] = {}
    for delivery in plan.deliveries:
        by_id.setdefault(delivery.event["id"], []).append(delivery.event)
    resent = {i: copies for i, copies in by_id.items() if len(copies) > 1}
    assert len(resent) == plan.duplicates
    assert 0.015 < plan.duplicates / len(plan.deliveries) < 0.025
    assert all(all(c == copies[0] for c in copies) for copies in resent.values())


def test_some_events_arrive_out_of_order(plan: ShowPlan) -> None:
    main = [d for d in plan.deliveries if not d.after_end and contract_problem(d.event) is None]
    overtaken = sum(1 for a, b in itertools.pairwise(main) if b.event["ts"] < a.event["ts"])
    assert overtaken > 0.01 * len(main)
    assert 0.025 < plan.out_of_order / len(plan.unique_events) < 0.035
    late = [
        d.at - (ts_micros(d.event["ts"]) - ts_micros("2026-11-22T12:00:00Z")) / 1e6 for d in main
    ]
    assert max(late) <= 12.5  # a few seconds, not minutes


def test_some_payments_arrive_before_their_orders(plan: ShowPlan) -> None:
    created, paid = order_positions(plan, "order.created"), order_positions(plan, "order.paid")
    first = [o for o, p in paid.items() if o in created and p < created[o]]
    assert len(first) == plan.paid_before_created >= 5


def test_malformed_events_break_the_contract_and_reuse_no_id(plan: ShowPlan) -> None:
    valid_ids = {e["id"] for e in plan.unique_events}
    bad = [d.event for d in plan.deliveries if d.event.get("id") not in valid_ids]
    assert len(bad) == plan.malformed == 60
    problems = Counter(contract_problem(e) for e in bad)
    assert None not in problems
    assert {"unknown type", "bad ts", "text length", "count below 1"} <= set(problems)
    assert any(isinstance(e.get("amount"), float) for e in bad)
    assert len(plan.deliveries) == len(plan.unique_events) + plan.duplicates + plan.malformed


def test_flash_sale_is_a_burst_of_orders_on_the_welfare_product(plan: ShowPlan) -> None:
    flash = plan.flash_sale
    assert flash.sku == next(p.sku for p in DEMO_LINEUP if p.role == "福利款")
    assert 2 <= flash.end - flash.start <= 5
    orders = [e for e in plan.unique_events if e["type"] == "order.created"]
    window = (START + timedelta(seconds=flash.start), START + timedelta(seconds=flash.end))
    inside = [
        e for e in orders if at_or_after(e["ts"], window[0]) and not at_or_after(e["ts"], window[1])
    ]
    per_second_inside = len(inside) / (flash.end - flash.start)
    per_second_overall = len(orders) / 60
    assert per_second_inside > 4 * per_second_overall
    assert {e["sku"] for e in inside} >= {flash.sku}
    assert flash.orders >= 100


def test_flash_sale_sells_out_within_stock(plan: ShowPlan) -> None:
    welfare = next(p for p in DEMO_LINEUP if p.role == "福利款")
    paid = {e["order_id"] for e in plan.unique_events if e["type"] == "order.paid"}
    units = sum(
        e["qty"]
        for e in plan.unique_events
        if e["type"] == "order.created" and e["sku"] == welfare.sku and e["order_id"] in paid
    )
    assert units <= welfare.allocated_stock
    texts = Counter(e["text"] for e in plan.unique_events if e["type"] == "comment")
    assert texts["没抢到😭"] + texts["秒没了"] + texts["手速太慢了"] > 0


def test_refunds_come_after_the_end_and_never_exceed_payment(plan: ShowPlan) -> None:
    end = START + timedelta(seconds=plan.duration)
    after = [d for d in plan.deliveries if d.after_end]
    assert after
    assert all(d.event["type"] == "order.refunded" for d in after)
    assert all(not at_or_after(end, d.event["ts"]) for d in after)
    assert plan.deliveries[-len(after) :] == after
    paid = {e["order_id"]: e["amount"] for e in plan.unique_events if e["type"] == "order.paid"}
    refunded: Counter[str] = Counter()
    for e in plan.unique_events:
        if e["type"] == "order.refunded":
            refunded[e["order_id"]] += e["amount"]
    assert all(0 < amount <= paid[order] for order, amount in refunded.items())


def test_viewer_count_equals_presence_and_the_room_empties(plan: ShowPlan) -> None:
    presence = sorted(
        (ts_micros(e["ts"]), 0 if e["type"] == "viewer.join" else 1, e["viewer_id"])
        for e in plan.unique_events
        if e["type"] in {"viewer.join", "viewer.leave"}
    )
    counts = sorted(
        (ts_micros(e["ts"]), e["online"]) for e in plan.unique_events if e["type"] == "viewer.count"
    )
    present: set[str] = set()
    i = 0
    for ts, online in counts:
        while i < len(presence) and presence[i][0] <= ts:
            _, action, viewer = presence[i]
            (present.add if action == 0 else present.discard)(viewer)
            i += 1
        assert online == len(present)
    assert counts[-1][1] == 0
    no_counts = [e for e in plan.unique_events if e["type"] != "viewer.count"]
    assert recount(no_counts)["online"] == 0


def test_plan_mix_is_realistic(plan: ShowPlan) -> None:
    totals = recount(plan.unique_events)
    counts = plan.type_counts()
    assert counts["like"] > counts["comment"] > counts["product.click"] > counts["order.created"]
    assert counts["viewer.join"] >= totals["uv"] > 1000
    assert 0.05 < totals["conversion_rate"] < 0.3
    assert 0.2 < totals["interaction_rate"] < 0.8
    assert 0 < totals["refund_rate"] < 0.2
    assert totals["gmv_paid"] > totals["net_gmv"] > 0
    joins = [e for e in plan.unique_events if e["type"] == "viewer.join"]
    assert {e["channel"] for e in joins} == CHANNELS
    comments = " ".join(e["text"] for e in plan.unique_events if e["type"] == "comment")
    for word in ("码", "多少钱", "发货", "质量", "拍了", "已下单"):
        assert word in comments
    assert any("viewer_id" not in e for e in plan.unique_events if e["type"] == "like")
    health = [e for e in plan.unique_events if e["type"] == "stream.health"]
    assert max(e["stall_ratio"] for e in health) > 0.05
    assert len({e["line"] for e in health}) == 2


def test_stock_readings_are_versioned_and_never_negative(plan: ShowPlan) -> None:
    readings = [e for e in plan.unique_events if e["type"] == "stock.set"]
    assert {e["sku"] for e in readings} == {p.sku for p in DEMO_LINEUP}
    per_sku = Counter((e["sku"], e["ts"]) for e in readings)
    assert max(per_sku.values()) == 1  # its ts is its version: never two at one instant
    assert all(e["available"] >= 0 for e in readings)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duration": 0}, "positive"),
        ({"rate": -1}, "positive"),
        ({"lineup": ()}, "at least one"),
        ({"lineup": (DEMO_LINEUP[0], DEMO_LINEUP[0])}, "own sku"),
    ],
)
def test_build_plan_refuses_nonsense(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"seed": 1, "duration": 10, "rate": 10, "start": START} | kwargs
    with pytest.raises(ValueError, match=message):
        build_plan(**args)


def test_demo_lineup() -> None:
    assert 5 <= len(DEMO_LINEUP) <= 8
    assert {p.role for p in DEMO_LINEUP} == set(ROLES)
    for product in DEMO_LINEUP:
        assert product.as_json() == {
            "sku": product.sku,
            "name": product.name,
            "role": product.role,
            "list_price": product.list_price,
            "live_price": product.live_price,
            "allocated_stock": product.allocated_stock,
        }
        assert 0 < product.live_price <= product.list_price
    with pytest.raises(ValueError, match="role"):
        Product("X", "x", "爆品", 100, 100, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="integer"):
        Product("X", "x", "爆款", 99.5, 100, 1)  # type: ignore[arg-type]


# -- the runner, against an in-memory server that keeps the ingest contract ---------------------


class FakeServer:
    """Contract §3 ingest in memory (idempotent by id, partial acceptance, scripted failures),
    what the simulated field control and anchor call: token minting, the run-sheet, actions
    and cue acknowledgements, each kept with the token that called it; a stock ledger
    (``stock``: units per SKU; None holds no SKU, answering 404) that reserves while units
    last, never giving any back, and runs no clock for flash sales; and a question queue
    (``questions``: its clusters, most pressing first; None: no queue, answering 404, as a
    server before contract §11) whose answered clusters are closed, or answered
    ``answer_status`` instead."""

    def __init__(
        self,
        failures: list[int] | None = None,
        start_status: int = 200,
        *,
        mint_status: int = 201,
        runsheet_status: int = 200,
        findings: list[dict[str, Any]] | None = None,
        stock: dict[str, int] | None = None,
        reserve_status: int | None = None,
        questions: list[dict[str, Any]] | None = None,
        answer_status: int = 200,
    ) -> None:
        self.questions = questions
        self.answer_status = answer_status
        self.answers_given: list[tuple[str, Any, str | None]] = []  # (cluster id, body, auth)
        self.stock = dict(stock) if stock is not None else None
        self.reserve_status = reserve_status
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self.reservations = 0
        self.sales: list[tuple[str, dict[str, Any] | None]] = []
        # Order events that arrived before their order's reservation was answered.
        self.unreserved: list[str] = []
        self.stored: dict[str, dict[str, Any]] = {}
        self.failures = list(failures or [])
        self.start_status = start_status
        self.mint_status = mint_status
        self.runsheet_status = runsheet_status
        self.findings = list(findings or [])
        self.paths: list[str] = []
        self.tokens: set[str | None] = set()
        self.minted: list[dict[str, Any]] = []
        self.runsheets: list[tuple[str | None, dict[str, Any]]] = []
        self.starts: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []
        self.acks: list[tuple[int, str | None]] = []
        self.event_tokens: set[str | None] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path.rsplit("/", 1)[-1])
        auth = request.headers.get("authorization")
        self.tokens.add(auth)
        body = json.loads(request.content) if request.content else None
        if path.endswith("/auth/tokens"):
            if self.mint_status != 201:
                return httpx.Response(self.mint_status, json={"detail": "scripted"})
            self.minted.append(body)
            return httpx.Response(201, json={"id": len(self.minted), "token": f"t-{body['role']}"})
        if path.endswith("/runsheet"):
            self.runsheets.append((auth, body))
            if self.runsheet_status != 200:
                return httpx.Response(self.runsheet_status, json={"detail": "scripted"})
            return httpx.Response(
                200, json={"version": len(self.runsheets), "findings": self.findings}
            )
        if path.endswith("/actions"):
            self.actions.append(body | {"id": len(self.actions) + 1, "auth": auth})
            return httpx.Response(201, json={"id": len(self.actions), "type": body["type"]})
        if path.endswith("/ack"):
            self.acks.append((int(path.rsplit("/", 2)[-2]), auth))
            return httpx.Response(200, json={})
        if path.endswith("/start"):
            self.starts.append(body)
            return httpx.Response(self.start_status, json={"detail": "already live"})
        if path.endswith("/reservations"):
            return self.reserve(path.rsplit("/", 2)[-2], body)
        if path.endswith("/questions") or path.endswith("/answer"):
            return self.question_queue(request.method, path, body, auth)
        if path.endswith("/flash-sale"):
            self.sales.append((request.method, body))
            return httpx.Response(200, json={})
        if not path.endswith("/events"):
            return httpx.Response(200, json={})
        self.event_tokens.add(auth)
        if self.failures:
            return httpx.Response(self.failures.pop(0), json={"detail": "scripted"})
        accepted = duplicates = 0
        rejected = []
        for index, event in enumerate(json.loads(request.content)["events"]):
            problem = contract_problem(event)
            if problem:
                rejected.append({"index": index, "id": event.get("id"), "error": problem})
            elif event["id"] in self.stored:
                duplicates += 1
            else:
                self.stored[event["id"]] = event
                accepted += 1
                order_id = event.get("order_id")
                if order_id and "-bad-" not in order_id and order_id not in self.answers:
                    self.unreserved.append(order_id)
        return httpx.Response(
            200, json={"accepted": accepted, "duplicates": duplicates, "rejected": rejected}
        )

    def question_queue(self, method: str, path: str, body: Any, auth: str | None) -> httpx.Response:
        if self.questions is None:
            return httpx.Response(404, json={"detail": "Not Found"})
        if method == "GET":
            return httpx.Response(200, json={"clusters": self.questions})
        cluster_id = path.rsplit("/", 2)[-2]
        self.answers_given.append((cluster_id, body, auth))
        if self.answer_status != 200:
            return httpx.Response(self.answer_status, json={"detail": "scripted"})
        [cluster] = [c for c in self.questions if c["id"] == cluster_id]
        cluster["status"] = "answered"
        return httpx.Response(200, json=cluster)

    def reserve(self, sku: str, body: dict[str, Any]) -> httpx.Response:
        self.reservations += 1
        if self.reserve_status is not None:
            return httpx.Response(self.reserve_status, json={"detail": "scripted"})
        if self.stock is None or sku not in self.stock:
            return httpx.Response(404, json={"detail": f"no stock for SKU {sku!r}"})
        order_id = body["order_id"]
        if order_id not in self.answers:  # an order is decided once
            reserved = self.stock[sku] >= body["qty"]
            self.stock[sku] -= body["qty"] if reserved else 0
            status = "reserved" if reserved else "sold_out"
            answer = {"status": status, "available": self.stock[sku], "sku": sku} | body
            self.answers[order_id] = (201 if reserved else 409, answer)
        code, answer = self.answers[order_id]
        return httpx.Response(code, json=answer)


def play(server: Callable[[httpx.Request], httpx.Response], **overrides: Any) -> Any:
    return play_and_say(server, **overrides)[0]


def play_and_say(
    server: Callable[[httpx.Request], httpx.Response], **overrides: Any
) -> tuple[Any, list[str]]:
    """Play against ``server``; the report, and the lines the runner said."""
    settings: dict[str, Any] = {
        "url": "http://liveops.test/",
        "show_id": "show-1",
        "duration": 20,
        "rate": 100,
        "seed": 3,
        "token": "secret",
        "realtime": False,
        "batch_size": 150,
    } | overrides
    lines: list[str] = []

    async def run() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
            return await run_simulation(
                SimulationConfig(**settings), client=client, out=lines.append
            )

    report = asyncio.run(run())
    assert 2 <= len(lines) <= 10, lines
    return report, lines


def test_runner_plays_the_whole_plan_and_its_totals_are_what_was_kept() -> None:
    server = FakeServer(failures=[503, 429])
    report = play(server)
    assert report.totals == recount(server.stored.values())
    assert report.accepted == report.unique_events == len(server.stored)
    assert report.duplicates == report.duplicates_sent > 0
    assert report.rejected == report.malformed_sent > 0
    assert (
        report.events_sent == report.unique_events + report.duplicates_sent + report.malformed_sent
    )
    assert report.retries == 2
    # field control's and the anchor's tokens, the run-sheet, then the start
    assert server.paths[:4] == ["tokens", "tokens", "runsheet", "start"]
    assert server.paths.count("end") == 1
    # the refunds go after the end, with the last cues' acknowledgements
    tail = server.paths[server.paths.index("end") + 1 :]
    assert "events" in tail
    assert set(tail) <= {"events", "ack"}
    assert server.event_tokens == {"Bearer secret"}


def test_runner_goes_on_when_start_is_refused() -> None:
    server = FakeServer(start_status=409)
    report = play(server, end_show=True)
    assert report.accepted == report.unique_events


def test_runner_without_end_show_neither_starts_nor_ends() -> None:
    server = FakeServer()
    play(server, end_show=False, token=None)
    # The storefront still reserves each order: a replay is answered as the first play was.
    assert set(server.paths) == {"events", "reservations"}
    assert server.tokens == {None}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "pass --token or set LIVEOPS_ADMIN_TOKEN"),
        (404, "no show show-1 on http://liveops.test"),
        (422, "HTTP 422"),
    ],
)
def test_runner_stops_with_a_clear_error_when_refused(status: int, message: str) -> None:
    with pytest.raises(SimulationError, match=re.escape(message)):
        play(FakeServer(failures=[status]))


def test_runner_gives_up_after_bounded_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr("liveops.simulate.runner.asyncio.sleep", no_sleep)
    server = FakeServer(failures=[503] * 50)
    with pytest.raises(SimulationError, match="gave up after 8 tries"):
        play(server)
    assert server.paths.count("events") == 8


def test_runner_paces_in_real_time() -> None:
    server = FakeServer()
    report = play(server, duration=1.0, rate=50, realtime=True, end_show=False)
    assert report.accepted == report.unique_events
    # Real-time pacing: a one-second show cannot be played in less than a second.
    assert report.elapsed_seconds >= 1.0


# -- on air: field control and the anchor --------------------------------------------------------


def test_runner_plays_field_control_and_the_anchor() -> None:
    server = FakeServer()
    report, lines = play_and_say(server)
    planned = build_plan(3, 20, 100, START).rundown
    # Tokens of their own roles, for this show, that expire after the show.
    assert [(m["role"], m["show_id"]) for m in server.minted] == [
        ("field_control", "show-1"),
        ("anchor", "show-1"),
    ]
    assert all(60 <= m["expires_in_seconds"] <= 20 + 900 for m in server.minted)
    # The run-sheet, saved by field control before the start; a plain start.
    [(auth, sheet)] = server.runsheets
    assert auth == "Bearer t-field_control"
    assert sheet == planned.body()
    assert server.starts == [{}]
    # Each segment after the first (the start puts that one on air), in order.
    gotos = [a for a in server.actions if a["type"] == "segment.goto"]
    assert [a["segment_id"] for a in gotos] == [s.id for s in planned.segments[1:]]
    cues = [a for a in server.actions if a["type"] == "cue"]
    assert [a["text"] for a in cues] == [c.text for c in planned.cues]
    # The product of each product segment pinned as it goes on air.
    pins = [a["sku"] for a in server.actions if a["type"] == "product.pin"]
    assert pins == [s.product.sku for s in planned.segments if s.product is not None]
    # A lucky bag in each welfare segment: started, then drawn.
    welfare = [f"bag-{s.id}" for s in planned.segments if s.beat == "welfare"]
    assert welfare
    for kind in ("lucky_bag.start", "lucky_bag.draw"):
        assert [a["bag_id"] for a in server.actions if a["type"] == kind] == welfare
    assert {a["auth"] for a in server.actions} == {"Bearer t-field_control"}
    # Every cue acknowledged once, by the anchor.
    assert sorted(cue_id for cue_id, _ in server.acks) == [a["id"] for a in cues]
    assert {auth for _, auth in server.acks} == {"Bearer t-anchor"}
    played = report.on_air
    assert played.runsheet_version == 1
    assert played.findings == []
    assert played.problems == []
    assert played.segment_moves == len(planned.segments) - 1
    assert played.cues_sent == played.cues_acked == len(planned.cues) >= 4
    assert played.pins == len(pins)
    assert played.lucky_bags_drawn == len(welfare)
    assert any("run-sheet v1 saved" in line for line in lines)
    assert report.transcript_lines > 0


def test_without_auto_ack_cues_wait_for_a_human_anchor() -> None:
    server = FakeServer()
    report = play(server, auto_ack=False)
    assert [m["role"] for m in server.minted] == ["field_control"]
    assert server.acks == []
    assert report.on_air.cues_sent > 0
    assert report.on_air.cues_acked == 0


def test_a_token_that_may_not_mint_plays_both_parts() -> None:
    server = FakeServer(mint_status=403)
    report, lines = play_and_say(server, token="operations-token")
    assert {a["auth"] for a in server.actions} == {"Bearer operations-token"}
    assert {auth for _, auth in server.acks} == {"Bearer operations-token"}
    assert report.on_air.tokens_minted == []
    assert any("may not mint" in line for line in lines)


def test_findings_are_said_loudly_and_the_start_overrides_them() -> None:
    finding = {"segment_id": "warmup", "field": "script", "term": "最好", "kind": "absolute"}
    server = FakeServer(findings=[finding])
    report, lines = play_and_say(server)
    assert report.on_air.findings == [finding]
    assert any("COMPLIANCE FINDING" in line and "最好" in line for line in lines)
    assert server.starts == [{"override_reason": OVERRIDE_REASON}]


@pytest.mark.parametrize("status", [403, 409, 422])
def test_a_refused_run_sheet_leaves_the_show_without_one(status: int) -> None:
    server = FakeServer(runsheet_status=status)
    report = play(server)
    assert server.actions == []
    assert server.acks == []
    assert server.starts == [{}]
    assert report.accepted == report.unique_events
    assert f"HTTP {status}" in report.on_air.problems[0]


def test_a_show_already_live_gets_its_first_segment_from_field_control() -> None:
    server = FakeServer(start_status=409)
    play(server)
    gotos = [a["segment_id"] for a in server.actions if a["type"] == "segment.goto"]
    assert gotos[0] == "warmup"
    assert len(gotos) == len(plan_runsheet(20).segments)


def test_on_air_in_real_time_acknowledges_after_each_cue() -> None:
    server = FakeServer()
    report = play(server, duration=1.0, rate=50, realtime=True)
    assert report.on_air.cues_sent == report.on_air.cues_acked > 0
    order = [p for p in server.paths if p in {"runsheet", "start", "actions", "ack", "end"}]
    assert order[:2] == ["runsheet", "start"]
    # every acknowledgement names a cue that was sent
    cue_ids = [a["id"] for a in server.actions if a["type"] == "cue"]
    assert [i for i, _ in server.acks]
    assert all(i in cue_ids for i, _ in server.acks)
    assert report.elapsed_seconds >= 1.0


def cluster(cluster_id: str, status: str = "open") -> dict[str, Any]:
    return {
        "id": cluster_id,
        "intent": "question_size",
        "representative": "多大码",
        "count": 3,
        "viewers": 3,
        "first_at": "2026-11-22T12:00:01.000Z",
        "last_at": "2026-11-22T12:00:09.000Z",
        "status": status,
    }


def test_field_control_answers_the_top_open_question_every_25_seconds() -> None:
    server = FakeServer(questions=[cluster("q_a", "answered"), cluster("q_b"), cluster("q_c")])
    report, lines = play_and_say(server, duration=60, rate=50)
    # At 25 s and 50 s: each time the first open cluster, with an empty body, by field control.
    assert server.answers_given == [
        ("q_b", {}, "Bearer t-field_control"),
        ("q_c", {}, "Bearer t-field_control"),
    ]
    assert report.on_air.questions_answered == 2
    assert report.on_air.problems == []
    assert server.paths.count("questions") == 2
    assert server.paths.index("end") > max(i for i, p in enumerate(server.paths) if p == "answer")
    assert any("2 questions answered" in line for line in lines)


def test_nothing_open_nothing_answered() -> None:
    server = FakeServer(questions=[cluster("q_a", "answered"), cluster("q_b", "dismissed")])
    report = play(server, duration=60, rate=50)
    assert server.paths.count("questions") == 2
    assert server.answers_given == []
    assert report.on_air.questions_answered == 0


def test_a_server_without_a_question_queue_is_asked_once_and_quietly() -> None:
    server = FakeServer()  # GET …/questions answers 404, as before contract §11
    report, lines = play_and_say(server, duration=80, rate=30)
    assert server.paths.count("questions") == 1
    assert report.on_air.questions_answered == 0
    assert report.on_air.problems == []
    assert not any("question" in line for line in lines)


def test_a_failed_answer_is_neither_retried_nor_said() -> None:
    server = FakeServer(questions=[cluster("q_a")], answer_status=503)
    report, lines = play_and_say(server, duration=60, rate=50)
    assert [a[0] for a in server.answers_given] == ["q_a", "q_a"]  # once a round, no retry
    assert report.retries == 0
    assert report.on_air.questions_answered == 0
    assert report.on_air.problems == []
    assert not any("question" in line for line in lines)


def test_the_commands_take_no_auto_ack() -> None:
    from liveops.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["demo"]).auto_ack is True
    assert parser.parse_args(["demo", "--no-auto-ack"]).auto_ack is False
    simulate = ["simulate", "--url", "u", "--show", "s", "--duration", "1", "--rate", "1"]
    assert parser.parse_args([*simulate, "--seed", "1", "--no-auto-ack"]).auto_ack is False
