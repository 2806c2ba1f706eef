"""The hot paths that talk to the database driver directly (ingest, the reservation desk) stay
inside the caller's transaction: what they write rolls back with it, and the SKU's row lock
holds until the commit. On PostgreSQL this once failed silently, because SQLAlchemy's asyncpg
adapter begins its transaction lazily and the driver's statements ran in autocommit.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.config import Settings
from liveops.events import EventRecord
from liveops.ingest import service as ingest_service
from liveops.inventory import service
from liveops.inventory.desk import ReservationDesk
from liveops.inventory.schemas import ReservationRequest
from liveops.inventory.worker import ExpirySweeper
from liveops.shows import service as shows_service
from liveops.shows.schemas import ShowCreate
from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work
from tests.conftest import migrate
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

SKU = "P"
NOW_US = 1_700_000_000_000_000


class Abandon(Exception):
    """Raised inside a transaction to roll it back."""


@dataclass
class Database:
    sessions: async_sessionmaker[AsyncSession]
    show_id: str


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path)
    return Settings(data_dir=tmp_path, database_url=request.getfixturevalue("pg_database"))


@pytest.fixture
async def database(database_settings: Settings) -> AsyncIterator[Database]:
    async with _prepared(database_settings) as prepared:
        yield prepared


@pytest.fixture
def postgres_settings(pg_database: str, tmp_path: Path) -> Settings:
    """For races that need two writers at once: SQLite lets one writer in at a time."""
    return Settings(data_dir=tmp_path, database_url=pg_database)


@pytest.fixture
async def postgres(postgres_settings: Settings) -> AsyncIterator[Database]:
    async with _prepared(postgres_settings) as prepared:
        yield prepared


@asynccontextmanager
async def _prepared(settings: Settings) -> AsyncIterator[Database]:
    """A migrated database holding one show with 5 units of SKU."""
    await migrate(settings)
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    try:
        async with unit_of_work(sessions) as s:
            show_id = (await shows_service.create(s, ShowCreate(title="t", platform="x"))).id
            await service.set_stock(
                s,
                show_id,
                SKU,
                available=5,
                version=1,
                limit_per_viewer=None,
                now_us=NOW_US,
                changes=service.Changes(),
            )
        yield Database(sessions, show_id)
    finally:
        await engine.dispose()


async def _reserve(session: AsyncSession, show_id: str, order_id: str) -> tuple[str, int]:
    (answer,) = await service.reserve(
        session,
        show_id,
        SKU,
        [ReservationRequest(order_id=order_id, viewer_id=f"v-{order_id}", qty=1)],
        now_us=NOW_US,
        hold_us=60_000_000,
        changes=service.Changes(),
    )
    return answer.status, answer.available


Work = Callable[[AsyncSession], Awaitable[None]]


async def _then_abandon(database: Database, work: Work) -> None:
    async with unit_of_work(database.sessions) as s:
        await work(s)
        raise Abandon


async def test_a_rolled_back_reservation_leaves_no_trace(database: Database) -> None:
    async def reserve(s: AsyncSession) -> None:
        assert await _reserve(s, database.show_id, "o1") == ("reserved", 4)

    with pytest.raises(Abandon):
        await _then_abandon(database, reserve)
    async with database.sessions() as s:
        (row,) = await service.listing(s, database.show_id)
    assert (row.available, row.reserved) == (5, 0)
    # Not answered from a stored first decision: there is none.
    async with unit_of_work(database.sessions) as s:
        assert await _reserve(s, database.show_id, "o1") == ("reserved", 4)


async def test_a_rolled_back_ingest_batch_stores_nothing(database: Database) -> None:
    item = {"id": "e1", "type": "comment", "ts": at(0), "viewer_id": "v"}
    item["text"] = "hi"

    async def ingest(s: AsyncSession) -> None:
        assert (await ingest_service.ingest(s, database.show_id, [item])).result.accepted == 1

    with pytest.raises(Abandon):
        await _then_abandon(database, ingest)
    async with unit_of_work(database.sessions) as s:
        stored = await ingest_service.ingest(s, database.show_id, [item])
    assert (stored.result.accepted, stored.result.duplicates) == (1, 0)


async def test_the_sku_row_lock_holds_until_commit(database: Database) -> None:
    first_decided = asyncio.Event()
    let_first_commit = asyncio.Event()

    async def first() -> None:
        async with unit_of_work(database.sessions) as s:
            await _reserve(s, database.show_id, "o1")
            first_decided.set()
            await let_first_commit.wait()

    async def second() -> tuple[str, int]:
        await first_decided.wait()
        async with unit_of_work(database.sessions) as s:
            return await _reserve(s, database.show_id, "o2")

    async with asyncio.timeout(30):
        holder = asyncio.create_task(first())
        waiter = asyncio.create_task(second())
        await first_decided.wait()
        # While the first transaction is open, the second cannot decide: it waits on the lock.
        done, _ = await asyncio.wait({waiter}, timeout=0.5)
        assert not done, "a second transaction decided while the first still held the SKU"
        let_first_commit.set()
        await holder
        assert await waiter == ("reserved", 3)


async def test_concurrent_order_events_over_many_skus_do_not_deadlock(database: Database) -> None:
    """Paid and cancelled orders of several SKUs, in every order, from many transactions at
    once, beside releases and the expiry sweeper: all succeed and the ledger balances. Without
    one lock order, two batches that touch SKUs A and B in opposite orders deadlock."""
    skus = ["A", "B", "C", "D"]
    orders: dict[str, str] = {}
    async with unit_of_work(database.sessions) as s:
        for version, sku in enumerate(skus, start=2):
            await service.set_stock(
                s,
                database.show_id,
                sku,
                available=100,
                version=version,
                limit_per_viewer=None,
                now_us=NOW_US,
                changes=service.Changes(),
            )
        for sku in skus:
            requests = [
                ReservationRequest(order_id=f"{sku}-{n}", viewer_id=f"v{n}", qty=1)
                for n in range(40)
            ]
            # Every other order has a short hold, so the sweeper has something to expire.
            for hold_us, part in ((1, requests[::2]), (60_000_000, requests[1::2])):
                await service.reserve(
                    s,
                    database.show_id,
                    sku,
                    part,
                    now_us=NOW_US,
                    hold_us=hold_us,
                    changes=service.Changes(),
                )
            orders.update((r.order_id, sku) for r in requests)
    rng = random.Random(7)
    names = sorted(orders)
    counter = iter(range(1_000_000))

    async def order_events() -> None:
        picked = rng.sample(names, 12)
        records = [
            EventRecord(
                event_id=f"e{next(counter)}",
                type=rng.choice(["order.paid", "order.cancelled"]),
                ts_us=NOW_US,
                received_at_us=NOW_US,
                order_id=order_id,
                amount=1,
            )
            for order_id in picked
        ]
        async with unit_of_work(database.sessions) as s:
            await service.apply_events(s, database.show_id, records, now_us=NOW_US + 10)

    async def release() -> None:
        order_id = rng.choice(names)
        async with unit_of_work(database.sessions) as s:
            await service.release(
                s,
                database.show_id,
                orders[order_id],
                order_id,
                now_us=NOW_US + 10,
                changes=service.Changes(),
            )

    async def sweep() -> None:
        async with unit_of_work(database.sessions) as s:
            await service.expire(s, now_us=NOW_US + 10, limit=7)

    work = [order_events] * 24 + [release] * 8 + [sweep] * 6
    rng.shuffle(work)
    async with asyncio.timeout(60):
        await asyncio.gather(*(job() for job in work))
    async with database.sessions() as s:
        rows = {row.sku: row for row in await service.listing(s, database.show_id)}
        states = (
            await s.execute(
                text(
                    "SELECT sku, state, SUM(qty) FROM reservation WHERE show_id = :show "
                    "GROUP BY sku, state"
                ),
                {"show": database.show_id},
            )
        ).all()
    held = {(sku, state): int(units) for sku, state, units in states}
    for sku in skus:
        row = rows[sku]
        assert row.reserved + row.sold + row.available == row.allocated == 100
        assert row.reserved == held.get((sku, "reserved"), 0), sku
        assert row.sold == held.get((sku, "sold"), 0), sku


async def test_a_caller_that_goes_away_does_not_cancel_its_decision(database: Database) -> None:
    committed = asyncio.Event()

    @asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with unit_of_work(database.sessions) as session:
            yield session
        committed.set()

    desk = ReservationDesk(transaction, hold_seconds=60)
    request = ReservationRequest(order_id="gone", viewer_id="v", qty=1)
    try:
        async with asyncio.timeout(30):
            first = asyncio.create_task(desk.reserve(database.show_id, SKU, request))
            await asyncio.sleep(0)  # queued
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first
            # Decided without anyone waiting for it, and without a retry to prompt it.
            await committed.wait()
            assert (await _row(database)).reserved == 1
            retry = await desk.reserve(database.show_id, SKU, request)
    finally:
        await desk.close()
    assert (retry.status, retry.available) == ("reserved", 4)
    assert (await _row(database)).reserved == 1


async def _row(database: Database) -> Any:
    async with database.sessions() as s:
        (row,) = await service.listing(s, database.show_id)
    return row


async def test_the_sweeper_writes_only_when_something_is_due(database: Database) -> None:
    opened: list[int] = []

    def transaction() -> Any:
        opened.append(1)
        return unit_of_work(database.sessions)

    sweeper = ExpirySweeper(transaction, database.sessions, interval=60)
    await sweeper.sweep()  # what other tests on this database left due (it sweeps every show)
    opened.clear()
    assert await sweeper.sweep() == 0
    assert opened == []  # nothing due: a read, and no write transaction
    async with unit_of_work(database.sessions) as s:
        # Held for 1 µs: long past due by the time the sweeper looks.
        (answer,) = await service.reserve(
            s,
            database.show_id,
            SKU,
            [ReservationRequest(order_id="late", viewer_id="v", qty=1)],
            now_us=NOW_US,
            hold_us=1,
            changes=service.Changes(),
        )
    assert answer.status == "reserved"
    assert await sweeper.sweep() == 1
    assert opened == [1]
    assert (await _row(database)).reserved == 0


@pytest.mark.postgres
async def test_an_order_decided_after_the_early_probe_is_answered_as_first_decided(
    postgres: Database,
) -> None:
    """Another process decides order X while this desk has already probed for X and waits for
    the SKU's lock: the insert collides on the unique key, and the batch is decided again with
    the probe under the lock, answering X as it was first decided."""
    database = postgres

    desk = ReservationDesk(lambda: unit_of_work(database.sessions), hold_seconds=60)
    first_decided = asyncio.Event()
    let_first_commit = asyncio.Event()

    async def other_process() -> tuple[str, int]:
        async with unit_of_work(database.sessions) as s:
            answer = await _reserve(s, database.show_id, "X")
            first_decided.set()
            await let_first_commit.wait()
        return answer

    try:
        async with asyncio.timeout(30):
            other = asyncio.create_task(other_process())
            await first_decided.wait()
            mine = asyncio.create_task(
                desk.reserve(
                    database.show_id, SKU, ReservationRequest(order_id="X", viewer_id="w", qty=1)
                )
            )
            # Let the desk probe (finding nothing committed) and queue for the lock.
            done, _ = await asyncio.wait({mine}, timeout=0.5)
            assert not done
            let_first_commit.set()
            first = await other
            answer = await mine
    finally:
        await desk.close()
    assert first == ("reserved", 4)
    assert (answer.status, answer.available) == first
    assert desk.early_probe_races == 1
    assert (await _row(database)).reserved == 1
