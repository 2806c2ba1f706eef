"""The feed mark of the Redis aggregator: which comments and orders a new owner still has to
publish after its predecessor died. Pure: owners run without Redis, their writes are the frames
they queue, and a kill is "only the first k queued writes reached Redis"."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from liveops.config import Settings
from liveops.events import EventRecord
from liveops.live.aggregator import (
    FeedLedger,
    FeedMark,
    ShowOwner,
    encode_records,
    entry_before,
    published_feed,
)
from liveops.live.changes import ShowEdited, to_json
from liveops.live.protocol import FED_TYPES
from liveops.live.registry import LoadedShow
from liveops.live.stream import ShowStream
from liveops.metrics.state import ShowState
from liveops.storage.redis import Keys

pytestmark = pytest.mark.anyio

TS = 1_795_000_000_000_000


@pytest.mark.parametrize(
    ("entry", "before"),
    [
        ("1700000000000-3", "1700000000000-2"),
        ("1700000000000-0", f"1699999999999-{2**64 - 1}"),
        ("0-1", "0-0"),
        ("0-0", "0-0"),
    ],
)
def test_reading_after_entry_before_starts_with_the_entry(entry: str, before: str) -> None:
    assert entry_before(entry) == before


def test_a_mark_round_trips_through_its_redis_form() -> None:
    mark = FeedMark("1700000000000-7", 3)
    assert mark.encode() == "1700000000000-7 3"
    assert FeedMark.decode(mark.encode()) == mark


def test_the_mark_follows_published_items_and_falls_inside_an_entry() -> None:
    ledger = FeedLedger(FeedMark("5-0", 2), recorded=True)
    assert ledger.published(0) is None  # what Redis holds already
    ledger.entry("5-0", 4, [2, 3])  # its first two items went out before the handover
    ledger.entry("6-0", 0, [])  # no feed items (viewers, a show change)
    ledger.entry("7-0", 3, [0, 1, 2])
    assert ledger.published(0) is None  # still just before 5-0's third item
    assert ledger.published(1) == FeedMark("5-0", 3)
    assert ledger.published(2) == FeedMark("7-0", 0)  # 5-0 and 6-0 are done
    assert ledger.published(4) == FeedMark("7-0", 2)  # a frame that split 7-0
    assert ledger.published(4) is None  # nothing new: not written again
    assert ledger.published(5) == FeedMark("7-0", 3)


def test_an_owner_that_starts_a_stream_records_its_starting_mark_once() -> None:
    ledger = FeedLedger(FeedMark("9-0", 5), recorded=False)
    assert ledger.published(0) == FeedMark("9-0", 5)
    assert ledger.published(0) is None
    ledger.entry("10-0", 0, [])
    assert ledger.published(0) == FeedMark("10-0", 0)  # advances without any comment


def test_the_published_feed_is_the_snapshots_then_later_feed_frames() -> None:
    snapshot = orjson.dumps({"type": "snapshot", "feed": [{"id": "a"}, {"id": "b"}]}).decode()
    later = [
        orjson.dumps({"type": "metrics"}).decode(),
        orjson.dumps({"type": "feed", "items": [{"id": "c"}, {"id": "d"}]}).decode(),
    ]
    assert [i["id"] for i in published_feed(snapshot, later, 3)] == ["b", "c", "d"]
    assert published_feed(None, [], 3) == []


# ---- two owners, one killed -------------------------------------------------------------


def comment(n: int) -> EventRecord:
    return EventRecord(f"c{n}", "comment", TS + n, TS + n, viewer_id="v1", text=f"#{n}")


def joined(n: int) -> EventRecord:
    return EventRecord(f"j{n}", "viewer.join", TS + n, TS + n, viewer_id=f"v{n}")


# The events stream: entry id -> its rows (storage row id, record). 101-0 is one batch of five
# comments, published over three frames (two items a frame), so kills can land inside it.
ENTRIES: list[tuple[str, list[tuple[int, EventRecord]]]] = [
    ("100-0", [(1, joined(1)), (2, comment(2)), (3, comment(3))]),
    ("100-1", []),  # the show starts
    ("101-0", [(n, comment(n)) for n in range(4, 9)]),
    ("101-1", [(9, joined(9)), (10, comment(10))]),
    ("102-0", [(11, joined(11)), (12, comment(12))]),
    ("103-0", [(13, comment(13))]),  # appended while no one owned the show
    ("104-0", [(14, comment(14)), (15, comment(15))]),  # stored before B's replay, appended after
    ("105-0", [(16, comment(16)), (17, joined(17))]),  # stored after B's replay
]
ALL_FED = [r.event_id for _, rows in ENTRIES for _, r in rows if r.type in FED_TYPES]
KEEP = 3  # recent feed items in a snapshot


def fields(rows: list[tuple[int, EventRecord]]) -> dict[str, str]:
    if not rows:
        change = ShowEdited("s", {"id": "s", "status": "live"}, None)
        return {"change": orjson.dumps(to_json(change)).decode()}
    return {"r": encode_records([r for _, r in rows], [i for i, _ in rows]).decode()}


def settings() -> Settings:
    return Settings(feed_max_items_per_frame=2, feed_recent_in_snapshot=KEEP)


def owner() -> ShowOwner:
    return ShowOwner(
        show_id="s",
        token="t",
        redis=None,  # type: ignore[arg-type]  # these owners never touch Redis
        keys=Keys("test"),
        sessionmaker=None,  # type: ignore[arg-type]
        settings=settings(),
        consume_from=lambda *_: None,
    )


def replay(upto_row: int) -> LoadedShow:
    """What storage holds: every row up to `upto_row`."""
    state = ShowState()
    records = [(i, r) for _, rows in ENTRIES for i, r in rows if i <= upto_row]
    for _, record in records:
        state.apply(record)
    fed = [r for _, r in records if r.type in FED_TYPES]
    show = {"id": "s", "status": "live"}
    return LoadedShow(
        show=show,
        state=state,
        recent_feed=fed[-KEEP:],
        row_ids={i for i, _ in records},
        max_row_id=upto_row,
        stock=[],
    )


def entry_key(entry: str) -> tuple[int, int]:
    ms, seq = entry.split("-")
    return int(ms), int(seq)


def entries_after(read_after: str) -> Iterator[tuple[str, dict[str, str]]]:
    for entry, rows in ENTRIES:
        if entry_key(entry) > entry_key(read_after):
            yield entry, fields(rows)


def queued(the_owner: ShowOwner) -> list[tuple[str, int, str, str | None]]:
    """What the owner queued for Redis: (kind, offset, frame, feed mark). Every publication
    here is for every console, so the audience each one also carries is left out."""
    writes = []
    while not the_owner._outbox.empty():
        kind, offset, frame, mark, audience = the_owner._outbox.get_nowait()
        assert audience == ""
        writes.append((kind, offset, frame, mark))
    return writes


def feed_ids(frame: str) -> list[str]:
    message = orjson.loads(frame)
    key = {"feed": "items", "snapshot": "feed"}.get(message["type"])
    return [] if key is None else [item["id"] for item in message[key]]


def run_first_owner() -> list[tuple[str, int, str, str | None]]:
    """Owner A of a new stream applies 100-0 … 102-0, flushing now and then; returns its writes
    in order (the last ones still waiting when it is killed)."""
    a = owner()
    tail = FeedMark("0-0", 0)
    read_after = a.begin(replay(0), ShowStream(100, "e1"), None, tail, None)
    flush_after = {"100-1", "101-0"}
    for entry, entry_fields in entries_after(read_after):
        if entry == "103-0":
            break
        a.apply_entry(entry, entry_fields)
        assert a._live is not None
        if entry in flush_after:
            a._live.flush_now()  # the metrics frame queues a snapshot too
    assert a._live is not None
    a._live.close()  # killed with 101-1's and 102-0's comments folded in but unpublished
    return queued(a)


def take_over(written: list[tuple[str, int, str, str | None]]) -> ShowOwner:
    """Owner B after A wrote exactly `written`; 104-0 was stored before B's replay."""
    marks = [mark for *_, mark in written if mark is not None]
    snapshots = [(offset, frame) for kind, offset, frame, _ in written if kind == "snap"]
    snap_offset, snap_frame = snapshots[-1]
    later = [frame for kind, offset, frame, _ in written if kind == "pub" and offset > snap_offset]
    offset = max(offset for _, offset, _, _ in written)
    b = owner()
    read_after = b.begin(
        replay(15),
        ShowStream(100, "e1", offset),
        FeedMark.decode(marks[-1]),
        FeedMark("103-0", 1),
        published_feed(snap_frame, later, KEEP),
    )
    for entry, entry_fields in entries_after(read_after):
        b.apply_entry(entry, entry_fields)
    assert b._live is not None
    b._live.flush_now()
    b._live.close()
    return b


async def test_every_comment_reaches_consoles_once_wherever_the_owner_dies() -> None:
    first = run_first_owner()
    assert len(first) > 6
    for kill_after in range(1, len(first) + 1):  # at least its starting snapshot was written
        written = first[:kill_after]
        b = take_over(written)
        b_writes = queued(b)

        # A console that followed the stream through the handover.
        a_pubs = [frame for kind, _, frame, _ in written if kind == "pub"]
        b_pubs = [frame for kind, _, frame, _ in b_writes if kind == "pub"]
        followed = [i for frame in a_pubs + b_pubs for i in feed_ids(frame)]
        assert followed == ALL_FED, f"killed after {kill_after} writes"
        shows = [f for f in a_pubs + b_pubs if orjson.loads(f)["type"] == "show"]
        assert shows, f"the show frame went missing (killed after {kill_after} writes)"

        # A console that starts from a snapshot B stores: its recent feed, then later frames.
        for kind, offset, frame, _ in b_writes:
            if kind == "snap":
                after = [f for k, o, f, _ in b_writes if k == "pub" and o > offset]
                seen = feed_ids(frame) + [i for f in after for i in feed_ids(f)]
                assert seen == ALL_FED[-len(seen) :], f"killed after {kill_after} writes"

        # The numbers count every event once, replayed or applied.
        assert b._live is not None
        assert b._live.state.metrics()["comments"] == len(ALL_FED)


async def test_a_new_stream_never_feeds_what_its_snapshots_hold_already() -> None:
    """No mark (a new epoch): consoles start from this owner's snapshots, whose recent feed is
    from storage, so a replayed row appended after the tail (104-0) is not sent again."""
    b = owner()
    read_after = b.begin(replay(15), ShowStream(100, "e2"), None, FeedMark("103-0", 1), None)
    assert read_after == entry_before("103-0")  # 103-0 again, its one comment skipped
    for entry, entry_fields in entries_after(read_after):
        b.apply_entry(entry, entry_fields)
    assert b._live is not None
    b._live.flush_now()
    b._live.close()
    writes = queued(b)
    kind, _, first_snapshot, mark = writes[0]
    assert (kind, mark) == ("snap", "103-0 1")  # the starting mark is recorded at once
    assert feed_ids(first_snapshot) == ["c13", "c14", "c15"]  # the last three stored
    pubs = [i for kind, _, frame, _ in writes if kind == "pub" for i in feed_ids(frame)]
    assert pubs == ["c16"]
    assert [m for *_, m in writes if m is not None][-1] == "105-0 1"
    assert b._live.state.metrics()["comments"] == len(ALL_FED)


async def test_marks_only_move_forward() -> None:
    marks = [FeedMark.decode(m) for *_, m in run_first_owner() if m is not None]
    keys = [(entry_key(m.entry), m.items) for m in marks]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
