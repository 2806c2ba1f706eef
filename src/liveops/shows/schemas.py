from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

ProductRole = Literal["引流款", "福利款", "利润款", "爆款", "清仓"]
ShowStatus = Literal["scheduled", "live", "ended"]
Fen = Annotated[StrictInt, Field(ge=0)]


class Targets(BaseModel):
    """What the show aims for; each is optional. Money in fen, conversion as a 0–1 rate."""

    model_config = ConfigDict(extra="forbid")

    gmv: Fen | None = None
    uv: Annotated[StrictInt, Field(ge=0)] | None = None
    conversion_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    aov: Fen | None = None


class LineupProduct(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    sku: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: ProductRole
    list_price: Fen
    live_price: Fen
    allocated_stock: Annotated[StrictInt, Field(ge=0)]


class Lineup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    products: Annotated[list[LineupProduct], Field(max_length=500)]


class ShowCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    platform: Annotated[str, Field(min_length=1, max_length=40)]
    room: Annotated[str, Field(max_length=200)] | None = None
    planned_start_at: AwareDatetime | None = None
    planned_minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None
    anchors: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)] = []
    targets: Targets = Targets()
    lineup: Annotated[list[LineupProduct], Field(max_length=500)] = []


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
    targets: Targets
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


class ShowList(BaseModel):
    items: list[ShowRead]
