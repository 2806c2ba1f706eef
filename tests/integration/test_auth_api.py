"""Sign-in paths, cookies and the cross-site websocket guard, against a real server."""

from __future__ import annotations

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.integration.test_live_websocket import receive

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def login_link(server: Server, **body: str) -> str:
    async with server.client() as admin:
        response = await admin.post("/api/v1/auth/login-links", json=body)
    assert response.status_code == 201
    return str(response.json()["path"])


class TestBrowserSignIn:
    async def test_a_login_link_works_once_and_sets_an_httponly_session_cookie(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        path = await login_link(server)
        async with httpx.AsyncClient(base_url=server.url) as browser:
            first = await browser.get(f"{path}&show={show}")
            assert first.status_code == 303
            assert first.headers["location"] == f"/shows/{show}"
            cookie = first.headers["set-cookie"]
            assert "liveops_session=" in cookie
            assert "HttpOnly" in cookie
            assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
            me = await browser.get("/api/v1/auth/me")
            assert me.json() == {"role": "admin", "show_id": None}
            again = await httpx.AsyncClient(base_url=server.url).get(path)
            assert again.status_code == 401
            assert "already used" in again.json()["detail"]

    async def test_a_login_link_never_redirects_off_our_console_pages(self, server: Server) -> None:
        path = await login_link(server)
        async with httpx.AsyncClient(base_url=server.url) as browser:
            response = await browser.get(f"{path}&show=//evil.example/x")
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
