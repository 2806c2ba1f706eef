"""What the simulated viewers mean by their comments: each comment category's intent (contract
§11), the shares of a comment stream, questions asked in several wordings, and the per-intent
counts the simulator records for a test to hold the server's classification against."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime
from typing import get_args

import pytest

from liveops.simulate import (
    DEMO_LINEUP,
    INTENT_OF,
    INTENTS,
    Product,
    ShowPlan,
    build_plan,
    comments_by_intent,
    recount,
)
from liveops.simulate.texts import Category, asks, category_weights, comment_text, questions

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CONTRACT_INTENTS = (
    "question_size",
    "question_price",
    "question_shipping",
    "question_quality",
    "purchase_intent",
    "praise",
    "complaint_quality",
    "complaint_logistics",
    "complaint_service",
    "interaction",
    "spam",
    "other",
)
APPAREL = next(p for p in DEMO_LINEUP if p.sized)
GOODS = next(p for p in DEMO_LINEUP if not p.sized)
ODD = Product("X{1}", "特价{清仓}毛巾", "清仓", 1990, 990, 50)
LONG = Product("L-1", "长" * 600, "爆款", 1990, 990, 50, sized=True)


@pytest.fixture(scope="module")
def plan() -> ShowPlan:
    return build_plan(7, 60, 500, START)


def comments(plan: ShowPlan) -> list[dict[str, object]]:
    return [e for e in plan.unique_events if e["type"] == "comment"]


def pattern(template: str) -> str:
    return ".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", template))


def patterns_of(intent: str) -> re.Pattern[str]:
    """Every text a comment of ``intent`` can be, about any product."""
    templates = {
        template
        for category, meant in INTENT_OF.items()
        if meant == intent
        for product in (APPAREL, GOODS)
        for group in questions(category, product)
        for template in group
    }
    return re.compile("|".join(f"(?:{pattern(t)})" for t in sorted(templates)))


# -- the mapping ---------------------------------------------------------------------------------


def test_every_category_has_one_of_the_twelve_intents_and_every_intent_a_category() -> None:
    assert INTENTS == CONTRACT_INTENTS
    assert set(INTENT_OF) == set(get_args(Category))
    assert set(INTENT_OF.values()) == set(INTENTS)
    assert {c for c in INTENT_OF if asks(c)} == {"size", "price", "shipping", "quality"}


@pytest.mark.parametrize("product", [*DEMO_LINEUP, ODD, LONG], ids=lambda p: p.sku)
def test_every_template_makes_a_comment_of_1_to_500_characters(product: Product) -> None:
    rng = random.Random(1)
    for category in INTENT_OF:
        for group in questions(category, product):
            assert group, category
            for _ in range(3 * len(group)):
                text = comment_text(rng, category, product)
                assert 0 < len(text) <= 500, (category, text)
                assert "{" not in text.replace(product.name, ""), (category, text)


def test_a_question_is_asked_in_several_wordings_the_first_most_often() -> None:
    rng = random.Random(2)
    for category in ("size", "price", "shipping", "quality"):
        for product in (APPAREL, GOODS):
            groups = questions(category, product)
            assert len(groups) >= 2
            assert all(len(group) >= 3 for group in groups), (category, product.name)
            # The first question comes back in many wordings: what the queue clusters.
            first = re.compile("|".join(f"(?:{pattern(t)})$" for t in groups[0]))
            said = [comment_text(rng, category, product) for _ in range(400)]
            asked_first = [text for text in said if first.match(text)]
            assert len(asked_first) > 400 / len(groups), (category, product.name)
            assert len(set(asked_first)) >= 3, (category, product.name)


def test_apparel_is_asked_its_size_and_other_goods_their_dimensions() -> None:
    rng = random.Random(3)
    apparel = {comment_text(rng, "size", APPAREL) for _ in range(200)}
    goods = {comment_text(rng, "size", GOODS) for _ in range(200)}
    assert sum("码" in text for text in apparel) > len(apparel) / 2
    assert not any("码" in text for text in goods)


# -- the shares ----------------------------------------------------------------------------------


def shares(weights: dict[Category, float]) -> Counter[str]:
    total = sum(weights.values())
    by_intent: Counter[str] = Counter()
    for category, weight in weights.items():
        by_intent[INTENT_OF[category]] += weight / total
    return by_intent


def family(by_intent: Counter[str], prefix: str) -> float:
    return sum(share for intent, share in by_intent.items() if intent.startswith(prefix))


@pytest.mark.parametrize("product", [APPAREL, GOODS], ids=["apparel", "goods"])
def test_a_normal_stream_has_realistic_shares(product: Product) -> None:
    weights = category_weights(product)
    assert sum(weights.values()) == pytest.approx(1.0 if product.sized else 0.965)
    by_intent = shares(weights)
    assert set(by_intent) == set(INTENTS)
    assert 0.20 <= family(by_intent, "question_") <= 0.25
    assert family(by_intent, "complaint_") == pytest.approx(0.033, abs=0.01)
    assert 0.01 <= by_intent["spam"] <= 0.02
    assert 0.02 <= by_intent["other"] <= 0.08
    # Interaction and praise are most of what is not a question.
    assert by_intent["interaction"] + by_intent["praise"] > 0.5 * (
        1 - family(by_intent, "question_")
    )
    assert by_intent.most_common(2)[0][0] == "interaction"


def test_pick_category_follows_the_shares() -> None:
    rng = random.Random(4)
    from liveops.simulate.texts import pick_category

    picked = Counter(pick_category(rng, APPAREL, in_flash=False) for _ in range(20_000))
    expected = category_weights(APPAREL)
    for category, share in expected.items():
        assert picked[category] / 20_000 == pytest.approx(share, abs=0.01), category
    flash = Counter(pick_category(rng, GOODS, in_flash=True) for _ in range(5_000))
    assert flash["flash"] / 5_000 == pytest.approx(0.6, abs=0.03)


@pytest.mark.parametrize(("seed", "duration", "rate"), [(7, 60, 500), (1, 900, 30)])
def test_a_whole_show_says_every_intent_in_realistic_shares(
    seed: int, duration: float, rate: float
) -> None:
    built = build_plan(seed, duration, rate, START)
    counts = comments_by_intent(built.unique_events, built.comment_intents)
    total = sum(counts.values())
    assert total > 2_000
    assert all(counts[intent] > 0 for intent in INTENTS), counts
    share = {intent: n / total for intent, n in counts.items()}
    assert 0.17 <= sum(v for k, v in share.items() if k.startswith("question_")) <= 0.27
    assert 0.015 <= sum(v for k, v in share.items() if k.startswith("complaint_")) <= 0.05
    assert 0.005 <= share["spam"] <= 0.025
    assert share["interaction"] + share["praise"] > 0.4
    assert max(share, key=share.__getitem__) == "interaction"


# -- what the simulator recorded -----------------------------------------------------------------


def test_the_plan_knows_the_intent_of_every_comment_and_of_nothing_else(plan: ShowPlan) -> None:
    said = comments(plan)
    assert set(plan.comment_intents) == {e["id"] for e in said}
    assert set(plan.comment_intents.values()) <= set(INTENTS)


def test_every_comment_reads_as_the_intent_it_was_meant_as(plan: ShowPlan) -> None:
    readers = {intent: patterns_of(intent) for intent in INTENTS}
    wrong = [
        (e["text"], plan.comment_intents[str(e["id"])])
        for e in comments(plan)
        if not readers[plan.comment_intents[str(e["id"])]].fullmatch(str(e["text"]))
    ]
    assert wrong == []


def test_the_counts_add_up_to_the_comments_and_count_a_resend_once(plan: ShowPlan) -> None:
    counts = comments_by_intent(plan.unique_events, plan.comment_intents)
    assert list(counts) == list(INTENTS)
    assert sum(counts.values()) == recount(plan.unique_events)["comments"]
    assert counts == Counter(plan.comment_intents.values())
    # Every delivery, duplicates included; the malformed ones are no comment the server keeps.
    valid = [d.event for d in plan.deliveries if d.event["id"] in plan.comment_intents]
    assert len(valid) > len(comments(plan))  # some comments are sent twice
    assert comments_by_intent(valid, plan.comment_intents) == counts


def test_a_comment_the_simulator_did_not_say_has_no_intent() -> None:
    stranger = {"id": "x-1", "type": "comment", "ts": "2026-11-22T12:00:00.000Z", "text": "hi"}
    with pytest.raises(ValueError, match="x-1"):
        comments_by_intent([stranger], {})
    with pytest.raises(ValueError, match="x-1"):
        comments_by_intent([stranger], {"x-1": "smalltalk"})
    later = stranger | {"type": "like", "count": 1}
    # The first occurrence of an id counts, whatever a later copy says.
    assert sum(comments_by_intent([later, stranger], {}).values()) == 0


def test_the_anchor_quotes_only_questions() -> None:
    plan = build_plan(5, 600, 30, START)
    asked = {str(e["text"]) for e in comments(plan) if "question" in plan.comment_intents[e["id"]]}
    said = [str(e["text"]) for e in plan.unique_events if e["type"] == "transcript"]
    quoted = [
        m.group(1) for line in said if (m := re.search(r"家人问：(.+)，(?:我来|下播前)", line))
    ]
    assert quoted
    assert all(q in asked for q in quoted), [q for q in quoted if q not in asked]


def test_the_runner_reports_the_counts_of_what_it_sent() -> None:
    from tests.unit.test_simulate_scenario import FakeServer, play

    server = FakeServer()
    report = play(server)
    built = build_plan(3, 20, 100, START)
    assert report.comments_by_intent == comments_by_intent(
        server.stored.values(), built.comment_intents
    )
    assert sum(report.comments_by_intent.values()) == report.totals["comments"] > 0
