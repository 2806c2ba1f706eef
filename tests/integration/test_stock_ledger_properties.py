"""Random interleavings of set / reserve / retry / pay / cancel / expire / flash sale against
the real ledger SQL (issue #4), checked after every step against a model kept in plain
Python: the ledger balances, never goes negative, and agrees with the model exactly.

Runs on the embedded default and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st

from liveops.config import Settings
from liveops.events import EventRecord
from liveops.inventory import service
from liveops.inventory.schemas import ReservationRequest
from liveops.shows import service as shows_service
from liveops.shows.schemas import ShowCreate
from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work
from tests.conftest import migrate

HOLD_US = 10_000_000
SKU = "P"

# ---- the model -----------------------------------------------------------------------------


@dataclass
class Order:
    viewer: str
    qty: int
    answer: tuple[str, int]
    state: str  # reserved | sold | released | expired | rejected
    expires_us: int
    sale: int | None  # the flash sale it was taken in


@dataclass
class Model:
    exists: bool = False
    version: int | None = None
    available: int = 0
    reserved: int = 0
    sold: int = 0
    limit: int | None = None
    sale_seq: int = 0
    sale_remaining: int | None = None
    sale_starts: int | None = None
    orders: dict[str, Order] = field(default_factory=dict)

    @property
    def allocated(self) -> int:
        return self.available + self.reserved + self.sold

    def sellable(self) -> int:
        if self.sale_remaining is None:
            return self.available
        return min(self.available, self.sale_remaining)

    def set(self, available: int, version: int, limit: int | None) -> bool:
        if self.exists and self.version is not None and version <= self.version:
            return False
        self.exists, self.version, self.available = True, version, available
        if limit is not None:
            self.limit = limit
        return True

    def reserve(self, order_id: str, viewer: str, qty: int, now: int) -> tuple[str, int]:
        if order_id in self.orders:
            return self.orders[order_id].answer
        held = sum(
            o.qty
            for o in self.orders.values()
            if o.viewer == viewer and o.state in ("reserved", "sold")
        )
        started = self.sale_starts is None or self.sale_starts <= now
        if started and self.sellable() >= qty and (self.limit is None or held + qty <= self.limit):
            self.available -= qty
            self.reserved += qty
            sale = None
            if self.sale_remaining is not None:
                self.sale_remaining -= qty
                sale = self.sale_seq
            answer = ("reserved", self.sellable())
            self.orders[order_id] = Order(viewer, qty, answer, "reserved", now + HOLD_US, sale)
            return answer
        if not started:
            outcome = "not_started"
        elif self.sellable() < qty:
            outcome = "sold_out"
        else:
            outcome = "limit_exceeded"
        answer = (outcome, self.sellable())
        self.orders[order_id] = Order(viewer, qty, answer, "rejected", 0, None)
        return answer

    def _give_back(self, order: Order) -> None:
        self.available += order.qty
        if self.sale_remaining is not None and order.sale == self.sale_seq:
            self.sale_remaining += order.qty

    def pay(self, order_id: str) -> None:
        order = self.orders.get(order_id)
        if order is not None and order.state == "reserved":
            order.state = "sold"
            self.reserved -= order.qty
            self.sold += order.qty

    def cancel(self, order_id: str) -> None:
        order = self.orders.get(order_id)
        if order is None or order.state not in ("reserved", "sold"):
            return
        if order.state == "reserved":
            self.reserved -= order.qty
        else:
            self.sold -= order.qty
        order.state = "released"
        self._give_back(order)

    def expire(self, now: int) -> None:
        for order in self.orders.values():
            if order.state == "reserved" and order.expires_us <= now:
                order.state = "expired"
                self.reserved -= order.qty
                self._give_back(order)

    def start_sale(self, cap: int, starts: int) -> None:
        self.sale_seq += 1
        self.sale_remaining, self.sale_starts = cap, starts

    def stop_sale(self) -> None:
        self.sale_remaining = self.sale_starts = None


# ---- operations ----------------------------------------------------------------------------

orders = st.sampled_from([f"o{n}" for n in range(6)])
viewers = st.sampled_from(["v1", "v2"])
set_stock = st.tuples(
    st.just("set"),
    st.integers(0, 12),
    st.integers(1, 6),
    st.one_of(st.none(), st.integers(1, 4)),
)
operation = st.one_of(
    set_stock,
    st.tuples(st.just("reserve"), orders, viewers, st.integers(1, 4)),
    # Requests that arrive together and are decided in one transaction, as the desk groups
    # a burst; with repeats of one order id among them.
    st.tuples(
        st.just("burst"),
        st.lists(st.tuples(orders, viewers, st.integers(1, 4)), min_size=2, max_size=8),
    ),
    st.tuples(st.just("pay"), orders),
    st.tuples(st.just("cancel"), orders),
    st.tuples(st.just("advance"), st.integers(1, 12_000_000)),
    st.tuples(st.just("sale"), st.integers(1, 8), st.sampled_from([0, 0, 1, 3_000_000])),
    st.tuples(st.just("stop")),
)


def _event(kind: str, order_id: str, n: int) -> EventRecord:
    return EventRecord(
        event_id=f"e{n}", type=kind, ts_us=n, received_at_us=n, order_id=order_id, amount=1
    )


async def _play(settings: Settings, ops: list[tuple[Any, ...]]) -> None:
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    lock = asyncio.Lock()

    def transaction() -> Any:
        return unit_of_work(sessions)

    model = Model()
    now = 1_700_000_000_000_000
    try:
        async with lock, transaction() as s:
            show = (await shows_service.create(s, ShowCreate(title="p", platform="x"))).id
        for step, op in enumerate(ops):
            kind = op[0]
            async with transaction() as s:
                if kind == "set":
                    _, available, version, limit = op
                    applied = model.set(available, version, limit)
                    try:
                        await service.set_stock(
                            s,
                            show,
                            SKU,
                            available=available,
                            version=version,
                            limit_per_viewer=limit,
                            now_us=now,
                            changes=service.Changes(),
                        )
                        assert applied, f"step {step}: a stale version was applied"
                    except service.StaleVersion:
                        assert not applied, f"step {step}: a newer version was refused"
                elif kind == "reserve" and model.exists:
                    _, order_id, viewer, qty = op
                    expected = model.reserve(order_id, viewer, qty, now)
                    request = ReservationRequest(order_id=order_id, viewer_id=viewer, qty=qty)
                    (answer,) = await service.reserve(
                        s,
                        show,
                        SKU,
                        [request],
                        now_us=now,
                        hold_us=HOLD_US,
                        changes=service.Changes(),
                    )
                    assert (answer.status, answer.available) == expected, f"step {step}"
                elif kind == "burst" and model.exists:
                    expected_all = [model.reserve(o, v, q, now) for o, v, q in op[1]]
                    got_all = await service.reserve(
                        s,
                        show,
                        SKU,
                        [ReservationRequest(order_id=o, viewer_id=v, qty=q) for o, v, q in op[1]],
                        now_us=now,
                        hold_us=HOLD_US,
                        changes=service.Changes(),
                    )
                    assert [(a.status, a.available) for a in got_all] == expected_all, f"{step}"
                elif kind in ("pay", "cancel"):
                    (model.pay if kind == "pay" else model.cancel)(op[1])
                    event = "order.paid" if kind == "pay" else "order.cancelled"
                    await service.apply_events(s, show, [_event(event, op[1], step)], now_us=now)
                elif kind == "advance":
                    now += op[1]
                    model.expire(now)
                    await service.expire(s, now_us=now, limit=1000)
                elif kind == "sale" and model.exists:
                    model.start_sale(op[1], now + op[2])
                    await service.start_flash_sale(
                        s,
                        show,
                        SKU,
                        cap=op[1],
                        starts_us=now + op[2],
                        now_us=now,
                        changes=service.Changes(),
                    )
                elif kind == "stop" and model.exists and model.sale_remaining is not None:
                    model.stop_sale()
                    await service.stop_flash_sale(
                        s, show, SKU, now_us=now, changes=service.Changes()
                    )
            if not model.exists:
                continue
            async with transaction() as s:
                (row,) = await service.listing(s, show)
            assert row.available >= 0
            assert row.reserved + row.sold + row.available == row.allocated
            got = (row.allocated, row.reserved, row.sold, row.available)
            want = (model.allocated, model.reserved, model.sold, model.available)
            assert got == want, f"step {step} ({op}): ledger {got} != model {want}"
            sale = None if row.flash_sale is None else row.flash_sale.remaining
            model_sale = None if model.sale_remaining is None else model.sellable()
            assert sale == model_sale, f"step {step} ({op}): sale {sale} != model {model_sale}"
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_random_interleavings_keep_the_ledger_exact(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    if backend == "sqlite":
        settings = Settings(data_dir=tmp_path)
    else:
        settings = Settings(data_dir=tmp_path, database_url=request.getfixturevalue("pg_database"))
    asyncio.run(migrate(settings))

    @hsettings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(set_stock, st.lists(operation, min_size=5, max_size=40))
    # Units released during a flash sale go back into its cap.
    @example(
        ("set", 5, 1, None),
        [("sale", 3, 0), ("reserve", "o1", "v1", 1), ("cancel", "o1"), ("reserve", "o2", "v1", 3)],
    )
    # A viewer may hold exactly their limit, not one more.
    @example(("set", 9, 1, 2), [("reserve", "o1", "v1", 1), ("reserve", "o2", "v1", 1)])
    # A burst at the sell-out edge: a later, smaller request takes what a bigger one could not.
    @example(
        ("set", 5, 1, None),
        [("burst", [("o1", "v1", 3), ("o2", "v2", 3), ("o3", "v1", 2), ("o1", "v1", 3)])],
    )
    def run(first: tuple[Any, ...], ops: list[tuple[Any, ...]]) -> None:
        asyncio.run(_play(settings, [first, *ops]))

    run()
