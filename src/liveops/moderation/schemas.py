"""The moderation API's bodies and answers (docs/moderation.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from liveops.fields import Printable, Version
from liveops.moderation.filter import KEYWORD_MAX_CHARS, KEYWORDS_MAX, Reason, clean_keywords

Keyword = Annotated[str, Field(min_length=1, max_length=KEYWORD_MAX_CHARS), Printable]


class RoomKeywordsIn(BaseModel):
    """Replace the room's keyword filter. Each keyword is 1–50 characters without control
    characters; at most 500. Spaces around a keyword are dropped, and a keyword of spaces
    only with them; duplicates, compared as the filter compares (NFKC, case folded), are
    folded into their first occurrence rather than refused. `base_version`, when given, is the
    version the editor started from: a save over a newer one answers 409."""

    model_config = ConfigDict(extra="forbid")

    keywords: Annotated[
        list[Keyword], Field(max_length=KEYWORDS_MAX), AfterValidator(clean_keywords)
    ]
    base_version: Version | None = None


class BanRead(BaseModel):
    id: int
    viewer_id: str
    scope: Literal["show", "room"]
    show_id: str = Field(description="the show it was made on")
    room: str | None
    banned_at: str
    by: str = Field(description="the label of who banned (the action's `by.label`)")
    lifted_at: str | None = None
    lifted_by: str | None = Field(default=None, description="the label of who lifted it")
    active: bool = Field(description="in force now (not lifted)")


class RoomModerationRead(BaseModel):
    room: str
    keywords: list[str]
    version: int = Field(description="0 until the room's keyword filter is first saved")
    updated_at: str | None
    updated_by: str | None = Field(description="the label of who saved it last")
    banned: list[BanRead] = Field(
        description="bans in force in the room, of either scope, newest first (at most 1,000)"
    )


class CardComment(BaseModel):
    id: str
    ts: str
    text: str
    hidden: bool
    reason: Reason | None = Field(
        description="why consoles do not show it: `hidden` by a moderator, `banned` viewer "
        "at the time, a room `keyword`"
    )


class CardOrder(BaseModel):
    order_id: str
    sku: str | None
    qty: int | None
    amount: int | None
    created_at: str
    state: Literal["created", "paid", "cancelled", "refunded"]


class OrderCounts(BaseModel):
    created: int
    paid: int
    cancelled: int
    refunded: int


class CardBans(BaseModel):
    show: bool = Field(description="banned for this show now")
    room: bool = Field(description="banned for the whole room now")
    history: list[BanRead] = Field(
        description="every ban of the viewer in the room (or in the show when it has no "
        "room), lifted ones too, newest first (at most 50)"
    )


class ViewerCard(BaseModel):
    """What a moderator needs to judge a viewer, in this show (docs/moderation.md)."""

    viewer_id: str
    show_id: str
    room: str | None
    tier: str | None = Field(description="`new`, `returning` or `vip`, from their newest join")
    channel: str | None = Field(description="traffic source of their newest join")
    joins: int = Field(description="joins counted (of their newest 1,000 joins and leaves)")
    watch_seconds: float | None = Field(
        description="time between each join and the next leave (or the show's end, or now)"
    )
    comments: list[CardComment] = Field(description="their newest comments, at most 50")
    comments_hidden: int = Field(description="how many of those are hidden")
    orders: OrderCounts = Field(description="counts over their newest 1,000 orders")
    recent_orders: list[CardOrder] = Field(description="their newest orders, at most 10")
    bans: CardBans
