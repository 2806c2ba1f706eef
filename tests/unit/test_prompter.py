"""The prompter's pure core: rendering placeholders, the script rule, and the anchor's view."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from liveops.rundown.prompter import (
    MISSING,
    PLACEHOLDERS,
    SCRIPT_PATTERN,
    Part,
    ScriptError,
    UnknownPlaceholder,
    check_script,
    clock,
    render,
    spoken_count,
    yuan,
)
from liveops.rundown.schemas import CueRead
from liveops.rundown.view import PlannedSegment, PrompterInputs, prompter_view, questions

VALUES: dict[str, str | None] = {
    "price": "199元",
    "live_price": "99元",
    "stock_left": "37",
    "sold": "163",
    "online": "1200",
    "countdown": "2:05",
    "top_question": "有没有XL码？",
}


@pytest.mark.parametrize(
    ("script", "text"),
    [
        ("原价{price}", "原价199元"),
        ("直播间只要{live_price}", "直播间只要99元"),
        ("还剩{stock_left}件", "还剩37件"),
        ("已抢{sold}件", "已抢163件"),
        ("{online}位家人在线", "1200位家人在线"),
        ("倒计时{countdown}", "倒计时2:05"),
        ("有人问：{top_question}", "有人问：有没有XL码？"),
        ("{ live_price }", "99元"),  # spaces around the name
        ("{price}→{live_price}", "199元→99元"),
        ("{{price}}", "{price}"),  # doubled braces are literal
        ("{{{live_price}}}", "{99元}"),
        ("{{ }}", "{ }"),
        ("no placeholders", "no placeholders"),
        ("", ""),
        ("两行\n{sold}", "两行\n163"),
    ],
)
def test_every_placeholder_renders(script: str, text: str) -> None:
    assert render(script, VALUES).text == text


def test_every_placeholder_is_in_the_table() -> None:
    # The table above covers each placeholder: a new one must be added there too.
    covered = {"price", "live_price", "stock_left", "sold", "online", "countdown", "top_question"}
    assert set(PLACEHOLDERS) == covered


@pytest.mark.parametrize(
    ("values", "text", "missing"),
    [
        ({"stock_left": None}, f"剩{MISSING}件", True),  # a segment without SKU, or no ledger row
        ({}, f"剩{MISSING}件", True),  # absent is unknown too
        ({"stock_left": "0"}, "剩0件", False),  # sold out is a value, not unknown
    ],
)
def test_unknown_values_show_a_dash(
    values: dict[str, str | None], text: str, missing: bool
) -> None:
    rendered = render("剩{stock_left}件", values)
    assert rendered.text == text
    assert rendered.parts == [Part(1, 1 + len(text) - 2, "stock_left", missing)]


def test_parts_are_offsets_of_the_values_in_the_text() -> None:
    rendered = render("{{原价}}{price}，现在{live_price}！还剩{stock_left}件", VALUES)
    assert rendered.text == "{原价}199元，现在99元！还剩37件"
    assert [(p.name, rendered.text[p.start : p.end]) for p in rendered.parts] == [
        ("price", "199元"),
        ("live_price", "99元"),
        ("stock_left", "37"),
    ]
    assert rendered.parts[0] == Part(4, 8, "price", False)


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("{prize}", "unknown placeholder {prize}"),
        ("{价格}", "unknown placeholder {价格}"),
        ("{}", "unknown placeholder {}"),
        ("{a}{price}{b}{a}", "unknown placeholders {a}, {b}"),
        ("价格 {", "a lone '{' at position 3"),
        ("} 价格", "a lone '}' at position 0"),
        ("{price", "a lone '{' at position 0"),
        ("{{price}", "a lone '}' at position 7"),
        ("{live price}", "a lone '{' at position 0"),
        ("a\x00b", "control characters (found U+0000 at position 1)"),
        ("a\x1bb", "U+001B"),
    ],
)
def test_bad_scripts_are_refused_by_name(script: str, message: str) -> None:
    with pytest.raises(ScriptError) as refused:
        render(script, VALUES)
    assert message in str(refused.value)


def test_an_unknown_placeholder_lists_the_known_ones() -> None:
    with pytest.raises(UnknownPlaceholder) as refused:
        check_script("{prize}")
    assert refused.value.names == ["prize"]
    assert "{top_question}" in str(refused.value)


@pytest.mark.parametrize(
    "script",
    [
        "",
        "plain",
        "{price}",
        "{ countdown }",
        "{{ {sold} }}",
        "tab\tand\r\nlines",
        "{prize}",
        "{",
        "}",
        "{{price}",
        "{price}}",
        "{}",
        "a\x00",
        "a\x85",
        "{live price}",
        "{ top_question}",
    ],
)
def test_the_schema_pattern_says_exactly_what_check_script_accepts(script: str) -> None:
    try:
        check_script(script)
        accepted = True
    except ScriptError:
        accepted = False
    assert (re.fullmatch(SCRIPT_PATTERN.strip("^$"), script) is not None) == accepted


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (0, "0元"),
        (9900, "99元"),
        (9950, "99.5元"),
        (9905, "99.05元"),
        (19_999, "199.99元"),
        (1, "0.01元"),
    ],
)
def test_prices_in_yuan(fen: int, shown: str) -> None:
    assert yuan(fen) == shown


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0"),
        (9_999, "9999"),
        (10_000, "1万"),
        (12_345, "1.2万"),
        (19_999, "1.9万"),  # rounded down: never more viewers than there are
        (100_000, "10万"),
        (1_234_567, "123.4万"),
    ],
)
def test_counts_as_an_anchor_reads_them(count: int, shown: str) -> None:
    assert spoken_count(count) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (180, "3:00"),
        (125, "2:05"),
        (59.2, "1:00"),  # rounded up: 0:00 only when the time is really up
        (0.4, "0:01"),
        (0, "0:00"),
        (-30, "0:00"),  # past the planned end
        (4500, "75:00"),
    ],
)
def test_countdown_clock(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown


NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
SEGMENTS = (
    PlannedSegment("hook", "开场钩子", None, 15, "{online}位家人，{top_question}"),
    PlannedSegment(
        "s1", "羊绒围巾", "A1", 180, "原价{price}现在{live_price}，剩{stock_left}件，{countdown}"
    ),
    PlannedSegment("s2", "福利", "B2", 300, "{sold}"),
)


def inputs(current: str | None, entered: datetime | None, **extra: Any) -> PrompterInputs:
    fields: dict[str, Any] = {
        "show_id": "show_x",
        "version": 3,
        "segments": SEGMENTS,
        "current_segment_id": current,
        "entered_at": entered,
        "ended_at": None,
        "prices": {"A1": (19_900, 9_900)},
        "stock": {"A1": {"sku": "A1", "available": 40, "sold": 10, "rev": 5}},
        "cues": (),
    }
    return PrompterInputs(**(fields | extra))


def board(*representatives: str, closed: tuple[str, ...] = ()) -> dict[str, Any]:
    """The `questions` part of a snapshot: open clusters most pressing first."""
    open_ = [{"representative": r, "status": "open"} for r in representatives]
    return {
        "clusters": open_,
        "open": len(open_),
        "closed": [{"representative": r, "status": "answered"} for r in closed],
    }


LIVE = {
    "metrics": {"online": 1234},
    "questions": board("有没有XL码？"),
    "feed": [
        {"kind": "comment", "text": "有没有XL码？", "viewer_id": "v1", "ts": 1},
        {"kind": "order", "event": "paid"},
        {"kind": "comment", "text": "主播好美", "viewer_id": "v2", "ts": 2},
    ],
    "stock": [{"sku": "A1", "available": 37, "sold": 13, "rev": 7}],
}


def test_the_view_before_the_show_shows_the_first_segment_next() -> None:
    view = prompter_view(inputs(None, None), LIVE, NOW)
    assert view["segment"] is None
    assert view["text"] == ""
    assert view["next"] == {"id": "hook", "title": "开场钩子", "beat": None}
    assert view["cues"] == []


def test_the_view_renders_the_current_segment_with_live_values() -> None:
    view = prompter_view(inputs("s1", NOW - timedelta(seconds=55.5)), LIVE, NOW)
    assert view["segment"] == {
        "id": "s1",
        "title": "羊绒围巾",
        "sku": "A1",
        "planned_seconds": 180,
        "elapsed_seconds": 55,
        "beat": None,
    }
    # The live snapshot's ledger row is newer (rev 7 > 5): its count shows.
    assert view["text"] == "原价199元现在99元，剩37件，2:05"
    assert view["next"] == {"id": "s2", "title": "福利", "beat": None}
    assert view["remaining_seconds"] == 125
    assert view["overrun_seconds"] == 0
    assert [p["name"] for p in view["parts"]] == ["price", "live_price", "stock_left", "countdown"]


def test_the_stored_row_wins_when_the_snapshot_trails() -> None:
    stale = LIVE | {"stock": [{"sku": "A1", "available": 50, "sold": 0, "rev": 1}]}
    view = prompter_view(inputs("s1", NOW), stale, NOW)
    assert "剩40件" in view["text"]


def test_online_and_top_question_come_from_the_live_snapshot() -> None:
    view = prompter_view(inputs("hook", NOW), LIVE, NOW)
    assert view["text"] == "1234位家人，有没有XL码？"
    assert view["segment"]["sku"] is None
    no_live = prompter_view(inputs("hook", NOW), None, NOW)
    assert no_live["text"] == f"{MISSING}位家人，{MISSING}"


@pytest.mark.parametrize(
    ("open_", "closed", "expected"),
    [
        ((), (), []),
        ((), ("多少钱",), []),  # answered questions are not on the anchor's screen
        (("多大码", "包邮吗"), (), ["多大码", "包邮吗"]),
        (
            ("几号发货", "能不能便宜", "包邮吗", "有赠品吗"),
            (),
            ["几号发货", "能不能便宜", "包邮吗"],
        ),
        (("多大码", "多大码"), (), ["多大码"]),
        (("？" * 150,), (), ["？" * 99 + "…"]),
    ],
)
def test_questions_are_the_top_open_clusters(
    open_: tuple[str, ...], closed: tuple[str, ...], expected: list[str]
) -> None:
    live = {"questions": board(*open_, closed=closed)}
    assert questions(live) == expected
    view = prompter_view(inputs("hook", NOW), live, NOW)
    assert view["questions"] == expected
    assert view["text"].endswith(expected[0] if expected else MISSING)


def test_countdown_past_the_end_and_the_last_segment() -> None:
    view = prompter_view(inputs("s2", NOW - timedelta(seconds=330)), LIVE, NOW)
    assert view["overrun_seconds"] == 30
    assert view["remaining_seconds"] == 0
    assert view["next"] is None
    # s2's SKU has a price nowhere: the lineup holds only A1, and no ledger row for B2.
    assert view["text"] == MISSING
    assert view["values"]["countdown"] == "0:00"


def test_open_cues_carry_how_long_they_have_been_open() -> None:
    cue = CueRead.model_validate(
        {
            "id": 9,
            "text": "讲一下尺码",
            "by": {"label": "场控", "role": "field_control"},
            "created_at": NOW - timedelta(seconds=12),
            "acked_at": None,
            "ack_seconds": None,
            "acked_by": None,
            "open_seconds": 0,
        }
    )
    view = prompter_view(inputs("s1", NOW, cues=(cue,)), LIVE, NOW)
    assert [(c["id"], c["text"], c["open_seconds"]) for c in view["cues"]] == [
        (9, "讲一下尺码", 12.0)
    ]


def test_no_run_sheet_no_segment_no_next() -> None:
    view = prompter_view(inputs(None, None, segments=()), LIVE, NOW)
    assert (view["segment"], view["text"], view["next"]) == (None, "", None)


def test_the_clock_stops_when_the_show_ends() -> None:
    entered = NOW - timedelta(seconds=100)
    view = prompter_view(inputs("s1", entered, ended_at=NOW - timedelta(seconds=40)), LIVE, NOW)
    assert view["segment"]["elapsed_seconds"] == 60
    assert view["values"]["countdown"] == "2:00"
