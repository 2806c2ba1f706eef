"""Fixtures for the browser tests: a real `liveops demo` process and Debian's Chromium.

The demo runs as a subprocess, exactly as a newcomer would start it, so these tests cover
the built console, the HTTP sign-in, the cookie-authenticated websocket and the simulator
together. Nothing here downloads a browser: Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
STATIC_INDEX = REPO / "src" / "liveops" / "web" / "static" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 45.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _liveops_executable() -> Path:
    """The `liveops` script of the environment running pytest (normally .venv/bin)."""
    for candidate in (Path(sys.executable).parent / "liveops", REPO / ".venv" / "bin" / "liveops"):
        if candidate.is_file():
            return candidate
    pytest.fail("no `liveops` executable next to the Python running pytest; install the project")


@dataclass
class Demo:
    """A running `liveops demo` process."""

    base_url: str
    admin_token: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    login_url: str | None = None
    _found_link: threading.Event = field(default_factory=threading.Event)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.output[-lines:])

    def wait_for_login_url(self, timeout: float) -> str:
        if not self._found_link.wait(timeout) or self.login_url is None:
            pytest.fail(f"the demo printed no login link within {timeout} s:\n{self.log_tail()}")
        return self.login_url


def _pump_output(demo: Demo, port: int) -> None:
    """Collect the demo's output (for failure messages) and spot the one-time login link.

    The link carries its code in the fragment (`/login#code=…`), never in the query string,
    which would put it in the server's access log."""
    link = re.compile(rf"(http://127\.0\.0\.1:{port}/login#code=\S+)")
    assert demo.process.stdout is not None
    for line in demo.process.stdout:
        demo.output.append(line.rstrip("\n"))
        if demo.login_url is None:
            m = link.search(line)
            if m is not None:
                demo.login_url = m.group(1)
                demo._found_link.set()


def _wait_healthy(demo: Demo, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if demo.process.poll() is not None:
            pytest.fail(f"`liveops demo` exited with {demo.process.returncode}:\n{demo.log_tail()}")
        try:
            with urllib.request.urlopen(f"{demo.base_url}/healthz", timeout=2) as res:
                if res.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"/healthz did not answer 200 within {timeout} s:\n{demo.log_tail()}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def liveops_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`liveops demo` on a free loopback port with its own data dir and admin token."""
    if not STATIC_INDEX.is_file():
        pytest.fail(
            "the console is not built: run `cd frontend && npm ci && npm run build` "
            f"(expected {STATIC_INDEX})"
        )
    data_dir = tmp_path_factory.mktemp("liveops-demo")
    port = _free_port()
    token = "test_admin_" + secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "LIVEOPS_DATA_DIR": str(data_dir),
        "LIVEOPS_ADMIN_TOKEN": token,
        # The login link is read from stdout as soon as it is printed.
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [str(_liveops_executable()), "demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=data_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    demo = Demo(base_url=f"http://127.0.0.1:{port}", admin_token=token, process=process)
    pump = threading.Thread(target=_pump_output, args=(demo, port), daemon=True)
    pump.start()
    try:
        _wait_healthy(demo, START_TIMEOUT_S)
        demo.wait_for_login_url(START_TIMEOUT_S)
        yield demo
    finally:
        _stop(process)
        pump.join(timeout=5)


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
