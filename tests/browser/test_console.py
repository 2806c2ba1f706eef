"""End to end: `liveops demo` → sign in from a browser → a live, changing console.

Both sign-in paths of docs/protocol.md are covered: the one-time login link printed by the
demo, and pasting a token into the sign-in form. Either way no long-lived token may end up
in a URL, in storage readable by scripts, or in the websocket URL.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocket, expect

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1600, "height": 1000}
# Tiles that must show a number once the snapshot is in.
NUMERIC_TILES = [
    "online",
    "peak_online",
    "uv",
    "views",
    "comments",
    "likes",
    "gmv_paid",
    "conversion_rate",
]
# At least one of these must change while we watch: the demo plays a show in real time.
MOVING_TILES = ["uv", "views", "comments", "likes", "online"]
CHANGE_TIMEOUT_MS = 20_000
CONSOLE_PATH = re.compile(r"/shows/[^/?#]+$")


class Demo(Protocol):
    """What these tests use of the `liveops_demo` fixture (conftest.Demo)."""

    base_url: str
    admin_token: str

    def wait_for_login_url(self, timeout: float) -> str: ...


def _new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    return context


def _record_sockets(page: Page) -> list[str]:
    urls: list[str] = []

    def on_ws(ws: WebSocket) -> None:
        urls.append(ws.url)

    page.on("websocket", on_ws)
    return urls


def _assert_live_console(page: Page) -> None:
    """The console is connected, its tiles hold numbers, and the numbers move."""
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "live")
    for key in NUMERIC_TILES:
        expect(page.get_by_test_id(f"kpi-{key}")).to_be_visible()
        expect(page.get_by_test_id(f"kpi-value-{key}")).to_have_text(re.compile(r"\d"))

    before = {key: page.get_by_test_id(f"kpi-value-{key}").inner_text() for key in MOVING_TILES}
    page.wait_for_function(
        """(before) => Object.entries(before).some(([key, text]) => {
            const el = document.querySelector(`[data-testid="kpi-value-${key}"]`);
            return el !== null && el.textContent !== text;
        })""",
        arg=before,
        timeout=CHANGE_TIMEOUT_MS,
    )

    comments = page.get_by_test_id("comment-stream").get_by_test_id("comment")
    expect(comments.first).to_be_visible(timeout=CHANGE_TIMEOUT_MS)
    expect(comments.first).not_to_have_text("")
    expect(page.get_by_test_id("trend-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("product-table").locator("tbody tr").first).to_be_visible()
    # Every tile says how old its number is.
    expect(page.get_by_test_id("kpi-age-online")).to_have_text(re.compile(r"前|刚刚"))


def _assert_no_token_leak(page: Page, socket_urls: list[str], secrets: list[str]) -> None:
    assert socket_urls, "the console opened no websocket"
    for url in [page.url, *socket_urls]:
        assert "code=" not in url, url
        assert "token" not in url.lower(), url
        for secret in secrets:
            assert secret not in url
    # The session cookie is HttpOnly; nothing token-like is kept where scripts can read it.
    assert "liveops_session" not in page.evaluate("document.cookie")
    assert page.evaluate("window.localStorage.length") == 0
    assert page.evaluate("window.sessionStorage.length") == 0


@pytest.mark.timeout(120)
def test_console_via_one_time_login_link(
    liveops_demo: Demo, chromium: Browser, artifacts: Path
) -> None:
    login_url = liveops_demo.wait_for_login_url(5)
    context = _new_context(chromium)
    try:
        page = context.new_page()
        socket_urls = _record_sockets(page)
        page.goto(login_url)
        page.wait_for_url(CONSOLE_PATH)
        expect(page.get_by_test_id("show-title")).not_to_be_empty()

        _assert_live_console(page)
        _assert_no_token_leak(page, socket_urls, [liveops_demo.admin_token])
        ws_base = liveops_demo.base_url.replace("http://", "ws://", 1)
        assert all(url.startswith(ws_base) for url in socket_urls), socket_urls

        page.screenshot(path=str(artifacts / "console.png"))

        # The link works once: a second visit must not sign anyone in.
        other = _new_context(chromium)
        try:
            reuse = other.new_page()
            reuse.goto(login_url)
            assert not CONSOLE_PATH.search(reuse.url), "a used login link signed in again"
        finally:
            other.close()
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_console_via_pasted_token(liveops_demo: Demo, chromium: Browser, artifacts: Path) -> None:
    context = _new_context(chromium)
    try:
        page = context.new_page()
        socket_urls = _record_sockets(page)
        page.goto(f"{liveops_demo.base_url}/")

        form = page.get_by_test_id("signin-form")
        expect(form).to_be_visible()

        # A wrong token is refused with the server's own message, and nothing else happens.
        page.get_by_test_id("signin-token").fill("not-a-real-token")
        page.get_by_test_id("signin-submit").click()
        expect(page.get_by_test_id("signin-error")).to_be_visible()
        expect(page.get_by_test_id("signin-error")).not_to_be_empty()

        page.get_by_test_id("signin-token").fill(liveops_demo.admin_token)
        page.get_by_test_id("signin-submit").click()

        show_link = page.locator("[data-testid^='show-link-']").first
        expect(show_link).to_be_visible()
        page.screenshot(path=str(artifacts / "show-list.png"))
        show_link.click()
        page.wait_for_url(CONSOLE_PATH)

        _assert_live_console(page)
        _assert_no_token_leak(page, socket_urls, [liveops_demo.admin_token])

        # A reload keeps the session (cookie) and reconnects straight to the live console.
        page.reload()
        _assert_live_console(page)
        page.screenshot(path=str(artifacts / "console-token.png"))
    finally:
        context.close()
