"""Moderation on the live side (moderation/live.py, ShowLive's feed filter), without I/O: hidden
comments never reach a feed frame nor a snapshot, and the Redis aggregator's feed mark still
counts them, so that a new owner resumes exactly (see test_feed_mark.py for the mark itself)."""

from __future__ import annotations

import asyncio

import pytest

from liveops.live.aggregator import FeedMark, published_feed
from liveops.live.changes import ModerationChanged, ShowEdited
from liveops.live.projection import Moved
from liveops.live.stream import ShowStream
from liveops.moderation.filter import Ban, ModerationState
from liveops.moderation.live import ModerationProjection
from tests.unit.test_feed_mark import (
    ALL_FED,
    TS,
    entries_after,
    feed_ids,
    owner,
    queued,
    replay,
)

pytestmark = pytest.mark.anyio

# Hidden by hand (c5: inside a batch that spans frames; c8: the last of that batch; c16: the
# last comment of all, after the handover) and by keyword (c12). (Every comment of the story
# is v1's, within one millisecond: bans are tested below and in test_moderation_filter.py.)
HIDDEN = {"c5", "c8", "c16"}
KEYWORD = "#12"


def moderation() -> ModerationState:
    return ModerationState(hidden=HIDDEN, keywords=[KEYWORD])


SHOWN = [i for i in ALL_FED if i not in HIDDEN and i != "c12"]


def moderated_first_owner() -> list[tuple[str, int, str, str | None]]:
    a = owner()
    loaded = replay(0)
    loaded.moderation = moderation()
    read_after = a.begin(loaded, ShowStream(100, "e1"), None, FeedMark("0-0", 0), None)
    for entry, entry_fields in entries_after(read_after):
        if entry == "103-0":
            break
        a.apply_entry(entry, entry_fields)
        assert a._live is not None
        if entry in {"100-1", "101-0"}:
            a._live.flush_now()
    assert a._live is not None
    a._live.close()
    return queued(a)


async def test_hidden_comments_never_go_out_and_the_mark_still_reaches_the_end() -> None:
    first = moderated_first_owner()
    for kill_after in range(1, len(first) + 1):
        written = first[:kill_after]
        marks = [mark for *_, mark in written if mark is not None]
        snapshots = [(o, f) for kind, o, f, _ in written if kind == "snap"]
        snap_offset, snap_frame = snapshots[-1]
        later = [f for kind, o, f, _ in written if kind == "pub" and o > snap_offset]
        b = owner()
        loaded = replay(15)
        loaded.moderation = moderation()
        read_after = b.begin(
            loaded,
            ShowStream(100, "e1", max(o for _, o, _, _ in written)),
            FeedMark.decode(marks[-1]),
            FeedMark("103-0", 1),
            published_feed(snap_frame, later, 3),
        )
        for entry, entry_fields in entries_after(read_after):
            b.apply_entry(entry, entry_fields)
        assert b._live is not None
        b._live.flush_now()
        b._live.close()
        b_writes = queued(b)

        pubs = [f for kind, _, f, _ in written + b_writes if kind == "pub"]
        followed = [i for frame in pubs for i in feed_ids(frame)]
        assert followed == SHOWN, f"killed after {kill_after} writes"
        for kind, _, frame, _ in b_writes:
            if kind == "snap":
                assert not set(feed_ids(frame)) - set(SHOWN)
        # The mark counts the hidden comments too: it ends at the last entry's last feed item,
        # so a third owner would resend nothing.
        assert [m for *_, m in b_writes if m is not None][-1] == "105-0 1"
        assert b._live.state.metrics()["comments"] == len(ALL_FED)  # counted all the same


async def test_a_change_holds_at_once_and_the_reload_replaces_the_state() -> None:
    reloaded = ModerationState(hidden={"c1", "c9"})
    loads: list[asyncio.Event] = []

    async def load() -> ModerationState:
        gate = asyncio.Event()
        loads.append(gate)
        await gate.wait()
        return reloaded

    purges: list[int] = []
    projection = ModerationProjection(
        show_id="s", state=ModerationState(), load=load, purge=lambda: purges.append(1)
    )
    item = {"kind": "comment", "id": "c1", "ts": 5, "viewer_id": "v1", "text": "hi"}
    assert projection.hides_item(item) is None
    projection.apply_change(ModerationChanged("s", hidden=["c1"]))
    assert projection.hides_item(item) == "hidden"  # before any read
    assert purges == [1]
    await asyncio.sleep(0)
    # A second change while the read runs: that read's result may predate it, so it is read
    # again rather than applied.
    projection.apply_change(ModerationChanged("s", bans=[Ban(1, "v2", 0).to_json()]))
    assert len(loads) == 1
    loads[0].set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(loads) == 2
    assert projection.state is not reloaded
    loads[1].set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert projection.state is reloaded
    assert projection.hides_item({**item, "id": "c9"}) == "hidden"
    projection.apply_change(ShowEdited("s", {"id": "s"}, None))  # a start reads again
    await asyncio.sleep(0)
    assert len(loads) == 3
    projection.close()


def test_the_projection_adds_nothing_to_snapshots() -> None:
    async def load() -> ModerationState:
        return ModerationState()

    projection = ModerationProjection(
        show_id="s", state=ModerationState(), load=load, purge=lambda: None
    )
    moved: Moved = frozenset({"feed"})
    projection.refresh(moved)
    assert projection.snapshot_part() == {}
    assert projection.keys == ()


async def test_a_hide_leaves_the_recent_feed_of_later_snapshots() -> None:
    b = owner()
    loaded = replay(15)
    b.begin(loaded, ShowStream(100, "e2"), None, FeedMark("103-0", 1), None)
    live = b._live
    assert live is not None
    assert [i["id"] for i in live.current_snapshot()["feed"]] == ["c13", "c14", "c15"]
    (projection,) = [p for p in live.projections if isinstance(p, ModerationProjection)]

    async def load() -> ModerationState:
        return ModerationState(hidden={"c14"})

    projection._load = load
    queued(b)
    live.apply_change(ModerationChanged("s", hidden=["c14"]))
    assert [i["id"] for i in live.current_snapshot()["feed"]] == ["c13", "c15"]
    # The Redis aggregator's stored snapshot follows at once.
    (write,) = queued(b)
    assert write[0] == "snap"
    assert feed_ids(write[2]) == ["c13", "c15"]
    # A ban of their viewer from the next millisecond on: their comments were written before.
    later = Ban(2, "v1", TS + 1000)
    live.apply_change(ModerationChanged("s", bans=[later.to_json()]))
    assert [i["id"] for i in live.current_snapshot()["feed"]] == ["c13", "c15"]
    assert queued(b) == []  # nothing dropped, no new snapshot stored
    # From their time on: every later snapshot leaves them out.
    live.apply_change(ModerationChanged("s", bans=[Ban(3, "v1", TS).to_json()]))
    assert live.current_snapshot()["feed"] == []
    live.close()
