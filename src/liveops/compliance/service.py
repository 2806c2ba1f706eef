"""Which engine to use: the shipped rules, extended by a deployment's file, built once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from liveops.compliance.engine import Engine, Violation
from liveops.compliance.rules import RuleFile, combine, read, read_default


@cache
def _default_file() -> RuleFile:
    return read_default()


@cache
def engine(extra: Path | None = None) -> Engine:
    """The engine for the shipped rules plus `extra` (a deployment's rule file), compiled on
    first use and kept: a changed file takes effect on restart. RuleError if a file is bad."""
    extensions = [read(extra)] if extra is not None else []
    return Engine(combine(_default_file(), extensions))


def check_texts(texts: Sequence[str], extra: Path | None = None) -> list[list[Violation]]:
    return engine(extra).check_texts(texts)
