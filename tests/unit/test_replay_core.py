"""The pure parts of a replay (live/replay.py): the speed, the clock, an alert's markers."""

from __future__ import annotations

import pytest

from liveops.live.replay import ReplayClock, ReplayError, alert_markers, parse_speed


@pytest.mark.parametrize(
    ("raw", "speed"), [("1", 1.0), ("60", 60.0), ("120", 120.0), ("2.5", 2.5), (" 10 ", 10.0)]
)
def test_a_speed_from_1_to_120_is_taken(raw: str, speed: float) -> None:
    assert parse_speed(raw) == speed


@pytest.mark.parametrize("raw", ["0", "0.5", "120.01", "-5", "", "fast", "nan", "inf", "1e3"])
def test_any_other_speed_is_refused_with_the_range(raw: str) -> None:
    with pytest.raises(ReplayError, match="1 to 120"):
        parse_speed(raw)


# (step, wall seconds, argument) applied in order to a clock at show time 1,000 s, speed 10,
# anchored at wall 0; then the expected show time (s) at `wall`.
CLOCK_STEPS = [
    ([], 2.0, 1_020.0),  # 2 s of wall time at 10×
    ([("pause", 1.0, None)], 5.0, 1_010.0),  # paused after 1 s: stays
    ([("pause", 1.0, None), ("play", 4.0, None)], 5.0, 1_020.0),  # 1 s + 1 s after play
    ([("speed", 1.0, 60.0)], 2.0, 1_070.0),  # 10 s, then 1 s at 60×
    ([("jump", 3.0, 2_000.0)], 4.0, 2_010.0),  # a seek re-anchors
    ([("pause", 0.0, None), ("speed", 1.0, 120.0)], 9.0, 1_000.0),  # speed while paused
]


@pytest.mark.parametrize(("steps", "wall", "expected_s"), CLOCK_STEPS)
def test_the_clock_maps_wall_time_to_show_time(
    steps: list[tuple[str, float, float | None]], wall: float, expected_s: float
) -> None:
    clock = ReplayClock(1_000_000_000, 10.0)
    for step, at_wall, argument in steps:
        if step == "pause":
            clock.pause(at_wall)
        elif step == "play":
            clock.play(at_wall)
        elif step == "speed":
            assert argument is not None
            clock.set_speed(argument, at_wall)
        else:
            assert argument is not None
            clock.jump(int(argument * 1_000_000), at_wall)
    assert clock.at(wall) == int(expected_s * 1_000_000)


def test_the_wait_for_a_show_time_is_scaled_by_speed_and_none_while_paused() -> None:
    clock = ReplayClock(0, 60.0)
    assert clock.seconds_until(60_000_000, 0.0) == pytest.approx(1.0)
    assert clock.seconds_until(0, 5.0) == 0.0  # already due
    clock.pause(0.5)
    assert clock.seconds_until(60_000_000, 1.0) is None


def _alert(**changes: object) -> dict[str, object]:
    alert: dict[str, object] = {
        "id": "al_1",
        "rule": "low_stock",
        "subject": "SKU1",
        "severity": "warning",
        "state": "resolved",
        "roles": ["field_control"],
        "message": "库存低 low stock",
        "value": 3.0,
        "threshold": 5.0,
        "sku": "SKU1",
        "fired_at": "2026-12-04T20:00:00+00:00",
        "acked_at": "2026-12-04T20:00:30+00:00",
        "resolved_at": "2026-12-04T20:02:00+00:00",
        "acked_by": {"label": "fc", "role": "field_control"},
        "resolved_by": None,
        "ack_seconds": 30.0,
        "resolve_seconds": 120.0,
        "detail": {"available": 3},
    }
    return {**alert, **changes}


@pytest.mark.parametrize(
    ("alert", "states"),
    [
        (_alert(), ["firing", "acknowledged", "resolved"]),
        (_alert(acked_at=None, ack_seconds=None, acked_by=None), ["firing", "resolved"]),
        (
            _alert(state="firing", resolved_at=None, resolve_seconds=None, acked_at=None),
            ["firing"],
        ),
    ],
)
def test_an_alert_is_replayed_as_it_changed(alert: dict[str, object], states: list[str]) -> None:
    markers = alert_markers(alert)
    assert [m.message["state"] for m in markers] == states
    assert [m.ts_us for m in markers] == sorted(m.ts_us for m in markers)
    firing = markers[0].message
    assert firing["type"] == "alert"
    assert firing["acked_at"] is None
    assert firing["resolved_at"] is None
    assert firing["ack_seconds"] is None
    assert markers[-1].message["state"] == alert["state"]
