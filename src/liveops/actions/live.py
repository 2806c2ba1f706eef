"""The room's commerce state on the live websocket (the `commerce` message): a projection
(live/projection.py). Read again from storage after an action that changes what viewers see
(a pin, a price, a coupon, a lucky bag, the announcement, a held action's news) or a lineup
edit, and published whole when it differs from what was sent last: it is small, and a console
that replaces its copy cannot drift."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from liveops.actions.schemas import TYPES
from liveops.live.changes import ActionTaken, AllocationChanged, ShowChange, ShowEdited
from liveops.live.projection import Moved
from liveops.live.reload import Reloader

Message = dict[str, Any]
# The action types whose news changes the commerce state (a held one's too: `held` lists it):
# all but those about the anchor's desk and moderation.
COMMERCE_TYPES = frozenset(TYPES) - {
    "cue",
    "segment.goto",
    "comment.hide",
    "viewer.ban",
    "viewer.unban",
    "question.answer",
    "question.dismiss",
}


class CommerceProjection:
    keys = ("commerce",)

    def __init__(
        self,
        *,
        show_id: str,
        state: Message | None,
        load: Callable[[], Awaitable[Message | None]],
        publish: Callable[[Message], None],
    ) -> None:
        self._state = state  # read with the show's events, so snapshots hold it from the first
        self._publish = publish
        self._reloader: Reloader[Message | None] = Reloader(
            f"show {show_id}'s commerce state", load, self._loaded
        )

    def apply_change(self, change: ShowChange) -> None:
        if isinstance(change, ActionTaken):
            if change.action.get("type") in COMMERCE_TYPES:
                self._reloader.request()
        elif isinstance(change, AllocationChanged | ShowEdited):
            self._reloader.request()

    def refresh(self, moved: Moved) -> None:
        """Nothing here moves with the metrics, stock or feed."""

    def snapshot_part(self) -> dict[str, Any]:
        return {"commerce": self._state}

    def close(self) -> None:
        self._reloader.close()

    def _loaded(self, state: Message | None) -> None:
        if state is None or state == self._state:
            return
        self._state = state
        self._publish({"type": "commerce", "commerce": state})
