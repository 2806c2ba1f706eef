"""Comment classification speed on one core (issue #12): comments/s through the classifier.

    python bench/classify.py [--comments 200000] [--repeats 5]

Three streams, each classified `--repeats` times (the median run is reported):

- `unique`: every comment a different text (a labelled comment plus its own number) through a
  classifier with no cache: the cost of reading a comment never seen before;
- `labelled`: the labelled set's comments, no cache (no number appended: their own lengths);
- `room`: what a simulated show's viewers say (liveops.simulate.texts), through the shipped
  classifier with its cache of repeated texts, as the ingest path uses it.

Runs in this one process on one core (pinned to CPU 0 where the machine allows it). Prints one
JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import time
from typing import Any

from liveops.comments.model import CACHE_SIZE, Classifier, LinearModel, shipped
from liveops.comments.train import labelled_set
from liveops.simulate import texts
from liveops.simulate.lineup import DEMO_LINEUP


def rate(model: LinearModel, cache_size: int, comments: list[str], repeats: int) -> float:
    """The median comments/s over `repeats` runs, each with a classifier of its own (so an
    empty cache at the start of each)."""
    runs = []
    for _ in range(repeats):
        classifier = Classifier(model, cache_size=cache_size)
        started = time.perf_counter()
        classifier.classify_many(comments)
        runs.append(len(comments) / (time.perf_counter() - started))
    return statistics.median(runs)


def room_comments(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    lineup = list(DEMO_LINEUP)
    comments = []
    for _ in range(count):
        product = rng.choice(lineup)
        category = texts.pick_category(rng, product, in_flash=False)
        comments.append(texts.comment_text(rng, category, product))
    return comments


def main(args: argparse.Namespace) -> dict[str, Any]:
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {0})
    model = shipped().model
    labelled = [e.text for e in labelled_set()]
    rng = random.Random(7)
    unique = [f"{rng.choice(labelled)}{n}" for n in range(args.comments)]
    repeated = (labelled * (args.comments // len(labelled) + 1))[: args.comments]
    room = room_comments(args.comments, seed=7)
    return {
        "comments": args.comments,
        "repeats": args.repeats,
        "unique_per_s": round(rate(model, 0, unique, args.repeats)),
        "labelled_per_s": round(rate(model, 0, repeated, args.repeats)),
        "room_cached_per_s": round(rate(model, CACHE_SIZE, room, args.repeats)),
        "room_distinct_texts": len(set(room)),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    print(json.dumps(main(parser.parse_args())))
