"""Train the comment classifier on the shipped labelled set, reproducibly.

    liveops comments train [--out model.json] [--check]

The labelled set is `data/train/<intent>.tsv` and, held apart, `data/test/<intent>.tsv`: one
comment a line, `category<TAB>text` (the labelling guide is data/GUIDELINES.md). The test lines
were written by other hands from the guide alone, without sight of the training lines.
Training reads only `data/train`; `liveops comments evaluate` scores the model on `data/test`.

The same set and parameters give the same model.json byte for byte: the shuffle is seeded, the
arithmetic is plain floats in a fixed order, and the weights are rounded before they are
written. `--check` retrains and fails if the shipped model differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from liveops.comments.intents import INTENTS, Intent
from liveops.comments.model import LinearModel, features, model_path
from liveops.comments.normalize import normalize

CATEGORIES = frozenset({"clothing", "beauty", "food", "home", "electronics", "general"})


@dataclass(frozen=True, slots=True)
class Example:
    intent: Intent
    split: str
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class Params:
    epochs: int = 30
    learning_rate: float = 0.2  # chosen by 4-fold cross-validation on the train split
    decay: float = 0.1  # the rate at epoch e is learning_rate / (1 + decay * e)
    l2: float = 1e-5
    seed: int = 20261204
    prune_below: float = 0.02  # features whose every weight is this small are left out


def parse_file(intent: Intent, split: str, text: str) -> list[Example]:
    examples: list[Example] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or parts[0] not in CATEGORIES or not parts[1].strip():
            raise ValueError(f"{split}/{intent}.tsv line {number}: expected category, text")
        examples.append(Example(intent, split, parts[0], parts[1]))
    return examples


def labelled_set() -> list[Example]:
    """Every labelled comment: the train split, then the test split, each in intent order."""
    data = resources.files("liveops.comments").joinpath("data")
    examples: list[Example] = []
    for split in ("train", "test"):
        for intent in INTENTS:
            text = data.joinpath(split, f"{intent}.tsv").read_text("utf-8")
            examples += parse_file(intent, split, text)
    return examples


def digest(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.intent}\t{e.split}\t{e.text}\n".encode())
    return h.hexdigest()


def train(examples: Sequence[Example], params: Params = Params()) -> LinearModel:
    """Multinomial logistic regression by stochastic gradient descent on binary features."""
    index = {intent: i for i, intent in enumerate(INTENTS)}
    rows = [(sorted(set(features(normalize(e.text)))), index[e.intent]) for e in examples]
    n = len(INTENTS)
    weights: dict[str, list[float]] = {}
    bias = [0.0] * n
    order = list(range(len(rows)))
    rng = random.Random(params.seed)
    for epoch in range(params.epochs):
        rng.shuffle(order)
        rate = params.learning_rate / (1 + params.decay * epoch)
        shrink = 1 - rate * params.l2
        for i in order:
            grams, label = rows[i]
            vectors = [weights.setdefault(g, [0.0] * n) for g in grams]
            scores = [bias[k] + sum(v[k] for v in vectors) for k in range(n)]
            peak = max(scores)
            exps = [math.exp(s - peak) for s in scores]
            total = sum(exps)
            for k in range(n):
                gradient = exps[k] / total - (1.0 if k == label else 0.0)
                step = rate * gradient
                bias[k] -= step
                for v in vectors:
                    v[k] = v[k] * shrink - step
    kept = {
        g: [round(w, 4) for w in row]
        for g, row in weights.items()
        if max(abs(w) for w in row) >= params.prune_below
    }
    return LinearModel(INTENTS, [round(b, 4) for b in bias], kept)


def model_json(examples: Sequence[Example], params: Params = Params()) -> str:
    training = [e for e in examples if e.split == "train"]
    model = train(training, params)
    document = {
        "about": "liveops comment intents: a linear model over character n-grams (train.py)",
        "trained_on": {"examples": len(training), "sha256": digest(training)},
        "params": {
            "epochs": params.epochs,
            "learning_rate": params.learning_rate,
            "decay": params.decay,
            "l2": params.l2,
            "seed": params.seed,
            "prune_below": params.prune_below,
        },
        **model.to_json(),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="liveops comments train", description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: shipped)")
    parser.add_argument(
        "--check", action="store_true", help="fail if retraining changes the shipped model"
    )
    args = parser.parse_args(argv)
    examples = labelled_set()
    text = model_json(examples)
    target: Path = args.out or model_path()
    if args.check:
        if target.read_text("utf-8") != text:
            print(f"{target} is not what the labelled set trains: run `liveops comments train`")
            return 1
        print(f"{target} matches a fresh training run")
        return 0
    target.write_text(text, "utf-8")
    trained = sum(1 for e in examples if e.split == "train")
    print(f"trained on {trained} comments; wrote {target} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
