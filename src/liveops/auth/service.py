"""Minting, resolving and revoking credentials. Flushes, never commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.auth import repository
from liveops.auth.principal import GLOBAL_ROLES, Principal, Role
from liveops.errors import LiveOpsError, NotFound, Unauthorized
from liveops.storage.models import ApiToken

KINDS = ("api", "session", "login_code")
_PREFIX = {"api": "lo", "session": "los", "login_code": "loc"}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


class InvalidScope(LiveOpsError):
    status_code = 422
    code = "invalid_scope"


class UnknownShow(InvalidScope):
    """A subclass of InvalidScope so that every caller that reports a bad scope (the CLI's
    `liveops token`, say) reports this one too."""

    status_code = 404  # named in the body, not the path, but a missing show all the same
    code = "unknown_show"


def check_scope(role: Role, show_id: str | None) -> None:
    if role not in GLOBAL_ROLES and show_id is None:
        raise InvalidScope(
            f"a token for the {role.value} role must name the one show it is for (show_id)"
        )


async def check_show(session: AsyncSession, show_id: str) -> None:
    # No id holds a control character, and PostgreSQL would refuse a NUL in the query.
    if not show_id.isprintable() or not await repository.show_exists(session, show_id):
        raise UnknownShow(f"there is no show {show_id!r}: create it first, or check the id")


@dataclass(frozen=True, slots=True)
class Issued:
    secret: str  # shown once, never stored
    row: ApiToken


async def issue(
    session: AsyncSession,
    *,
    kind: str,
    role: Role,
    show_id: str | None,
    label: str = "",
    ttl: timedelta | None = None,
    now: datetime | None = None,
) -> Issued:
    """Store a new credential for an existing show (or every show) and return its secret."""
    check_scope(role, show_id)
    if show_id is not None:
        # Here rather than at each edge: the API, login links and `liveops token` all pass.
        await check_show(session, show_id)
    now = now or datetime.now(UTC)
    secret = new_secret(_PREFIX[kind])
    row = ApiToken(
        token_hash=hash_secret(secret),
        kind=kind,
        role=role.value,
        show_id=show_id,
        label=label,
        created_at=now,
        expires_at=None if ttl is None else now + ttl,
    )
    session.add(row)
    await session.flush()
    return Issued(secret, row)


async def mint(
    session: AsyncSession,
    *,
    kind: str,
    role: Role,
    show_id: str | None,
    label: str = "",
    ttl: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """Store a new credential and return its secret (shown once, never stored)."""
    issued = await issue(
        session, kind=kind, role=role, show_id=show_id, label=label, ttl=ttl, now=now
    )
    return issued.secret


async def resolve(
    session: AsyncSession, secret: str, *, admin_token: str | None, kinds: frozenset[str]
) -> Principal:
    # The configured admin token is a bearer token only: never a session cookie's value.
    if (
        "api" in kinds
        and admin_token is not None
        and hmac.compare_digest(secret.encode(), admin_token.encode())
    ):
        return Principal(Role.ADMIN, None)
    row = await repository.find_active(session, hash_secret(secret), datetime.now(UTC))
    if row is None or row.kind not in kinds:
        raise Unauthorized("unknown, expired or revoked token")
    return principal_of(row)


def principal_of(row: ApiToken) -> Principal:
    return Principal(Role(row.role), row.show_id, row.id)


async def redeem_login_code(session: AsyncSession, code: str) -> Principal:
    row = await repository.consume_login_code(session, hash_secret(code), datetime.now(UTC))
    if row is None:
        raise Unauthorized("this sign-in link has expired or was already used")
    return principal_of(row)


async def list_tokens(
    session: AsyncSession, *, kind: str | None = None, limit: int = 1000
) -> Sequence[ApiToken]:
    return await repository.list_tokens(session, kind, limit)


_ADMIN_SESSION = "browser session of the admin token"
_TOKEN_SESSION = "browser session of token "


def session_label(principal: Principal) -> str:
    """A session's label names the credential it was opened with, so revoking that one can
    end the sessions it opened too (see `revoke`)."""
    if principal.token_id is None:
        return _ADMIN_SESSION
    return f"{_TOKEN_SESSION}{principal.token_id}"


def opened_with(label: str) -> int | Literal["admin"] | None:
    """The credential a session's label names (a token id, or the admin token); None when
    `label` is no session's."""
    if label == _ADMIN_SESSION:
        return "admin"
    rest = label.removeprefix(_TOKEN_SESSION)
    return int(rest) if rest != label and rest.isdigit() else None


@dataclass(frozen=True, slots=True)
class Revoked:
    row: ApiToken
    sessions: Sequence[int]  # the browser sessions it had opened, revoked with it


async def revoke(session: AsyncSession, token_id: int) -> Revoked:
    """Revoke a credential of any kind, and the browser sessions opened with it. Revoking one
    already revoked changes nothing but still ends sessions opened with it."""
    now = datetime.now(UTC)
    row = await repository.revoke(session, token_id, now)
    if row is None:
        raise NotFound(f"no token with id {token_id}")
    label = session_label(principal_of(row))
    sessions = await repository.revoke_sessions_labelled(session, label, now)
    return Revoked(row, sessions)


async def revoke_session(session: AsyncSession, secret: str) -> ApiToken | None:
    """Revoke the session a cookie holds; None if it holds no live session."""
    row = await repository.find_active(session, hash_secret(secret), datetime.now(UTC))
    if row is None or row.kind != "session":
        return None
    return await repository.revoke(session, row.id, datetime.now(UTC))


async def burn_login_code(session: AsyncSession, code: str) -> None:
    """Spend a code without signing anyone in (it was exposed)."""
    await repository.consume_login_code(session, hash_secret(code), datetime.now(UTC))
