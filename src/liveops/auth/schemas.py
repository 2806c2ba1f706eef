from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from liveops.auth.principal import Role
from liveops.fields import Printable

# A bearer token lives at least a minute and at most a year; no expiry at all is allowed
# (leave `expires_in_seconds` out), a date past any clock's range is not.
MIN_TOKEN_SECONDS = 60
MAX_TOKEN_SECONDS = 366 * 86_400


# PostgreSQL refuses NUL in text, and no control character belongs in an id or a label;
# `Printable` also states the rule in the OpenAPI description, as a pattern.
ShowRef = Annotated[str, Field(min_length=1, max_length=64), Printable]
Label = Annotated[str, Field(max_length=200), Printable]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=500)]


class LoginCodeRedeem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=200)]


class Me(BaseModel):
    role: Role
    show_id: str | None


_Expiry = (
    Annotated[
        int,
        Field(
            ge=MIN_TOKEN_SECONDS,
            le=MAX_TOKEN_SECONDS,
            description="60 s to 366 days; leave out for a token that does not expire",
        ),
    ]
    | None
)
# The scope rule (a show role names its one show; admin and operations name none) is stated
# in the request schema itself, as two shapes told apart by `role`, so that a client reading
# the OpenAPI description knows it before a 422 tells it.
GlobalRole = Literal[Role.ADMIN, Role.OPERATIONS]
ShowRole = Literal[Role.FIELD_CONTROL, Role.ANCHOR, Role.ASSISTANT, Role.INTEGRATOR]


class GlobalTokenCreate(BaseModel):
    """A token for every show."""

    model_config = ConfigDict(extra="forbid")

    role: GlobalRole
    label: Label = ""
    expires_in_seconds: _Expiry = None


class ShowTokenCreate(BaseModel):
    """A token for one show, which must exist."""

    model_config = ConfigDict(extra="forbid")

    role: ShowRole
    show_id: ShowRef
    label: Label = ""
    expires_in_seconds: _Expiry = None


TokenCreate = Annotated[GlobalTokenCreate | ShowTokenCreate, Field(discriminator="role")]


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


class GlobalLinkCreate(BaseModel):
    """A link signing in as admin (the default) or operations, opening `show`'s console or
    the show list."""

    model_config = ConfigDict(extra="forbid")

    role: GlobalRole = Role.ADMIN
    show: ShowRef | None = Field(default=None, description="the show whose console it opens")


class ShowLinkCreate(BaseModel):
    """A link signing in for one show, opening that show's console."""

    model_config = ConfigDict(extra="forbid")

    role: ShowRole
    show_id: ShowRef = Field(description="the one show the session is for")


LoginLinkCreate = GlobalLinkCreate | ShowLinkCreate


class LoginLink(BaseModel):
    path: str = Field(
        description="`/login#code=…[&show=…]`: the code rides in the fragment, which browsers "
        "never send to a server, so it stays out of access logs"
    )
    expires_in_seconds: int
