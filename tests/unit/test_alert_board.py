"""A show's alerts on the live side (alerts/board.py): readings and events in, alerts out."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from liveops.alerts.board import AlertBoard
from liveops.alerts.rules import effective
from liveops.alerts.signals import Reading, stock_readings

T0 = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
_ids = (f"al_{n:016x}" for n in itertools.count(1))


def new_id() -> str:
    return next(_ids)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# The stock rules resolve as soon as stock is back, to keep these tables short; the default
# recovery period has a test of its own.
AT_ONCE = effective({"low_stock": {"recovery_seconds": 0}, "sold_out": {"recovery_seconds": 0}})


def stock(available: int, allocated: int = 100) -> list[Reading]:
    return stock_readings([{"sku": "A1", "available": available, "allocated": allocated}])


def test_low_stock_fires_once_and_resolves_when_stock_comes_back() -> None:
    board = AlertBoard(AT_ONCE, [])
    assert board.observe(stock(50), at(0), 0, new_id) == []
    (fired,) = board.observe(stock(10), at(1), 1, new_id)
    alert = fired.alert
    assert fired.what == "fired"
    assert (alert["rule"], alert["subject"], alert["sku"], alert["state"]) == (
        "low_stock",
        "A1",
        "A1",
        "firing",
    )
    assert alert["roles"] == ["field_control", "assistant"]
    assert (alert["value"], alert["threshold"]) == (0.1, 0.1)
    assert "剩 10 件" in alert["message"]
    assert alert["fired_at"] == "2026-12-04T20:00:01Z"
    assert board.observe(stock(9), at(2), 2, new_id) == []  # still low: nothing new

    # Out: sold_out takes over from low_stock rather than standing beside it.
    out = board.observe(stock(0), at(3), 3, new_id)
    assert [(c.what, c.alert["rule"]) for c in out] == [
        ("fired", "sold_out"),
        ("resolved", "low_stock"),
    ]
    sold_out = out[0].alert
    assert sold_out["severity"] == "critical"
    low = out[1].alert
    assert (low["state"], low["resolved_at"], low["resolve_seconds"]) == (
        "resolved",
        "2026-12-04T20:00:03Z",
        2.0,
    )

    (restocked,) = board.observe(stock(60), at(10), 10, new_id)
    assert (restocked.what, restocked.alert["id"]) == ("resolved", sold_out["id"])
    assert board.open() == []
    assert [a["rule"] for a in board.alerts()] == ["low_stock", "sold_out"]


def test_an_alert_out_before_a_reload_resolves_rather_than_firing_again() -> None:
    first = AlertBoard(AT_ONCE, [])
    (fired,) = first.observe(stock(5), at(0), 0, new_id)
    again = AlertBoard(AT_ONCE, [fired.alert])  # another process takes the show over
    assert again.observe(stock(5), at(1), 1, new_id) == []
    (resolved,) = again.observe(stock(50), at(2), 2, new_id)
    assert (resolved.what, resolved.alert["id"]) == ("resolved", fired.alert["id"])


def test_event_alerts_one_per_subject_and_only_while_the_rule_is_on() -> None:
    board = AlertBoard(effective({}), [])
    one = board.event("cue_unacked", "7", "提示未确认", at(0), new_id())
    assert one is not None
    assert one.alert["roles"] == ["field_control", "assistant"]
    assert board.event("cue_unacked", "7", "again", at(1), new_id()) is None
    assert board.event("cue_unacked", "8", "another cue", at(1), new_id()) is not None
    off = AlertBoard(effective({"compliance": {"enabled": False}}), [])
    assert off.event("compliance", "t1", "最好", at(0), new_id()) is None


def test_an_operator_resolving_an_alert_is_final_while_its_condition_holds() -> None:
    board = AlertBoard(AT_ONCE, [])
    (fired,) = board.observe(stock(5), at(0), 0, new_id)
    handled = {**fired.alert, "state": "resolved", "resolved_at": "2026-12-04T20:00:05Z"}
    assert board.changed(handled).what == "updated"
    assert board.observe(stock(5), at(6), 6, new_id) == []  # no second alert for the same low
    assert board.observe(stock(50), at(7), 7, new_id) == []  # nothing left to resolve
    (refired,) = board.observe(stock(5), at(8), 8, new_id)  # low again: a new alert
    assert refired.alert["id"] != fired.alert["id"]


def test_an_unacknowledged_alert_escalates_once() -> None:
    board = AlertBoard(effective({}), [])
    two_skus = stock_readings(
        [
            {"sku": "A", "available": 0, "allocated": 100},  # sold_out: up after 60 s
            {"sku": "B", "available": 5, "allocated": 100},  # low_stock: after 120 s
        ]
    )
    fired = board.observe(two_skus, at(0), 0, new_id)
    assert sorted(c.alert["rule"] for c in fired) == ["low_stock", "sold_out"]
    low = next(c.alert for c in fired if c.alert["rule"] == "low_stock")
    board.changed({**low, "state": "acknowledged", "acked_at": "2026-12-04T20:00:01Z"})
    assert board.escalate(at(59)) == []
    (up,) = board.escalate(at(60))
    assert up.alert["rule"] == "sold_out"
    assert up.alert["severity"] == "critical"
    assert "operations" in up.alert["roles"]
    assert up.alert["detail"]["escalated"] is True
    assert board.escalate(at(500)) == []  # once; and the acknowledged low_stock never


def test_switching_a_rule_off_resolves_its_alert() -> None:
    board = AlertBoard(effective({}), [])
    board.observe(stock(5), at(0), 0, new_id)
    changes = board.set_rules(effective({"low_stock": {"enabled": False}}), at(3))
    assert [(c.what, c.alert["rule"], c.alert["state"]) for c in changes] == [
        ("resolved", "low_stock", "resolved")
    ]
    assert board.observe(stock(4), at(4), 4, new_id) == []


def test_units_trickling_back_do_not_make_the_stock_alert_flap() -> None:
    board = AlertBoard(effective({}), [])  # low_stock: 30 s of recovery
    (fired,) = board.observe(stock(8), at(0), 0, new_id)
    for second, left in enumerate([9, 11, 9, 12, 8, 11, 10, 12], start=1):  # around the line
        assert board.observe(stock(left), at(second), second, new_id) == [], second
    assert board.observe(stock(40), at(20), 20, new_id) == []  # restocked, not for long yet
    (resolved,) = board.observe(stock(40), at(50), 50, new_id)
    assert (resolved.what, resolved.alert["id"]) == ("resolved", fired.alert["id"])


def test_an_acknowledgement_after_the_alert_resolved_itself_does_not_reopen_it() -> None:
    board = AlertBoard(AT_ONCE, [])
    (fired,) = board.observe(stock(5), at(0), 0, new_id)
    board.observe(stock(50), at(2), 2, new_id)  # resolved here; its write may lag
    acked = {**fired.alert, "state": "acknowledged", "acked_at": "2026-12-04T20:00:03Z"}
    change = board.changed(acked)
    assert (change.alert["state"], change.alert["acked_at"]) == ("resolved", acked["acked_at"])
    assert board.open() == []
    assert [a["id"] for a in board.alerts()] == [fired.alert["id"]]  # listed once


def test_an_acknowledgement_keeps_the_escalation() -> None:
    board = AlertBoard(effective({}), [])
    fired = board.observe(stock(0), at(0), 0, new_id)
    sold_out = next(c.alert for c in fired if c.alert["rule"] == "sold_out")
    board.escalate(at(60))
    stored = {**sold_out, "state": "acknowledged", "acked_at": "2026-12-04T20:01:01Z"}
    change = board.changed(stored)  # the stored record never heard of the escalation
    assert change.alert["state"] == "acknowledged"
    assert change.alert["detail"]["escalated"] is True
    assert "operations" in change.alert["roles"]
