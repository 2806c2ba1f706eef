from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse

from liveops.auth import service
from liveops.auth.dependencies import SESSION_COOKIE, PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.auth.schemas import (
    LoginLink,
    LoginLinkCreate,
    LoginRequest,
    Me,
    TokenCreate,
    TokenCreated,
)
from liveops.deps import RuntimeDep
from liveops.runtime import Runtime

router = APIRouter()
_SHOW_ID = re.compile(r"show_[0-9a-f]{16}")
pages = APIRouter()


async def _start_session(rt: Runtime, principal: Principal, response: Response) -> None:
    ttl = rt.settings.session_ttl_seconds
    async with rt.transaction() as session:
        secret = await service.mint(
            session,
            kind="session",
            role=principal.role,
            show_id=principal.show_id,
            label="browser session",
            ttl=timedelta(seconds=ttl),
        )
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=ttl, httponly=True, samesite="strict", path="/"
    )


@router.post("/login", response_model=Me)
async def login(body: LoginRequest, rt: RuntimeDep, response: Response) -> Me:
    """Exchange a bearer token for a browser session (an HttpOnly, SameSite=Strict cookie)."""
    async with rt.read() as session:
        principal = await service.resolve(
            session, body.token, admin_token=rt.admin_token, kinds=frozenset({"api"})
        )
    await _start_session(rt, principal, response)
    return Me(role=principal.role, show_id=principal.show_id)


@router.post("/logout", status_code=204)
async def logout(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=Me)
async def me(principal: PrincipalDep) -> Me:
    return Me(role=principal.role, show_id=principal.show_id)


@router.post("/tokens", response_model=TokenCreated, status_code=201)
async def create_token(body: TokenCreate, principal: PrincipalDep, rt: RuntimeDep) -> TokenCreated:
    """Mint a bearer token for a role (and, for show roles, one show). Shown once."""
    require(principal, Action.TOKEN_MINT)
    ttl = None if body.expires_in_seconds is None else timedelta(seconds=body.expires_in_seconds)
    async with rt.transaction() as session:
        secret = await service.mint(
            session, kind="api", role=body.role, show_id=body.show_id, label=body.label, ttl=ttl
        )
    expires_at = None if ttl is None else datetime.now(UTC) + ttl
    return TokenCreated(token=secret, role=body.role, show_id=body.show_id, expires_at=expires_at)


@router.post("/login-links", response_model=LoginLink, status_code=201)
async def create_login_link(
    body: LoginLinkCreate, principal: PrincipalDep, rt: RuntimeDep
) -> LoginLink:
    """A one-time sign-in link for a browser: it works once, within ten minutes."""
    require(principal, Action.TOKEN_MINT)
    ttl = rt.settings.login_code_ttl_seconds
    async with rt.transaction() as session:
        code = await service.mint(
            session,
            kind="login_code",
            role=body.role,
            show_id=body.show_id,
            label="login link",
            ttl=timedelta(seconds=ttl),
        )
    return LoginLink(path=f"/login?code={code}", expires_in_seconds=ttl)


@pages.get("/login", include_in_schema=False)
async def login_with_code(code: str, rt: RuntimeDep, show: str | None = None) -> Response:
    async with rt.transaction() as session:
        principal = await service.redeem_login_code(session, code)
    # Only ever redirect to one of our own console pages: `show` comes from a link's URL.
    wanted = show if show and _SHOW_ID.fullmatch(show) else principal.show_id
    target = f"/shows/{wanted}" if wanted else "/"
    response = RedirectResponse(target, status_code=303)
    await _start_session(rt, principal, response)
    return response
