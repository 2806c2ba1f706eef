"""The pure parts of persisted alerts (alerts/schemas.py, service.py, review.py): the rule
override bodies kept in step with the rule table, what a fired alert may hold, the review's
summary, the changes for the live side, and docs/alerts.md's table of defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from liveops.alerts.review import row, summary
from liveops.alerts.rules import DEFAULT_RULES, DEFAULTS, OVERRIDABLE, Rule, effective
from liveops.alerts.schemas import (
    DAY_SECONDS,
    OVERRIDE_MODELS,
    UNITS,
    AlertRulesIn,
    RuleOverrides,
)
from liveops.alerts.service import (
    DETAIL_MAX_BYTES,
    NewAlert,
    bounded,
    check_new,
    is_alert_id,
    new_alert_id,
    rules_of_overrides,
    rules_read,
)
from liveops.live.changes import AlertChanged, AlertRulesChanged, from_json, to_json

DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"
RANGES = {"share": (0, 1), "seconds": (0, DAY_SECONDS), "count": (0, 10**9)}


class TestOverrideBodiesFollowTheRuleTable:
    def test_one_field_per_rule_in_the_table_order(self) -> None:
        assert list(RuleOverrides.model_fields) == [rule.name for rule in DEFAULT_RULES]

    def test_each_rule_has_the_body_of_its_unit(self) -> None:
        for rule in DEFAULT_RULES:
            unit = None if rule.on_event else UNITS[rule.name]
            annotation = RuleOverrides.model_fields[rule.name].annotation
            assert annotation == OVERRIDE_MODELS[unit] | None, rule.name
        assert set(UNITS) == {rule.name for rule in DEFAULT_RULES if not rule.on_event}

    def test_every_overridable_field_and_no_other(self) -> None:
        for unit, model in OVERRIDE_MODELS.items():
            expected = set(OVERRIDABLE) - ({"threshold"} if unit is None else set())
            assert set(model.model_fields) == expected, unit

    def test_every_default_is_a_valid_override(self) -> None:
        """A show can always write back the defaults it reads."""
        fields = [f for f in OVERRIDABLE if f != "threshold"]
        for rule in DEFAULT_RULES:
            sent: dict[str, Any] = {f: getattr(rule, f) for f in fields}
            sent["roles"] = list(rule.roles)
            if not rule.on_event:
                sent["threshold"] = rule.threshold
                low, high = RANGES[UNITS[rule.name]]
                assert rule.threshold is not None
                assert low <= rule.threshold <= high, rule.name
            body = AlertRulesIn.model_validate({"rules": {rule.name: sent}})
            assert effective(body.rules.overrides())[rule.name] == rule


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"nope": {}}, "no alert rule 'nope'; the rules are: low_stock, sold_out"),
        ({"low_stock": {"name": "x"}}, "cannot change name; a rule's enabled"),
        ({"compliance": {"threshold": 3}}, "fires on an event and has no threshold"),
        ({"low_stock": {"threshold": 1.5}}, "less than or equal to 1"),
        ({"low_stock": {"threshold": -0.1}}, "greater than or equal to 0"),
        ({"stale_feed": {"threshold": 86_401}}, "less than or equal to 86400"),
        ({"online_drop": {"window_seconds": 100_000}}, "less than or equal to 86400"),
        ({"online_drop": {"roles": ["integrator"]}}, "'field_control', 'assistant'"),
        ({"online_drop": {"roles": []}}, "at least 1 item"),
        ({"online_drop": {"severity": "fatal"}}, "'info', 'warning' or 'critical'"),
        ({"online_drop": {"enabled": "yes"}}, "valid boolean"),
        ({"online_drop": {"threshold": None}}, "must not be null: leave the field out"),
        ({"online_drop": None}, "must not be null: leave the rule out"),
        ({"cue_unacked": {"escalate_after_seconds": 0}}, "greater than or equal to 1"),
        ({"cue_unacked": {"threshold": "30"}}, "valid number"),
    ],
)
def test_an_override_that_cannot_apply_says_why(rules: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AlertRulesIn.model_validate({"rules": rules})


def test_an_override_keeps_what_was_sent() -> None:
    body = AlertRulesIn.model_validate(
        {
            "rules": {
                "cue_unacked": {"escalate_after_seconds": None, "threshold": 45},
                "low_stock": {"roles": ["anchor", "field_control", "anchor"]},
                "stale_feed": {},
            }
        }
    )
    # In the table's order; null escalation is a value (never); roles once each.
    assert body.rules.overrides() == {
        "low_stock": {"roles": ["anchor", "field_control"]},
        "cue_unacked": {"threshold": 45.0, "escalate_after_seconds": None},
    }
    rules = effective(body.rules.overrides())
    assert rules["cue_unacked"].escalate_after_seconds is None
    assert rules["low_stock"].roles == ("anchor", "field_control")


def test_the_rules_as_read() -> None:
    at = datetime(2026, 12, 4, tzinfo=UTC)
    read = rules_read("show_1", {"low_stock": {"threshold": 0.2}}, 3, at)
    assert (read.version, read.updated_at, read.show_id) == (3, at, "show_1")
    assert [r.name for r in read.rules] == [rule.name for rule in DEFAULT_RULES]
    by_name = {r.name: r for r in read.rules}
    assert (by_name["low_stock"].threshold, by_name["low_stock"].overridden) == (0.2, ["threshold"])
    assert by_name["low_stock"].unit == "share"
    assert "threshold" not in by_name["compliance"].overridable
    assert (by_name["compliance"].unit, by_name["compliance"].on_event) == (None, True)
    assert by_name["sold_out"].overridden == []
    assert read.overrides == {"low_stock": {"threshold": 0.2}}


def test_an_override_the_rule_table_no_longer_takes_is_skipped() -> None:
    rules = rules_of_overrides({"gone": {"threshold": 1}, "low_stock": {"threshold": 0.3}}, "s")
    assert rules["low_stock"].threshold == 0.3
    assert "gone" not in rules
    assert rules["sold_out"] == DEFAULTS["sold_out"]


class TestNewAlerts:
    def alert(self, **changes: Any) -> NewAlert:
        fields: dict[str, Any] = {
            "id": new_alert_id(),
            "rule": "low_stock",
            "severity": "warning",
            "roles": ["field_control"],
            "message": "A1 库存不足",
            "fired_at": datetime(2026, 12, 4, tzinfo=UTC),
        }
        return NewAlert(**{**fields, **changes})

    def test_ids(self) -> None:
        made = {new_alert_id() for _ in range(100)}
        assert len(made) == 100
        assert all(is_alert_id(i) for i in made)
        for bad in ("al_", "al_0123456789ABCDEF", "xx_0123456789abcdef", "al_0123456789abcdef0"):
            assert not is_alert_id(bad)

    def test_a_good_alert_passes(self) -> None:
        check_new(self.alert(value=0.05, threshold=0.1, sku="A1", subject="A1"))

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"id": "al_1"}, "does not match"),
            ({"rule": "nope"}, "no alert rule 'nope'"),
            ({"severity": "fatal"}, "severity 'fatal'"),
            ({"roles": ["integrator"]}, "roles integrator are not alert roles"),
            ({"value": float("nan")}, "value must be a finite number"),
            ({"threshold": float("inf")}, "threshold must be a finite number"),
            ({"subject": "s" * 129}, "subject is over 128"),
            ({"sku": "s" * 65}, "sku is over 64"),
            ({"fired_at": datetime(2026, 12, 4)}, "timezone-aware"),
        ],
    )
    def test_a_broken_alert_is_refused(self, changes: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            check_new(self.alert(**changes))

    def test_detail_is_bounded(self) -> None:
        small = {"line": "全网最低价", "violations": [{"term": "最低价"}], "cue_id": 7}
        assert bounded(small) == small
        big = {"line": "话" * 2000, "more": "x" * 3000, "cue_id": 7}
        kept = bounded(big)
        assert kept == {"line": "话" * 2000, "cue_id": 7, "truncated": ["more"]}
        assert len(json.dumps(kept, ensure_ascii=False).encode()) <= DETAIL_MAX_BYTES


def _alert(rule: str, state: str, ack: float | None, resolve: float | None, by: Any) -> Any:
    return {
        "rule": rule,
        "state": state,
        "ack_seconds": ack,
        "resolve_seconds": resolve,
        "resolved_by": by,
    }


class TestReviewSummary:
    def test_per_rule_and_overall(self) -> None:
        person = {"label": "场控", "role": "field_control"}
        alerts = [
            _alert("sold_out", "resolved", 4.0, 30.0, person),
            _alert("low_stock", "resolved", None, 12.0, None),
            _alert("low_stock", "acknowledged", 2.0, None, None),
            _alert("low_stock", "resolved", 10.0, 20.0, person),
            _alert("zz_later", "firing", None, None, None),
        ]
        by_rule, overall = summary(alerts, order=["low_stock", "sold_out"])
        assert [r["rule"] for r in by_rule] == ["low_stock", "sold_out", "zz_later"]
        assert by_rule[0] == {
            "rule": "low_stock",
            "count": 3,
            "open": 1,
            "acknowledged": 2,
            "resolved": 2,
            "resolved_by_itself": 1,
            "median_ack_seconds": 6.0,
            "max_ack_seconds": 10.0,
            "median_resolve_seconds": 16.0,
            "max_resolve_seconds": 20.0,
        }
        assert by_rule[2]["median_ack_seconds"] is None
        assert (overall["count"], overall["open"], overall["median_ack_seconds"]) == (5, 2, 4.0)
        assert overall["max_resolve_seconds"] == 30.0

    def test_no_alerts(self) -> None:
        assert summary([]) == ([], row([]))
        assert row([])["count"] == 0
        assert row([])["median_resolve_seconds"] is None


@pytest.mark.parametrize(
    "change",
    [
        AlertChanged("s1", {"id": "al_0123456789abcdef", "state": "acknowledged"}),
        AlertRulesChanged("s1"),
    ],
    ids=["alert", "alert_rules"],
)
def test_the_alert_changes_survive_the_bus(change: Any) -> None:
    assert from_json(to_json(change)) == change


# ---- docs/alerts.md ----------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:g} s"


def _threshold(rule: Rule) -> str:
    if rule.threshold is None:
        return "— (an event)"
    unit = UNITS[rule.name]
    if unit == "share":
        return f"{rule.threshold:g} ({rule.threshold * 100:g} %)"
    return _seconds(rule.threshold) if unit == "seconds" else f"{rule.threshold:g}"


def defaults_table() -> str:
    """The table of shipped defaults docs/alerts.md holds, made from rules.DEFAULTS."""
    lines = [
        "| Rule | Watches | Threshold | Window | Pending | Recovery | Escalate after "
        "| Severity | Roles |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for rule in DEFAULT_RULES:
        cells = [
            f"`{rule.name}`",
            rule.description,
            _threshold(rule),
            _seconds(rule.window_seconds),
            _seconds(rule.pending_seconds),
            _seconds(rule.recovery_seconds),
            _seconds(rule.escalate_after_seconds),
            rule.severity,
            ", ".join(rule.roles),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_the_docs_table_of_defaults_is_the_rule_table() -> None:
    table = defaults_table()
    assert table in DOC.read_text(encoding="utf-8"), (
        "docs/alerts.md's table of defaults differs from alerts/rules.py; replace it with:\n"
        + table
    )
