"""When a watched condition becomes an alert, and when the alert ends: the state machine of one
rule for one subject (a show, a SKU, a stream line). Pure: the caller gives the clock.

A condition that flickers must not become a flickering alert (the seeds' complaint about noisy
consoles). So a rule fires only once its condition has held for `pending_seconds`, and resolves
only once the condition has stayed clear for `recovery_seconds`:

    ok ──breach──▶ pending ──held pending_seconds──▶ firing ──clear──▶ recovering
     ▲               │ clear                            ▲                 │ held recovery_seconds
     └───────────────┘                                  └──breach─────────┤
     ◀──────────────────────────── resolve ───────────────────────────────┘

A pending period of 0 fires on the first breach; a recovery period of 0 resolves on the first
clear reading. Acknowledging is an operator's act and does not move this machine: an
acknowledged alert still resolves when its condition clears.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    OK = "ok"
    PENDING = "pending"  # breached, not long enough yet to fire
    FIRING = "firing"
    RECOVERING = "recovering"  # fired, clear, not long enough yet to resolve


class Transition(StrEnum):
    FIRE = "fire"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class Timing:
    pending_seconds: float = 0.0
    recovery_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Watch:
    """One rule's state for one subject. `since`: when the current phase began."""

    phase: Phase = Phase.OK
    since: float = 0.0

    @property
    def active(self) -> bool:
        """Whether an alert is out (firing, or firing and clearing)."""
        return self.phase in (Phase.FIRING, Phase.RECOVERING)


def step(
    watch: Watch, breached: bool, now: float, timing: Timing
) -> tuple[Watch, Transition | None]:
    """The watch after one reading of its condition at `now`, and whether that reading fires
    or resolves the alert."""
    match watch.phase, breached:
        case Phase.OK, True:
            if timing.pending_seconds <= 0:
                return Watch(Phase.FIRING, now), Transition.FIRE
            return Watch(Phase.PENDING, now), None
        case Phase.PENDING, True:
            if now - watch.since >= timing.pending_seconds:
                return Watch(Phase.FIRING, now), Transition.FIRE
            return watch, None
        case Phase.PENDING, False:
            return Watch(Phase.OK, now), None
        case Phase.FIRING, False:
            if timing.recovery_seconds <= 0:
                return Watch(Phase.OK, now), Transition.RESOLVE
            return Watch(Phase.RECOVERING, now), None
        case Phase.RECOVERING, False:
            if now - watch.since >= timing.recovery_seconds:
                return Watch(Phase.OK, now), Transition.RESOLVE
            return watch, None
        case Phase.RECOVERING, True:
            return Watch(Phase.FIRING, now), None  # not clear for long enough: still firing
        case _:  # OK and clear, FIRING and breached: nothing changes
            return watch, None


def due(watch: Watch, timing: Timing) -> float | None:
    """When the watch moves by itself if its condition keeps its current reading (the caller
    reads the condition again then), or None when it waits for a new reading."""
    if watch.phase is Phase.PENDING:
        return watch.since + timing.pending_seconds
    if watch.phase is Phase.RECOVERING:
        return watch.since + timing.recovery_seconds
    return None
