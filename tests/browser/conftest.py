"""Fixtures for the browser tests: a real `liveops demo` process and Debian's Chromium.

The demo runs as a subprocess, exactly as a newcomer would start it, so these tests cover
the built console, the HTTP sign-in, the cookie-authenticated websocket and the simulator
together. Nothing here downloads a browser: Playwright drives /usr/bin/chromium. What the
tests share besides fixtures is in helpers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from tests.browser.helpers import ARTIFACTS, START_TIMEOUT_S, Demo, run_liveops

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def liveops_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`liveops demo` on a free loopback port with its own data dir and admin token."""
    with run_liveops(Demo, "demo", tmp_path_factory.mktemp("liveops-demo")) as demo:
        demo.wait_for_login_url(START_TIMEOUT_S)
        yield demo


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by PyPI playwright (no browser download)."""
    if not CHROMIUM.is_file():
        # Not a skip: a missing browser must not let the console's tests pass silently.
        pytest.fail(f"{CHROMIUM} is not installed: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
