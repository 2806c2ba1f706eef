"""Resolving the caller from a request or a websocket handshake."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from liveops.auth import service
from liveops.auth.cookies import SESSION_COOKIE as SESSION_COOKIE  # where live/ imports it
from liveops.auth.principal import Action, Principal, allowed
from liveops.deps import RuntimeDep
from liveops.errors import Forbidden, Unauthorized
from liveops.runtime import Runtime

BEARER_KINDS = frozenset({"api"})
COOKIE_KINDS = frozenset({"session"})


def bearer_secret(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization")
    if header is None:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return secret.strip()


async def resolve_principal(rt: Runtime, connection: HTTPConnection) -> Principal:
    """Bearer token first (scripts, integrators), then the browser's session cookie."""
    secret = bearer_secret(connection)
    kinds = BEARER_KINDS
    if secret is None:
        secret = connection.cookies.get(SESSION_COOKIE)
        kinds = COOKIE_KINDS
    if not secret:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>'")
    # Keyed by the secret's hash and where it came from: a session cookie is no bearer token.
    key = f"{'bearer' if kinds is BEARER_KINDS else 'cookie'}:{service.hash_secret(secret)}"
    now = time.monotonic()
    principal = rt.credentials.get(key, now)
    if principal is None:
        async with rt.read() as session:
            principal = await service.resolve(
                session, secret, admin_token=rt.admin_token, kinds=kinds
            )
        rt.credentials.put(key, principal, now)
    return principal


async def current_principal(rt: RuntimeDep, connection: HTTPConnection) -> Principal:
    return await resolve_principal(rt, connection)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(principal: Principal, action: Action, show_id: str | None = None) -> None:
    if not allowed(principal, action, show_id):
        where = f" on show {show_id}" if show_id else ""
        raise Forbidden(f"the {principal.role.value} role may not {action.value}{where}")
