"""One evaluation round: readings in, alerts to fire and resolve out. Pure.

The caller keeps the watches (one per rule and subject) between rounds and gives the clock; a
rule that is disabled, or fires on events, takes no readings, and its watches are dropped (a
disabled rule's open alert is the caller's to resolve).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from liveops.alerts.machine import Timing, Transition, Watch, step
from liveops.alerts.rules import Rule, breached
from liveops.alerts.signals import Reading

Key = tuple[str, str]  # (rule, subject)


@dataclass(frozen=True, slots=True)
class Outcome:
    rule: Rule
    subject: str
    transition: Transition
    value: float


def evaluate(
    rules: Mapping[str, Rule],
    readings: Iterable[Reading],
    watches: dict[Key, Watch],
    now: float,
) -> list[Outcome]:
    """Step every watch that has a reading; returns the alerts that fire or resolve, in the
    readings' order. Updates `watches` in place."""
    outcomes: list[Outcome] = []
    for reading in readings:
        rule = rules.get(reading.rule)
        key = (reading.rule, reading.subject)
        if rule is None or not rule.enabled or rule.on_event:
            watches.pop(key, None)
            continue
        timing = Timing(rule.pending_seconds, rule.recovery_seconds)
        watch, transition = step(
            watches.get(key, Watch()), breached(rule, reading.value), now, timing
        )
        watches[key] = watch
        if transition is not None:
            outcomes.append(Outcome(rule, reading.subject, transition, reading.value))
    return outcomes
