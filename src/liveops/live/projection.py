"""A projection: one feature's part of a show's live state.

The show's live side (`ShowLive`) keeps the metrics and stock itself, since every event moves
them; a feature that reads storage and the live values (the anchor's prompter, cues) is a
projection beside them, with the same four moments in its life:

- built from what the show's load read from storage (in the same session as the replay);
- told of every committed show change, in order (`apply_change`), reloading what it needs
  from storage on its own, off the hot path;
- told when the live values moved (`refresh`: after a metrics, stock or feed publication,
  with which of them moved), publishing its own message when what it shows changed;
- asked for its part of the snapshot (`snapshot_part`, under `key`).

A new feature is a projection and its message model (live/messages.py) plus its audience
(live/channels.py): no new method on either live backend, no new Redis field.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from liveops.live.changes import ShowChange

# Which live values moved since the last refresh: a projection that reads only some of them
# need not look again when only the others did (a feed flush can come 50 times a second).
Moved = frozenset[Literal["feed", "metrics", "stock"]]
FEED: Moved = frozenset({"feed"})
EVERYTHING: Moved = frozenset({"feed", "metrics", "stock"})


class Projection(Protocol):
    @property
    def keys(self) -> tuple[str, ...]:
        """The snapshot keys `snapshot_part` fills."""
        ...

    def apply_change(self, change: ShowChange) -> None: ...

    def refresh(self, moved: Moved) -> None: ...

    def snapshot_part(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
