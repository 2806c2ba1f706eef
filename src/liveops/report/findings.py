"""What worked and what did not: findings generated from a review's numbers.

`findings(review)` is pure: it reads the review dict (GET …/review) and returns each finding
with the numbers that show it. A rule that lacks its section (no segments, no channels, no
targets) says nothing rather than guessing. Thresholds are module constants, documented in
docs/report.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from liveops.report import format as fmt
from liveops.report.values import number, rows_of

Verdict = Literal["worked", "did_not_work"]

# A segment whose actual length exceeds its plan by more than this share overran.
OVERRUN_SHARE = 0.20
# A refund rate above this is a problem (a common after-sales warning level).
REFUND_RATE_LIMIT = 0.05
# Alerts resolved slower than this missed the seeds' MTTR ≤ 15 min (004).
SLOW_RESOLVE_SECONDS = 15 * 60
# The seeds' anchor standard: interaction rate above 30 % (003 §2.2).
INTERACTION_RATE_BENCHMARK = 0.30


@dataclass(frozen=True, slots=True)
class Finding:
    verdict: Verdict
    rule: str  # stable id of the rule that made it (docs/report.md lists them)
    label: str  # short bilingual heading
    text: str  # the finding, with the numbers that show it


def findings(review: Mapping[str, Any]) -> list[Finding]:
    """Every finding of every rule, worked ones first, each group in rule order."""
    found = [finding for rule in RULES for finding in rule(review)]
    return [f for f in found if f.verdict == "worked"] + [
        f for f in found if f.verdict == "did_not_work"
    ]


_TARGET_NAMES = {
    "gmv": "GMV 成交额",
    "uv": "UV 观看人数",
    "conversion_rate": "Conversion 转化率",
    "aov": "AOV 客单价",
}
_TARGET_FORMAT: dict[str, Callable[[float | None], str]] = {
    "gmv": fmt.money,
    "uv": fmt.count,
    "conversion_rate": fmt.percent,
    "aov": fmt.money,
}


def target_results(review: Mapping[str, Any]) -> list[Finding]:
    """Each target met or missed, and by how much."""
    targets = review.get("targets")
    if not isinstance(targets, dict):
        return []
    found = []
    for key, result in targets.items():
        if not isinstance(result, dict):
            continue
        target, actual = number(result.get("target")), number(result.get("actual"))
        if key not in _TARGET_NAMES or target is None or actual is None or target <= 0:
            continue
        show = _TARGET_FORMAT[key]
        name = _TARGET_NAMES[key]
        reached = fmt.percent(actual / target, 0)
        if actual >= target:
            found.append(
                Finding(
                    "worked",
                    "target_met",
                    "目标达成 Target met",
                    f"{name}: {show(actual)} against a target of {show(target)} ({reached}).",
                )
            )
        else:
            found.append(
                Finding(
                    "did_not_work",
                    "target_missed",
                    "目标未达 Target missed",
                    f"{name}: {show(actual)} against a target of {show(target)}, "
                    f"{show(target - actual)} short ({reached} reached).",
                )
            )
    return found


def air_seconds(review: Mapping[str, Any]) -> dict[str, float]:
    """Seconds each SKU was on air, from the segments that carried it."""
    air: dict[str, float] = {}
    for segment in rows_of(review, "segments"):
        sku, seconds = segment.get("sku"), number(segment.get("actual_seconds"))
        if isinstance(sku, str) and seconds:
            air[sku] = air.get(sku, 0.0) + seconds
    return air


def _product_name(row: Mapping[str, Any]) -> str:
    name = row.get("name")
    return f"{name} ({row['sku']})" if name else str(row["sku"])


def product_conversion(row: Mapping[str, Any]) -> float | None:
    """Paid orders per product click (None without clicks)."""
    clicks, paid = number(row.get("clicks")), number(row.get("paid_orders"))
    if not clicks or paid is None:
        return None
    return paid / clicks


def best_and_worst_products(review: Mapping[str, Any]) -> list[Finding]:
    """The best and the worst product by GMV per minute of air when the segments say how long
    each was on air, else by conversion (paid orders per click)."""
    products = [row for row in rows_of(review, "products") if isinstance(row.get("sku"), str)]
    air = air_seconds(review)
    scored: list[tuple[float, dict[str, Any], str]] = []
    for row in products:
        if air:
            seconds = air.get(row["sku"])
            gmv = number(row.get("gmv")) or 0.0
            if seconds:
                per_minute = gmv / (seconds / 60)
                scored.append(
                    (
                        per_minute,
                        row,
                        f"{fmt.money(per_minute)} GMV per minute of air "
                        f"({fmt.money(gmv)} in {fmt.duration(seconds)})",
                    )
                )
        else:
            rate = product_conversion(row)
            if rate is not None:
                scored.append(
                    (
                        rate,
                        row,
                        f"{fmt.percent(rate)} of clicks paid "
                        f"({fmt.count(row.get('paid_orders'))} paid orders from "
                        f"{fmt.count(row.get('clicks'))} clicks)",
                    )
                )
    if len(scored) < 2:
        return []
    scored.sort(key=lambda item: item[0])
    (low, worst, worst_why), (high, best, best_why) = scored[0], scored[-1]
    if low == high:
        return []
    return [
        Finding(
            "worked", "best_product", "最佳商品 Best product", f"{_product_name(best)}: {best_why}."
        ),
        Finding(
            "did_not_work",
            "worst_product",
            "最弱商品 Weakest product",
            f"{_product_name(worst)}: {worst_why}.",
        ),
    ]


def segment_overruns(review: Mapping[str, Any]) -> list[Finding]:
    """Segments that ran longer than planned by more than OVERRUN_SHARE."""
    found = []
    for segment in rows_of(review, "segments"):
        planned, actual = (
            number(segment.get("planned_seconds")),
            number(segment.get("actual_seconds")),
        )
        if not planned or actual is None or actual - planned <= planned * OVERRUN_SHARE:
            continue
        title = segment.get("title") or segment.get("id") or "?"
        found.append(
            Finding(
                "did_not_work",
                "segment_overrun",
                "环节超时 Segment overran",
                f"“{title}” ran {fmt.duration(actual)} against {fmt.duration(planned)} planned "
                f"(+{fmt.percent((actual - planned) / planned, 0)}).",
            )
        )
    return found


def _on_air_at(review: Mapping[str, Any], start: float, end: float) -> list[str]:
    """Titles of the segments on air at some point of [start, end)."""
    titles = []
    for segment in rows_of(review, "segments"):
        began, ended = fmt.epoch(segment.get("started_at")), fmt.epoch(segment.get("ended_at"))
        if began is None or began >= end or (ended is not None and ended <= start):
            continue
        titles.append(str(segment.get("title") or segment.get("id")))
    return titles


# Routine actions that say nothing about why a minute sold: answers to questions, and segment
# moves (the segments on air are named already).
_ROUTINE_ACTION_PREFIXES = ("question.", "segment.goto")


def _actions_in(review: Mapping[str, Any], start: float, end: float) -> list[str]:
    """The applied, non-routine actions of [start, end), each named once, in order."""
    done: list[str] = []
    for row in rows_of(review, "actions"):
        at = fmt.epoch(row.get("at"))
        if at is None or not start <= at < end or row.get("state", "applied") != "applied":
            continue
        if str(row.get("type", "")).startswith(_ROUTINE_ACTION_PREFIXES):
            continue
        summary = action_summary(row)
        if summary not in done:
            done.append(summary)
    return done


def action_summary(row: Mapping[str, Any]) -> str:
    """An action in a few words: its type and what it was about."""
    detail = next(
        (
            str(row[key])
            for key in ("sku", "segment_id", "prize", "text", "cluster_id", "alert_id")
            if row.get(key)
        ),
        "",
    )
    return f"{row.get('type', '?')} {detail}".strip()


def peak_gmv_minute(review: Mapping[str, Any]) -> list[Finding]:
    """The minute with the most GMV, its share of the show's, and what was on air then."""
    minutes = [row for row in rows_of(review, "minutes") if number(row.get("gmv"))]
    if not minutes:
        return []
    peak = max(minutes, key=lambda row: row["gmv"])
    start = float(peak["minute"])
    total = sum(float(row["gmv"]) for row in minutes)
    text = (
        f"The best minute, {fmt.clock(start)}, sold {fmt.money(peak['gmv'])}, "
        f"{fmt.percent(peak['gmv'] / total)} of the show's GMV"
    )
    segments = _on_air_at(review, start, start + 60)
    if segments:
        text += f"; on air: {', '.join(segments)}"
    actions = _actions_in(review, start, start + 60)
    if actions:
        text += f"; actions: {', '.join(actions[:4])}"
    return [Finding("worked", "peak_minute", "成交高峰 Peak GMV minute", text + ".")]


def channel_uv_value(review: Mapping[str, Any]) -> list[Finding]:
    """The traffic source whose viewers were worth the most and the one worth the least."""
    channels = [
        row
        for row in rows_of(review, "channels")
        if number(row.get("uv")) and number(row.get("uv_value")) is not None
    ]
    if len(channels) < 2:
        return []
    channels.sort(key=lambda row: row["uv_value"])
    worst, best = channels[0], channels[-1]
    if worst["uv_value"] == best["uv_value"]:
        return []

    def why(row: Mapping[str, Any]) -> str:
        return (
            f"{row.get('channel')}: UV value {fmt.money(row['uv_value'])} "
            f"({fmt.count(row['uv'])} UV, {fmt.money(row.get('gmv'))} GMV)"
        )

    return [
        Finding("worked", "best_channel", "最佳流量来源 Best traffic source", why(best) + "."),
        Finding(
            "did_not_work", "worst_channel", "最弱流量来源 Weakest traffic source", why(worst) + "."
        ),
    ]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _alert_name(item: Mapping[str, Any]) -> str:
    subject = item.get("subject")
    return f"{item.get('rule')} {subject}".strip() if subject else str(item.get("rule"))


def alert_handling(review: Mapping[str, Any]) -> list[Finding]:
    """The slowest resolved alert against SLOW_RESOLVE_SECONDS, and alerts never resolved."""
    alerts = review.get("alerts")
    items: Sequence[Any] = alerts.get("items", []) if isinstance(alerts, dict) else []
    items = [item for item in items if isinstance(item, dict)]
    found = []
    resolved = [item for item in items if number(item.get("resolve_seconds")) is not None]
    if resolved:
        slowest = max(resolved, key=lambda item: item["resolve_seconds"])
        seconds = float(slowest["resolve_seconds"])
        if seconds > SLOW_RESOLVE_SECONDS:
            found.append(
                Finding(
                    "did_not_work",
                    "slow_alert",
                    "告警处理慢 Slow alert",
                    f"{_alert_name(slowest)} took {fmt.duration(seconds)} to resolve "
                    f"(more than {fmt.duration(SLOW_RESOLVE_SECONDS)}).",
                )
            )
        else:
            found.append(
                Finding(
                    "worked",
                    "alerts_resolved_fast",
                    "告警处理及时 Alerts handled fast",
                    f"{_plural(len(resolved), 'alert')} resolved, the slowest "
                    f"({_alert_name(slowest)}) in "
                    f"{fmt.duration(seconds)}, within {fmt.duration(SLOW_RESOLVE_SECONDS)}.",
                )
            )
    still_open = [item for item in items if item.get("state") != "resolved"]
    if still_open:
        rules: dict[str, int] = {}
        for item in still_open:
            rules[str(item.get("rule"))] = rules.get(str(item.get("rule")), 0) + 1
        listed = ", ".join(f"{rule} ×{n}" for rule, n in rules.items())
        found.append(
            Finding(
                "did_not_work",
                "alerts_open",
                "告警未关闭 Alerts left open",
                f"{len(still_open)} of {len(items)} alerts were never resolved: {listed}.",
            )
        )
    return found


def refund_rate(review: Mapping[str, Any]) -> list[Finding]:
    """A refund rate above REFUND_RATE_LIMIT."""
    summary = review.get("summary") or {}
    rate = number(summary.get("refund_rate"))
    if rate is None or rate <= REFUND_RATE_LIMIT:
        return []
    return [
        Finding(
            "did_not_work",
            "refund_rate",
            "退款率偏高 High refund rate",
            f"Refund rate {fmt.percent(rate)} ({fmt.count(summary.get('orders_refunded'))} of "
            f"{fmt.count(summary.get('orders_paid'))} paid orders, "
            f"{fmt.money(summary.get('refund_amount'))}) is above "
            f"{fmt.percent(REFUND_RATE_LIMIT, 0)}.",
        )
    ]


def interaction_rate(review: Mapping[str, Any]) -> list[Finding]:
    """The interaction rate against the seeds' anchor standard."""
    summary = review.get("summary") or {}
    rate, uv = number(summary.get("interaction_rate")), number(summary.get("uv"))
    if rate is None or not uv:
        return []
    numbers = (
        f"Interaction rate {fmt.percent(rate)} ({fmt.count(summary.get('interacting_viewers'))} "
        f"of {fmt.count(uv)} viewers commented, liked, shared, followed or gave a gift)"
    )
    benchmark = fmt.percent(INTERACTION_RATE_BENCHMARK, 0)
    if rate > INTERACTION_RATE_BENCHMARK:
        return [
            Finding(
                "worked", "interaction", "互动达标 Engaged room", f"{numbers}, above {benchmark}."
            )
        ]
    return [
        Finding(
            "did_not_work",
            "interaction",
            "互动不足 Quiet room",
            f"{numbers}, at or below {benchmark}.",
        )
    ]


def unanswered_questions(review: Mapping[str, Any]) -> list[Finding]:
    """Question clusters still open when the show ended."""
    questions = review.get("questions")
    if not isinstance(questions, dict):
        return []
    still_open = number(questions.get("open_at_end"))
    if not still_open:
        return []
    text = (
        f"{fmt.count(still_open)} of {fmt.count(questions.get('clusters'))} question clusters "
        f"were still open at the end ({fmt.count(questions.get('asked'))} questions asked, "
        f"{fmt.count(questions.get('answered'))} clusters answered"
    )
    median = number(questions.get("answer_seconds_median"))
    if median is not None:
        text += f", median wait for an answer {fmt.duration(median)}"
    return [Finding("did_not_work", "questions_open", "问题未答 Unanswered questions", text + ").")]


def funnel_drop(review: Mapping[str, Any]) -> list[Finding]:
    """The funnel step that kept the smallest share of the step before it."""
    steps = rows_of(review, "funnel")
    kept = [
        (float(rate), previous, step)
        for previous, step in pairwise(steps)
        if (rate := number(step.get("rate_from_previous"))) is not None
    ]
    if not kept:
        return []
    rate, previous, step = min(kept, key=lambda item: item[0])
    return [
        Finding(
            "did_not_work",
            "funnel_drop",
            "漏斗流失 Funnel leak",
            f"The funnel lost the most from {previous.get('label') or previous.get('step')} "
            f"({fmt.count(previous.get('viewers'))}) to {step.get('label') or step.get('step')} "
            f"({fmt.count(step.get('viewers'))}): only {fmt.percent(rate)} went on.",
        )
    ]


RULES: tuple[Callable[[Mapping[str, Any]], list[Finding]], ...] = (
    target_results,
    best_and_worst_products,
    peak_gmv_minute,
    channel_uv_value,
    interaction_rate,
    segment_overruns,
    funnel_drop,
    refund_rate,
    alert_handling,
    unanswered_questions,
)
