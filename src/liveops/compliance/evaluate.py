"""The compliance evaluation: run the rules over the labelled set and print how they do.

    python -m liveops.compliance.evaluate [--rules EXTRA.toml] [--set lines.tsv] [--json]

The set (eval/lines.tsv) holds lines labelled `violation` (with the kinds they break),
`clean`, and `lookalike` (clean lines that share characters with violations). Figures are per
line: a violation line counts as found when any violation is reported, a clean or look-alike
line as a false alarm when any is. Per kind, a line counts for a kind it was labelled with or
reported under.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from liveops.compliance.engine import Engine

LABELS = ("violation", "clean", "lookalike")


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    label: str
    kinds: frozenset[str]
    text: str


def parse_set(text: str) -> list[Line]:
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3 or parts[0] not in LABELS:
            raise ValueError(f"line {number}: expected 'label<TAB>kinds<TAB>text': {raw!r}")
        label, kinds, sentence = parts
        expected = frozenset() if kinds == "-" else frozenset(kinds.split(","))
        if (label == "violation") != bool(expected):
            raise ValueError(f"line {number}: a violation names its kinds, a clean line '-'")
        lines.append(Line(number, label, expected, sentence))
    return lines


def read_default_set() -> list[Line]:
    path = resources.files("liveops.compliance").joinpath("eval/lines.tsv")
    return parse_set(path.read_text("utf-8"))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


@dataclass
class KindFigures:
    expected: int = 0
    found: int = 0  # expected and reported
    reported: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "lines": self.expected,
            "recall": round(_ratio(self.found, self.expected), 4),
            "precision": round(_ratio(self.found, self.reported), 4),
        }


@dataclass
class Report:
    violations: int = 0
    found: int = 0
    clean: int = 0
    clean_flagged: int = 0
    lookalikes: int = 0
    lookalikes_flagged: int = 0
    kinds: dict[str, KindFigures] = field(default_factory=dict)
    misses: list[Line] = field(default_factory=list)
    false_alarms: list[tuple[Line, list[str]]] = field(default_factory=list)
    wrong_kinds: list[tuple[Line, list[str]]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return _ratio(self.found, self.violations)

    @property
    def precision(self) -> float:
        return _ratio(self.found, self.found + self.clean_flagged + self.lookalikes_flagged)

    @property
    def false_alarm_rate(self) -> float:
        """Over every clean line, look-alikes included."""
        return _ratio(self.clean_flagged + self.lookalikes_flagged, self.clean + self.lookalikes)

    def summary(self) -> dict[str, object]:
        return {
            "lines": self.violations + self.clean + self.lookalikes,
            "violation_lines": self.violations,
            "clean_lines": self.clean,
            "lookalike_lines": self.lookalikes,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "false_alarm_rate_plain": round(_ratio(self.clean_flagged, self.clean), 4),
            "false_alarm_rate_lookalike": round(
                _ratio(self.lookalikes_flagged, self.lookalikes), 4
            ),
            "kinds": {k: f.as_dict() for k, f in sorted(self.kinds.items())},
        }


def evaluate(engine: Engine, lines: Sequence[Line]) -> Report:
    report = Report()
    results = engine.check_texts([line.text for line in lines])
    for line, violations in zip(lines, results, strict=True):
        reported = {v.kind for v in violations}
        shown = [f"{v.term}({v.kind})" for v in violations]
        for kind in line.kinds | reported:
            figures = report.kinds.setdefault(kind, KindFigures())
            figures.expected += kind in line.kinds
            figures.reported += kind in reported
            figures.found += kind in line.kinds and kind in reported
        if line.label == "violation":
            report.violations += 1
            if violations:
                report.found += 1
                if reported != line.kinds:
                    report.wrong_kinds.append((line, shown))
            else:
                report.misses.append(line)
        else:
            lookalike = line.label == "lookalike"
            report.lookalikes += lookalike
            report.clean += not lookalike
            if violations:
                report.lookalikes_flagged += lookalike
                report.clean_flagged += not lookalike
                report.false_alarms.append((line, shown))
    return report


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m liveops.compliance.evaluate")
    parser.add_argument("--rules", type=Path, help="a deployment's extra rule file")
    parser.add_argument("--set", type=Path, help="a labelled set (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args(argv)

    from liveops.compliance import service

    lines = parse_set(args.set.read_text("utf-8")) if args.set else read_default_set()
    report = evaluate(service.engine(args.rules), lines)
    summary = report.summary()
    if args.json:
        _say(json.dumps(summary, ensure_ascii=False))
        return 0
    _say(
        f"lines {summary['lines']}: {report.violations} violating, {report.clean} clean, "
        f"{report.lookalikes} look-alikes"
    )
    _say(f"precision          {report.precision:.3f}")
    _say(f"recall             {report.recall:.3f}  ({report.found}/{report.violations})")
    flagged = report.clean_flagged + report.lookalikes_flagged
    _say(
        f"false alarms       {report.false_alarm_rate:.3f}  ({flagged}/"
        f"{report.clean + report.lookalikes} clean lines; plain {report.clean_flagged}/"
        f"{report.clean}, look-alikes {report.lookalikes_flagged}/{report.lookalikes})"
    )
    for kind, figures in sorted(report.kinds.items()):
        _say(
            f"  {kind:<10} recall {_ratio(figures.found, figures.expected):.3f} "
            f"({figures.found}/{figures.expected})  precision "
            f"{_ratio(figures.found, figures.reported):.3f} ({figures.found}/{figures.reported})"
        )
    for title, rows in (
        ("misses", [(line, []) for line in report.misses]),
        ("false alarms", report.false_alarms),
        ("found, other kinds than labelled", report.wrong_kinds),
    ):
        _say(f"{title}: {len(rows)}")
        for line, shown in rows:
            extra = f"  -> {', '.join(shown)}" if shown else ""
            _say(f"  {line.number:>4} [{','.join(sorted(line.kinds)) or '-'}] {line.text}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
