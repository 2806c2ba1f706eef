"""Rule files: the format, reading one, and laying an extension over the defaults.

A rule file is TOML (or JSON of the same shape): `[disclaimers]` and a list of `[[rules]]`,
described in docs/compliance.md. An extension file adds rules, replaces a default rule by
giving the same `id`, and turns default rules off with `disable = ["id", …]`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

KINDS_KNOWN = ("absolute", "efficacy", "platform")


class RuleError(ValueError):
    """A rule file that cannot be used, with where and why."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str
    reason: str
    suggestion: str | None
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    suggestions: Mapping[str, str] = field(default_factory=dict)

    def suggestion_for(self, term: str) -> str | None:
        return self.suggestions.get(term, self.suggestion)


@dataclass(frozen=True, slots=True)
class Disclaimers:
    before: tuple[str, ...] = ()
    window: int = 10
    adjacent: tuple[str, ...] = ()
    between: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    disclaimers: Disclaimers = Disclaimers()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"{where}: must be a list of non-empty strings")
    return tuple(value)


def _regexes(value: Any, where: str) -> tuple[str, ...]:
    patterns = _strings(value, where)
    for pattern in patterns:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise RuleError(
                f"{where}: {pattern!r} is not a valid regular expression ({exc})"
            ) from None
        if compiled.groupindex:
            raise RuleError(f"{where}: {pattern!r}: use (?:…) instead of named groups")
        if compiled.match(""):
            raise RuleError(f"{where}: {pattern!r} matches the empty string")
    return patterns


def _rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: a rule must be a table")
    unknown = set(raw) - {
        "id", "kind", "reason", "suggestion", "terms", "patterns", "unless", "suggestions"
    }  # fmt: skip
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "kind", "reason"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise RuleError(f"{where}: '{key}' must be a non-empty string")
    where = f"{where} ({raw['id']})"
    suggestion = raw.get("suggestion")
    if suggestion is not None and not isinstance(suggestion, str):
        raise RuleError(f"{where}: 'suggestion' must be a string")
    suggestions = raw.get("suggestions", {})
    if not isinstance(suggestions, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in suggestions.items()
    ):
        raise RuleError(f"{where}: 'suggestions' must map terms to strings")
    rule = Rule(
        id=raw["id"],
        kind=raw["kind"],
        reason=raw["reason"],
        suggestion=suggestion or None,
        terms=_strings(raw.get("terms"), f"{where}.terms"),
        patterns=_regexes(raw.get("patterns"), f"{where}.patterns"),
        unless=_regexes(raw.get("unless"), f"{where}.unless"),
        suggestions=dict(suggestions),
    )
    if not rule.terms and not rule.patterns:
        raise RuleError(f"{where}: a rule needs 'terms' or 'patterns'")
    return rule


def _disclaimers(raw: Any, where: str) -> Disclaimers | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: [disclaimers] must be a table")
    window = raw.get("window", 10)
    if not isinstance(window, int) or isinstance(window, bool) or not 0 <= window <= 100:
        raise RuleError(f"{where}: disclaimers.window must be an integer from 0 to 100")
    return Disclaimers(
        before=_regexes(raw.get("before"), f"{where}: disclaimers.before"),
        window=window,
        adjacent=_regexes(raw.get("adjacent"), f"{where}: disclaimers.adjacent"),
        between=_regexes(raw.get("between"), f"{where}: disclaimers.between"),
        after=_regexes(raw.get("after"), f"{where}: disclaimers.after"),
    )


@dataclass(frozen=True, slots=True)
class RuleFile:
    rules: tuple[Rule, ...]
    disclaimers: Disclaimers | None
    disable: tuple[str, ...]


def parse(data: Mapping[str, Any], where: str = "rules") -> RuleFile:
    """A decoded rule file, checked; RuleError says what is wrong and where."""
    unknown = set(data) - {"version", "disclaimers", "rules", "disable"}
    if unknown:
        raise RuleError(f"{where}: unknown top-level keys {sorted(unknown)}")
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise RuleError(f"{where}: 'rules' must be a list of tables")
    rules = tuple(_rule(raw, f"{where}: rules[{i}]") for i, raw in enumerate(raw_rules))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleError(f"{where}: rule ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    return RuleFile(
        rules=rules,
        disclaimers=_disclaimers(data.get("disclaimers"), where),
        disable=_strings(data.get("disable"), f"{where}: disable"),
    )


def read(path: Path) -> RuleFile:
    """A rule file from disk: `.json` as JSON, anything else as TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'TOML'} ({exc})"
        ) from None
    if not isinstance(data, dict):
        raise RuleError(f"{path}: must hold a table")
    return parse(data, str(path))


def read_default() -> RuleFile:
    text = resources.files("liveops.compliance").joinpath("rules/default.toml").read_text("utf-8")
    return parse(tomllib.loads(text), "default rules")


def combine(base: RuleFile, extensions: Sequence[RuleFile]) -> RuleSet:
    """The defaults with each extension laid over them in turn: a rule with an existing id
    replaces it in place, a new id is added, `disable` removes, `[disclaimers]` replaces."""
    by_id = {rule.id: rule for rule in base.rules}
    disclaimers = base.disclaimers or Disclaimers()
    for extension in extensions:
        for rule_id in extension.disable:
            by_id.pop(rule_id, None)
        for rule in extension.rules:
            by_id[rule.id] = rule
        disclaimers = extension.disclaimers or disclaimers
    return RuleSet(rules=tuple(by_id.values()), disclaimers=disclaimers)
