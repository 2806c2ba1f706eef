"""The compliance rules against the labelled sets: a rule change that loses recall or raises
false alarms fails here."""

from __future__ import annotations

from importlib import resources

import pytest

from liveops.compliance import service
from liveops.compliance.engine import Engine
from liveops.compliance.evaluate import Line, evaluate, main, parse_set, read_default_set
from liveops.compliance.rules import combine, parse, read_default


def _set(name: str) -> list[Line]:
    path = resources.files("liveops.compliance").joinpath(f"eval/{name}")
    return parse_set(path.read_text("utf-8"))


def test_the_set_is_large_and_balanced() -> None:
    lines = read_default_set()
    assert len(lines) >= 300
    labels = [line.label for line in lines]
    assert labels.count("violation") >= 150
    assert labels.count("lookalike") >= 60
    for kind in ("absolute", "efficacy", "platform"):
        assert sum(kind in line.kinds for line in lines) >= 40
    assert len({line.text for line in lines}) == len(lines), "a line appears twice"


@pytest.mark.parametrize(
    ("name", "recall", "per_kind"),
    [
        # The tuned set and the first held-out set, which later changes also drew on.
        ("lines.tsv", 0.95, 0.9),
        ("holdout.tsv", 0.95, 0.9),
        # Held out, then drawn on once: guarded at its present level against regressions.
        ("holdout2.tsv", 0.85, 0.7),
        # holdout3.tsv is never asserted on: it is the blind estimate (docs/compliance.md).
    ],
)
def test_recall_and_false_alarms(name: str, recall: float, per_kind: float) -> None:
    report = evaluate(service.engine(), _set(name))
    misses = [line.text for line in report.misses]
    alarms = [(line.text, shown) for line, shown in report.false_alarms]
    assert report.recall >= recall, misses
    assert report.false_alarm_rate <= 0.05, alarms
    for kind in ("absolute", "efficacy", "platform"):
        figures = report.kinds[kind]
        assert figures.found / figures.expected >= per_kind, (kind, misses)


def test_the_evaluation_notices_broken_rules() -> None:
    """Without the efficacy rules, recall falls below the bar: the measure can fail."""
    default = read_default()
    broken = Engine(
        combine(
            default, [parse({"disable": [r.id for r in default.rules if r.kind == "efficacy"]})]
        )
    )
    report = evaluate(broken, read_default_set())
    assert report.recall < 0.95
    assert report.kinds["efficacy"].found == 0


def test_the_evaluation_counts_false_alarms() -> None:
    lines = parse_set("clean\t-\t这是最好的\nviolation\tabsolute\t最后三分钟\n")
    report = evaluate(service.engine(), lines)
    assert (report.false_alarm_rate, report.recall) == (1.0, 0.0)


def test_a_malformed_set_is_refused() -> None:
    with pytest.raises(ValueError, match="line 1"):
        parse_set("violation\t-\tno kinds\n")


def test_the_command_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for word in ("precision", "recall", "false alarms", "absolute", "efficacy", "platform"):
        assert word in out
