"""Summarise an interleaved A/B log: medians of each side, their ratio, and the pair ratios.

    python bench/abpairs.py LOG --key accepted_per_s [--a PATH --b PATH]

LOG holds the output of runs made in turn, A B A B …: each run's figures are one JSON line
(as bench/ingest.py and bench/validate.py print them). A run belongs to the side named by the
line `PYTHONPATH=<path> run <n> …` printed before it, or else by its own `liveops` field. The
first side seen is A and the second B, unless --a and --b name them (a log may hold more). A
pair is run n of A with run n of B (or, without numbers, the n-th of each), so a drift of the
machine over the session weighs on both alike; a run that printed no figures (it failed)
leaves its pair out. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("log", type=Path)
    parser.add_argument(
        "--key",
        required=True,
        help="the figure to compare, e.g. accepted_per_s; a/b for figure b inside a",
    )
    parser.add_argument("--a", help="side A, as named on the PYTHONPATH line")
    parser.add_argument("--b", help="side B")
    args = parser.parse_args()

    runs: dict[str, dict[int, float]] = {}
    side, number = None, None
    for line in args.log.read_text().splitlines():
        if line.startswith("PYTHONPATH="):
            words = line.split()
            side = words[0].removeprefix("PYTHONPATH=")
            number = int(words[2]) if len(words) > 2 and words[1] == "run" else None
        elif line.startswith("{"):
            figures = json.loads(line)
            label = side or str(Path(figures["liveops"]).parent.parent)
            mine = runs.setdefault(label, {})
            value = figures
            for part in args.key.split("/"):  # a figure nested in another: outer/inner
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:  # this run has no such figure
                side = number = None
                continue
            mine[len(mine) + 1 if number is None else number] = float(value)
            side = number = None
    sides = list(runs)
    a, b = args.a or sides[0], args.b or (sides[1] if len(sides) > 1 else "")
    if a not in runs or b not in runs:
        raise SystemExit(f"sides {a!r} and {b!r}: the log has {sides}")
    a_by_run, b_by_run = runs[a], runs[b]
    a_runs, b_runs = list(a_by_run.values()), list(b_by_run.values())
    pairs = [b_by_run[n] / a_by_run[n] for n in sorted(a_by_run.keys() & b_by_run.keys())]
    print(
        json.dumps(
            {
                "key": args.key,
                "A": a,
                "B": b,
                "runs": [len(a_runs), len(b_runs)],
                "A_median": statistics.median(a_runs),
                "A_range": [min(a_runs), max(a_runs)],
                "B_median": statistics.median(b_runs),
                "B_range": [min(b_runs), max(b_runs)],
                "B_over_A_of_medians": round(
                    statistics.median(b_runs) / statistics.median(a_runs), 3
                ),
                "B_over_A_per_pair": [round(r, 3) for r in pairs],
                "B_over_A_median_of_pairs": round(statistics.median(pairs), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
