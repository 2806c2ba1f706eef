"""The stock ledger's rules, without I/O: levels, answers, sell-out forecast and alerts.

The store of record decides every reservation with one conditional statement (see
`repository.py`); this module holds what surrounds that decision and can be reasoned about
on its own: the shape of a SKU's levels, how a live console's forecast is computed and when a
change of level deserves an alert.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["reserved", "sold_out", "limit_exceeded", "not_started"]
# `state` of a reservation row: its life after the answer.
ReservationState = Literal["pending", "reserved", "sold", "released", "expired", "rejected"]
HOLDING_STATES: tuple[ReservationState, ...] = ("reserved", "sold")


@dataclass(frozen=True, slots=True)
class Levels:
    """One SKU's ledger. `reserved + sold + available == allocated` and nothing is negative,
    always; the database's CHECK constraints enforce the same."""

    allocated: int
    reserved: int
    sold: int
    available: int

    def balanced(self) -> bool:
        return (
            min(self.reserved, self.sold, self.available) >= 0
            and self.reserved + self.sold + self.available == self.allocated
        )


def sellable(available: int, sale_remaining: int | None) -> int:
    """What a buyer can still get: the ledger's available, capped by a running flash sale."""
    return available if sale_remaining is None else min(available, sale_remaining)


def refusal(
    *, qty: int, sellable_now: int, held: int, limit_per_viewer: int | None, started: bool
) -> Outcome:
    """Why a reservation the store refused was refused, in the order a buyer should hear it."""
    if not started:
        return "not_started"
    if sellable_now < qty:
        return "sold_out"
    if limit_per_viewer is not None and held + qty > limit_per_viewer:
        return "limit_exceeded"
    # The row changed between the refusal and this reading (another process released stock):
    # the refusal stands, and "sold out" is what was true when it was decided.
    return "sold_out"


class SellOutForecast:
    """Time to zero for one SKU at its recent order velocity.

    Velocity is the growth of `reserved + sold` over a sliding window (default one minute):
    releases and expiries lower it, as they should. Samples are bounded by the window and a
    hard count, so a hot SKU cannot grow memory.
    """

    def __init__(self, window_seconds: float = 60.0, max_samples: int = 600) -> None:
        self._window = window_seconds
        self._samples: deque[tuple[float, int]] = deque(maxlen=max_samples)

    def observe(self, at: float, taken: int) -> None:
        """`taken` = reserved + sold at monotonic time `at` (seconds)."""
        self._samples.append((at, taken))
        while self._samples and at - self._samples[0][0] > self._window:
            self._samples.popleft()

    def units_per_second(self, now: float) -> float:
        if not self._samples:
            return 0.0
        oldest_at, oldest = self._samples[0]
        _, newest = self._samples[-1]
        # Measure over the whole window even if it started quiet, so one burst of two orders
        # in the same millisecond does not read as thousands per second.
        span = max(now - oldest_at, 1.0)
        return max(0.0, (newest - oldest) / span)

    def seconds_to_zero(self, available: int, now: float) -> float | None:
        """None when nothing is moving (no forecast), 0 when already sold out."""
        if available <= 0:
            return 0.0
        velocity = self.units_per_second(now)
        if velocity <= 0:
            return None
        return available / velocity
