"""Who is watching: presence intervals, online, peak and watch time, exact under reordering.

Rules (docs/metrics.md): a viewer's joins and leaves, sorted by `ts` with joins first at an
equal `ts`, drive a present/absent state machine. The online count is the number present; the
peak is the greatest count after all the events of one `ts` have been applied.

The timeline is kept as net changes of the present count per distinct `ts`, grouped in
one-second buckets. A bucket knows its net change and the highest point it reaches relative to
its start; reading the peak recomputes only the buckets from the earliest one that changed, so
in-order traffic costs O(1) per event and a late event costs a pass over the seconds after it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

JOIN = 0
LEAVE = 1
SECOND_US = 1_000_000
MINUTE_US = 60 * SECOND_US


@dataclass(slots=True)
class _Viewer:
    transitions: list[tuple[int, int]] = field(default_factory=list)  # (ts_us, JOIN/LEAVE), sorted
    present: bool = False
    open_since: int = 0
    closed_watch_us: int = 0
    changes: list[tuple[int, int]] = field(default_factory=list)  # (ts_us, +1/-1) that moved state


@dataclass(slots=True)
class _Bucket:
    deltas: dict[int, int] = field(default_factory=dict)  # ts_us -> net change (0: a moment)
    net: int = 0
    high: int = 0  # highest count reached after any ts in the bucket, relative to its start
    stale: bool = True


class PresenceTracker:
    def __init__(self) -> None:
        self._viewers: dict[str, _Viewer] = {}
        self.present_count = 0
        self._open_since_sum = 0
        self._closed_watch_us = 0
        self._buckets: dict[int, _Bucket] = {}
        self._seconds: list[int] = []  # sorted bucket keys
        self._start: list[int] = []  # present count before each bucket (parallel to _seconds)
        self._best: list[int] = []  # highest count in buckets [0..i] (parallel to _seconds)
        self._stale_from: int | None = None  # earliest second whose figures must be recomputed
        self._latest_ts_us = 0  # newest presence event: every open interval began by then
        self.changed_minutes: set[int] = set()

    @property
    def has_events(self) -> bool:
        return bool(self._seconds)

    def apply(self, viewer_id: str, ts_us: int, kind: int) -> None:
        viewer = self._viewers.get(viewer_id)
        if viewer is None:
            viewer = self._viewers[viewer_id] = _Viewer()
        key = (ts_us, kind)
        if not viewer.transitions or key >= viewer.transitions[-1]:
            viewer.transitions.append(key)
            self._mark(ts_us, self._step(viewer, ts_us, kind))
        else:
            bisect.insort(viewer.transitions, key)
            self._rederive(viewer)
            self._mark(ts_us, 0)  # even an event that changes nothing is a moment to read at

    def _step(self, viewer: _Viewer, ts_us: int, kind: int) -> int:
        if kind == JOIN and not viewer.present:
            viewer.present = True
            viewer.open_since = ts_us
            viewer.changes.append((ts_us, 1))
            self._open_since_sum += ts_us
            self.present_count += 1
            return 1
        if kind == LEAVE and viewer.present:
            viewer.present = False
            interval = ts_us - viewer.open_since
            viewer.closed_watch_us += interval
            self._closed_watch_us += interval
            self._open_since_sum -= viewer.open_since
            viewer.changes.append((ts_us, -1))
            self.present_count -= 1
            return -1
        return 0

    def _rederive(self, viewer: _Viewer) -> None:
        """Replay one viewer from scratch after an out-of-order event, fixing every total."""
        for ts_us, delta in viewer.changes:
            self._mark(ts_us, -delta)
        if viewer.present:
            self.present_count -= 1
            self._open_since_sum -= viewer.open_since
        self._closed_watch_us -= viewer.closed_watch_us
        viewer.present, viewer.open_since, viewer.closed_watch_us = False, 0, 0
        viewer.changes = []
        for ts_us, kind in viewer.transitions:
            self._mark(ts_us, self._step(viewer, ts_us, kind))

    def _mark(self, ts_us: int, delta: int) -> None:
        if ts_us > self._latest_ts_us:
            self._latest_ts_us = ts_us
        second = ts_us // SECOND_US
        bucket = self._buckets.get(second)
        if bucket is None:
            bucket = self._buckets[second] = _Bucket()
            index = bisect.bisect_left(self._seconds, second)
            self._seconds.insert(index, second)
            self._start.insert(index, 0)
            self._best.insert(index, 0)
        bucket.deltas[ts_us] = bucket.deltas.get(ts_us, 0) + delta
        bucket.stale = True
        if self._stale_from is None or second < self._stale_from:
            self._stale_from = second

    def total_watch_us(self, end_us: int) -> int:
        """Closed intervals plus every open one running to `end_us` (zero if opened later)."""
        if end_us >= self._latest_ts_us:
            # Every open interval began before end_us: one product instead of a loop.
            return self._closed_watch_us + self.present_count * end_us - self._open_since_sum
        # The show ended before some presence events (a join after the end): rare, so loop.
        return self._closed_watch_us + sum(
            max(0, end_us - v.open_since) for v in self._viewers.values() if v.present
        )

    def refresh(self) -> None:
        """Bring the peak and per-minute figures up to date (they are recomputed lazily)."""
        if self._stale_from is None:
            return
        first = bisect.bisect_left(self._seconds, self._stale_from)
        self._stale_from = None
        count = 0
        best: int | None = None
        if first > 0:
            count = self._start[first - 1] + self._buckets[self._seconds[first - 1]].net
            best = self._best[first - 1]
        for index in range(first, len(self._seconds)):
            second = self._seconds[index]
            bucket = self._buckets[second]
            if bucket.stale:
                running, high = 0, None
                for ts_us in sorted(bucket.deltas):
                    running += bucket.deltas[ts_us]
                    high = running if high is None or running > high else high
                bucket.net, bucket.high, bucket.stale = running, high or 0, False
            self._start[index] = count
            reached = count + bucket.high
            best = reached if best is None or reached > best else best
            self._best[index] = best
            count += bucket.net
            self.changed_minutes.add(second // 60)

    def peak(self) -> int:
        self.refresh()
        return max(self._best[-1], 0) if self._best else 0

    def minute_peaks(self, minutes: set[int] | None = None) -> dict[int, int]:
        """Greatest present count after any ts of each minute that has presence events."""
        self.refresh()
        peaks: dict[int, int] = {}
        if minutes is None:
            indices: range | list[int] = range(len(self._seconds))
        else:
            indices = []
            for minute in sorted(minutes):
                lo = bisect.bisect_left(self._seconds, minute * 60)
                hi = bisect.bisect_left(self._seconds, (minute + 1) * 60)
                indices.extend(range(lo, hi))
        for index in indices:
            minute = self._seconds[index] // 60
            reached = self._start[index] + self._buckets[self._seconds[index]].high
            if minute not in peaks or reached > peaks[minute]:
                peaks[minute] = reached
        return peaks
