"""Sessions and revocation, below HTTP: the cookie's Secure rule, the credential cache's
forgetting, and the service refusing credentials for a show that does not exist (the path
`liveops token --show …` takes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from liveops.auth import cookies, service
from liveops.auth.cache import CredentialCache
from liveops.auth.principal import Principal, Role
from liveops.auth.service import opened_with, session_label
from liveops.config import Settings
from liveops.errors import NotFound, Unauthorized
from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work
from liveops.storage.migrate import upgrade_to_head

ANCHOR = Principal(Role.ANCHOR, "show_a", 7)


@pytest.mark.parametrize(
    ("scheme", "forwarded", "expected"),
    [
        ("http", None, False),
        ("https", None, True),
        ("http", "https", True),
        ("http", "HTTPS", True),
        ("http", "https, http", True),  # the browser's side comes first
        ("http", "http, https", False),
        ("http", "http", False),
    ],
)
def test_auto_marks_the_cookie_secure_when_the_browser_used_https(
    scheme: str, forwarded: str | None, expected: bool
) -> None:
    assert cookies.came_over_https(scheme, forwarded) is expected


@pytest.mark.parametrize(
    ("setting", "forwarded", "expected"),
    [
        ("always", None, True),
        ("never", "https", False),
        ("auto", "https", True),
        ("auto", None, False),
    ],
)
def test_the_setting_decides_before_the_request(
    setting: cookies.CookieSecure, forwarded: str | None, expected: bool
) -> None:
    headers = [] if forwarded is None else [(b"x-forwarded-proto", forwarded.encode())]
    scope = {
        "type": "http",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "path": "/",
        "headers": headers,
    }
    assert cookies.secure_for(setting, Request(scope)) is expected


def test_a_forgotten_token_is_gone_at_once_and_not_remembered_again() -> None:
    cache = CredentialCache(5.0)
    other = Principal(Role.ANCHOR, "show_a", 8)
    cache.put("bearer:h", ANCHOR, now=0)
    cache.put("cookie:h", ANCHOR, now=0)
    cache.put("bearer:o", other, now=0)
    cache.forget(7, now=1)
    assert cache.get("bearer:h", now=1) is None
    assert cache.get("cookie:h", now=1) is None
    assert cache.get("bearer:o", now=1) == other
    # A request that read the row before the revocation committed comes back late.
    cache.put("bearer:h", ANCHOR, now=2)
    assert cache.get("bearer:h", now=2) is None
    # After the cache's own time the database is the only judge again.
    cache.put("bearer:h", ANCHOR, now=7)
    assert cache.get("bearer:h", now=7) == ANCHOR


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    engine = create_engine(Settings(data_dir=tmp_path))
    await upgrade_to_head(engine)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            yield session
    finally:
        await engine.dispose()


@pytest.mark.anyio
async def test_no_token_for_a_show_that_does_not_exist(db: AsyncSession) -> None:
    with pytest.raises(service.UnknownShow, match="show_nosuch") as refused:
        await service.mint(db, kind="api", role=Role.ANCHOR, show_id="show_nosuch")
    # What the CLI catches and prints.
    assert isinstance(refused.value, service.InvalidScope)
    assert refused.value.status_code == 404


@pytest.mark.anyio
async def test_the_admin_token_is_a_bearer_token_only(db: AsyncSession) -> None:
    admin = await service.resolve(db, "adm", admin_token="adm", kinds=frozenset({"api"}))
    assert admin.role is Role.ADMIN
    with pytest.raises(Unauthorized):
        await service.resolve(db, "adm", admin_token="adm", kinds=frozenset({"session"}))


@pytest.mark.anyio
async def test_revoking_a_token_ends_the_sessions_it_opened(db: AsyncSession) -> None:
    issued = await service.issue(db, kind="api", role=Role.OPERATIONS, show_id=None)
    principal = service.principal_of(issued.row)
    opened = await service.issue(
        db,
        kind="session",
        role=Role.OPERATIONS,
        show_id=None,
        label=service.session_label(principal),
        ttl=timedelta(hours=1),
    )
    unrelated = await service.issue(
        db, kind="session", role=Role.OPERATIONS, show_id=None, label="browser session of token 0"
    )
    revoked = await service.revoke(db, issued.row.id)
    assert revoked.row.revoked_at is not None
    assert list(revoked.sessions) == [opened.row.id]
    for secret, kinds in ((issued.secret, {"api"}), (opened.secret, {"session"})):
        with pytest.raises(Unauthorized):
            await service.resolve(db, secret, admin_token=None, kinds=frozenset(kinds))
    still = await service.resolve(
        db, unrelated.secret, admin_token=None, kinds=frozenset({"session"})
    )
    assert still.token_id == unrelated.row.id
    first = revoked.row.revoked_at
    again = await service.revoke(db, issued.row.id)
    assert again.row.revoked_at == first  # revoking twice keeps the first time


@pytest.mark.anyio
async def test_revoking_an_unknown_token_is_not_found(db: AsyncSession) -> None:
    with pytest.raises(NotFound):
        await service.revoke(db, 123456)


@pytest.mark.parametrize(
    ("label", "origin"),
    [
        ("browser session of token 42", 42),
        ("browser session of the admin token", "admin"),
        ("browser session of token ", None),
        ("browser session of token 4x", None),
        ("场控小王", None),
        ("", None),
    ],
)
def test_the_credential_a_session_was_opened_with(label: str, origin: object) -> None:
    assert opened_with(label) == origin
    if isinstance(origin, int):
        assert session_label(Principal(Role.FIELD_CONTROL, "s", origin)) == label
