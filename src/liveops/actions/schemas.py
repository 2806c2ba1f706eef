"""The actions API's bodies and answers (contract §10)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from liveops.fields import Printable
from liveops.rundown.schemas import Actor, SegmentId

CUE_MAX_CHARS = 200
# Performed now; every other type of contract §10 (product.pin, price.set, coupon.issue, …)
# comes with issue #11 and is refused with a 422 that says so.
SUPPORTED = ("cue", "segment.goto")
COMING = (
    "product.pin",
    "product.unpin",
    "price.set",
    "coupon.issue",
    "coupon.stop",
    "lucky_bag.start",
    "lucky_bag.draw",
    "comment.hide",
    "viewer.ban",
    "viewer.unban",
    "announcement.set",
)


class CueAction(BaseModel):
    """A line for the anchor: it flashes on every anchor console until acknowledged."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["cue"]
    text: Annotated[str, Field(min_length=1, max_length=CUE_MAX_CHARS), Printable]


class SegmentGotoAction(BaseModel):
    """Put a segment of the run-sheet on air."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["segment.goto"]
    segment_id: SegmentId


def _type_of(value: Any) -> Any:
    return value.get("type") if isinstance(value, dict) else getattr(value, "type", None)


ActionIn = Annotated[
    Annotated[CueAction, Tag("cue")] | Annotated[SegmentGotoAction, Tag("segment.goto")],
    Discriminator(
        _type_of,
        custom_error_type="unsupported_action",
        custom_error_message=(
            "`type` must be one of the action types this server performs: "
            + ", ".join(SUPPORTED)
            + " (the other types of contract §10 come with issue #11)"
        ),
    ),
]


class ActionRead(BaseModel):
    """A stored action: `{id, type, by, at}` and the type's own fields."""

    model_config = ConfigDict(extra="allow")

    id: int
    type: str
    by: Actor
    at: datetime


class ActionList(BaseModel):
    """Newest first. `next_before`: pass it as `before` for the next (older) page; null at the
    end."""

    actions: list[ActionRead]
    next_before: int | None
