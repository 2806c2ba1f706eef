"""Ingest's pure edge: decoding a body and validating its items, in µs per event.

    python bench/validate.py [--events 5000] [--rounds 30]

Decodes and validates one realistic batch (`--events` items of the simulator's usual mix)
`--rounds` times in this process, with no HTTP and no database, and prints the median and the
spread as one JSON line. This is the part of ingest that issue #9's checks (duplicate keys,
ranges, the ts window, bounded extra fields) made dearer; bench/ingest.py measures the whole.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta

import orjson

from liveops.events import to_micros
from liveops.ingest.body import decode_events
from liveops.ingest.service import CONTRACT_TS_LIMITS
from liveops.ingest.validation import validate_items

MIX = [
    {"type": "comment", "viewer_id": "v1", "text": "这个多少钱？有没有优惠券"},
    {"type": "like", "viewer_id": "v2", "count": 3},
    {"type": "viewer.join", "viewer_id": "v3", "channel": "recommend", "tier": "new"},
    {"type": "order.created", "order_id": "o1", "viewer_id": "v1", "sku": "S1", "qty": 1,
     "amount": 9900},
    {"type": "product.click", "viewer_id": "v1", "sku": "S1"},
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    now = datetime.now(UTC)
    ts = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    events = [
        {"id": f"e{i}", "ts": ts, "source": "douyin", **MIX[i % len(MIX)]}
        for i in range(args.events)
    ]
    body = orjson.dumps({"events": events})
    window = CONTRACT_TS_LIMITS.window(now - timedelta(hours=1), None, now)
    received = to_micros(now)

    seconds = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        batch = validate_items(
            decode_events(body, args.events), received_at_us=received, window=window
        )
        seconds.append(time.perf_counter() - started)
        assert len(batch.records) == args.events, batch.rejections[:1]
    per_event = sorted(s / args.events * 1e6 for s in seconds)
    print(
        json.dumps(
            {
                "events": args.events,
                "rounds": args.rounds,
                "median_us_per_event": round(statistics.median(per_event), 2),
                "min_us_per_event": round(per_event[0], 2),
                "max_us_per_event": round(per_event[-1], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
