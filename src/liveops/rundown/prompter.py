"""The prompter's renderer: a script with its placeholders replaced by live values. Pure.

A placeholder is a name in braces, `{live_price}`; spaces around the name are allowed
(`{ live_price }`). `{{` and `}}` write a literal brace. Every other brace is an error: a name
that is not in `PLACEHOLDERS` is refused naming it, and so is a lone brace, so that a typo is
refused when the run-sheet is saved rather than read out on air. The rule is strict on
purpose: `SCRIPT_PATTERN` states exactly it, so that the API description tells a client (or a
fuzzer) which scripts are accepted.

`render` returns the text and its `parts`: the spans of the text that are live values, so that
the anchor's console can highlight them. Offsets count Unicode code points (Python string
indexes; in JavaScript, index `Array.from(text)`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Every placeholder a script may hold, and what it shows (docs/runsheet.md says more).
PLACEHOLDERS: dict[str, str] = {
    "price": "the lineup's list price of the segment's SKU, in yuan (99元)",
    "live_price": "the lineup's live price of the segment's SKU, in yuan",
    "stock_left": "the stock ledger's `available` of the segment's SKU",
    "sold": "the stock ledger's `sold` of the segment's SKU",
    "online": "viewers online now, as an anchor says it (8765; 1.2万 from ten thousand)",
    "countdown": "time left in the segment, m:ss (0:00 once past the plan)",
    "top_question": "the representative of the top open question cluster (docs/comments.md)",
}

# What a value that cannot be known shows (no SKU, a SKU not in the lineup or the ledger, no
# question yet): a visible dash rather than an empty gap in a sentence read out on air.
MISSING = "—"

# `{{`, `}}`, a placeholder, or a lone brace (group 2), in that order of preference.
_TOKEN = re.compile(r"\{\{|\}\}|\{ *([^{} ]*) *\}|([{}])")
# Characters a script may not hold: C0 and C1 controls except tab, line feed and carriage
# return (a script has lines), and lone surrogates.
_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_FORBIDDEN_RE = re.compile(f"[{_FORBIDDEN}\ud800-\udfff]")
# The whole rule as one ECMA-262 pattern, for the OpenAPI description (equivalent to
# `check_script`; a test compares them).
SCRIPT_PATTERN = (
    r"^(?:[^{}\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\{\{|\}\}|\{ *(?:"
    + "|".join(PLACEHOLDERS)
    + r") *\})*$"
)


class ScriptError(ValueError):
    """A script that cannot be rendered; the message says what and where."""


class UnknownPlaceholder(ScriptError):
    def __init__(self, names: list[str]) -> None:
        self.names = names
        known = ", ".join("{" + n + "}" for n in PLACEHOLDERS)
        listed = ", ".join("{" + n + "}" for n in names)
        word = "placeholder" if len(names) == 1 else "placeholders"
        super().__init__(f"unknown {word} {listed}; known placeholders: {known}")


def check_script(script: str) -> None:
    """Raise ScriptError unless `script` renders: no control character, no unknown
    placeholder, no lone brace."""
    bad = _FORBIDDEN_RE.search(script)
    if bad is not None:
        raise ScriptError(
            f"must not contain control characters (found U+{ord(bad.group()):04X} at position "
            f"{bad.start()}); tabs and line breaks are fine"
        )
    unknown = unknown_placeholders(script)
    if unknown:
        raise UnknownPlaceholder(unknown)
    for match in _TOKEN.finditer(script):
        if match.group(2) is not None:
            raise ScriptError(
                f"a lone '{match.group(2)}' at position {match.start()}: write "
                f"'{match.group(2) * 2}' for a literal brace, or a placeholder such as {{price}}"
            )


@dataclass(frozen=True, slots=True)
class Part:
    """A live value's span of the rendered text: `text[start:end]` shows placeholder `name`;
    `missing` when its value is not known (it shows `MISSING`)."""

    start: int
    end: int
    name: str
    missing: bool = False

    def to_json(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "name": self.name, "missing": self.missing}


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    parts: list[Part]


def placeholders(script: str) -> list[str]:
    """The placeholder names a script holds, in order, repeats included."""
    return [m.group(1) for m in _TOKEN.finditer(script) if m.group(1) is not None]


def unknown_placeholders(script: str) -> list[str]:
    """The names in `script` that are not placeholders, each once, in order of appearance."""
    unknown: list[str] = []
    for name in placeholders(script):
        if name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    return unknown


def render(script: str, values: Mapping[str, str | None]) -> Rendered:
    """`script` with every placeholder replaced by `values[name]` (None or absent: `MISSING`).
    Raises ScriptError (UnknownPlaceholder for a name not in `PLACEHOLDERS`)."""
    check_script(script)
    out: list[str] = []
    parts: list[Part] = []
    length = 0  # of the text written so far, in code points
    last = 0
    for match in _TOKEN.finditer(script):
        literal = script[last : match.start()]
        out.append(literal)
        length += len(literal)
        last = match.end()
        name = match.group(1)
        if name is None:  # `{{` or `}}` (check_script refused lone braces)
            out.append(match.group()[0])
            length += 1
            continue
        value = values.get(name)
        shown = MISSING if value is None else value
        out.append(shown)
        parts.append(Part(length, length + len(shown), name, value is None))
        length += len(shown)
    out.append(script[last:])
    return Rendered("".join(out), parts)


def yuan(fen: int) -> str:
    """A price in fen as an anchor says it: 9900 → 99元, 9950 → 99.5元, 9905 → 99.05元."""
    whole, cents = divmod(fen, 100)
    if cents == 0:
        return f"{whole}元"
    return f"{whole}.{cents:02d}".rstrip("0") + "元"


def spoken_count(count: int) -> str:
    """A count as an anchor reads it out: exact below ten thousand, then in 万 with one
    decimal, rounded down so that it never claims more viewers than there are (12,345 →
    1.2万, 10,000 → 1万)."""
    if count < 10_000:
        return str(count)
    tenths = count // 1_000
    whole, tenth = divmod(tenths, 10)
    return f"{whole}万" if tenth == 0 else f"{whole}.{tenth}万"


def clock(seconds: float) -> str:
    """Seconds left as m:ss, minutes unbounded (75:00); never negative (0:00 past the end).
    Rounded up, so that 0:00 appears only when the time is really up."""
    whole = max(0, int(-(-seconds // 1)))
    minutes, secs = divmod(whole, 60)
    return f"{minutes}:{secs:02d}"
