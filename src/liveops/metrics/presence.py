"""Who is watching: presence intervals, online, peak and watch time, exact under reordering.

Rules (docs/metrics.md): a viewer's joins and leaves, sorted by `ts` with joins first at an
equal `ts`, drive a present/absent state machine. The online count is the number present; the
peak is the greatest count after all the events of one `ts` have been applied.

Events mostly arrive in order, so the common path is O(1). An event older than what was
already seen re-derives that viewer's intervals and marks the timeline for a lazy recount of
the peak and per-minute figures the next time they are read.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

JOIN = 0
LEAVE = 1
MINUTE_US = 60_000_000


@dataclass(slots=True)
class _Viewer:
    transitions: list[tuple[int, int]] = field(default_factory=list)  # (ts_us, JOIN/LEAVE), sorted
    present: bool = False
    open_since: int = 0
    closed_watch_us: int = 0
    changes: list[tuple[int, int]] = field(default_factory=list)  # (ts_us, +1/-1) that moved state


class PresenceTracker:
    def __init__(self) -> None:
        self._viewers: dict[str, _Viewer] = {}
        self.present_count = 0
        self._open_since_sum = 0
        self._closed_watch_us = 0
        # Net change of the present count per distinct ts (zero entries included: a no-op
        # event still marks a moment at which the count is observed).
        self._delta_at: dict[int, int] = {}
        self._last_ts: int | None = None
        self._peak_before_last = 0
        self._minute_peak_before_last: dict[int, int] = {}
        self._dirty = False
        self._dirty_from: int | None = None  # earliest ts whose history changed since a recount
        self.changed_minutes: set[int] = set()

    @property
    def has_events(self) -> bool:
        return self._last_ts is not None

    def apply(self, viewer_id: str, ts_us: int, kind: int) -> None:
        viewer = self._viewers.get(viewer_id)
        if viewer is None:
            viewer = self._viewers[viewer_id] = _Viewer()
        key = (ts_us, kind)
        globally_in_order = self._last_ts is None or ts_us >= self._last_ts
        if (not viewer.transitions or key >= viewer.transitions[-1]) and globally_in_order:
            viewer.transitions.append(key)
            self._advance(ts_us)
            delta = self._step(viewer, ts_us, kind)
            self._delta_at[ts_us] = self._delta_at.get(ts_us, 0) + delta
            self.present_count += delta
        else:
            bisect.insort(viewer.transitions, key)
            self._rederive(viewer)
            if not globally_in_order:
                self._mark_dirty(ts_us)
            else:
                self._advance(ts_us)
                self._delta_at.setdefault(ts_us, 0)
        self.changed_minutes.add(ts_us // MINUTE_US)

    def _advance(self, ts_us: int) -> None:
        """Close the group of the previous ts before a later one opens."""
        if self._last_ts is not None and ts_us > self._last_ts and not self._dirty:
            self._peak_before_last = max(self._peak_before_last, self.present_count)
            minute = self._last_ts // MINUTE_US
            previous = self._minute_peak_before_last.get(minute, 0)
            self._minute_peak_before_last[minute] = max(previous, self.present_count)
        if self._last_ts is None or ts_us > self._last_ts:
            self._last_ts = ts_us

    def _step(self, viewer: _Viewer, ts_us: int, kind: int) -> int:
        if kind == JOIN and not viewer.present:
            viewer.present = True
            viewer.open_since = ts_us
            viewer.changes.append((ts_us, 1))
            self._open_since_sum += ts_us
            return 1
        if kind == LEAVE and viewer.present:
            viewer.present = False
            interval = ts_us - viewer.open_since
            viewer.closed_watch_us += interval
            self._closed_watch_us += interval
            self._open_since_sum -= viewer.open_since
            viewer.changes.append((ts_us, -1))
            return -1
        return 0

    def _rederive(self, viewer: _Viewer) -> None:
        """Replay one viewer from scratch after an out-of-order event, fixing every total."""
        for ts_us, delta in viewer.changes:
            self._delta_at[ts_us] -= delta
        self.present_count -= 1 if viewer.present else 0
        self._open_since_sum -= viewer.open_since if viewer.present else 0
        self._closed_watch_us -= viewer.closed_watch_us
        viewer.present, viewer.open_since, viewer.closed_watch_us = False, 0, 0
        viewer.changes = []
        for ts_us, kind in viewer.transitions:
            delta = self._step(viewer, ts_us, kind)
            self._delta_at[ts_us] = self._delta_at.get(ts_us, 0) + delta
            self.present_count += delta
        # A reordering inside the newest group is still exact incrementally; anything earlier
        # changes history that the committed peaks summarised.
        earlier = [ts_us for ts_us, _ in viewer.changes if ts_us < (self._last_ts or 0)]
        if earlier:
            self._mark_dirty(min(earlier))

    def _mark_dirty(self, from_ts_us: int) -> None:
        self._dirty = True
        if self._dirty_from is None or from_ts_us < self._dirty_from:
            self._dirty_from = from_ts_us

    def total_watch_us(self, end_us: int) -> int:
        """Closed intervals plus every open one running to `end_us`."""
        return self._closed_watch_us + self.present_count * end_us - self._open_since_sum

    def peak(self) -> int:
        self._recount_if_dirty()
        return max(self._peak_before_last, self.present_count)

    def minute_peaks(self) -> dict[int, int]:
        """Greatest present count after any ts of each minute that has presence events."""
        self._recount_if_dirty()
        peaks = dict(self._minute_peak_before_last)
        if self._last_ts is not None:
            minute = self._last_ts // MINUTE_US
            peaks[minute] = max(peaks.get(minute, 0), self.present_count)
        return peaks

    def refresh(self) -> None:
        """Bring the peak and per-minute figures up to date (they are recounted lazily)."""
        self._recount_if_dirty()

    def _recount_if_dirty(self) -> None:
        if not self._dirty:
            return
        if self._dirty_from is not None and self._last_ts is not None:
            first, last = self._dirty_from // MINUTE_US, self._last_ts // MINUTE_US
            self.changed_minutes.update(range(first, last + 1))
        running = 0
        peak_before_last = 0
        minute_peaks: dict[int, int] = {}
        for ts_us in sorted(self._delta_at):
            if ts_us == self._last_ts:
                break  # the newest group stays open: later events may still join it
            running += self._delta_at[ts_us]
            peak_before_last = max(peak_before_last, running)
            minute = ts_us // MINUTE_US
            minute_peaks[minute] = max(minute_peaks.get(minute, 0), running)
        self._peak_before_last = peak_before_last
        self._minute_peak_before_last = minute_peaks
        self._dirty = False
        self._dirty_from = None
