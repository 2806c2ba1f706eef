"""The actions API's bodies and answers (contract §10)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Strict, Tag

from liveops.actions.lucky_bag import SEED_MAX
from liveops.fields import COUNT_MAX, MONEY_MAX, Integral, Money, Printable
from liveops.ingest.schemas import EventId, Ident
from liveops.rundown.schemas import Actor, SegmentId

CUE_MAX_CHARS = 200
ANNOUNCEMENT_MAX_CHARS = 500
UNDO_SECONDS_MAX = 120
WINNERS_MAX = 10_000

Sku = Annotated[str, Field(min_length=1, max_length=64), Printable]
PromoId = Annotated[str, Field(min_length=1, max_length=64), Printable]
Prize = Annotated[str, Field(min_length=1, max_length=200), Printable]
UndoSeconds = Annotated[int, Strict(), Field(ge=0, le=UNDO_SECONDS_MAX), Integral]
Scope = Literal["show", "room"]
ClusterId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _MoneyMoving(_Action):
    undo_seconds: UndoSeconds | None = Field(
        default=None,
        description="hold the action this many seconds, undoable (`POST …/actions/{id}/undo`), "
        "before it applies; absent or 0: it applies at once. The consoles send the window "
        "`POST …/actions/preview` answers (LIVEOPS_UNDO_SECONDS, default 10).",
    )


class CueAction(_Action):
    """A line for the anchor: it flashes on every anchor console until acknowledged."""

    type: Literal["cue"]
    text: Annotated[str, Field(min_length=1, max_length=CUE_MAX_CHARS), Printable]


class SegmentGotoAction(_Action):
    """Put a segment of the run-sheet on air."""

    type: Literal["segment.goto"]
    segment_id: SegmentId


class ProductPinAction(_Action):
    """Pin a lineup product in the room (the platform's 小黄车 card)."""

    type: Literal["product.pin"]
    sku: Sku


class ProductUnpinAction(_Action):
    type: Literal["product.unpin"]
    sku: Sku


class PriceSetAction(_MoneyMoving):
    """Change a lineup product's live price (fen)."""

    type: Literal["price.set"]
    sku: Sku
    live_price: Money


class CouponIssueAction(_MoneyMoving):
    """Issue a live coupon: `amount_off` fen off an order of at least `threshold` fen."""

    type: Literal["coupon.issue"]
    coupon_id: PromoId
    amount_off: Annotated[int, Strict(), Field(ge=1, le=MONEY_MAX), Integral]
    threshold: Money | None = None
    quantity: Annotated[int, Strict(), Field(ge=1, le=COUNT_MAX), Integral]


class CouponStopAction(_Action):
    type: Literal["coupon.stop"]
    coupon_id: PromoId


class LuckyBagStartAction(_Action):
    """Open a lucky bag: viewers who comment (or follow) are its candidates at the draw."""

    type: Literal["lucky_bag.start"]
    bag_id: PromoId
    prize: Prize
    winners: Annotated[int, Strict(), Field(ge=1, le=WINNERS_MAX), Integral]
    condition: Literal["comment", "follow"]
    entries_from: Literal["show", "start"] = Field(
        default="show",
        description="whose condition counts: met anywhere in the show before the draw "
        "(`show`), or only since the bag started (`start`: a 福袋 with a comment password)",
    )


class LuckyBagDrawAction(_Action):
    """Draw a lucky bag's winners by a seeded draw (actions/lucky_bag.py)."""

    type: Literal["lucky_bag.draw"]
    bag_id: PromoId
    seed: Annotated[int, Strict(), Field(ge=0, le=SEED_MAX), Integral] | None = Field(
        default=None, description="the draw's seed; absent: the server picks one at random"
    )


class CommentHideAction(_Action):
    type: Literal["comment.hide"]
    event_id: EventId


class ViewerBanAction(_Action):
    type: Literal["viewer.ban"]
    viewer_id: Ident
    scope: Scope


class ViewerUnbanAction(_Action):
    type: Literal["viewer.unban"]
    viewer_id: Ident
    scope: Scope


class AnnouncementSetAction(_Action):
    """The room's pinned announcement (公告); an empty text clears it."""

    type: Literal["announcement.set"]
    text: Annotated[str, Field(max_length=ANNOUNCEMENT_MAX_CHARS), Printable]


class QuestionAnswerAction(_Action):
    """Close a question cluster as answered (contract §11; `POST …/questions/{id}/answer`)."""

    type: Literal["question.answer"]
    cluster_id: ClusterId
    reply: Annotated[str, Field(max_length=ANNOUNCEMENT_MAX_CHARS), Printable] | None = Field(
        default=None, description="what the answer said, when it was written down"
    )


class QuestionDismissAction(_Action):
    """Close a question cluster without answering it (`POST …/questions/{id}/dismiss`)."""

    type: Literal["question.dismiss"]
    cluster_id: ClusterId


ActionBody = (
    CueAction
    | SegmentGotoAction
    | ProductPinAction
    | ProductUnpinAction
    | PriceSetAction
    | CouponIssueAction
    | CouponStopAction
    | LuckyBagStartAction
    | LuckyBagDrawAction
    | CommentHideAction
    | ViewerBanAction
    | ViewerUnbanAction
    | AnnouncementSetAction
    | QuestionAnswerAction
    | QuestionDismissAction
)
TYPES = (
    "cue",
    "segment.goto",
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
    "question.answer",
    "question.dismiss",
)
# The money-moving types: a console previews them and may hold them in an undo window.
MONEY_MOVING = ("price.set", "coupon.issue")


def _type_of(value: Any) -> Any:
    return value.get("type") if isinstance(value, dict) else getattr(value, "type", None)


ActionIn = Annotated[
    Annotated[CueAction, Tag("cue")]
    | Annotated[SegmentGotoAction, Tag("segment.goto")]
    | Annotated[ProductPinAction, Tag("product.pin")]
    | Annotated[ProductUnpinAction, Tag("product.unpin")]
    | Annotated[PriceSetAction, Tag("price.set")]
    | Annotated[CouponIssueAction, Tag("coupon.issue")]
    | Annotated[CouponStopAction, Tag("coupon.stop")]
    | Annotated[LuckyBagStartAction, Tag("lucky_bag.start")]
    | Annotated[LuckyBagDrawAction, Tag("lucky_bag.draw")]
    | Annotated[CommentHideAction, Tag("comment.hide")]
    | Annotated[ViewerBanAction, Tag("viewer.ban")]
    | Annotated[ViewerUnbanAction, Tag("viewer.unban")]
    | Annotated[AnnouncementSetAction, Tag("announcement.set")]
    | Annotated[QuestionAnswerAction, Tag("question.answer")]
    | Annotated[QuestionDismissAction, Tag("question.dismiss")],
    Discriminator(
        _type_of,
        custom_error_type="unsupported_action",
        custom_error_message="`type` must be one of the action types of contract §10: "
        + ", ".join(TYPES),
    ),
]


class ActionRead(BaseModel):
    """A stored action: `{id, type, by, at}` and the type's own fields, with what applying it
    added (the value before: `live_price_before`, `previous_sku`…; a draw's `seed`,
    `candidates`, `winner_ids`)."""

    model_config = ConfigDict(extra="allow")

    id: int
    type: str
    by: Actor
    at: datetime
    state: Literal["applied", "held", "undone", "failed"] = Field(
        default="applied",
        description="`held`: sent with an undo window, applies at `applies_at` unless undone; "
        "`undone`: taken back in its window, never applied; `failed`: could not apply when its "
        "window ended (`error` says why)",
    )
    applies_at: datetime | None = None
    undone_at: datetime | None = None
    undone_by: Actor | None = None


class ActionPreview(BaseModel):
    """What an action would do (`POST …/actions/preview`): nothing is stored or changed."""

    type: str
    undo_seconds: int = Field(
        description="the undo window to send as `undo_seconds` (0: the type has none)"
    )
    summary: str = Field(description="one line for a person: 爆款T恤：¥99 → ¥79")
    before: dict[str, Any]
    after: dict[str, Any]
    warnings: list[str] = Field(default_factory=list, description="what to check before sending")


class ActionList(BaseModel):
    """Newest first. `next_before`: pass it as `before` for the next (older) page; null at the
    end."""

    actions: list[ActionRead]
    next_before: int | None


class PriceRow(BaseModel):
    sku: str
    name: str
    list_price: int
    live_price: int


class CouponRow(BaseModel):
    coupon_id: str
    amount_off: int
    threshold: int | None
    quantity: int
    state: Literal["issued", "stopped"]
    issued_at: datetime
    stopped_at: datetime | None


class LuckyBagRow(BaseModel):
    bag_id: str
    prize: str
    winners: int
    condition: Literal["comment", "follow"]
    entries_from: Literal["show", "start"]
    state: Literal["running", "drawn"]
    started_at: datetime
    drawn_at: datetime | None
    seed: int | None
    candidates: int | None
    winner_ids: list[str]


class CommerceState(BaseModel):
    """What the room's viewers see now, as actions left it (`GET …/commerce`, and the live
    `commerce` message)."""

    pinned_sku: str | None
    announcement: str | None
    prices: list[PriceRow]
    coupons: list[CouponRow]
    lucky_bags: list[LuckyBagRow]
    held: list[ActionRead] = Field(description="money-moving actions still in their undo window")


class Rates(BaseModel):
    entry_rate: float | None = Field(description="viewer.join events a minute")
    click_rate: float | None = Field(
        description="clicks ÷ impressions (of the action's SKU when it names one)"
    )
    conversion: float | None = Field(description="viewers who ordered ÷ viewers seen")


class ActionImpact(BaseModel):
    action: ActionRead
    before: Rates
    after: Rates
    change: Rates = Field(description="after ÷ before − 1 (null when unknown)")
    after_minutes: float = Field(description="how much of the after window has passed")
    partial: bool = Field(description="the after window is not complete yet (or the show ended)")


class ActionImpacts(BaseModel):
    window_minutes: int
    actions: list[ActionImpact]
