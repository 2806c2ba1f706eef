"""How the shipped classifier does on the held-apart test lines of the labelled set.

    liveops comments evaluate [--split test|train] [--json] [--errors]

Prints precision, recall and F1 per intent, their macro average and accuracy, and with
`--errors` every line it got wrong. The model never saw the test lines (train.py reads only
`train` lines).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from liveops.comments.intents import INTENTS, Intent
from liveops.comments.model import Classifier, shipped
from liveops.comments.train import Example, labelled_set


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: Intent
    support: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class Report:
    split: str
    examples: int
    accuracy: float
    macro_f1: float
    per_intent: list[IntentScore]
    errors: list[tuple[Example, Intent]]


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def evaluate(classifier: Classifier, examples: Sequence[Example], split: str) -> Report:
    chosen = [e for e in examples if e.split == split]
    predicted = [classifier.classify(e.text).intent for e in chosen]
    scores: list[IntentScore] = []
    for intent in INTENTS:
        true_positive = sum(
            1 for e, p in zip(chosen, predicted, strict=True) if p == intent == e.intent
        )
        said = sum(1 for p in predicted if p == intent)
        actual = sum(1 for e in chosen if e.intent == intent)
        precision, recall = _ratio(true_positive, said), _ratio(true_positive, actual)
        f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
        scores.append(IntentScore(intent, actual, precision, recall, f1))
    errors = [(e, p) for e, p in zip(chosen, predicted, strict=True) if p != e.intent]
    return Report(
        split=split,
        examples=len(chosen),
        accuracy=_ratio(len(chosen) - len(errors), len(chosen)),
        macro_f1=sum(s.f1 for s in scores) / len(scores),
        per_intent=scores,
        errors=errors,
    )


def render(report: Report) -> str:
    lines = [
        f"split {report.split}: {report.examples} comments",
        f"{'intent':<22}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}",
    ]
    for s in report.per_intent:
        lines.append(
            f"{s.intent:<22}{s.support:>8}{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>7.3f}"
        )
    lines.append(f"{'macro average':<22}{'':>8}{'':>11}{'':>8}{report.macro_f1:>7.3f}")
    lines.append(f"accuracy {report.accuracy:.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="liveops comments evaluate", description=__doc__)
    parser.add_argument("--split", choices=("test", "train"), default="test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="list the lines it got wrong")
    args = parser.parse_args(argv)
    report = evaluate(shipped(), labelled_set(), args.split)
    if args.json:
        print(
            json.dumps(
                {
                    "split": report.split,
                    "examples": report.examples,
                    "accuracy": round(report.accuracy, 4),
                    "macro_f1": round(report.macro_f1, 4),
                    "per_intent": {
                        s.intent: {
                            "support": s.support,
                            "precision": round(s.precision, 4),
                            "recall": round(s.recall, 4),
                            "f1": round(s.f1, 4),
                        }
                        for s in report.per_intent
                    },
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(render(report))
    if args.errors:
        for example, predicted in report.errors:
            print(f"{example.intent:<22} → {predicted:<22} {example.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
