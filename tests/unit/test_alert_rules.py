"""The alert rule table (alerts/rules.py): defaults, a show's overrides, what a breach is."""

from __future__ import annotations

from typing import Any

import pytest

from liveops.alerts.rules import DEFAULTS, RuleError, breached, effective

CONTRACT_RULES = {
    "low_stock",
    "sold_out",
    "stream_unhealthy",
    "stale_feed",
    "online_drop",
    "complaint_spike",
    "compliance",
    "question_unanswered",
    "cue_unacked",
}


def test_every_rule_the_contract_names_ships_with_defaults() -> None:
    assert set(DEFAULTS) >= CONTRACT_RULES
    for name in ("low_stock", "sold_out"):  # contract §12: not to the anchor
        assert set(DEFAULTS[name].roles) == {"field_control", "assistant"}
    assert DEFAULTS["low_stock"].threshold == 0.10
    for rule in DEFAULTS.values():
        assert rule.roles, rule.name
        assert rule.pending_seconds >= 0
        assert rule.recovery_seconds >= 0


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ("low_stock", 0.11, False),
        ("low_stock", 0.10, True),
        ("sold_out", 1, False),
        ("sold_out", 0, True),
        ("stream_unhealthy", 0.049, False),
        ("stream_unhealthy", 0.05, True),
        ("stale_feed", 59, False),
        ("stale_feed", 60, True),
        ("online_drop", 0.3, True),
    ],
)
def test_what_a_breach_is(rule: str, value: float, expected: bool) -> None:
    assert breached(DEFAULTS[rule], value) is expected


def test_a_show_overrides_fields_of_a_rule() -> None:
    rules = effective({"online_drop": {"threshold": 0.5, "roles": ["field_control"]}})
    assert rules["online_drop"].threshold == 0.5
    assert rules["online_drop"].roles == ("field_control",)
    assert rules["online_drop"].window_seconds == DEFAULTS["online_drop"].window_seconds
    assert rules["low_stock"] == DEFAULTS["low_stock"]
    assert effective({"stale_feed": {"enabled": False}})["stale_feed"].enabled is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nope": {}}, "no alert rule 'nope'"),
        ({"low_stock": {"name": "x"}}, "cannot change name"),
        ({"compliance": {"threshold": 3}}, "fires on an event"),
    ],
)
def test_overrides_that_cannot_apply_say_why(overrides: Any, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        effective(overrides)


def test_the_wire_names_every_rule() -> None:
    from typing import get_args

    from liveops.live.messages import AlertRule

    assert set(get_args(AlertRule.__value__)) == set(DEFAULTS)
