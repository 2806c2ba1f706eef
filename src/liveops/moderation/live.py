"""Moderation on the live websocket: a projection (live/projection.py) with no message of its
own. It holds the show's `ModerationState`, which ShowLive asks about every comment before it
becomes a feed item for consoles (`hides_item`), and which decides what a snapshot's recent
feed may hold.

A `ModerationChanged` takes effect at once, in order with the show's events; then the whole
state is read again from storage (which stays the truth: a change the bus lost is healed by
the next one, and by every show change). A read that a newer change overtook is not applied
(its result may predate that change); it is read once more instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from liveops.live.changes import ModerationChanged, ShowChange, ShowEdited
from liveops.live.projection import Moved
from liveops.live.reload import Reloader
from liveops.moderation.filter import Ban, ModerationState, Reason


class ModerationProjection:
    keys: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        show_id: str,
        state: ModerationState,
        load: Callable[[], Awaitable[ModerationState | None]],
        purge: Callable[[], None],
    ) -> None:
        """`purge` drops what the state now hides from the recent feed kept for snapshots
        (ShowLive.drop_hidden)."""
        self.show_id = show_id
        self.state = state
        self._purge = purge
        # A read that a newer change overtook is not applied (it may predate that change).
        self._reloader: Reloader[ModerationState | None] = Reloader(
            f"show {show_id}'s moderation state", load, self._loaded, skip_overtaken=True
        )

    def hides_item(self, item: Mapping[str, Any]) -> Reason | None:
        return self.state.hides_item(item)

    # ---- the projection ------------------------------------------------------------------

    def apply_change(self, change: ShowChange) -> None:
        if isinstance(change, ModerationChanged):
            self.state.update(
                hidden=change.hidden,
                bans=[Ban.of_json(b) for b in change.bans],
                keywords=change.keywords,
            )
            self._purge()
            self._reloader.request()
        elif isinstance(change, ShowEdited):
            # Started (a room ban made while it was scheduled), or moved to another room.
            self._reloader.request()

    def refresh(self, moved: Moved) -> None:
        pass  # what it hides does not depend on the live values

    def snapshot_part(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        self._reloader.close()

    def _loaded(self, state: ModerationState | None) -> None:
        if state is not None:
            self.state = state
            self._purge()
