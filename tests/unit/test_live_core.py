"""The pure cores of the live package: positions, history and the per-console queue rule."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from liveops.live.connection import ConsoleConnection
from liveops.live.stream import ShowStream


def stream_with(n: int, history: int = 5) -> ShowStream:
    stream = ShowStream(history, epoch="e1")
    for i in range(n):
        stream.publish({"type": "feed", "i": i})
    return stream


@pytest.mark.parametrize(
    ("published", "epoch", "offset", "expected"),
    [
        (3, "e1", 3, []),  # up to date
        (3, "e1", 1, [2, 3]),  # the exact gap
        (3, "e1", 0, [1, 2, 3]),  # from the very start
        (8, "e1", 3, [4, 5, 6, 7, 8]),  # the gap is exactly the history
        (8, "e1", 2, None),  # offset 3 was pushed out of the history
        (3, "other", 1, None),  # another epoch
        (3, "e1", 4, None),  # a position from the future
        (3, "e1", -1, None),
    ],
)
def test_since_returns_the_exact_gap_or_none(
    published: int, epoch: str, offset: int, expected: list[int] | None
) -> None:
    result = stream_with(published).since(epoch, offset)
    if expected is None:
        assert result is None
    else:
        assert result is not None
        assert [o for o, _, _ in result] == expected
        assert [orjson.loads(f)["offset"] for _, f, _ in result] == expected


def test_publish_stamps_the_position_and_encodes_once() -> None:
    stream = ShowStream(10, epoch="e9")
    frame = stream.publish({"type": "metrics"})
    assert orjson.loads(frame) == {"type": "metrics", "epoch": "e9", "offset": 1}
    assert stream.since("e9", 0) == [(1, frame, None)]  # the very same string, not re-encoded


async def _drain(connection: ConsoleConnection) -> None:
    task = asyncio.create_task(connection.run_sender())
    await asyncio.sleep(0)
    connection.close()
    await asyncio.wait_for(task, 1)


@pytest.mark.anyio
async def test_a_frame_at_or_before_the_position_reached_is_dropped() -> None:
    sent: list[str] = []

    async def send(frame: str) -> None:
        sent.append(frame)

    connection = ConsoleConnection(send, max_frames=10)
    for offset, frame in [(5, "snap"), (4, "old"), (5, "dup"), (6, "a"), (None, "pong"), (7, "b")]:
        connection.push(frame, offset)
    await _drain(connection)
    assert sent == ["snap", "a", "pong", "b"]


@pytest.mark.anyio
async def test_the_first_frames_come_before_publications_held_while_they_were_fetched() -> None:
    sent: list[str] = []

    async def send(frame: str) -> None:
        sent.append(frame)

    connection = ConsoleConnection(send, max_frames=10)
    connection.hold()
    # Live publications reach the console while its snapshot (at offset 5) and the gap after
    # it are read from Redis: some the gap covers, some newer.
    for offset in (6, 7, 8):
        connection.push(f"live{offset}", offset)
    connection.push_backlog([(5, "snapshot"), (6, "gap6")])
    connection.release()
    await _drain(connection)
    assert sent == ["snapshot", "gap6", "live7", "live8"]


@pytest.mark.anyio
async def test_overflow_closes_the_console_instead_of_growing() -> None:
    async def send(frame: str) -> None:
        await asyncio.sleep(3600)  # a console that never reads

    connection = ConsoleConnection(send, max_frames=3)
    for offset in range(1, 10):
        connection.push(f"f{offset}", offset)
    assert connection.overflowed
    task = asyncio.create_task(connection.run_sender())
    await asyncio.wait_for(task, 1)  # the sender stops so the socket can be closed with 4008


@pytest.mark.anyio
async def test_a_resume_backlog_does_not_count_as_lag_but_lag_after_it_does() -> None:
    async def send(frame: str) -> None:
        await asyncio.sleep(3600)

    connection = ConsoleConnection(send, max_frames=3)
    connection.push_backlog([(offset, f"f{offset}") for offset in range(1, 21)])
    assert not connection.overflowed  # 20 frames of gap, limit 3: still fine
    for offset in range(21, 24):
        connection.push(f"f{offset}", offset)
    assert not connection.overflowed  # three live frames behind the backlog are allowed
    connection.push("f24", 24)  # a fourth is not
    assert connection.overflowed
    assert connection.close_code == 4008


@pytest.mark.anyio
async def test_lag_is_also_bounded_in_bytes() -> None:
    async def send(frame: str) -> None:
        await asyncio.sleep(3600)

    connection = ConsoleConnection(send, max_frames=1000, max_bytes=10_000)
    connection.push_backlog([(1, "x" * 50_000)])  # a big snapshot is fine
    for offset in range(2, 6):
        connection.push("y" * 2_000, offset)  # 8,000 bytes behind
    assert not connection.overflowed
    connection.push("z" * 3_000, 6)  # 11,000 bytes behind: too far, though only 5 frames
    assert connection.overflowed


@pytest.mark.anyio
async def test_without_ndjson_every_message_is_a_frame_of_its_own() -> None:
    sent: list[str] = []

    async def send(frame: str) -> None:
        sent.append(frame)

    connection = ConsoleConnection(send, max_frames=10)
    for offset in range(1, 4):
        connection.push(f"m{offset}", offset)
    await _drain(connection)
    assert sent == ["m1", "m2", "m3"]


@pytest.mark.anyio
async def test_ndjson_sends_at_once_when_idle_and_coalesces_what_queued_during_a_write() -> None:
    sent: list[str] = []
    write_done = asyncio.Event()

    async def send(frame: str) -> None:
        sent.append(frame)
        if len(sent) == 1:
            await write_done.wait()  # the first write is slow: the next messages queue

    connection = ConsoleConnection(send, max_frames=100, batch_bytes=1_000)
    task = asyncio.create_task(connection.run_sender())
    connection.push("m1", 1)
    await asyncio.sleep(0)
    assert sent == ["m1"]  # idle: no waiting for company
    for offset in range(2, 6):
        connection.push(f"m{offset}", offset)
    write_done.set()
    await asyncio.sleep(0.01)
    assert sent == ["m1", "m2\nm3\nm4\nm5"]
    connection.close()
    await asyncio.wait_for(task, 1)


@pytest.mark.parametrize(
    ("sizes", "batch_bytes", "frames"),
    [
        ([3, 3, 3], 11, [[0, 1, 2]]),  # 3 + 1 + 3 + 1 + 3 = 11 fits exactly
        ([3, 3, 3], 10, [[0, 1], [2]]),
        ([20, 3, 3], 10, [[0], [1, 2]]),  # an oversized message still goes, alone
        ([3, 20, 3], 10, [[0], [1], [2]]),
    ],
)
@pytest.mark.anyio
async def test_a_coalesced_frame_stays_within_its_byte_cap(
    sizes: list[int], batch_bytes: int, frames: list[list[int]]
) -> None:
    sent: list[str] = []

    async def send(frame: str) -> None:
        sent.append(frame)

    messages = [str(i) * size for i, size in enumerate(sizes)]
    connection = ConsoleConnection(send, max_frames=100, batch_bytes=batch_bytes)
    for offset, message in enumerate(messages, start=1):
        connection.push(message, offset)
    await _drain(connection)
    assert sent == ["\n".join(messages[i] for i in frame) for frame in frames]


@pytest.mark.parametrize(
    ("frames", "history_bytes", "kept"),
    [
        (10, None, [6, 7, 8, 9, 10]),  # only the frame count bounds it
        (10, 3 * 70, [8, 9, 10]),  # three ~66-byte frames fit the budget, four do not
        (10, 1, [10]),  # the newest frame is kept whatever its size
    ],
)
def test_the_history_is_bounded_in_bytes_too(
    frames: int, history_bytes: int | None, kept: list[int]
) -> None:
    stream = ShowStream(5, epoch="e1", history_bytes=history_bytes)
    for i in range(frames):
        stream.publish({"type": "feed", "text": "x" * 10, "i": i})
    oldest = kept[0]
    assert [o for o, _, _ in stream.since("e1", oldest - 1) or []] == kept
    assert stream.since("e1", oldest - 2) is None  # pushed out: the console must resync


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 300_000])
def test_a_direct_frame_is_what_websockets_itself_would_send(size: int) -> None:
    from websockets.frames import Frame, Opcode

    from liveops.live.wire import text_frame

    message = ("评论" * size)[:size]  # multi-byte text: lengths are in bytes, not characters
    expected = Frame(Opcode.TEXT, message.encode()).serialize(mask=False)
    assert text_frame(message) == expected


def test_writers_are_only_made_for_the_protocol_they_know() -> None:
    from liveops.live.wire import SocketWriter

    async def plain_send(message: dict[str, object]) -> None: ...

    assert SocketWriter.of(None) is None
    assert SocketWriter.of(plain_send) is None  # a function, not a known protocol's method


def test_a_message_beyond_64_bit_integers_is_still_encoded() -> None:
    """orjson refuses such integers; a console must get the message all the same (issue #9)."""
    from liveops.live.protocol import encode

    assert encode({"type": "metrics", "gift_value": 2**64 * 3}) == (
        '{"type":"metrics","gift_value":55340232221128654848}'
    )
    assert encode({"type": "comment", "text": "有XL吗"}) == '{"type":"comment","text":"有XL吗"}'
