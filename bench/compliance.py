"""Compliance check benchmark: short lines checked per second, in this process, one core.

    python bench/compliance.py [--lines 200000] [--repeat 3]

Three workloads, each over `--lines` lines built from the labelled evaluation set:
`eval-mix` (its own mix: about half violate), `mostly-clean` (one line in twenty violates, like
an anchor's transcript) and `long-scripts` (2,000-character run-sheet scripts, counted in lines
of 20 characters). The engine is compiled before timing; the best of `--repeat` runs counts.
Prints one JSON line per workload.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from liveops.compliance import service
from liveops.compliance.evaluate import read_default_set


def workloads(count: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    lines = read_default_set()
    every = [line.text for line in lines]
    clean = [line.text for line in lines if line.label != "violation"]
    bad = [line.text for line in lines if line.label == "violation"]
    mostly_clean = [rng.choice(bad) if rng.random() < 0.05 else rng.choice(clean)
                    for _ in range(count)]  # fmt: skip
    scripts = ["，".join(rng.choice(every) for _ in range(100))[:2000] for _ in range(count // 100)]
    return {
        "eval-mix": [rng.choice(every) for _ in range(count)],
        "mostly-clean": mostly_clean,
        "long-scripts": scripts,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    engine = service.engine()
    compile_ms = (time.perf_counter() - started) * 1000
    for name, texts in workloads(args.lines).items():
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            results = engine.check_texts(texts)
            best = min(best, time.perf_counter() - started)
        chars = sum(map(len, texts))
        print(
            json.dumps(
                {
                    "workload": name,
                    "texts": len(texts),
                    "mean_chars": round(chars / len(texts), 1),
                    "texts_per_s": round(len(texts) / best),
                    "chars_per_s": round(chars / best),
                    "lines_per_s_20_chars": round(chars / 20 / best),
                    "violations": sum(map(len, results)),
                    "compile_ms": round(compile_ms, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
