"""The shipped classifier against what the simulator's viewers mean: the demo's queue and
alerts only work if the classifier reads the simulated room as the simulator wrote it."""

from __future__ import annotations

import random
from collections import Counter

from liveops.comments.model import shipped
from liveops.simulate import texts
from liveops.simulate.lineup import DEMO_LINEUP

# Measured at 96 % when this test was written; the floor leaves room for new wordings in the
# simulator without letting the two drift apart unnoticed.
AGREEMENT_FLOOR = 0.90


def test_the_classifier_reads_a_simulated_room_as_the_simulator_meant_it() -> None:
    rng = random.Random(20261204)
    agree = 0
    per_intent: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    total = 4_000
    for _ in range(total):
        product = rng.choice(DEMO_LINEUP)
        category = texts.pick_category(rng, product, in_flash=rng.random() < 0.1)
        meant = texts.intent_of(category)
        got = shipped().classify(texts.comment_text(rng, category, product)).intent
        per_intent[meant] += 1
        if got == meant:
            agree += 1
        else:
            missed[meant] += 1
    assert agree / total >= AGREEMENT_FLOOR, missed.most_common()
    # Every question family is read well enough for the queue to cluster it.
    for intent in ("question_size", "question_price", "question_shipping", "question_quality"):
        assert per_intent[intent] > 0
        assert missed[intent] / per_intent[intent] < 0.2, (intent, missed[intent])
