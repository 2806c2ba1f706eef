"""An export's comment line (export/service.py `comment_line`): appending `intent` and
`hidden` to the stored text gives exactly the bytes that decoding and encoding would."""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson
import pytest

from liveops.export.service import comment_line
from liveops.moderation.filter import Ban, ModerationState


class Row(NamedTuple):
    event_id: str
    type: str
    ts_us: int
    viewer_id: str | None
    payload: str
    intent: str | None


def stored(**fields: Any) -> str:
    item = {"id": "c1", "type": "comment", "ts": "2026-12-04T20:00:00Z", "viewer_id": "v1"}
    return orjson.dumps({**item, **fields}).decode()


def decoded_line(row: Row, moderation: ModerationState) -> bytes:
    """The line the slow way: decode, add, encode."""
    item = orjson.loads(row.payload)
    item["intent"] = row.intent
    if moderation.hides(row.viewer_id, item.get("text"), row.ts_us, row.event_id):
        item["hidden"] = True
    else:
        item.pop("hidden", None)
    return orjson.dumps(item) + b"\n"


NOBODY_HIDDEN = ModerationState()
C1_HIDDEN = ModerationState(hidden={"c1"})
V1_BANNED = ModerationState(bans=[Ban(id=1, viewer_id="v1", since_us=0)])
KEYWORDS = ModerationState(keywords=["加微信"])


@pytest.mark.parametrize(
    ("payload", "moderation"),
    [
        (stored(text="有XL吗"), NOBODY_HIDDEN),
        (stored(text="有XL吗"), C1_HIDDEN),
        (stored(text="有XL吗"), V1_BANNED),
        (stored(text="加微信领券"), KEYWORDS),  # the text is read: a keyword filter is set
        (stored(text="好看", extra={"nested": [1, 2]}), C1_HIDDEN),
        (stored(text='引号"和\\反斜杠', hidden=True), NOBODY_HIDDEN),  # the producer's own
        (stored(text='说"hidden"的评论'), C1_HIDDEN),
        (stored(text="😀 emoji", intent="spam"), NOBODY_HIDDEN),  # a producer's `intent`
    ],
)
def test_a_comment_line_is_the_stored_comment_with_intent_and_hidden(
    payload: str, moderation: ModerationState
) -> None:
    row = Row("c1", "comment", 1_000, "v1", payload, "question")
    line = comment_line(row, moderation)
    assert line == decoded_line(row, moderation)
    item = orjson.loads(line)
    assert item["intent"] == "question"
    assert item.get("hidden", False) == (moderation is not NOBODY_HIDDEN)
