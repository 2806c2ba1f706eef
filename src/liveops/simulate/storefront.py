"""The simulated shop's checkout: every order is reserved through the stock ledger before any
of its events is sent (`POST …/stock/{sku}/reservations`, docs/stock.md), as a storefront
does; a refused order is one the buyer never got, so none of its events is sent.

The platform's `order.paid` and `order.cancelled` events settle the reservation on the server
(sold, or back to stock), and an unpaid one is left to expire there, so the storefront sends
nothing else. What the ledger does not hold (404: a show without stock for the SKU) is sold
unguarded, as before the ledger existed.

Reservations are their own lane beside event ingest: in real time each goes at its order's
moment, a bounded number in flight, and only the events of an order still being decided wait
(`verdict`); every other event goes out on time, however slow the answers are.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import quote

import orjson

from liveops.simulate.control import Requester
from liveops.simulate.scenario import Buy

Verdict = Literal["send", "drop", "wait"]


class Steps(Protocol):
    """Field control's timed steps (control.Control), taken in time order."""

    @property
    def next_at(self) -> float: ...  # the next step's time; inf when none is left

    async def advance(self, until: float) -> None: ...


# Enough to keep up with a 秒杀's first second at the demo's pace without queueing a crowd of
# requests on one SQLite writer; the server's desk groups what arrives together anyway.
CONCURRENCY = 16
_PROBLEMS_SAID = 3


@dataclass(slots=True)
class StockReport:
    """What the storefront asked the ledger and what it answered."""

    reserved: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # by the server's reason
    unguarded: int = 0  # orders sent without a reservation: the ledger does not hold the SKU
    events_dropped: int = 0  # deliveries of refused orders, never sent
    problems: list[str] = field(default_factory=list)


class Storefront:
    """Reserves the plan's orders (``buys``, in time order) and says which events may go."""

    def __init__(
        self,
        sender: Requester,
        buys: Sequence[Buy],
        *,
        out: Callable[[str], None],
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.sender = sender
        self.buys = list(buys)
        self.out = out
        self.concurrency = max(1, concurrency)
        self.report = StockReport()
        self.undecided = {buy.order_id for buy in self.buys}
        self.refused: set[str] = set()
        self.next = 0  # the first buy not yet asked for
        self.enabled = True  # False once the token may not reserve: the rest go unguarded
        self.failure: BaseException | None = None
        self._decided = asyncio.Event()

    # -- what the event lane asks ----------------------------------------------------------

    def verdict(self, event: Mapping[str, Any]) -> Verdict:
        """Whether an event may be sent now: an order's events wait for its reservation and
        are dropped when it was refused; any other event goes."""
        order_id = event.get("order_id")
        if not isinstance(order_id, str):
            return "send"
        if order_id in self.refused:
            return "drop"
        return "wait" if order_id in self.undecided else "send"

    def raise_if_failed(self) -> None:
        if self.failure is not None:
            raise self.failure

    def mark(self) -> None:
        """Before screening events: a decision from now on wakes `decided`."""
        self._decided.clear()

    async def decided(self) -> None:
        """Until an order is decided after the last `mark` (or the lane failed)."""
        await self._decided.wait()
        self.raise_if_failed()

    # -- back to back ----------------------------------------------------------------------

    async def reserve_until(self, until: float, steps: Steps | None = None) -> None:
        """Reserve every buy due by ``until`` seconds, in time order, with the ``steps`` due
        between them taken in their place (a flash sale's start comes before its orders).
        Buys between two steps go together, up to the concurrency in flight."""
        run: list[Buy] = []
        while self.next < len(self.buys) and self.buys[self.next].at <= until:
            buy = self.buys[self.next]
            if len(run) == self.concurrency or (steps is not None and steps.next_at <= buy.at):
                await asyncio.gather(*(self.reserve(b) for b in run))
                run = []
                if steps is not None:
                    await steps.advance(buy.at)
            self.next += 1
            run.append(buy)
        await asyncio.gather(*(self.reserve(b) for b in run))

    # -- in real time ----------------------------------------------------------------------

    async def run(self, wait: Callable[[float], Awaitable[None]]) -> None:
        """Each buy at its moment (``wait(at)``), at most `concurrency` in flight; returns
        when every one is decided. A failure (the server unreachable) is kept for the event
        lane to raise."""
        slots = asyncio.Semaphore(self.concurrency)
        tasks: set[asyncio.Task[None]] = set()

        async def one(buy: Buy) -> None:
            try:
                await self.reserve(buy)
            except Exception as exc:  # handed to the event lane, which raises it
                self.failure = self.failure or exc
                self._decided.set()
            finally:
                slots.release()

        try:
            while self.next < len(self.buys) and self.failure is None:
                buy = self.buys[self.next]
                await wait(buy.at)
                await slots.acquire()
                self.next += 1
                task = asyncio.create_task(one(buy))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in list(tasks):
                with contextlib.suppress(BaseException):
                    await task

    # -- one reservation -------------------------------------------------------------------

    async def reserve(self, buy: Buy) -> None:
        if not self.enabled:
            self.report.unguarded += 1
            self._decide(buy, refused=None)
            return
        url = f"{self.sender.base}/stock/{quote(buy.sku, safe='')}/reservations"
        response = await self.sender.request(
            "POST", url, orjson.dumps(buy.body()), f"reserving order {buy.order_id}"
        )
        status = response.status_code
        if status == 201:
            self.report.reserved += 1
            self._decide(buy, refused=None)
            return
        if status == 409:
            try:
                reason = str(response.json()["status"])
            except (ValueError, KeyError, TypeError):
                reason = "refused"
            self.report.refused[reason] += 1
            self._decide(buy, refused=reason)
            return
        if status == 404:  # the ledger does not hold this SKU: sold as before it existed
            self.report.unguarded += 1
            self._decide(buy, refused=None)
            return
        problem = f"the server refused to reserve order {buy.order_id} (HTTP {status})"
        said = False
        if status in (401, 403):
            # A token that may not reserve now will not be allowed later either; the others
            # in flight with it need not say so again.
            said = not self.enabled
            self.enabled = False
            problem += ": orders go on without reservations"
        self.report.unguarded += 1
        if not said:
            self._problem(problem)
        self._decide(buy, refused=None)

    def _decide(self, buy: Buy, *, refused: str | None) -> None:
        if refused is not None:
            self.refused.add(buy.order_id)
        self.undecided.discard(buy.order_id)
        self._decided.set()

    def _problem(self, line: str) -> None:
        self.report.problems.append(line)
        if len(self.report.problems) <= _PROBLEMS_SAID:
            self.out(line)
        elif len(self.report.problems) == _PROBLEMS_SAID + 1:
            self.out("more reservations refused; the report lists them all")
