"""The alert state machine (alerts/machine.py) as a table: readings in, fire/resolve out."""

from __future__ import annotations

import pytest

from liveops.alerts.machine import Phase, Timing, Transition, Watch, due, step

FIRE, RESOLVE = Transition.FIRE, Transition.RESOLVE

# (name, timing, readings as (seconds, breached), the transitions expected as (seconds, kind))
CASES = [
    ("fires at once without a pending period", Timing(0, 0), [(0, True)], [(0, FIRE)]),
    ("clear readings never fire", Timing(5, 5), [(0, False), (10, False)], []),
    (
        "fires once the breach has held the pending period, not before",
        Timing(5, 0),
        [(0, True), (4.9, True), (5, True), (6, True)],
        [(5, FIRE)],
    ),
    (
        "a breach shorter than the pending period never fires",
        Timing(5, 0),
        [(0, True), (3, True), (4, False), (8, True), (12, True)],
        [],
    ),
    (
        "resolves once clear for the recovery period, not before",
        Timing(0, 10),
        [(0, True), (1, False), (10, False), (11, False)],
        [(0, FIRE), (11, RESOLVE)],
    ),
    (
        "a noisy signal around the threshold fires once and does not flap",
        Timing(2, 10),
        [(t, t % 2 == 0) for t in range(0, 4)]  # pending, then a clear reading: no fire
        + [(4, True), (5, True), (6, True)]  # held 2 s: fires
        + [(6 + t, t % 3 != 0) for t in range(1, 30)],  # flickers: never clear for 10 s
        [(6, FIRE)],
    ),
    (
        "fires again after a resolve",
        Timing(0, 0),
        [(0, True), (1, False), (2, True)],
        [(0, FIRE), (1, RESOLVE), (2, FIRE)],
    ),
    (
        "a breach during recovery starts the recovery over",
        Timing(0, 10),
        [(0, True), (1, False), (9, True), (12, False), (21, False), (22, False)],
        [(0, FIRE), (22, RESOLVE)],
    ),
]


@pytest.mark.parametrize(
    ("timing", "readings", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_readings_to_transitions(
    timing: Timing,
    readings: list[tuple[float, bool]],
    expected: list[tuple[float, Transition]],
) -> None:
    watch = Watch()
    seen: list[tuple[float, Transition]] = []
    for now, breached in readings:
        watch, transition = step(watch, breached, now, timing)
        if transition is not None:
            seen.append((now, transition))
    assert seen == expected
    fired = sum(t is FIRE for _, t in seen) - sum(t is RESOLVE for _, t in seen)
    assert watch.active == (fired == 1)


@pytest.mark.parametrize(
    ("watch", "expected"),
    [
        (Watch(Phase.OK, 3), None),
        (Watch(Phase.PENDING, 3), 8),
        (Watch(Phase.FIRING, 3), None),
        (Watch(Phase.RECOVERING, 3), 13),
    ],
)
def test_when_a_watch_moves_by_itself(watch: Watch, expected: float | None) -> None:
    assert due(watch, Timing(5, 10)) == expected
