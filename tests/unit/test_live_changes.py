"""The typed show changes and the transaction boundary that publishes them (live/changes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from liveops.config import Settings
from liveops.live.changes import (
    ActionTaken,
    AllocationChanged,
    CueAcknowledged,
    RunsheetChanged,
    ShowChange,
    ShowEdited,
    StockChanged,
    from_json,
    stage,
    to_json,
)
from liveops.runtime import Runtime
from liveops.storage.migrate import upgrade_to_head

pytestmark = pytest.mark.anyio

EVERY_KIND: list[ShowChange] = [
    ShowEdited("s1", {"id": "s1", "status": "live"}, None),
    AllocationChanged("s1", {"A": 10}),
    StockChanged("s1", [{"sku": "A", "available": 3, "rev": 7}]),
    RunsheetChanged("s1"),
    ActionTaken("s1", {"id": "a1", "type": "cue", "text": "讲下尺码"}),
    CueAcknowledged("s1", {"id": "a1", "acked_at": "2026-12-04T12:00:00Z", "ack_seconds": 2.5}),
]


@pytest.mark.parametrize("change", EVERY_KIND, ids=[c.kind for c in EVERY_KIND])
def test_every_change_survives_the_bus(change: ShowChange) -> None:
    assert from_json(to_json(change)) == change


class Recorder:
    """Stands in for the live backend: only what the boundary hands it matters here."""

    def __init__(self) -> None:
        self.published: list[list[ShowChange]] = []

    async def publish(self, changes: Sequence[ShowChange]) -> None:
        self.published.append(list(changes))

    async def close(self) -> None:
        return None


async def test_the_boundary_publishes_after_commit_once_and_never_after_a_rollback(
    tmp_path: Path,
) -> None:
    runtime = Runtime.build(Settings(data_dir=tmp_path), admin_token=None)
    recorder = Recorder()
    runtime.live = recorder  # type: ignore[assignment]
    try:
        await upgrade_to_head(runtime.engine)
        async with runtime.transaction() as session:
            stage(session, EVERY_KIND[0])
            stage(session, EVERY_KIND[1])
            assert recorder.published == []  # nothing before the commit
        assert recorder.published == [EVERY_KIND[:2]]

        async def fails() -> None:
            async with runtime.transaction() as session:
                stage(session, EVERY_KIND[2])
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            await fails()
        async with runtime.transaction():
            pass
        assert recorder.published == [EVERY_KIND[:2]]  # the rolled-back change never went out
    finally:
        await runtime.close()
