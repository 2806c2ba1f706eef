"""Process-wide settings of the Python runtime that the hot path depends on."""

from __future__ import annotations

import gc

# The live state of a busy show is hundreds of thousands of small, long-lived, cycle-free
# objects (viewers, orders, per-minute points): reference counting frees them, and the cyclic
# collector can only re-scan them. With Python's default thresholds it ran a full collection
# every few seconds, each pausing the process for 80-230 ms and growing with the show
# (measured: bench/ingest.py, docs/benchmarks.md); these thresholds make full collections rare
# (minutes apart) while young cyclic garbage is still collected often.
GC_THRESHOLDS = (100_000, 50, 100)


def tune_runtime() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
