from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from liveops.auth import cookies, service
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.auth.schemas import (
    GlobalLinkCreate,
    LoginCodeRedeem,
    LoginLink,
    LoginLinkCreate,
    LoginRequest,
    Me,
    ShowLinkCreate,
    ShowTokenCreate,
    TokenCreate,
    TokenCreated,
    TokenInfo,
    TokenList,
)
from liveops.deps import RuntimeDep
from liveops.openapi import error
from liveops.runtime import Runtime
from liveops.storage.models import ApiToken

router = APIRouter()
pages = APIRouter()
# Ids are 64-bit in the database; a larger number is no id (and no 500 from the driver).
TokenId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _secure(rt: Runtime, request: Request) -> bool:
    return cookies.secure_for(rt.settings.cookie_secure, request)


async def _start_session(
    rt: Runtime, principal: Principal, request: Request, response: Response
) -> None:
    ttl = rt.settings.session_ttl_seconds
    async with rt.transaction() as session:
        secret = await service.mint(
            session,
            kind="session",
            role=principal.role,
            show_id=principal.show_id,
            label=service.session_label(principal),
            ttl=timedelta(seconds=ttl),
        )
    cookies.set_session(response, secret, max_age=ttl, secure=_secure(rt, request))


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo.model_validate(row, from_attributes=True)


@router.post("/login", response_model=Me)
async def login(body: LoginRequest, rt: RuntimeDep, request: Request, response: Response) -> Me:
    """Exchange a bearer token for a browser session (an HttpOnly, SameSite=Strict cookie)."""
    async with rt.read() as session:
        principal = await service.resolve(
            session, body.token, admin_token=rt.admin_token, kinds=frozenset({"api"})
        )
    await _start_session(rt, principal, request, response)
    return Me(role=principal.role, show_id=principal.show_id)


@router.post("/logout", status_code=204)
async def logout(rt: RuntimeDep, request: Request, response: Response) -> None:
    """End the browser session: revoked in the database, forgotten by this process at once
    (by others within the credential cache's time), and the cookie cleared."""
    secret = request.cookies.get(cookies.SESSION_COOKIE)
    if secret:
        async with rt.transaction() as session:
            row = await service.revoke_session(session, secret)
        if row is not None:
            rt.credentials.forget(row.id, time.monotonic())
    cookies.clear_session(response, secure=_secure(rt, request))


@router.get("/me", response_model=Me)
async def me(principal: PrincipalDep) -> Me:
    return Me(role=principal.role, show_id=principal.show_id)


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=201,
    responses={404: error("`show_id` names no show")},
)
async def create_token(body: TokenCreate, principal: PrincipalDep, rt: RuntimeDep) -> TokenCreated:
    """Mint a bearer token for a role (and, for show roles, one existing show). Shown once."""
    require(principal, Action.TOKEN_MINT)
    ttl = None if body.expires_in_seconds is None else timedelta(seconds=body.expires_in_seconds)
    show_id = body.show_id if isinstance(body, ShowTokenCreate) else None
    async with rt.transaction() as session:
        issued = await service.issue(
            session, kind="api", role=body.role, show_id=show_id, label=body.label, ttl=ttl
        )
        row = issued.row
    return TokenCreated(
        id=row.id,
        token=issued.secret,
        role=body.role,
        show_id=row.show_id,
        label=row.label,
        expires_at=row.expires_at,
    )


@router.get("/tokens", response_model=TokenList)
async def list_tokens(
    principal: PrincipalDep,
    rt: RuntimeDep,
    kind: Literal["api", "session", "login_code"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> TokenList:
    """Credentials, newest first, without their secrets (only a hash of each is stored)."""
    require(principal, Action.TOKEN_MINT)
    async with rt.read() as session:
        rows = await service.list_tokens(session, kind=kind, limit=limit)
    return TokenList(items=[_info(row) for row in rows])


@router.delete("/tokens/{token_id}", response_model=TokenInfo)
async def revoke_token(token_id: TokenId, principal: PrincipalDep, rt: RuntimeDep) -> TokenInfo:
    """Revoke a credential (and the browser sessions opened with it). This process refuses it
    at once; other processes within the credential cache's time (5 s by default)."""
    require(principal, Action.TOKEN_MINT)
    async with rt.transaction() as session:
        revoked = await service.revoke(session, token_id)
        info = _info(revoked.row)
    now = time.monotonic()
    for revoked_id in (revoked.row.id, *revoked.sessions):
        rt.credentials.forget(revoked_id, now)
    return info


@router.post(
    "/login-links",
    response_model=LoginLink,
    status_code=201,
    responses={404: error("`show_id` or `show` names no show")},
)
async def create_login_link(
    body: LoginLinkCreate, principal: PrincipalDep, rt: RuntimeDep
) -> LoginLink:
    """A one-time sign-in link for a browser: it works once, within ten minutes."""
    require(principal, Action.TOKEN_MINT)
    show_id = body.show_id if isinstance(body, ShowLinkCreate) else None
    landing = body.show if isinstance(body, GlobalLinkCreate) else show_id
    ttl = rt.settings.login_code_ttl_seconds
    async with rt.transaction() as session:
        if landing is not None:
            await service.check_show(session, landing)
        code = await service.mint(
            session,
            kind="login_code",
            role=body.role,
            show_id=show_id,
            label="login link",
            ttl=timedelta(seconds=ttl),
        )
    # In the fragment, which a browser never sends: the code stays out of every access log
    # and proxy log. The console's page reads it and posts it to /login-links/redeem.
    path = f"/login#code={code}"
    if landing is not None:
        path += f"&show={quote(landing, safe='')}"
    return LoginLink(path=path, expires_in_seconds=ttl)


@router.post("/login-links/redeem", response_model=Me)
async def redeem_login_link(
    body: LoginCodeRedeem, rt: RuntimeDep, request: Request, response: Response
) -> Me:
    """Exchange a login link's one-time code for a browser session cookie."""
    async with rt.transaction() as session:
        principal = await service.redeem_login_code(session, body.code)
    await _start_session(rt, principal, request, response)
    return Me(role=principal.role, show_id=principal.show_id)


@pages.get("/login", include_in_schema=False)
async def login_page(rt: RuntimeDep, code: str | None = None) -> Response:
    """Where a login link points. The code is in the fragment, which the browser keeps across
    this redirect and the console's page redeems; nothing here signs anyone in."""
    if code:
        # A code in a query string has been written to access logs on its way here: spend it
        # so that nobody who reads those logs can use it. The user asks for a new link.
        async with rt.transaction() as session:
            await service.burn_login_code(session, code)
    return RedirectResponse("/", status_code=303)
