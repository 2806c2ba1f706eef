from __future__ import annotations

from pydantic import BaseModel, Field

from liveops.rollups.grouping import RollupBy


class ShowBrief(BaseModel):
    id: str
    title: str
    started_at: str | None
    gmv_paid: int
    uv: int
    conversion_rate: float
    uv_value: float


class Rates(BaseModel):
    """Pooled over the group's shows (sums over sums)."""

    conversion_rate: float
    uv_value: float
    aov: float
    gpm: float
    click_rate: float
    interaction_rate: float
    refund_rate: float
    avg_watch_seconds: float


class Group(BaseModel):
    key: str = Field(description="the day, ISO week, month, anchor, time slot or promotion")
    shows: list[ShowBrief] = Field(description="the group's shows, newest first")
    totals: dict[str, int] = Field(
        description="contract §4's additive keys summed over the shows (uv: one per viewer "
        "per show), and watch_seconds"
    )
    rates: Rates


class Rollup(BaseModel):
    room: str | None
    by: RollupBy
    tz: str
    shows: int = Field(description="ended shows rolled up")
    groups: list[Group]


class Variant(Group):
    """One variant of the tag (`key`), e.g. script `B`."""


class Difference(BaseModel):
    """The second variant against the first (most shows first, then name)."""

    a: str
    b: str
    conversion_lift: float = Field(description="b's pooled conversion ÷ a's − 1 (0 when a is 0)")
    uv_value_lift: float = Field(description="b's pooled UV value ÷ a's − 1 (0 when a is 0)")
    conversion_z: float | None = Field(
        description="two-proportion z of buyers ÷ uv, null when it cannot be computed"
    )
    conversion_p_value: float | None = Field(
        description="two-sided; below 0.05 the conversions differ beyond chance"
    )


class AbComparison(BaseModel):
    room: str | None
    tag: str
    variants: list[Variant]
    untagged: int = Field(description="ended shows without this tag (left out)")
    difference: Difference | None = Field(description="when exactly two variants are compared")
