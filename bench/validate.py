"""Ingest's pure edge: decoding a body and validating its items, in µs per event.

    python bench/validate.py [--events 5000] [--rounds 30] [--breakdown] [--profile N]

Decodes and validates one realistic mixed batch (`--events` items: comments, likes, joins and
leaves, impressions, clicks, cart adds, orders and payments, viewer counts, stock counts,
shares and gifts, in roughly bench/ingest.py's proportions) `--rounds` times in this process,
with no HTTP and no database and with the garbage collector tuned as `liveops serve` tunes it,
and prints the median and the spread as one JSON line. This is the part of ingest that issue
#9's checks (duplicate keys, ranges, the ts window, bounded extra fields) made dearer;
bench/ingest.py measures the whole.

It runs against the code before issue #9 as well (`PYTHONPATH=<old tree>/src`), and says
which it found in its output (`code`):

- `hardened`: `ingest.body.decode_events` (stdlib json with the duplicate-key / NaN / huge
  integer hooks) and `validate_items(..., window=...)`, whose payloads are the stored JSON;
- `pre-#9`: what the router did then, `orjson.loads` and the `events` checks, then
  `validate_items(...)`, then `orjson.dumps` of each accepted item (which the repository did
  when it inserted), so that both sides end with the same thing: records plus stored JSON.

Each round is timed on the wall clock and on this thread's CPU clock (`cpu_…`): on a machine
shared with other jobs, the CPU figure leaves out the time the thread waited for a core, and
is the one to compare. `--breakdown` also times the decode and the validation (with the
encoding of what is stored) apart, on the CPU clock. `--profile N` runs the rounds under
cProfile and prints the top N functions by own time to stderr (the figures of such a run are
inflated by the profiler; do not quote them).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

import liveops
from liveops.events import to_micros
from liveops.ingest.validation import validate_items
from liveops.tuning import tune_runtime

# (type, weight): bench/ingest.py's mix, with the stock and viewer-count events a platform and
# an ERP send besides.
MIX = [
    ("comment", 28),
    ("like", 25),
    ("viewer.join", 14),
    ("viewer.leave", 10),
    ("product.impression", 6),
    ("product.click", 6),
    ("cart.add", 3),
    ("order.created", 3),
    ("order.paid", 3),
    ("viewer.count", 1),
    ("stock.set", 1),
    ("share", 1),
    ("gift", 1),
]
TEXTS = [
    "有XL码吗",
    "多少钱",
    "拍了",
    "好看",
    "这个多少钱？有没有优惠券",
    "主播能试穿一下黑色的吗",
    "?",
]


def make_events(count: int, ts: str, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    events = []
    for n in range(count):
        kind = rng.choice(kinds)
        viewer = f"dy_{rng.randrange(200_000)}"
        sku = f"SKU-{rng.randrange(8)}"
        event: dict[str, Any] = {"id": f"e{n}", "type": kind, "ts": ts, "source": "douyin"}
        if kind in ("viewer.leave", "share"):
            event["viewer_id"] = viewer
        elif kind == "viewer.join":
            event |= {"viewer_id": viewer, "channel": "recommend", "tier": "new"}
        elif kind == "comment":
            event |= {"viewer_id": viewer, "text": rng.choice(TEXTS)}
        elif kind == "like":
            event |= {"viewer_id": viewer, "count": rng.randint(1, 20)}
        elif kind == "gift":
            event |= {"viewer_id": viewer, "gift": "小心心", "value": 100}
        elif kind == "product.impression":
            event |= {"sku": sku, "count": rng.randint(1, 50)}
        elif kind == "product.click":
            event |= {"viewer_id": viewer, "sku": sku}
        elif kind == "cart.add":
            event |= {"viewer_id": viewer, "sku": sku, "qty": 1}
        elif kind == "order.created":
            event |= {"order_id": f"o{n}", "viewer_id": viewer, "sku": sku, "qty": 1,
                      "amount": 9900}  # fmt: skip
        elif kind == "order.paid":
            event |= {"order_id": f"o{n - 1}", "amount": 9900}
        elif kind == "viewer.count":
            event |= {"online": rng.randrange(1_000, 50_000)}
        elif kind == "stock.set":
            event |= {"sku": sku, "available": rng.randrange(0, 500)}
        events.append(event)
    return events


Stages = dict[str, Callable[[], object]]


def edge(
    now: datetime, max_events: int, body: bytes
) -> tuple[str, Callable[[bytes], tuple[int, int]], Stages]:
    """(which code, body -> (records, stored payloads), the stages apart) for the liveops on
    sys.path."""
    received = to_micros(now)
    try:
        from liveops.ingest.body import decode_events
        from liveops.ingest.service import CONTRACT_TS_LIMITS
    except ImportError:
        # Before issue #9: the router's _read_events, then the repository's encoding.
        def decode_old(body: bytes) -> list[Any]:
            document = orjson.loads(body)
            if not isinstance(document, dict) or not isinstance(document.get("events"), list):
                raise ValueError("bad body")
            items: list[Any] = document["events"]
            if len(items) > max_events:
                raise ValueError("too many")
            return items

        def validate_old(items: list[Any]) -> tuple[int, int]:
            batch = validate_items(items, received_at_us=received)  # type: ignore[call-arg]
            stored = [orjson.dumps(p).decode() for p in batch.payloads]
            return len(batch.records), len(stored)

        items = decode_old(body)
        return (
            "pre-#9",
            lambda body: validate_old(decode_old(body)),
            {
                "decode": lambda: decode_old(body),
                "validate_and_encode": lambda: validate_old(items),
            },
        )

    window = CONTRACT_TS_LIMITS.window(now - timedelta(hours=1), None, now)

    def validate_new(items: list[Any]) -> tuple[int, int]:
        batch = validate_items(items, received_at_us=received, window=window)
        return len(batch.records), len(batch.payloads)

    items = decode_events(body, max_events)
    return (
        "hardened",
        lambda body: validate_new(decode_events(body, max_events)),
        {
            "decode": lambda: decode_events(body, max_events),
            "orjson_loads_for_comparison": lambda: orjson.loads(body),
            "validate_and_encode": lambda: validate_new(items),
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time the decode and the validation apart (median µs/event of --rounds)",
    )
    args = parser.parse_args()

    tune_runtime()  # the garbage collector's thresholds, as `liveops serve` sets them
    now = datetime.now(UTC)
    ts = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    body = orjson.dumps({"events": make_events(args.events, ts)})
    code, run, stages = edge(now, max(args.events, 5_000), body)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    for _ in range(args.rounds):
        started, cpu_started = time.perf_counter(), time.thread_time()
        records, stored = run(body)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.thread_time() - cpu_started)
        assert records == stored == args.events, (records, stored)
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(args.profile)
    per_event = sorted(s / args.events * 1e6 for s in seconds)
    cpu_per_event = sorted(s / args.events * 1e6 for s in cpu_seconds)
    breakdown = {}
    if args.breakdown:
        for name, stage in stages.items():
            times = []
            for _ in range(args.rounds):
                started = time.thread_time()
                stage()
                times.append(time.thread_time() - started)
            breakdown[name] = round(statistics.median(times) / args.events * 1e6, 2)
    print(
        json.dumps(
            {
                "code": code,
                "liveops": str(liveops.__file__),
                "events": args.events,
                "body_bytes": len(body),
                "rounds": args.rounds,
                "median_us_per_event": round(statistics.median(per_event), 2),
                "min_us_per_event": round(per_event[0], 2),
                "max_us_per_event": round(per_event[-1], 2),
                "cpu_median_us_per_event": round(statistics.median(cpu_per_event), 2),
                "cpu_min_us_per_event": round(cpu_per_event[0], 2),
                **({"stages_us_per_event": breakdown} if breakdown else {}),
            }
        )
    )


if __name__ == "__main__":
    main()
