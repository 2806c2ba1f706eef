"""Minting and resolving credentials. Flushes, never commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.auth import repository
from liveops.auth.principal import GLOBAL_ROLES, Principal, Role
from liveops.errors import LiveOpsError, Unauthorized
from liveops.storage.models import ApiToken


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


class InvalidScope(LiveOpsError):
    status_code = 422
    code = "invalid_scope"


def check_scope(role: Role, show_id: str | None) -> None:
    if role not in GLOBAL_ROLES and show_id is None:
        raise InvalidScope(f"a {role.value} token must name the one show it is for (show_id)")


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
    check_scope(role, show_id)
    now = now or datetime.now(UTC)
    secret = new_secret({"api": "lo", "session": "los", "login_code": "loc"}[kind])
    session.add(
        ApiToken(
            token_hash=hash_secret(secret),
            kind=kind,
            role=role.value,
            show_id=show_id,
            label=label,
            created_at=now,
            expires_at=None if ttl is None else now + ttl,
        )
    )
    await session.flush()
    return secret


async def resolve(
    session: AsyncSession, secret: str, *, admin_token: str | None, kinds: frozenset[str]
) -> Principal:
    if admin_token is not None and hmac.compare_digest(secret.encode(), admin_token.encode()):
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
