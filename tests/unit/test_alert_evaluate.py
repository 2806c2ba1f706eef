"""An evaluation round (alerts/evaluate.py): readings of several rules and subjects at once."""

from __future__ import annotations

from liveops.alerts.evaluate import Key, evaluate
from liveops.alerts.machine import Transition, Watch
from liveops.alerts.rules import effective
from liveops.alerts.signals import Reading


def test_each_rule_and_subject_has_its_own_watch() -> None:
    rules = effective({"low_stock": {"recovery_seconds": 0}})
    watches: dict[Key, Watch] = {}
    first = evaluate(
        rules,
        [
            Reading("low_stock", "A", 0.05),
            Reading("low_stock", "B", 0.5),
            Reading("sold_out", "A", 1),
        ],
        watches,
        0,
    )
    assert [(o.rule.name, o.subject, o.transition) for o in first] == [
        ("low_stock", "A", Transition.FIRE)
    ]
    again = evaluate(rules, [Reading("low_stock", "A", 0.04)], watches, 1)
    assert again == []  # firing already: nothing new
    back = evaluate(rules, [Reading("low_stock", "A", 0.5)], watches, 2)
    assert [(o.subject, o.transition, o.value) for o in back] == [("A", Transition.RESOLVE, 0.5)]


def test_pending_periods_come_from_the_rule() -> None:
    rules = effective({})  # online_drop: 10 s pending
    watches: dict[Key, Watch] = {}
    assert evaluate(rules, [Reading("online_drop", "", 0.4)], watches, 0) == []
    assert evaluate(rules, [Reading("online_drop", "", 0.4)], watches, 9) == []
    (fired,) = evaluate(rules, [Reading("online_drop", "", 0.4)], watches, 10)
    assert (fired.rule.name, fired.transition) == ("online_drop", Transition.FIRE)


def test_disabled_rules_and_unknown_readings_are_skipped() -> None:
    rules = effective({"stale_feed": {"enabled": False}})
    watches: dict[Key, Watch] = {("stale_feed", ""): Watch()}
    readings = [Reading("stale_feed", "", 600), Reading("no_such_rule", "", 1)]
    assert evaluate(rules, readings, watches, 0) == []
    assert watches == {}
