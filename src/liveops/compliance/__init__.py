"""Compliance lint for scripts and speech (contract §9): advertising-law absolute terms,
efficacy claims for ordinary goods and platform-sensitive words, as data with context
exceptions. Other packages call `check_texts` (run-sheet save, `transcript` ingest)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from liveops.compliance.engine import Engine, Violation
from liveops.compliance.rules import RuleError

__all__ = ["Engine", "RuleError", "Violation", "check", "check_texts"]


def check(text: str, rules_path: Path | None = None) -> list[Violation]:
    """Violations in one text, with the shipped rules (plus a deployment's file, if given)."""
    from liveops.compliance import service

    return service.engine(rules_path).check(text)


def check_texts(texts: Sequence[str], rules_path: Path | None = None) -> list[list[Violation]]:
    """One list of violations per text, in order."""
    from liveops.compliance import service

    return service.check_texts(texts, rules_path)
