"""What moderation withholds from consoles: the pure core. No I/O, no clock.

A comment is hidden, in this order of reasons:

- `hidden`: a moderator hid it (`comment.hide`);
- `banned`: its viewer was banned, for the show or for the show's room, at the comment's time
  (`ts`): a ban covers `since_us <= ts < until_us` (`until_us` None while in force), so a
  comment written before the ban, or after it was lifted, stays shown;
- `keyword`: its text holds one of the room's keywords. Keywords and texts are compared after
  NFKC (full-width ＶＸ is VX) and case folding, as substrings: Chinese has no word breaks.

Only comments are ever hidden: an order of a banned viewer is still an order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from liveops.fields import is_printable

Reason = Literal["hidden", "banned", "keyword"]

KEYWORDS_MAX = 500  # keywords per room
KEYWORD_MAX_CHARS = 50


def fold(text: str) -> str:
    """The form keywords and texts are compared in."""
    return unicodedata.normalize("NFKC", text).casefold()


def clean_keywords(keywords: Iterable[str]) -> list[str]:
    """A keyword list as stored: each stripped of surrounding spaces, in the order given, with
    blank ones dropped and duplicates (equal once folded) folded into their first occurrence,
    so that a pasted list with repeats or an empty line just works. Raises ValueError, with a
    sentence for a person, for an over-long keyword, one with a control character (the API's
    schema refuses both first), or too many."""
    kept: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(keywords):
        keyword = raw.strip()
        if len(keyword) > KEYWORD_MAX_CHARS:
            raise ValueError(
                f"keyword {index} must be at most {KEYWORD_MAX_CHARS} characters; "
                f"it has {len(keyword)}"
            )
        if not is_printable(keyword):
            raise ValueError(f"keyword {index} holds a control character")
        key = fold(keyword)
        if keyword and key not in seen:
            seen.add(key)
            kept.append(keyword)
    if len(kept) > KEYWORDS_MAX:
        raise ValueError(f"a room holds at most {KEYWORDS_MAX} keywords, not {len(kept)}")
    return kept


@dataclass(frozen=True, slots=True)
class Ban:
    """A ban as the filter needs it: whom, and from when until when (µs since the epoch)."""

    id: int
    viewer_id: str
    since_us: int
    until_us: int | None = None

    def covers(self, ts_us: int) -> bool:
        # Compared in whole milliseconds, as feed items carry their time: the live side and
        # an export (which reads microseconds from storage) then agree on every comment.
        ts, since = ts_us // 1000, self.since_us // 1000
        return since <= ts and (self.until_us is None or ts < self.until_us // 1000)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "viewer_id": self.viewer_id,
            "since_us": self.since_us,
            "until_us": self.until_us,
        }

    @classmethod
    def of_json(cls, data: Mapping[str, Any]) -> Ban:
        until = data.get("until_us")
        return cls(
            int(data["id"]),
            str(data["viewer_id"]),
            int(data["since_us"]),
            None if until is None else int(until),
        )


def _pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    # One alternation, longest first, instead of one `in` per keyword: 500 keywords against
    # every comment of a busy show is the hot path of this module.
    folded = sorted({fold(k) for k in keywords}, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in folded))


class ModerationState:
    """One show's moderation: its hidden comments, the bans that apply to it (its own and its
    room's, lifted ones too, since they still cover the comments of their time) and its room's
    keywords. Changed in place by `update` (a live change) or replaced whole (a reload)."""

    def __init__(
        self,
        *,
        hidden: Iterable[str] = (),
        bans: Iterable[Ban] = (),
        keywords: Sequence[str] = (),
    ) -> None:
        self.hidden: set[str] = set(hidden)
        self._bans: dict[int, Ban] = {}
        self._by_viewer: dict[str, list[Ban]] = {}
        self.keywords: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None
        self.update(bans=bans, keywords=keywords)

    def update(
        self,
        *,
        hidden: Iterable[str] = (),
        bans: Iterable[Ban] = (),
        keywords: Sequence[str] | None = None,
    ) -> None:
        """Hide more comments, add or replace bans (by id: a lifted ban replaces itself in
        force), and replace the keywords when given."""
        self.hidden.update(hidden)
        touched: set[str] = set()
        for ban in bans:
            old = self._bans.get(ban.id)
            if old is not None:
                touched.add(old.viewer_id)
            self._bans[ban.id] = ban
            touched.add(ban.viewer_id)
        for viewer_id in touched:
            mine = [b for b in self._bans.values() if b.viewer_id == viewer_id]
            if mine:
                self._by_viewer[viewer_id] = mine
            else:
                self._by_viewer.pop(viewer_id, None)
        if keywords is not None:
            self.keywords = tuple(keywords)
            self._pattern = _pattern(self.keywords)

    @property
    def bans(self) -> list[Ban]:
        return list(self._bans.values())

    def banned_at(self, viewer_id: str | None, ts_us: int) -> bool:
        if viewer_id is None:
            return False
        return any(ban.covers(ts_us) for ban in self._by_viewer.get(viewer_id, ()))

    @property
    def filters_text(self) -> bool:
        """Whether a comment's text matters (a keyword filter is set), besides its id, viewer
        and time."""
        return self._pattern is not None

    def keyword_in(self, text: str | None) -> bool:
        if not text or self._pattern is None:
            return False
        return self._pattern.search(fold(text)) is not None

    def hides(
        self, viewer_id: str | None, text: str | None, ts_us: int, event_id: str | None = None
    ) -> Reason | None:
        """Why a comment is hidden, or None when it is shown."""
        if event_id is not None and event_id in self.hidden:
            return "hidden"
        if self.banned_at(viewer_id, ts_us):
            return "banned"
        if self.keyword_in(text):
            return "keyword"
        return None

    def hides_item(self, item: Mapping[str, Any]) -> Reason | None:
        """`hides` for a feed item (live/protocol.py `feed_item`: `ts` in ms); None for an
        order item, which is never hidden."""
        if item.get("kind") != "comment":
            return None
        ts_us = int(item["ts"]) * 1000
        return self.hides(item.get("viewer_id"), item.get("text"), ts_us, item["id"])
