"""What a `transcript` event's violations raise on the live side: a `compliance` alert. Pure.

Field control and the assistant act on it (talk to the anchor, fix the run-sheet); the anchor
sees it too, discreetly, to reword the next sentence. Speech recognition mishears, so an alert
quotes the line and the terms, and suggests a rewording, rather than accusing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from liveops.compliance.engine import Violation

SPEECH_ALERT_ROLES = ["field_control", "assistant", "anchor"]


def speech_alert(line: str, violations: Sequence[Violation], now_ms: int) -> dict[str, Any]:
    """The `compliance` alert for one transcript line with at least one violation."""
    terms = "、".join(dict.fromkeys(f"“{v.term}”" for v in violations))
    suggestions = [f"{v.term} → {v.suggestion}" for v in violations if v.suggestion]
    advice = f"；建议：{'，'.join(suggestions)}" if suggestions else ""
    return {
        "kind": "compliance",
        "severity": "warning",
        "roles": SPEECH_ALERT_ROLES,
        "sku": None,
        "available": None,
        "text": f"口播违规用语 {terms}{advice} / Non-compliant wording in speech: {terms}",
        "ts": now_ms,
        "line": line,  # ingest holds a transcript line to 500 characters
        "violations": [asdict(v) for v in violations],
    }
