"""The simulated show on air: its run-sheet, the anchor's transcript and field control's cues.

The run-sheet must pass the shipped compliance rules (findings would stop the show's start),
and the transcript must break them exactly where the plan says it slips (about 1 line in 40),
so that a demo shows compliance alerts and nothing else raises one.
"""

from __future__ import annotations

import itertools
import random
import re
from datetime import UTC, datetime

import pytest

from liveops.compliance import check_texts
from liveops.rundown.prompter import PLACEHOLDERS, check_script, placeholders
from liveops.simulate import DEMO_LINEUP, Product, ShowPlan, build_plan, scripts
from liveops.simulate.scenario import plan_runsheet
from liveops.simulate.scripts import PlannedSegment
from liveops.simulate.texts import INTENT_OF, asks, comment_text
from liveops.simulate.timeline import layout
from liveops.simulate.truth import ts_micros

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
START_US = ts_micros("2026-11-22T12:00:00Z")
ODD = Product("X{1}", "特价{清仓}毛巾", "清仓", 1990, 990, 50)


@pytest.fixture(scope="module")
def plan() -> ShowPlan:
    return build_plan(5, 600, 30, START)


def segment_at(segments: tuple[PlannedSegment, ...], t_ms: int) -> PlannedSegment:
    return [s for s in segments if s.window.start_ms <= t_ms][-1]


def test_the_run_sheet_is_a_warm_up_a_segment_per_product_and_a_closing() -> None:
    segments = plan_runsheet(1800).segments
    assert [s.id for s in segments] == [
        "warmup",
        *(f"p{k}-{p.sku}" for k, p in enumerate(DEMO_LINEUP, 1)),
        "closing",
    ]
    assert [s.beat for s in segments] == [
        "warmup",
        *("welfare" if p.role == "福利款" else "push" for p in DEMO_LINEUP),
        "interaction",
    ]
    assert [s.product for s in segments[1:-1]] == list(DEMO_LINEUP)
    # The windows tile the show; planned seconds are them, scaled to the show's length.
    assert segments[0].window.start_ms == 0
    assert segments[-1].window.end_ms == 1_800_000
    for a, b in itertools.pairwise(segments):
        assert a.window.end_ms == b.window.start_ms
    assert abs(sum(s.planned_seconds for s in segments) - 1800) <= len(segments)
    assert 60 <= segments[0].planned_seconds <= 120  # a warm-up of a minute or two
    for segment in segments[1:-1]:
        assert segment.fabe is not None
        assert all(segment.fabe.as_json().values())
        assert segment.as_json()["sku"] == segment.product.sku  # type: ignore[union-attr]
    # Every placeholder is used somewhere, and every script is one the API accepts.
    used = {name for s in segments for name in placeholders(s.script)}
    assert used == set(PLACEHOLDERS)
    for segment in segments:
        check_script(segment.script)
        assert segment.as_json()["planned_seconds"] == segment.planned_seconds


def test_products_are_pinned_while_their_segment_is_on_air() -> None:
    laid = layout(600_000, DEMO_LINEUP)
    segments = plan_runsheet(600).segments
    assert [(s.product, s.window) for s in segments[1:-1]] == [
        (seg.product, seg.window) for seg in laid.segments
    ]
    flash = [s for s in segments if laid.flash.start_ms in s.window]
    assert len(flash) == 1
    assert flash[0].product is laid.flash_product
    # The 秒杀 comes in the welfare beat, after hook, FABE and push.
    assert flash[0].stage_at(laid.flash.start_ms) == "welfare"
    assert "秒杀" in flash[0].script
    assert "秒杀" not in "".join(s.script for s in segments if s is not flash[0])


def test_long_shows_rerun_the_lineup_and_stay_within_200_segments() -> None:
    two = plan_runsheet(3600).segments
    assert len(two) == 2 * len(DEMO_LINEUP) + 2
    assert len({s.id for s in two}) == len(two)
    assert [s.title for s in two[7:-1]] == [f"返场·{p.name}" for p in DEMO_LINEUP]
    huge = plan_runsheet(100 * 3600).segments
    assert len(huge) <= scripts.SEGMENTS_MAX
    assert len({s.id for s in huge}) == len(huge)


@pytest.mark.parametrize("duration", [1, 6, 0.05])
def test_tiny_shows_still_plan_a_run_sheet_the_api_takes(duration: float) -> None:
    segments = plan_runsheet(duration).segments
    assert all(s.planned_seconds >= 1 for s in segments)
    assert segments[-1].window.end_ms == max(1, round(duration * 1000))


def test_a_brace_in_a_product_name_stays_literal() -> None:
    [_, segment, _] = plan_runsheet(60, (ODD,)).segments
    check_script(segment.script)
    assert placeholders(segment.script)
    assert "清仓" in segment.script
    said = scripts.speak(segment.lines[0].text, {"price": "19块9", "live_price": "9块9"})
    assert said == "原价19块9的特价{清仓}毛巾，今天直播间只要9块9！"


def test_every_script_and_fabe_text_passes_the_shipped_rules() -> None:
    texts: list[str] = []
    for lineup in (DEMO_LINEUP, (ODD,)):
        for segment in plan_runsheet(3600, lineup).segments:
            texts.extend(line.text for line in segment.lines)
            if segment.fabe is not None:
                texts.extend(segment.fabe.as_json().values())
    texts += list(scripts.FILLERS) + [reply for _, reply in scripts.CUES.values()]
    flagged = {t: v for t, v in zip(texts, check_texts(texts), strict=True) if v}
    assert flagged == {}


def test_every_slip_breaks_the_shipped_rules() -> None:
    slips = [s for p in (None, *DEMO_LINEUP, ODD) for s in scripts.all_slips(p)]
    missed = [s for s, v in zip(slips, check_texts(slips), strict=True) if not v]
    assert missed == []


def test_a_quoted_viewer_question_passes_the_rules() -> None:
    """{top_question} is read out: no comment a simulated viewer asks may trip the rules."""
    rng = random.Random(0)
    categories = [c for c in INTENT_OF if asks(c)]
    assert len(categories) == 4
    asked = {
        comment_text(rng, category, product)
        for category in categories
        for product in (*DEMO_LINEUP, ODD)
        for _ in range(40)
    }
    lines = [f"有家人问：{q}，我来回答一下。" for q in sorted(asked)]
    assert len(lines) > 20
    assert [q for q, v in zip(lines, check_texts(lines), strict=True) if v] == []


def transcript(plan: ShowPlan) -> list[dict[str, object]]:
    return [e for e in plan.unique_events if e["type"] == "transcript"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_transcript_slips_about_one_line_in_forty_and_only_there(seed: int) -> None:
    built = build_plan(seed, 900, 30, START)
    lines = [str(e["text"]) for e in transcript(built)]
    assert len(lines) == built.transcript_lines > 150
    assert all(1 <= len(line) <= 500 for line in lines)
    flagged = sum(1 for v in check_texts(lines) if v)
    assert flagged == built.slips
    share = built.slips / len(lines)
    assert share > 1 / 60
    assert share < 1 / 25


def test_the_transcript_follows_the_segment_on_air(plan: ShowPlan) -> None:
    """Most lines are the on-air segment's script read out (placeholders spoken), the rest
    fillers, replies to cues and the planned slips."""

    def pattern(template: str) -> re.Pattern[str]:
        parts = re.split(r"\{\w+\}", template.replace("{{", "{").replace("}}", "}"))
        return re.compile(".+?".join(re.escape(p.rstrip("。！")) for p in parts))

    segments = plan.rundown.segments
    own = 0
    lines = transcript(plan)
    for event in lines:
        t_ms = (ts_micros(str(event["ts"])) - START_US) // 1000
        segment = segment_at(segments, t_ms)
        text = str(event["text"])
        if any(pattern(line.text).search(text) for line in segment.lines):
            own += 1
    assert own / len(lines) > 0.6


def test_spoken_values() -> None:
    assert scripts.spoken_price(9900) == "99块"
    assert scripts.spoken_price(990) == "9块9"
    assert scripts.spoken_price(1) == "0.01元"
    assert scripts.spoken_count(87) == "87"
    assert scripts.spoken_count(1234) == "1200多"
    assert scripts.spoken_count(300) == "300"
    assert scripts.spoken_duration(150_000) == "2分30秒"
    assert scripts.spoken_duration(180_000) == "3分钟"
    assert scripts.spoken_duration(39_001) == "40秒"
    assert scripts.spoken_duration(0) == "1秒"


def test_cues_come_at_sensible_moments(plan: ShowPlan) -> None:
    segments = plan.rundown.segments
    cues = plan.rundown.cues
    assert [c.at for c in cues] == sorted(c.at for c in cues)
    kinds = [c.kind for c in cues]
    assert {"lucky_bag", "flash", "stall", "closing"} <= set(kinds)
    assert len(cues) <= 3 * len(segments)  # a few, not a stream
    by_id = {s.id: s for s in segments}
    for cue in cues:
        assert cue.text == scripts.CUES[cue.kind][0]
        assert 0 <= cue.at <= plan.duration
        assert 2 <= cue.ack_after <= 8  # a show of minutes: the anchor reads it in 2–8 s
        on_air = segment_at(segments, round(cue.at * 1000))
        assert on_air.id == cue.segment_id
        if cue.kind == "lucky_bag":
            assert on_air.id == "warmup"
        if cue.kind == "closing":
            assert on_air.id == "closing"
        if cue.kind == "flash":
            assert on_air.product is not None
            assert on_air.product.sku == plan.flash_sale.sku
            assert cue.at < plan.flash_sale.start
        if cue.kind in ("stock", "question"):
            assert by_id[cue.segment_id].product is not None
    assert len(set(zip(kinds, (c.segment_id for c in cues), strict=True))) == len(cues)


def test_a_short_show_compresses_the_anchors_reading_time() -> None:
    cues = build_plan(2, 6, 80, START).rundown.cues
    assert cues
    assert all(0.05 <= c.ack_after <= 0.4 for c in cues)


def test_same_seed_same_show_on_air(plan: ShowPlan) -> None:
    again = build_plan(5, 600, 30, START)
    assert again.rundown == plan.rundown
    assert transcript(again) == transcript(plan)
    other = build_plan(6, 600, 30, START)
    assert transcript(other) != transcript(plan)
    assert other.rundown.segments == plan.rundown.segments  # the plan is the same show's
