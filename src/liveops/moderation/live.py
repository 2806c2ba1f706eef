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

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from liveops.live.changes import ModerationChanged, ShowChange, ShowEdited
from liveops.live.projection import Moved
from liveops.moderation.filter import Ban, ModerationState, Reason

log = logging.getLogger("liveops.moderation")


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
        self._load = load
        self._purge = purge
        self._reloading: asyncio.Task[None] | None = None
        self._changed = 0  # changes seen, so that a reload knows whether one overtook it
        self._closed = False

    def hides_item(self, item: Mapping[str, Any]) -> Reason | None:
        return self.state.hides_item(item)

    # ---- the projection ------------------------------------------------------------------

    def apply_change(self, change: ShowChange) -> None:
        if isinstance(change, ModerationChanged):
            self._changed += 1  # a read running now may predate this change
            self.state.update(
                hidden=change.hidden,
                bans=[Ban.of_json(b) for b in change.bans],
                keywords=change.keywords,
            )
            self._purge()
            self._reload()
        elif isinstance(change, ShowEdited):
            # Started (a room ban made while it was scheduled), or moved to another room.
            self._changed += 1
            self._reload()

    def refresh(self, moved: Moved) -> None:
        pass  # what it hides does not depend on the live values

    def snapshot_part(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        self._closed = True
        if self._reloading is not None:
            self._reloading.cancel()

    # ---- inner workings ------------------------------------------------------------------

    def _reload(self) -> None:
        if self._closed or (self._reloading is not None and not self._reloading.done()):
            return  # the running read notices the newer change and reads again
        self._reloading = asyncio.get_running_loop().create_task(self._reload_now())

    async def _reload_now(self) -> None:
        while not self._closed:
            seen = self._changed
            try:
                state = await self._load()
            except Exception:
                # Storage failed: keep the state as the changes made it; the next one reads.
                log.exception("show %s: reading the moderation state failed", self.show_id)
                return
            if self._closed or state is None:
                return
            if seen == self._changed:
                self.state = state
                self._purge()
                return
