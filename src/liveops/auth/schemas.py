from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from liveops.auth.principal import Role


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=500)]


class Me(BaseModel):
    role: Role
    show_id: str | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    show_id: str | None = None
    label: Annotated[str, Field(max_length=200)] = ""
    expires_in_seconds: Annotated[int, Field(ge=60)] | None = None


class TokenCreated(BaseModel):
    token: str
    role: Role
    show_id: str | None
    expires_at: datetime | None


class LoginLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Role.ADMIN
    show_id: str | None = None


class LoginLink(BaseModel):
    path: str
    expires_in_seconds: int
