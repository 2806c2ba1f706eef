"""The alert rules (contract §12): what each watches, its defaults, and a show's overrides. Pure.

Every rule has a threshold (what counts as a breach, in the rule's own unit), an evaluation
window (how much recent history the signal covers), a pending period before firing and a
recovery period before resolving (alerts/machine.py), a severity and the roles it goes to: the
roles that can act on it. Defaults come from the seeds where they give a number, otherwise they
are our documented choices (docs/alerts.md says which is which).

Event rules (`compliance`, `cue_unacked`, `segment_overrun`) have no signal to recover: they
fire when their event happens and stay until someone acknowledges or resolves them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Severity = Literal["info", "warning", "critical"]
Role = Literal["field_control", "assistant", "anchor", "operations"]
RULE_ROLES: tuple[Role, ...] = ("field_control", "assistant", "anchor", "operations")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    description: str  # what it watches and in which unit the threshold is
    severity: Severity
    roles: tuple[Role, ...]
    threshold: float | None  # None: the rule fires on an event, not on a signal
    window_seconds: float = 0.0
    pending_seconds: float = 0.0
    recovery_seconds: float = 0.0
    # An alert still unacknowledged this long after firing is raised again, at one level up.
    escalate_after_seconds: float | None = None
    enabled: bool = True

    @property
    def on_event(self) -> bool:
        return self.threshold is None


_DESK: tuple[Role, ...] = ("field_control", "assistant")

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        "low_stock",
        "a SKU's available stock at or below this share of its allocation (or sale cap)",
        "warning",
        _DESK,
        threshold=0.10,  # contract §12: fires within 5 s of available falling to 10 %
        # Units coming back one by one (cancellations, expiries) must not resolve and refire
        # the alert each time: it resolves once stock has stayed above the line this long.
        recovery_seconds=30,
        escalate_after_seconds=120,
    ),
    Rule(
        "sold_out",
        "a SKU's available stock at or below this many units",
        "critical",
        _DESK,
        threshold=0,
        recovery_seconds=30,
        escalate_after_seconds=60,
    ),
    Rule(
        "stream_unhealthy",
        "the stream's stall ratio (0–1) at or above this over the window",
        "critical",
        ("field_control", "operations"),
        threshold=0.05,
        window_seconds=30,
        # The seeds want a backup line within 10 s: the alert must come well before that.
        pending_seconds=3,
        recovery_seconds=30,
        escalate_after_seconds=60,
    ),
    Rule(
        "stale_feed",
        "seconds without any event while the show is live",
        "warning",
        ("field_control", "operations"),
        threshold=60,
        recovery_seconds=10,
    ),
    Rule(
        "online_drop",
        "the share (0–1) of viewers lost within the window",
        "warning",
        ("field_control", "anchor"),
        threshold=0.30,
        window_seconds=60,
        pending_seconds=10,
        recovery_seconds=60,
    ),
    Rule(
        "gmv_pace",
        "the share (0–1) by which paid GMV runs behind the target's pace",
        "info",
        ("field_control", "operations"),
        threshold=0.20,
        window_seconds=300,
        pending_seconds=300,
        recovery_seconds=120,
    ),
    Rule(
        "complaint_spike",
        "comments classified as complaints within the window",
        "warning",
        _DESK,
        threshold=5,
        window_seconds=60,
        recovery_seconds=120,
    ),
    Rule(
        "compliance",
        "a line of the anchor's speech breaks the compliance rules",
        "warning",
        ("field_control", "assistant", "anchor"),
        threshold=None,
    ),
    Rule(
        "question_unanswered",
        "seconds a question cluster stays open without an answer",
        "warning",
        ("assistant", "anchor"),
        threshold=120,
    ),
    Rule(
        "cue_unacked",
        "seconds a cue stays unacknowledged",
        "warning",
        _DESK,
        threshold=30,
    ),
    Rule(
        "segment_overrun",
        "seconds a segment runs past its planned time",
        "warning",
        ("field_control",),
        threshold=0,
    ),
)
DEFAULTS: Mapping[str, Rule] = {rule.name: rule for rule in DEFAULT_RULES}

# What a show may change of a rule (PUT …/alert-rules); the name and what it watches are fixed.
OVERRIDABLE = (
    "enabled",
    "severity",
    "roles",
    "threshold",
    "window_seconds",
    "pending_seconds",
    "recovery_seconds",
    "escalate_after_seconds",
)


class RuleError(ValueError):
    """An override that cannot apply; the message says which rule and field, and why."""


def effective(overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Rule]:
    """Every rule with a show's overrides laid over the defaults. Raises RuleError for an
    unknown rule or field, or a threshold on an event rule."""
    rules = dict(DEFAULTS)
    for name, fields in overrides.items():
        base = rules.get(name)
        if base is None:
            raise RuleError(f"no alert rule {name!r}; the rules are: {', '.join(DEFAULTS)}")
        unknown = sorted(set(fields) - set(OVERRIDABLE))
        if unknown:
            raise RuleError(
                f"{name}: cannot change {', '.join(unknown)}; a rule's "
                f"{', '.join(OVERRIDABLE)} can be changed"
            )
        if base.on_event and fields.get("threshold") is not None:
            raise RuleError(f"{name} fires on an event and has no threshold")
        changed: dict[str, Any] = dict(fields)
        if "roles" in changed:
            changed["roles"] = tuple(changed["roles"])
        rules[name] = replace(base, **changed)
    return rules


def breached(rule: Rule, value: float) -> bool:
    """Whether a reading of the rule's signal is a breach. Stock levels breach at or below
    their threshold; every other signal at or above it."""
    assert rule.threshold is not None, f"{rule.name} fires on events"
    if rule.name in ("low_stock", "sold_out"):
        return value <= rule.threshold
    return value >= rule.threshold
