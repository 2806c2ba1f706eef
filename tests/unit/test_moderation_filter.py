"""The pure moderation core (moderation/filter.py) and the user card's pure parts, as tables."""

from __future__ import annotations

from typing import Any

import pytest

from liveops.moderation.filter import (
    KEYWORDS_MAX,
    Ban,
    ModerationState,
    Reason,
    clean_keywords,
)
from liveops.moderation.service import excerpt, order_states, watch_seconds

S = 1_000_000  # a second in µs
T0 = 1_800_000_000 * S


def state() -> ModerationState:
    return ModerationState(
        hidden={"c-hidden"},
        bans=[
            Ban(1, "v-banned", T0 + 10 * S),  # in force from 10 s
            Ban(2, "v-lifted", T0 + 10 * S, T0 + 20 * S),  # 10 s to 20 s
        ],
        keywords=["加微信", "VX", "代购"],
    )


@pytest.mark.parametrize(
    ("event_id", "viewer", "text", "at_s", "reason"),
    [
        ("c1", "v1", "这件有XL吗", 30, None),
        ("c-hidden", "v1", "这件有XL吗", 30, "hidden"),  # by hand, whatever else
        ("c-hidden", "v-banned", "加微信", 30, "hidden"),  # the first reason wins
        ("c2", "v-banned", "这件有XL吗", 9, None),  # before the ban
        ("c3", "v-banned", "这件有XL吗", 10, "banned"),  # from the ban's moment on
        ("c4", "v-banned", "这件有XL吗", 10_000, "banned"),  # in force: no end
        ("c5", "v-lifted", "hi", 15, "banned"),  # while it held
        ("c6", "v-lifted", "hi", 20, None),  # lifted at 20 s: shown again
        ("c7", "v-lifted", "hi", 5, None),  # before it
        ("c8", "v1", "主播加微信聊", 30, "keyword"),  # a substring: no word breaks in Chinese
        ("c9", "v1", "加我ｖｘ", 30, "keyword"),  # full-width, lower case: NFKC and folded
        ("c10", "v1", "找代购吗", 30, "keyword"),
        ("c11", "v1", "", 30, None),
        ("c12", None, "加 微信", 30, None),  # a space breaks the keyword
        ("c13", "v-other", "hi", 30, None),
    ],
)
def test_what_is_hidden_and_why(
    event_id: str, viewer: str | None, text: str, at_s: int, reason: Reason | None
) -> None:
    assert state().hides(viewer, text, T0 + at_s * S, event_id) == reason


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"kind": "comment", "id": "c1", "ts": (T0 + 30 * S) // 1000, "viewer_id": "v-banned",
          "text": "hi"}, "banned"),
        ({"kind": "comment", "id": "c-hidden", "ts": 0, "viewer_id": "v1", "text": "x"}, "hidden"),
        ({"kind": "comment", "id": "c2", "ts": 0, "viewer_id": "v1", "text": "VX"}, "keyword"),
        # An order of a banned viewer is still an order.
        ({"kind": "order", "id": "o1", "ts": (T0 + 30 * S) // 1000, "viewer_id": "v-banned",
          "event": "created", "order_id": "o1"}, None),
    ],
)  # fmt: skip
def test_feed_items(item: dict[str, Any], reason: Reason | None) -> None:
    assert state().hides_item(item) == reason


def test_a_ban_is_compared_in_whole_milliseconds_as_feed_items_carry_time() -> None:
    ban = Ban(1, "v", T0 + 1_500)  # 1.5 ms after T0
    assert ban.covers(T0 + 1_000)  # same millisecond: an item at T0 + 1 ms agrees
    assert not ban.covers(T0 + 999)


def test_update_adds_lifts_and_replaces() -> None:
    moderation = ModerationState()
    assert moderation.hides("v", "x", T0) is None
    moderation.update(bans=[Ban(7, "v", T0)])
    assert moderation.hides("v", "x", T0 + S) == "banned"
    moderation.update(bans=[Ban(7, "v", T0, T0 + S // 2)])  # the same ban, lifted
    assert moderation.hides("v", "x", T0 + S) is None
    assert moderation.hides("v", "x", T0) == "banned"
    moderation.update(keywords=["x"])
    assert moderation.hides("v", "x", T0 + S) == "keyword"
    moderation.update(keywords=[])
    assert moderation.hides("v", "x", T0 + S) is None
    moderation.update(hidden=["c1"])
    assert moderation.hides("v", "x", T0 + S, "c1") == "hidden"
    assert [b.id for b in moderation.bans] == [7]


def test_a_ban_survives_the_bus() -> None:
    ban = Ban(3, "v", T0, T0 + S)
    assert Ban.of_json(ban.to_json()) == ban
    assert Ban.of_json(Ban(4, "v", T0).to_json()).until_us is None


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ([], []),
        (["加微信", " VX ", "vx", "ＶＸ", "代购"], ["加微信", "VX", "代购"]),  # folded, first kept
        (["a" * 50], ["a" * 50]),
        (["   ", "代购", " "], ["代购"]),  # blank lines dropped
        (["全角　空格"], ["全角　空格"]),  # an ideographic space is a character like any
    ],
)
def test_keyword_lists_are_cleaned(given: list[str], kept: list[str]) -> None:
    assert clean_keywords(given) == kept


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (["a" * 51], "at most 50 characters"),
        (["ok", "tab\there"], "keyword 1 holds a control"),
        (["ok", "nul\x00"], "keyword 1 holds a control"),
        ([f"k{i}" for i in range(KEYWORDS_MAX + 1)], "at most 500"),
    ],
)
def test_keyword_lists_that_are_refused(given: list[str], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        clean_keywords(given)


def test_five_hundred_keywords_against_a_long_comment() -> None:
    moderation = ModerationState(keywords=[f"词{i:03d}" for i in range(KEYWORDS_MAX)])
    assert moderation.hides("v", "好" * 495 + "词499", T0) == "keyword"
    assert moderation.hides("v", "好" * 500, T0) is None


@pytest.mark.parametrize(
    ("moves", "end_s", "seconds"),
    [
        ([], 100, None),
        ([(10, "viewer.leave")], 100, None),  # never joined (here)
        ([(10, "viewer.join")], 100, 90.0),  # still there at the end
        ([(10, "viewer.join"), (40, "viewer.leave")], 100, 30.0),
        ([(40, "viewer.leave"), (10, "viewer.join")], 100, 30.0),  # out of order
        ([(10, "viewer.join"), (20, "viewer.join"), (40, "viewer.leave")], 100, 30.0),
        (
            [(10, "viewer.join"), (20, "viewer.leave"), (50, "viewer.join"), (60, "viewer.leave")],
            100,
            20.0,
        ),
        ([(10, "viewer.join"), (20, "viewer.leave"), (30, "viewer.leave")], 100, 10.0),
    ],
)
def test_watch_time(moves: list[tuple[int, str]], end_s: int, seconds: float | None) -> None:
    assert watch_seconds([(T0 + t * S, k) for t, k in moves], T0 + end_s * S) == seconds


def test_order_outcomes() -> None:
    reached = order_states(
        [("o1", "order.paid"), ("o1", "order.refunded"), ("o2", "order.cancelled")]
    )
    assert reached == {"o1": {"paid", "refunded"}, "o2": {"cancelled"}}


@pytest.mark.parametrize(
    ("text", "shown"),
    [("短", "短"), ("字" * 40, "字" * 40), ("字" * 41, "字" * 39 + "…")],
)
def test_the_audit_log_keeps_an_excerpt(text: str, shown: str) -> None:
    assert excerpt(text) == shown
