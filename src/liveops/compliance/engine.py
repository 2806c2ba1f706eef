"""The pure compliance check: text in, violations with character offsets out.

Built once from a RuleSet. Every literal term goes into one trie-shaped regular expression
(common prefixes shared, the longest term preferred), so a line with no candidate at all is
rejected by one C-level search; only lines with a candidate pay for exceptions, disclaimers
and overlap resolution, which run in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from liveops.compliance.rules import Rule, RuleSet

# An exception phrase may begin at most this many characters before the term it excuses.
EXCEPTION_LOOKBACK = 12
# ...and end at most this many characters after it.
EXCEPTION_LOOKAHEAD = 32
# What ends a clause: a disclaimer does not reach past it.
CLAUSE_MARKS = frozenset("，,。.！!？?；;：:\n、…")
TERMS = -1  # the owner of the literal-terms alternative: each term maps to its own rule
# Speech recognition and chat text mix full-width ASCII in ("ＶＸ", "１００％"): fold it for
# matching only. One character for one, so offsets into the folded text are offsets into the
# original, and a finding's term is always the original's own characters.
_FOLD = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})


@dataclass(frozen=True, slots=True)
class Violation:
    term: str
    kind: str
    start: int
    end: int
    reason: str
    suggestion: str | None


_Trie: TypeAlias = dict[str, "_Trie"]


def _trie_regex(words: Iterable[str]) -> str:
    """One regular expression matching any of `words`, longest first at a position."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a word

    def build(node: _Trie) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy: the longer term is tried first, the shorter one is the fallback.
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class Engine:
    """A compiled rule set. Thread-safe and reusable: it holds compiled patterns only."""

    def __init__(self, rules: RuleSet) -> None:
        self._rules: tuple[Rule, ...] = rules.rules
        self._term_rule: dict[str, int] = {}
        owners: list[int] = []  # per pattern, its rule
        sources: list[str] = []
        for index, rule in enumerate(rules.rules):
            for term in rule.terms:
                # A later rule (an extension) takes a term over from an earlier one.
                self._term_rule[term.translate(_FOLD)] = index
            for pattern in rule.patterns:
                owners.append(index)
                sources.append(pattern)
        trie = _trie_regex(self._term_rule)
        # Alternative 0 is every literal term (TERMS below), then one per pattern. One search
        # finds the next position where any of them matches, skipping the rest in C; at that
        # position the first alternative that matches names its group, and `_after_group`
        # looks for later ones there.
        alternatives = [trie, *sources] if trie else sources
        self._owners = [TERMS, *owners] if trie else owners
        self._named = [f"(?P<g{k}>{source})" for k, source in enumerate(alternatives)]
        self._scan = re.compile("|".join(self._named)) if alternatives else None
        # The same without groups, to find positions: capture groups make a search about
        # twice as slow, and most lines have no candidate at all.
        self._find = (
            re.compile("|".join(f"(?:{a})" for a in alternatives)) if alternatives else None
        )
        # Compiled on first need: most are never needed, and each costs a few milliseconds.
        self._rest: list[re.Pattern[str] | None] = [None] * len(self._named)
        self._unless = [tuple(re.compile(u) for u in rule.unless) for rule in rules.rules]
        # Per rule, where any of its exceptions could start: one search over the lookback
        # window instead of a match per exception and position.
        self._unless_any = [
            re.compile("(?=" + "|".join(f"(?:{u})" for u in rule.unless) + ")")
            if rule.unless
            else None
            for rule in rules.rules
        ]
        d = rules.disclaimers
        self._window = d.window
        self._before = re.compile("|".join(f"(?:{p})" for p in d.before)) if d.before else None
        self._after = re.compile("|".join(f"(?:{p})" for p in d.after)) if d.after else None
        between = "|".join(f"(?:{p})" for p in d.between)
        self._adjacent = (
            re.compile("(?:" + "|".join(f"(?:{p})" for p in d.adjacent) + f")(?:{between})?\\Z")
            if d.adjacent
            else None
        )

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    def check(self, text: str) -> list[Violation]:
        """Every violation in `text`, sorted by start; overlaps of one kind resolved to the
        earliest, then longest, term."""
        if self._scan is None or not text:
            return []
        folded = text.translate(_FOLD)
        candidates = self._candidates(folded)
        if not candidates:
            return []
        candidates.sort(key=lambda c: (c[0], c[0] - c[1], c[2]))
        taken_until: dict[str, int] = {}
        found: list[Violation] = []
        for start, end, index in candidates:
            rule = self._rules[index]
            if start < taken_until.get(rule.kind, 0):
                continue
            if self._excused(folded, start, end, index):
                continue
            taken_until[rule.kind] = end
            term = text[start:end]
            found.append(
                Violation(term, rule.kind, start, end, rule.reason, rule.suggestion_for(term))
            )
        found.sort(key=lambda v: (v.start, v.end, v.kind))
        return found

    def check_texts(self, texts: Sequence[str]) -> list[list[Violation]]:
        return [self.check(text) for text in texts]

    def _candidates(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, rule) of every term and pattern match, overlapping ones included."""
        assert self._scan is not None
        assert self._find is not None
        found: list[tuple[int, int, int]] = []
        position = self._find.search(text)
        while position is not None:
            at = position.start()
            hit = self._scan.match(text, at)
            while hit is not None and hit.lastgroup is not None:
                group = int(hit.lastgroup[1:])
                end = hit.end(hit.lastgroup)
                owner = self._owners[group]
                if owner == TERMS:
                    # The longest term first; its shorter prefixes stay candidates in case
                    # an exception excuses the longer one.
                    word = text[at:end]
                    for length in range(len(word), 0, -1):
                        index = self._term_rule.get(word[:length])
                        if index is not None:
                            found.append((at, at + length, index))
                elif end > at:
                    found.append((at, end, owner))
                hit = self._after_group(group).match(text, at) if group + 1 < len(
                    self._named) else None  # fmt: skip
            position = self._find.search(text, at + 1)
        return found

    def _after_group(self, group: int) -> re.Pattern[str]:
        """The alternatives after `group`, in one regular expression."""
        pattern = self._rest[group]
        if pattern is None:
            pattern = self._rest[group] = re.compile("|".join(self._named[group + 1 :]))
        return pattern

    def _excused(self, text: str, start: int, end: int, index: int) -> bool:
        starts = self._unless_any[index]
        if starts is not None:
            window = starts.finditer(
                text, max(0, start - EXCEPTION_LOOKBACK), end + EXCEPTION_LOOKAHEAD
            )
            for begin in window:
                at = begin.start()
                if at > start:
                    break
                # An exception may match at `at` in more than one way; one must cover.
                for exception in self._unless[index]:
                    match = exception.match(text, at)
                    if match is not None and match.end() >= end:
                        return True
        if self._adjacent is not None and self._adjacent.search(text, max(0, start - 8), start):
            return True
        if self._before is not None:
            clause = max(0, start - self._window)
            for at in range(start - 1, clause - 1, -1):
                if text[at] in CLAUSE_MARKS:
                    clause = at + 1
                    break
            if self._before.search(text, clause, start):
                return True
        return self._after is not None and self._after.match(text, end) is not None
