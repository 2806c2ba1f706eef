"""What the moderation filter costs on the live hot path: every comment published to consoles
asks `ModerationState.hides_item` (src/liveops/moderation/filter.py).

    .venv/bin/python bench/moderation.py [--comments 100000] [--repeats 7]

Prints the median cost per comment (µs) of: no moderation at all, a room at the limits
(500 keywords, 10,000 bans, 10,000 hidden comments), and the same with long comments (the
500-character maximum). Pure CPU, one core, no I/O.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from liveops.moderation.filter import KEYWORDS_MAX, Ban, ModerationState

# Texts and keywords drawn from the first 2,000 CJK ideographs.
CHARS = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 2_000))


def comments(count: int, length: int, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "kind": "comment",
            "id": f"c{i}",
            "ts": 1_764_800_000_000 + i,
            "viewer_id": f"v{rng.randrange(200_000)}",
            "text": "".join(rng.choice(CHARS) for _ in range(length)),
        }
        for i in range(count)
    ]


def at_the_limits(rng: random.Random) -> ModerationState:
    keywords = [
        "".join(rng.choice(CHARS) for _ in range(rng.randint(2, 4))) for _ in range(KEYWORDS_MAX)
    ]
    bans = [Ban(i, f"v{rng.randrange(200_000)}", 1_764_800_000_000_000) for i in range(10_000)]
    return ModerationState(hidden=(f"h{i}" for i in range(10_000)), bans=bans, keywords=keywords)


def per_comment_us(state: ModerationState, items: list[dict[str, Any]], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for item in items:
            state.hides_item(item)
        runs.append((time.perf_counter() - started) / len(items) * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(20261204)
    short = comments(args.comments, 20, rng)
    long = comments(args.comments // 10, 500, rng)
    full = at_the_limits(rng)
    hidden_share = sum(full.hides_item(i) is not None for i in short) / len(short)
    print(f"comments: {len(short):,} of 20 chars, {len(long):,} of 500; median of {args.repeats}")
    bare = per_comment_us(ModerationState(), short, args.repeats)
    print(f"no moderation:             {bare:.2f} µs/comment")
    print(f"at the limits, 20 chars:   {per_comment_us(full, short, args.repeats):.2f} µs/comment")
    print(f"at the limits, 500 chars:  {per_comment_us(full, long, args.repeats):.2f} µs/comment")
    print(f"(hidden by the limits' state: {hidden_share:.1%} of the short comments)")


if __name__ == "__main__":
    main()
