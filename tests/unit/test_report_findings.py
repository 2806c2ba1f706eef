"""The report's findings rules and its number formats, table-driven on hand-made reviews."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from liveops.report import charts, format as fmt
from liveops.report.findings import (
    INTERACTION_RATE_BENCHMARK,
    OVERRUN_SHARE,
    REFUND_RATE_LIMIT,
    SLOW_RESOLVE_SECONDS,
    Finding,
    alert_handling,
    best_and_worst_products,
    channel_uv_value,
    findings,
    funnel_drop,
    interaction_rate,
    peak_gmv_minute,
    refund_rate,
    segment_overruns,
    target_results,
    unanswered_questions,
)
from liveops.report.render import page

MINUTE = 1_796_421_000  # a whole minute, seconds since the epoch


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def product(
    sku: str, *, clicks: int, paid: int, gmv: int, name: str | None = None
) -> dict[str, Any]:
    return {"sku": sku, "name": name, "clicks": clicks, "paid_orders": paid, "gmv": gmv}


def segment(
    title: str, sku: str | None, planned: float, actual: float, start: float = MINUTE
) -> dict[str, Any]:
    return {
        "id": title,
        "title": title,
        "sku": sku,
        "planned_seconds": planned,
        "actual_seconds": actual,
        "started_at": iso(start),
        "ended_at": iso(start + actual),
    }


def alert(rule: str, state: str, resolve: float | None) -> dict[str, Any]:
    return {"rule": rule, "subject": "", "state": state, "resolve_seconds": resolve}


def outcome(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.verdict, f.rule) for f in found]


RULE_CASES = [
    pytest.param(
        target_results,
        {
            "targets": {
                "gmv": {"target": 5_000_000, "actual": 9_742_290, "progress": 1.95},
                "uv": {"target": 3_000, "actual": 2_657, "progress": 0.89},
                "aov": {"target": None, "actual": 26_000, "progress": None},
                "likes": {"target": 10, "actual": 5, "progress": 0.5},
            }
        },
        [("worked", "target_met"), ("did_not_work", "target_missed")],
        ["¥97,422.90", "¥50,000.00", "195%", "343 short", "89% reached"],
        id="targets met and missed; no target and unknown keys left out",
    ),
    pytest.param(
        target_results,
        {"targets": {"conversion_rate": {"target": 0.05, "actual": 0.04, "progress": 0.8}}},
        [("did_not_work", "target_missed")],
        ["4.0%", "5.0%", "1.0% short"],
        id="a rate target missed, in percent",
    ),
    pytest.param(
        best_and_worst_products,
        {
            "products": [
                product("A", clicks=100, paid=30, gmv=1_000, name="围巾"),
                product("B", clicks=200, paid=20, gmv=9_000),
                product("C", clicks=0, paid=0, gmv=0),
            ]
        },
        [("worked", "best_product"), ("did_not_work", "worst_product")],
        ["围巾 (A): 30.0% of clicks paid", "B: 10.0% of clicks paid", "20 paid orders"],
        id="by conversion without segments; a product never clicked is left out",
    ),
    pytest.param(
        best_and_worst_products,
        {
            "products": [
                product("A", clicks=100, paid=30, gmv=60_000),
                product("B", clicks=200, paid=20, gmv=60_000),
            ],
            "segments": [
                segment("A 讲解", "A", 120, 120),
                segment("B 讲解", "B", 60, 240),
                segment("B 返场", "B", 60, 360),
            ],
        },
        [("worked", "best_product"), ("did_not_work", "worst_product")],
        ["A: ¥300.00 GMV per minute of air", "B: ¥60.00 GMV per minute of air", "10 min 00 s"],
        id="by GMV per minute of air, a SKU's segments summed",
    ),
    pytest.param(
        best_and_worst_products,
        {"products": [product("A", clicks=10, paid=1, gmv=100)]},
        [],
        [],
        id="one product: no best nor worst",
    ),
    pytest.param(
        best_and_worst_products,
        {
            "products": [
                product("A", clicks=10, paid=1, gmv=1),
                product("B", clicks=20, paid=2, gmv=1),
            ]
        },
        [],
        [],
        id="a tie: nothing to say",
    ),
    pytest.param(
        segment_overruns,
        {
            "segments": [
                segment("开场", None, 100, 100 * (1 + OVERRUN_SHARE)),
                segment("秒杀", "A", 100, 100 * (1 + OVERRUN_SHARE) + 1),
                segment("无计划", "B", 0, 500),
            ]
        },
        [("did_not_work", "segment_overrun")],
        ["“秒杀” ran 2 min 01 s against 1 min 40 s planned (+21%)"],
        id="only beyond the overrun share; a segment without a plan is left out",
    ),
    pytest.param(
        peak_gmv_minute,
        {
            "minutes": [
                {"minute": MINUTE, "gmv": 1_000},
                {"minute": MINUTE + 60, "gmv": 3_000},
                {"minute": MINUTE + 120, "gmv": 0},
            ],
            "segments": [segment("开场", None, 60, 60), segment("秒杀", "A", 60, 60, MINUTE + 60)],
            "actions": [
                {"type": "product.pin", "sku": "A", "at": iso(MINUTE + 75), "state": "applied"},
                {"type": "cue", "text": "下一个", "at": iso(MINUTE + 130), "state": "applied"},
                {"type": "product.pin", "sku": "Z", "at": iso(MINUTE + 80), "state": "undone"},
                {"type": "product.pin", "sku": "A", "at": iso(MINUTE + 90), "state": "applied"},
                {"type": "question.answer", "cluster_id": "q1", "at": iso(MINUTE + 95)},
                {"type": "segment.goto", "segment_id": "秒杀", "at": iso(MINUTE + 60)},
            ],
        },
        [("worked", "peak_minute")],
        [fmt.clock(MINUTE + 60), "¥30.00", "75.0%", "on air: 秒杀", "actions: product.pin A."],
        id="the peak minute with its segment and its applied actions, each once, routine left out",
    ),
    pytest.param(
        peak_gmv_minute, {"minutes": [{"minute": MINUTE, "gmv": 0}]}, [], [], id="no sales"
    ),
    pytest.param(
        channel_uv_value,
        {
            "channels": [
                {"channel": "推荐", "uv": 100, "uv_value": 500.0, "gmv": 50_000},
                {"channel": "搜索", "uv": 10, "uv_value": 2_000.0, "gmv": 20_000},
                {"channel": "付费", "uv": 0, "uv_value": 0.0, "gmv": 0},
            ]
        },
        [("worked", "best_channel"), ("did_not_work", "worst_channel")],
        ["搜索: UV value ¥20.00", "推荐: UV value ¥5.00 (100 UV, ¥500.00 GMV)"],
        id="best and worst UV value; a source without viewers is left out",
    ),
    pytest.param(
        channel_uv_value,
        {"channels": [{"channel": "推荐", "uv": 100, "uv_value": 500.0, "gmv": 50_000}]},
        [],
        [],
        id="one source: nothing to compare",
    ),
    pytest.param(
        alert_handling,
        {
            "alerts": {
                "items": [
                    alert("low_stock", "resolved", 60),
                    alert("stream_lag", "resolved", SLOW_RESOLVE_SECONDS + 1),
                    alert("compliance", "firing", None),
                    alert("compliance", "acknowledged", None),
                ]
            }
        },
        [("did_not_work", "slow_alert"), ("did_not_work", "alerts_open")],
        ["stream_lag took 15 min 01 s to resolve", "2 of 4 alerts", "compliance ×2"],
        id="the slowest beyond the limit; alerts left open by rule",
    ),
    pytest.param(
        alert_handling,
        {"alerts": {"items": [alert("low_stock", "resolved", SLOW_RESOLVE_SECONDS)]}},
        [("worked", "alerts_resolved_fast")],
        ["1 alert resolved", "15 min 00 s"],
        id="every alert resolved within the limit",
    ),
    pytest.param(alert_handling, {"alerts": {"items": []}}, [], [], id="no alerts"),
    pytest.param(
        refund_rate,
        {
            "summary": {
                "refund_rate": 0.06,
                "orders_refunded": 3,
                "orders_paid": 50,
                "refund_amount": 12_345,
            }
        },
        [("did_not_work", "refund_rate")],
        ["6.0% (3 of 50 paid orders, ¥123.45)", "above 5%"],
        id="refund rate above the limit",
    ),
    pytest.param(
        refund_rate, {"summary": {"refund_rate": REFUND_RATE_LIMIT}}, [], [], id="at the limit"
    ),
    pytest.param(
        interaction_rate,
        {"summary": {"interaction_rate": 0.31, "uv": 100, "interacting_viewers": 31}},
        [("worked", "interaction")],
        ["31.0% (31 of 100 viewers"],
        id="above the benchmark",
    ),
    pytest.param(
        interaction_rate,
        {
            "summary": {
                "interaction_rate": INTERACTION_RATE_BENCHMARK,
                "uv": 10,
                "interacting_viewers": 3,
            }
        },
        [("did_not_work", "interaction")],
        ["at or below 30%"],
        id="at the benchmark",
    ),
    pytest.param(
        interaction_rate, {"summary": {"interaction_rate": 0.0, "uv": 0}}, [], [], id="no viewers"
    ),
    pytest.param(
        unanswered_questions,
        {
            "questions": {
                "clusters": 64,
                "asked": 1_054,
                "answered": 23,
                "open_at_end": 56,
                "answer_seconds_median": 402.9,
            }
        },
        [("did_not_work", "questions_open")],
        ["56 of 64 question clusters", "1,054 questions asked", "6 min 43 s"],
        id="questions open at the end",
    ),
    pytest.param(
        unanswered_questions, {"questions": {"open_at_end": 0}}, [], [], id="every one answered"
    ),
    pytest.param(
        funnel_drop,
        {
            "funnel": [
                {"step": "view", "label": "观看", "viewers": 1_000, "rate_from_previous": None},
                {"step": "click", "label": "点击", "viewers": 300, "rate_from_previous": 0.3},
                {"step": "order", "label": "下单", "viewers": 150, "rate_from_previous": 0.5},
            ]
        },
        [("did_not_work", "funnel_drop")],
        ["from 观看 (1,000) to 点击 (300): only 30.0% went on"],
        id="the step that kept the least",
    ),
]


@pytest.mark.parametrize(("rule", "review", "expected", "numbers"), RULE_CASES)
def test_rule(
    rule: Any, review: dict[str, Any], expected: list[tuple[str, str]], numbers: list[str]
) -> None:
    found = rule(review)
    assert outcome(found) == expected
    text = " ".join(f.text for f in found)
    for number in numbers:
        assert number in text, (number, text)


def test_findings_put_what_worked_first_and_skip_what_the_review_lacks() -> None:
    review = {
        "summary": {"refund_rate": 0.5, "interaction_rate": 0.9, "uv": 10},
        "targets": {"gmv": {"target": 100, "actual": 50, "progress": 0.5}},
    }
    verdicts = [f.verdict for f in findings(review)]
    assert verdicts == ["worked", "did_not_work", "did_not_work"]
    assert findings({}) == []


MONEY = [
    (0, "¥0.00"),
    (5, "¥0.05"),
    (123_456, "¥1,234.56"),
    (100_000_000, "¥1,000,000.00"),
    (-250, "−¥2.50"),
    (26_048.9037, "¥260.49"),
    (None, "—"),
]


@pytest.mark.parametrize(("fen", "shown"), MONEY)
def test_money_is_yuan_with_two_decimals_from_fen(fen: float | None, shown: str) -> None:
    assert fmt.money(fen) == shown


PERCENT = [
    (0.14076, 1, "14.1%"),
    (1.0, 1, "100.0%"),
    (0.0, 0, "0%"),
    (1.948, 0, "195%"),
    (-0.2, 0, "-20%"),
    (-0.0004, 1, "0.0%"),
]


@pytest.mark.parametrize(("rate", "digits", "shown"), PERCENT)
def test_percent(rate: float, digits: int, shown: str) -> None:
    assert fmt.percent(rate, digits) == shown


DURATION = [
    (0, "0 s"),
    (59.6, "1 min 00 s"),
    (125, "2 min 05 s"),
    (3_725, "1 h 02 min"),
    (-30, "−30 s"),
    (-0.2, "0 s"),
    (None, "—"),
]


@pytest.mark.parametrize(("seconds", "shown"), DURATION)
def test_duration(seconds: float | None, shown: str) -> None:
    assert fmt.duration(seconds) == shown


def test_counts_and_beijing_time() -> None:
    assert fmt.count(2_657) == "2,657"
    assert fmt.count(1_234.56) == "1,234.6"
    assert fmt.clock(0) == "08:00"
    assert fmt.when("1970-01-01T00:00:00Z") == "1970-01-01 08:00:00 (UTC+8)"
    assert fmt.when(None) == fmt.DASH
    assert fmt.epoch("not a time") is None


@pytest.mark.parametrize(
    ("span_minutes", "step"), [(1, 1), (7, 1), (8, 2), (30, 5), (90, 15), (240, 60)]
)
def test_time_axis_ticks_are_round_and_few(span_minutes: int, step: int) -> None:
    assert charts.tick_minutes(span_minutes * 60) == step


def test_long_labels_are_cut_to_fit() -> None:
    assert charts.fit("短", 100, 12) == "短"
    cut = charts.fit("非常非常非常非常长的商品名称", 60, 12)
    assert cut.endswith("…")
    assert len(cut) < len("非常非常非常非常长的商品名称")


def test_a_page_from_a_bare_review_leaves_out_what_it_lacks() -> None:
    review: dict[str, Any] = {"show": {"id": "show_1", "title": "<b>x</b>"}, "summary": {}}
    html = page(review, datetime(2026, 1, 1, tzinfo=UTC))
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x" not in html
    assert 'id="segments"' not in html
    assert 'id="channels"' not in html
    assert 'id="timeline"' in html
