from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from liveops.fields import Count, Integral, Moment, Money, Printable, Rate

ProductRole = Literal["引流款", "福利款", "利润款", "爆款", "清仓"]
ShowStatus = Literal["scheduled", "live", "ended"]
# What a person reads as a name: one line, no control characters.
Title = Annotated[str, Field(min_length=1, max_length=200), Printable]
Sku = Annotated[str, Field(min_length=1, max_length=64), Printable]


class Targets(BaseModel):
    """What the show aims for; each is optional. Money in fen, conversion as a 0–1 rate."""

    model_config = ConfigDict(extra="forbid")

    gmv: Money | None = None
    uv: Count | None = None
    conversion_rate: Rate | None = None
    aov: Money | None = None


class TargetsRead(BaseModel):
    """The targets as stored: read back as they are (a show set before a rule tightened still
    reads)."""

    gmv: int | None = None
    uv: int | None = None
    conversion_rate: float | None = None
    aov: int | None = None


TagName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
TagValue = Annotated[str, Field(min_length=1, max_length=64), Printable]
TAGS_MAX = 10
# `additionalProperties: false` beside the name pattern: a name outside it is refused, and the
# description says so (pydantic states only the pattern).
TagMap = Annotated[
    dict[TagName, TagValue],
    Field(max_length=TAGS_MAX, json_schema_extra={"additionalProperties": False}),
]


class Tags(BaseModel):
    """A show's A/B tags: what varied between shows (`script`, `set`, `promotion`, or any
    lower-case name), each with the variant this show used. Replaces every tag."""

    model_config = ConfigDict(extra="forbid")

    tags: TagMap


class LineupProduct(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    sku: Sku
    name: Title
    role: ProductRole
    list_price: Money
    live_price: Money
    allocated_stock: Count


class Lineup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    products: Annotated[list[LineupProduct], Field(max_length=500)]


class LineupProductRead(BaseModel):
    """A lineup product as stored (no input rules: what was accepted once always reads)."""

    model_config = ConfigDict(from_attributes=True)

    sku: str
    name: str
    role: ProductRole
    list_price: int
    live_price: int
    allocated_stock: int


class LineupRead(BaseModel):
    products: list[LineupProductRead]


class ShowCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    platform: Annotated[str, Field(min_length=1, max_length=40), Printable]
    room: Annotated[str, Field(max_length=200), Printable] | None = None
    planned_start_at: Moment | None = None
    planned_minutes: Annotated[int, Strict(), Field(ge=1, le=24 * 60), Integral] | None = None
    anchors: Annotated[
        list[Annotated[str, Field(max_length=100), Printable]], Field(max_length=20)
    ] = []
    targets: Targets = Targets()
    lineup: Annotated[list[LineupProduct], Field(max_length=500)] = []
    tags: TagMap = {}


class ShowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    platform: str
    room: str | None
    status: ShowStatus
    planned_start_at: datetime | None
    planned_minutes: int | None
    anchors: list[str]
    targets: TargetsRead
    tags: dict[str, str] = Field(default_factory=dict, description="A/B tags (name → variant)")
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


class ShowList(BaseModel):
    items: list[ShowRead]


def show_json(show: object) -> dict[str, Any]:
    """A stored show as consoles and the review see it."""
    return ShowRead.model_validate(show).model_dump(mode="json")
