from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from liveops.auth.principal import Role

# A bearer token lives at least a minute and at most a year; no expiry at all is allowed
# (leave `expires_in_seconds` out), a date past any clock's range is not.
MIN_TOKEN_SECONDS = 60
MAX_TOKEN_SECONDS = 366 * 86_400


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text, and no control character belongs in an id or a label.
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("must not hold control characters")
    return value


ShowRef = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_control_characters)]
Label = Annotated[str, Field(max_length=200), AfterValidator(_no_control_characters)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=500)]


class LoginCodeRedeem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=200)]


class Me(BaseModel):
    role: Role
    show_id: str | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    show_id: ShowRef | None = None
    label: Label = ""
    expires_in_seconds: (
        Annotated[
            int,
            Field(
                ge=MIN_TOKEN_SECONDS,
                le=MAX_TOKEN_SECONDS,
                description="60 s to 366 days; leave out for a token that does not expire",
            ),
        ]
        | None
    ) = None


class TokenCreated(BaseModel):
    id: int
    token: str
    role: Role
    show_id: str | None
    label: str
    expires_at: datetime | None


class TokenInfo(BaseModel):
    """A credential as the admin sees it: never its secret, which is not stored."""

    id: int
    kind: str  # api, session or login_code
    role: Role
    show_id: str | None
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenList(BaseModel):
    items: list[TokenInfo]


class LoginLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Role.ADMIN
    show_id: ShowRef | None = Field(
        default=None, description="the one show the session is for (show roles need one)"
    )
    show: ShowRef | None = Field(
        default=None,
        description="the show whose console the link opens; defaults to show_id",
    )


class LoginLink(BaseModel):
    path: str = Field(
        description="`/login#code=…[&show=…]`: the code rides in the fragment, which browsers "
        "never send to a server, so it stays out of access logs"
    )
    expires_in_seconds: int
