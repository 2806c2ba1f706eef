"""The alerts projection's pure parts (alerts/live.py): which readings the live values give,
and an alert as consoles get it."""

from __future__ import annotations

from typing import Any

from liveops.alerts.live import alert_message, alert_on_wire, readings
from liveops.alerts.rules import effective
from liveops.alerts.signals import OnlineHistory

NOW_MS = 1_800_000_000_000


def values(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "stock": [{"sku": "A", "available": 5, "allocated": 100, "flash_sale": None}],
        "stream_health": {"ts": NOW_MS - 1_000, "stall_ratio": 0.2},
        "live_since_ms": NOW_MS - 600_000,
        "last_event_ms": NOW_MS - 90_000,
        "metrics": {"online": 1000},
        "complaint_times_ms": [NOW_MS - 5_000],
        "questions": {"clusters": [], "open": 1, "oldest_open_seconds": 150.0},
    }
    return base | extra


def test_a_live_show_gives_a_reading_of_every_signal_rule() -> None:
    found = {
        (r.rule, r.subject): r.value
        for r in readings(effective({}), values(), OnlineHistory(60), NOW_MS, 0)
    }
    assert found == {
        ("sold_out", "A"): 5,
        ("low_stock", "A"): 0.05,
        ("stream_unhealthy", ""): 0.2,
        ("stale_feed", ""): 90.0,
        ("online_drop", ""): 0.0,
        ("complaint_spike", ""): 1,
        ("question_unanswered", ""): 150.0,
    }


def test_a_show_that_is_not_live_is_never_stale_and_its_viewers_are_not_watched() -> None:
    found = {
        r.rule
        for r in readings(effective({}), values(live_since_ms=None), OnlineHistory(60), NOW_MS, 0)
    }
    assert "stale_feed" not in found
    assert "online_drop" not in found


def test_an_alert_on_the_wire_keeps_the_older_fields() -> None:
    alert = {
        "id": "al_0000000000000001",
        "rule": "compliance",
        "message": "口播违规用语",
        "fired_at": "2026-12-04T12:00:00Z",
        "detail": {"line": "最好的", "violations": []},
    }
    shown = alert_on_wire(alert)
    assert (shown["kind"], shown["text"], shown["ts"]) == (
        "compliance",
        "口播违规用语",
        1796385600000,
    )
    assert (shown["line"], shown["violations"], shown["cue_id"], shown["available"]) == (
        "最好的",
        [],
        None,
        None,
    )
    assert "type" not in shown
    assert alert_message(alert)["type"] == "alert"
