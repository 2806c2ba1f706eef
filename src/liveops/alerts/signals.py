"""What each signal rule reads from the live state, as numbers in the rule's unit. Pure.

A reading names its rule and subject (the SKU for stock rules, "" for the show) and carries the
value the rule compares with its threshold (alerts/rules.py). No reading means nothing to judge
(no stock row, no stream-health report in the window, a show that is not live): the rule's
watch keeps its phase until a reading comes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reading:
    rule: str
    subject: str
    value: float
    # What the alert's message and detail show beside the value (units left, for stock).
    detail: Mapping[str, Any] | None = field(default=None, compare=False)


def stock_readings(rows: Iterable[Mapping[str, Any]]) -> list[Reading]:
    """`sold_out` (units left) and `low_stock` (the share left of what can be sold: a running
    flash sale's cap, else the allocation), per SKU.

    The last unit is always low, however small the allocation (one of five is 20 %, and still
    the last). At zero the SKU is sold out, not low: `low_stock` reads 1.0 there, so that its
    alert gives way to `sold_out`'s rather than standing beside it."""
    readings: list[Reading] = []
    for row in rows:
        sale = row.get("flash_sale")
        left = int(sale["remaining"]) if sale else int(row["available"])
        basis = int(sale["cap"]) if sale else int(row["allocated"])
        sku = str(row["sku"])
        units = {"available": left}
        readings.append(Reading("sold_out", sku, left, units))
        if basis > 0:
            share = 1.0 if left == 0 else 0.0 if left == 1 else left / basis
            readings.append(Reading("low_stock", sku, share, units))
    return readings


def stream_reading(
    health: Mapping[str, Any] | None, now_ms: int, window_seconds: float
) -> Reading | None:
    """`stream_unhealthy`: the newest report's stall ratio, if it is within the window."""
    if not health or now_ms - int(health["ts"]) > window_seconds * 1000:
        return None
    return Reading("stream_unhealthy", "", float(health["stall_ratio"]))


def stale_reading(
    live_since_ms: int | None, last_event_ms: int | None, now_ms: int
) -> Reading | None:
    """`stale_feed`: seconds since the newest event arrived (or since the show went live, if
    none has), while the show is live (`live_since_ms` None: not live)."""
    if live_since_ms is None:
        return None
    since = max(live_since_ms, last_event_ms or 0)
    return Reading("stale_feed", "", max(0.0, (now_ms - since) / 1000))


# Pace is not judged in a show's first minutes: one early order, or none, says nothing yet.
PACE_GRACE_MINUTES = 5.0


def pace_reading(
    target_gmv: float | None,
    planned_minutes: float | None,
    live_since_ms: int | None,
    now_ms: int,
    gmv_paid: int,
) -> Reading | None:
    """`gmv_pace`: the share (0–1) by which paid GMV runs behind a straight line from 0 at the
    start to the GMV target at the planned end (the target, once past the planned end). None
    without a target, a planned length, or before the grace minutes of a live show."""
    if not target_gmv or not planned_minutes or live_since_ms is None:
        return None
    elapsed = (now_ms - live_since_ms) / 60_000
    if elapsed < PACE_GRACE_MINUTES:
        return None
    expected = target_gmv * min(1.0, elapsed / planned_minutes)
    behind = max(0.0, 1 - gmv_paid / expected)
    return Reading("gmv_pace", "", round(behind, 4), {"expected": round(expected), "gmv": gmv_paid})


class OnlineHistory:
    """Viewers online over the last `window_seconds`, one sample a second at most."""

    def __init__(self, window_seconds: float) -> None:
        self.window_seconds = window_seconds
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, online: int) -> None:
        if self._samples and now - self._samples[-1][0] < 1:
            self._samples[-1] = (self._samples[-1][0], online)  # keep one sample a second
        else:
            self._samples.append((now, online))
        while self._samples and now - self._samples[0][0] > self.window_seconds:
            self._samples.popleft()

    def reading(self) -> Reading | None:
        """`online_drop`: the share of the window's peak lost since, now."""
        if not self._samples:
            return None
        peak = max(online for _, online in self._samples)
        if peak <= 0:
            return None
        return Reading("online_drop", "", (peak - self._samples[-1][1]) / peak)


# Comments arrive roughly in source-time order; one this far out of order ends the walk back.
MAX_TS_DISORDER_MS = 60_000


def complaint_reading(
    complaint_times_ms: Sequence[int], now_ms: int, window_seconds: float
) -> Reading:
    """`complaint_spike`: comments the classifier read as complaints (quality, logistics or
    service, contract §11) whose source time is within the window. `complaint_times_ms` is in
    arrival order, so the count walks back from the newest."""
    since = now_ms - window_seconds * 1000
    count = 0
    for ts in reversed(complaint_times_ms):
        if ts >= since:
            count += 1
        elif ts < since - MAX_TS_DISORDER_MS:
            break
    return Reading("complaint_spike", "", count)


def unanswered_reading(oldest_open_seconds: float | None) -> Reading:
    """`question_unanswered`: how long the longest-waiting open question cluster has waited
    (0 when none is open, so that an alert recovers once the queue is answered)."""
    return Reading("question_unanswered", "", oldest_open_seconds or 0.0)
