"""What a `transcript` event's violations raise on the live side: a `compliance` alert. Pure.

Field control and the assistant act on it (talk to the anchor, fix the run-sheet); the anchor
sees it too, discreetly, to reword the next sentence. Speech recognition mishears, so an alert
quotes the line and the terms, and suggests a rewording, rather than accusing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from liveops.alerts.board import Event
from liveops.compliance.engine import Violation


def speech_alert(event_id: str, line: str, violations: Sequence[Violation]) -> Event:
    """The `compliance` alert for one transcript line (event `event_id`) with at least one
    violation; who gets it is the `compliance` rule's (alerts/rules.py)."""
    terms = "、".join(dict.fromkeys(f"“{v.term}”" for v in violations))
    suggestions = [f"{v.term} → {v.suggestion}" for v in violations if v.suggestion]
    advice = f"；建议：{'，'.join(suggestions)}" if suggestions else ""
    return Event(
        "compliance",
        event_id,
        f"口播违规用语 {terms}{advice} / Non-compliant wording in speech: {terms}",
        # Ingest holds a transcript line to 500 characters.
        {"line": line, "violations": [asdict(v) for v in violations]},
    )
