"""The comment classifier: character n-grams of the normal form, a linear model, sharp rules.

A comment's features are the character 1-, 2- and 3-grams of its normal form (normalize.py)
with start and end marks, so 码 at the end of 多大码 differs from 码 inside 码数. The model is
multinomial logistic regression trained on the shipped labelled set (train.py); its weights
ship as `data/model.json`. Scoring a comment is a dictionary lookup per feature and one sum per
intent, which keeps classification off the ingest path's critical cost (bench/classify.py).

Rules go first where they are sharper than statistics: a link or a contact handle is spam
whatever else the comment says, and a comment of only digits, laughter or punctuation is
interaction.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from liveops.comments.cues import cue_features
from liveops.comments.intents import INTENTS, Intent
from liveops.comments.normalize import CONTACT, LINK, NUMBER, normalize

# How many distinct texts the classifier remembers: live rooms repeat themselves (扣1, 666,
# 冲冲冲), and a remembered text costs one dictionary lookup.
CACHE_SIZE = 65_536
RULE_CONFIDENCE = 0.99
# A comment made only of these is a cheer or a game reply (666, 111, 哈哈哈, ？？？, 👍).
_CHEER_CHARS = frozenset("0123456789哈呵嘿嘻啊哇噢哦嗯~!?.,。，！？…、" + NUMBER)


def features(normal: str) -> list[str]:
    """Character 1-, 2- and 3-grams of a normal form, marked at its start (^) and end ($),
    and the cue groups (cues.py) whose words it holds."""
    marked = f"^{normal}$"
    grams = [marked[i] for i in range(1, len(marked) - 1)]
    grams += [marked[i : i + 2] for i in range(len(marked) - 1)]
    grams += [marked[i : i + 3] for i in range(len(marked) - 2)]
    grams += cue_features(normal)
    return grams


def rule_intent(normal: str) -> Intent | None:
    """The intent a sharp rule gives the comment, or None when the model decides."""
    if LINK in normal or CONTACT in normal:
        return "spam"
    if normal and all(ch in _CHEER_CHARS or _is_symbol(ch) for ch in normal):
        return "interaction"
    return None


def _is_symbol(ch: str) -> bool:
    # Emoji and other pictographs (So), and punctuation of any script (P*).
    return ch >= "\u2000" and ch not in (LINK, CONTACT, NUMBER) and _category(ch)[0] in "SP"


@functools.cache
def _category(ch: str) -> str:
    import unicodedata

    return unicodedata.category(ch)


@dataclass(frozen=True, slots=True)
class Classification:
    intent: Intent
    confidence: float


class LinearModel:
    """Weights per feature and intent, and a bias per intent."""

    def __init__(
        self,
        intents: Sequence[Intent],
        bias: Sequence[float],
        weights: Mapping[str, Sequence[float]],
    ) -> None:
        self.intents = tuple(intents)
        self.bias = tuple(bias)
        self.weights = {feature: tuple(row) for feature, row in weights.items()}

    def scores(self, grams: Iterable[str]) -> list[float]:
        get = self.weights.get
        rows = [row for row in map(get, set(grams)) if row is not None]
        if not rows:
            return list(self.bias)
        columns = zip(*rows, strict=True)
        return [b + sum(column) for b, column in zip(self.bias, columns, strict=True)]

    def to_json(self) -> dict[str, Any]:
        return {
            "intents": list(self.intents),
            "bias": [round(b, 4) for b in self.bias],
            "weights": {f: [round(w, 4) for w in row] for f, row in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        intents = tuple(data["intents"])
        if set(intents) != set(INTENTS) or len(intents) != len(INTENTS):
            raise ValueError("the model's intents are not contract §11's twelve")
        return cls(intents, data["bias"], data["weights"])


def softmax_top(scores: Sequence[float]) -> tuple[int, float]:
    """The best index and its probability under softmax."""
    top = max(range(len(scores)), key=scores.__getitem__)
    peak = scores[top]
    total = sum(math.exp(s - peak) for s in scores)
    return top, 1.0 / total


class Classifier:
    """Classifies comment texts; safe to share (its only state is a bounded cache)."""

    def __init__(self, model: LinearModel, cache_size: int = CACHE_SIZE) -> None:
        self.model = model
        self.classify = functools.lru_cache(maxsize=cache_size)(self._classify)

    def _classify(self, text: str) -> Classification:
        normal = normalize(text)
        ruled = rule_intent(normal)
        if ruled is not None:
            return Classification(ruled, RULE_CONFIDENCE)
        if not normal:
            return Classification("other", 1.0)
        top, probability = softmax_top(self.model.scores(features(normal)))
        return Classification(self.model.intents[top], round(probability, 4))

    def classify_many(self, texts: Iterable[str]) -> list[Classification]:
        classify = self.classify
        return [classify(text) for text in texts]

    @classmethod
    def from_file(cls, path: Path) -> Classifier:
        return cls(LinearModel.from_json(json.loads(path.read_text("utf-8"))))


def model_path() -> Path:
    return Path(str(resources.files("liveops.comments").joinpath("data/model.json")))


@functools.cache
def shipped() -> Classifier:
    """The classifier trained on the shipped labelled set (loaded once, on first use)."""
    return Classifier.from_file(model_path())


def intent_of(text: str) -> Intent:
    return shipped().classify(text).intent
