"""The compliance findings of a run-sheet: every script and FABE text through the shared rule
set (liveops.compliance, contract §9). No rule of its own lives here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from liveops.compliance import RuleError, check_texts
from liveops.config import Settings
from liveops.errors import Unavailable
from liveops.rundown.schemas import Finding

FABE_FIELDS = ("feature", "advantage", "benefit", "evidence")


class _Segment(Protocol):
    @property
    def segment_id(self) -> str: ...
    @property
    def script(self) -> str: ...
    @property
    def fabe(self) -> dict[str, str] | None: ...


def rules_path(settings: Settings) -> Path | None:
    """The deployment's rule file, extending the shipped rules (the setting
    `compliance_rules_path`, read as `POST /compliance/check` reads it): the run-sheet's
    findings and that endpoint's answer agree."""
    return settings.compliance_rules_path


def findings(segments: Sequence[_Segment], rules: Path | None = None) -> list[Finding]:
    """Every violation, in run-sheet order: per segment its script, then its FABE texts."""
    where: list[tuple[str, str]] = []
    texts: list[str] = []
    for segment in segments:
        candidates = [("script", segment.script)]
        fabe = segment.fabe or {}
        candidates += [(f"fabe.{name}", fabe.get(name, "")) for name in FABE_FIELDS]
        for field, text in candidates:
            if text:
                where.append((segment.segment_id, field))
                texts.append(text)
    if not texts:
        return []
    found: list[Finding] = []
    try:
        checked = check_texts(texts, rules)
    except RuleError as bad:
        # A deployment's broken rule file: nothing is saved or started unchecked (503, as
        # POST /compliance/check answers it).
        raise Unavailable(f"the compliance rules cannot be used: {bad}") from bad
    for (segment_id, field), violations in zip(where, checked, strict=True):
        found.extend(
            Finding(
                segment_id=segment_id,
                field=field,
                term=v.term,
                kind=v.kind,
                start=v.start,
                end=v.end,
                reason=v.reason,
                suggestion=v.suggestion,
            )
            for v in violations
        )
    return found
