"""Sign-in paths, cookies and the cross-site websocket guard, against a real server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from liveops.config import Settings
from tests.conftest import Server, running_server
from tests.integration.test_ingest_api import create_show
from tests.integration.test_live_websocket import receive

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def login_link(server: Server, **body: str) -> str:
    async with server.client() as admin:
        response = await admin.post("/api/v1/auth/login-links", json=body)
    assert response.status_code == 201
    return str(response.json()["path"])


class TestBrowserSignIn:
    async def test_a_login_link_sets_an_httponly_strict_session_cookie(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        path = await login_link(server, show=show)
        answer, browser = await _open_link(server, path)
        try:
            assert answer.status_code == 200
            cookie = answer.headers["set-cookie"]
            assert "liveops_session=" in cookie
            assert "HttpOnly" in cookie
            assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
            me = await browser.get("/api/v1/auth/me")
        finally:
            await browser.aclose()
        assert me.json() == {"role": "admin", "show_id": None}

    async def test_the_login_page_never_redirects_off_our_console_pages(
        self, server: Server
    ) -> None:
        async with httpx.AsyncClient(base_url=server.url) as browser:
            response = await browser.get("/login?show=//evil.example/x")
        assert response.status_code == 303
        assert response.headers["location"] == "/"

    async def test_a_session_cookie_does_not_work_as_a_bearer_token(self, server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url) as browser:
            await browser.post("/api/v1/auth/login", json={"token": server.token})
            session = browser.cookies["liveops_session"]
        async with server.client(session) as client:
            assert (await client.get("/api/v1/shows")).status_code == 401

    async def test_login_with_a_wrong_token_says_why(self, server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url) as browser:
            response = await browser.post("/api/v1/auth/login", json={"token": "nope"})
        assert response.status_code == 401
        assert "unknown" in response.json()["detail"]


class TestCookieWebsocket:
    async def _session(self, server: Server) -> str:
        async with httpx.AsyncClient(base_url=server.url) as browser:
            await browser.post("/api/v1/auth/login", json={"token": server.token})
            return str(browser.cookies["liveops_session"])

    async def test_our_own_page_may_open_the_stream_with_the_cookie(self, server: Server) -> None:
        show = await create_show(server)
        cookie = await self._session(server)
        async with connect(
            f"{server.ws_url}/api/v1/shows/{show}/live",
            additional_headers={"Cookie": f"liveops_session={cookie}"},
            origin=server.url,  # type: ignore[arg-type]
        ) as ws:
            assert (await receive(ws))["type"] == "snapshot"

    async def test_another_site_may_not_use_the_cookie(self, server: Server) -> None:
        show = await create_show(server)
        cookie = await self._session(server)
        async with connect(
            f"{server.ws_url}/api/v1/shows/{show}/live",
            additional_headers={"Cookie": f"liveops_session={cookie}"},
            origin="https://evil.example",  # type: ignore[arg-type]
        ) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008


class TestServiceEndpoints:
    async def test_openapi_describes_every_http_endpoint(self, server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url) as client:
            paths = (await client.get("/openapi.json")).json()["paths"]
        for path in [
            "/api/v1/shows",
            "/api/v1/shows/{show_id}",
            "/api/v1/shows/{show_id}/start",
            "/api/v1/shows/{show_id}/end",
            "/api/v1/shows/{show_id}/lineup",
            "/api/v1/shows/{show_id}/targets",
            "/api/v1/shows/{show_id}/events",
            "/api/v1/shows/{show_id}/quarantine",
            "/api/v1/shows/{show_id}/review",
            "/api/v1/auth/login",
            "/api/v1/auth/tokens",
        ]:
            assert path in paths, path
        body = paths["/api/v1/shows/{show_id}/events"]["post"]["requestBody"]
        assert "events" in body["content"]["application/json"]["schema"]["properties"]

    async def test_health_and_readiness(self, server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["database"] == "ok"


# --- issue #9: sessions, revocation, cookies, bounds, login links out of logs ---------------


async def _browser_session(server: Server, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as browser:
        return await browser.post("/api/v1/auth/login", json={"token": server.token})


def _session_of(response: httpx.Response) -> str:
    return str(response.cookies["liveops_session"])


async def _me(server: Server, cookie: str) -> int:
    async with httpx.AsyncClient(
        base_url=server.url, cookies={"liveops_session": cookie}
    ) as browser:
        return (await browser.get("/api/v1/auth/me")).status_code


class TestSessions:
    async def test_logout_revokes_the_session_and_clears_the_cookie(self, server: Server) -> None:
        cookie = _session_of(await _browser_session(server))
        assert await _me(server, cookie) == 200  # now in this process's credential cache
        async with httpx.AsyncClient(
            base_url=server.url, cookies={"liveops_session": cookie}
        ) as browser:
            out = await browser.post("/api/v1/auth/logout")
        assert out.status_code == 204
        cleared = out.headers["set-cookie"]
        assert "liveops_session=" in cleared
        assert "Max-Age=0" in cleared
        assert "HttpOnly" in cleared
        assert "samesite=strict" in cleared.lower()
        assert "Path=/" in cleared
        # The old cookie no longer answers, even replayed by someone who kept a copy.
        assert await _me(server, cookie) == 401

    async def test_logout_without_a_session_still_clears_the_cookie(self, server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url) as browser:
            out = await browser.post("/api/v1/auth/logout")
        assert out.status_code == 204
        assert "Max-Age=0" in out.headers["set-cookie"]

    async def test_the_admin_token_is_not_a_session_cookie(self, server: Server) -> None:
        assert await _me(server, server.token) == 401

    async def test_the_cookie_is_secure_behind_an_https_proxy(self, server: Server) -> None:
        behind_tls = await _browser_session(server, **{"X-Forwarded-Proto": "https"})
        assert "Secure" in behind_tls.headers["set-cookie"]
        plain = await _browser_session(server)
        assert "Secure" not in plain.headers["set-cookie"]

    async def test_cookie_secure_always_marks_plain_http_cookies_secure(
        self, settings: Settings
    ) -> None:
        always = settings.model_copy(update={"cookie_secure": "always"})
        async with running_server(always) as server:
            answer = await _browser_session(server)
            assert "Secure" in answer.headers["set-cookie"]
            async with httpx.AsyncClient(base_url=server.url) as browser:
                out = await browser.post("/api/v1/auth/logout")
            assert "Secure" in out.headers["set-cookie"]

    async def test_cookie_secure_never_leaves_it_off_even_behind_https(
        self, settings: Settings
    ) -> None:
        never = settings.model_copy(update={"cookie_secure": "never"})
        async with running_server(never) as server:
            answer = await _browser_session(server, **{"X-Forwarded-Proto": "https"})
            assert "Secure" not in answer.headers["set-cookie"]


async def _mint(server: Server, **body: object) -> httpx.Response:
    async with server.client() as admin:
        return await admin.post("/api/v1/auth/tokens", json=body)


class TestTokens:
    async def test_a_revoked_token_is_refused_at_once(self, server: Server) -> None:
        minted = await _mint(server, role="operations", label="ops laptop")
        assert minted.status_code == 201
        token, token_id = minted.json()["token"], minted.json()["id"]
        async with server.client(token) as ops:
            assert (await ops.get("/api/v1/shows")).status_code == 200  # cached from here on
            async with server.client() as admin:
                revoked = await admin.delete(f"/api/v1/auth/tokens/{token_id}")
            assert revoked.status_code == 200
            assert revoked.json()["revoked_at"] is not None
            refused = await ops.get("/api/v1/shows")
        assert refused.status_code == 401

    async def test_tokens_are_listed_without_their_secrets(self, server: Server) -> None:
        show = await create_show(server)
        minted = (await _mint(server, role="anchor", show_id=show, label="anchor A")).json()
        async with server.client() as admin:
            listed = await admin.get("/api/v1/auth/tokens")
        assert listed.status_code == 200
        items = listed.json()["items"]
        mine = next(item for item in items if item["id"] == minted["id"])
        assert set(mine) == {
            "id",
            "kind",
            "role",
            "show_id",
            "label",
            "created_at",
            "expires_at",
            "revoked_at",
        }
        assert mine["kind"] == "api"
        assert (mine["role"], mine["show_id"], mine["label"]) == ("anchor", show, "anchor A")
        assert mine["revoked_at"] is None
        assert minted["token"] not in listed.text

    async def test_revoking_an_unknown_token_is_404(self, server: Server) -> None:
        async with server.client() as admin:
            answer = await admin.delete("/api/v1/auth/tokens/987654321")
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"

    async def test_only_the_admin_lists_or_revokes_tokens(self, server: Server) -> None:
        ops = (await _mint(server, role="operations")).json()
        async with server.client(ops["token"]) as client:
            assert (await client.get("/api/v1/auth/tokens")).status_code == 403
            assert (await client.delete(f"/api/v1/auth/tokens/{ops['id']}")).status_code == 403

    async def test_a_lifetime_beyond_a_year_is_a_clear_422(self, server: Server) -> None:
        answer = await _mint(server, role="operations", expires_in_seconds=10**12)
        assert answer.status_code == 422
        assert "expires_in_seconds" in answer.text

    async def test_ids_and_labels_out_of_range_are_422_not_500(self, server: Server) -> None:
        for body in (
            {"role": "anchor", "show_id": "show_\u0000"},
            {"role": "operations", "label": "ops\u0000"},
        ):
            answer = await _mint(server, **body)
            assert answer.status_code == 422, answer.text
            assert "control characters" in answer.json()["detail"]
        async with server.client() as admin:
            for token_id in (0, 2**63, 10**30):
                answer = await admin.delete(f"/api/v1/auth/tokens/{token_id}")
                assert answer.status_code == 422, answer.text

    async def test_no_token_for_a_show_that_does_not_exist(self, server: Server) -> None:
        answer = await _mint(server, role="anchor", show_id="show_nosuch")
        assert answer.status_code == 404
        assert "show_nosuch" in answer.json()["detail"]

    async def test_no_login_link_for_a_show_that_does_not_exist(self, server: Server) -> None:
        async with server.client() as admin:
            scoped = await admin.post(
                "/api/v1/auth/login-links", json={"role": "anchor", "show_id": "show_nosuch"}
            )
            landing = await admin.post(
                "/api/v1/auth/login-links", json={"role": "admin", "show": "show_nosuch"}
            )
        for answer in (scoped, landing):
            assert answer.status_code == 404, answer.text
            assert "show_nosuch" in answer.json()["detail"]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _access_log() -> Iterator[list[str]]:
    """uvicorn's access log, as it would be written at level info."""
    logger = logging.getLogger("uvicorn.access")
    handler, level = _Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def _open_link(server: Server, path: str) -> tuple[httpx.Response, httpx.AsyncClient]:
    """What a browser does with a link: request it without its fragment, then let the
    console's page hand the fragment's code to the API."""
    browser = httpx.AsyncClient(base_url=server.url)
    url, _, fragment = path.partition("#")
    await browser.get(url)
    code = dict(p.split("=", 1) for p in fragment.split("&") if "=" in p).get("code", "")
    answer = await browser.post("/api/v1/auth/login-links/redeem", json={"code": code})
    return answer, browser


class TestLoginLinksStayOutOfLogs:
    async def test_the_code_travels_in_the_fragment_and_never_reaches_the_access_log(
        self, server: Server
    ) -> None:
        path = await login_link(server)
        assert path.startswith("/login#code=")
        assert "?" not in path
        code = path.partition("#code=")[2].partition("&")[0]
        with _access_log() as lines:
            answer, browser = await _open_link(server, path)
            try:
                assert answer.status_code == 200
                assert answer.json() == {"role": "admin", "show_id": None}
                assert "HttpOnly" in answer.headers["set-cookie"]
                me = await browser.get("/api/v1/auth/me")
                assert me.json() == {"role": "admin", "show_id": None}
            finally:
                await browser.aclose()
        assert any("/api/v1/auth/login-links/redeem" in line for line in lines), lines
        assert not any(code in line for line in lines), lines

    async def test_a_link_works_once(self, server: Server) -> None:
        path = await login_link(server)
        first, browser = await _open_link(server, path)
        await browser.aclose()
        assert first.status_code == 200
        again, browser = await _open_link(server, path)
        await browser.aclose()
        assert again.status_code == 401
        assert "already used" in again.json()["detail"]

    async def test_the_link_names_the_show_to_land_on(self, server: Server) -> None:
        show = await create_show(server)
        landing = await login_link(server, show=show)
        assert landing.endswith(f"&show={show}")
        async with server.client() as admin:
            scoped = await admin.post(
                "/api/v1/auth/login-links", json={"role": "field_control", "show_id": show}
            )
        assert scoped.json()["path"].endswith(f"&show={show}")

    async def test_opening_the_link_page_signs_nobody_in_by_itself(self, server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url) as browser:
            page = await browser.get("/login")
        assert page.status_code in (200, 303)
        assert "set-cookie" not in page.headers

    async def test_a_code_sent_in_a_query_string_is_burnt(self, server: Server) -> None:
        path = await login_link(server)
        code = path.partition("#code=")[2].partition("&")[0]
        async with httpx.AsyncClient(base_url=server.url) as browser:
            leaked = await browser.get(f"/login?code={code}")
            assert "set-cookie" not in leaked.headers
            answer = await browser.post("/api/v1/auth/login-links/redeem", json={"code": code})
        assert answer.status_code == 401
