"""What the browser tests share: a `liveops` process on a free loopback port, its HTTP API,
a signed-in page, and the checks that a page fits its screen.

The fixtures that use these are in conftest.py; the tests import from here.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = REPO / "docs" / "screenshots"
STATIC_INDEX = REPO / "src" / "liveops" / "web" / "static" / "index.html"
START_TIMEOUT_S = 45.0
# The screens of issue #10: a phone, a laptop, a 1080p screen.
VIEWPORTS = [(390, 844), (1280, 800), (1920, 1080)]
VIEWPORT_IDS = [f"{w}x{h}" for w, h in VIEWPORTS]
MAX_SCREENSHOT_BYTES = 400_000
# The largest stock version (docs/api.md): newer than any the simulator's ERP counts use
# (their event time in microseconds), so that its later counts never overwrite a test's.
ERP_VERSION = 2**53 - 1


def utc_now() -> str:
    """Now as an RFC 3339 `ts` for an ingested event."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _liveops_executable() -> Path:
    """The `liveops` script of the environment running pytest (normally .venv/bin)."""
    for candidate in (Path(sys.executable).parent / "liveops", REPO / ".venv" / "bin" / "liveops"):
        if candidate.is_file():
            return candidate
    pytest.fail("no `liveops` executable next to the Python running pytest; install the project")


@dataclass
class Liveops:
    """A running `liveops` process (`serve` or `demo`) and its admin token."""

    base_url: str
    admin_token: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.output[-lines:])

    def read_line(self, line: str) -> None:
        """One line of the process's output (kept for failure messages)."""
        self.output.append(line)

    def request(
        self, method: str, path: str, body: object | None = None, token: str | None = None
    ) -> tuple[int, Any]:
        """One call to the API (as admin unless `token` says otherwise): (status, JSON body).
        A 4xx answer is returned; a 5xx fails the test with the server's log."""
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {token or self.admin_token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as err:
            text = err.read()
            if err.code >= 500:
                pytest.fail(f"{method} {path}: {err.code} {text[:800]!r}\n{self.log_tail()}")
            return err.code, json.loads(text or b"null")

    def call(
        self, method: str, path: str, body: object | None = None, token: str | None = None
    ) -> Any:
        """One call to the API that must succeed: its JSON body; any other answer fails the
        test with the body."""
        status, answer = self.request(method, path, body, token)
        if not 200 <= status < 300:
            pytest.fail(f"{method} {path}: {status} {answer!r}"[:1000])
        return answer

    def ingest(self, show_id: str, *events: dict[str, Any]) -> None:
        """Events for a show, dated now, ids made up; every one must be accepted."""
        batch = [
            {"id": f"t-{uuid.uuid4().hex[:12]}", "ts": utc_now(), "source": "test", **e}
            for e in events
        ]
        answer = self.call("POST", f"/api/v1/shows/{show_id}/events", {"events": batch})
        assert answer["accepted"] == len(batch), answer

    def login_path(self, role: str, show_id: str) -> str:
        """A one-time login link's path for a token of `role` on one show."""
        link = self.call("POST", "/api/v1/auth/login-links", {"role": role, "show_id": show_id})
        return str(link["path"])

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.read_line(line.rstrip("\n"))

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                pytest.fail(f"`liveops` exited with {code}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as res:
                    if res.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT_S} s:\n{self.log_tail()}")


L = TypeVar("L", bound=Liveops)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def run_liveops(kind: type[L], command: str, data_dir: Path) -> Iterator[L]:
    """`liveops <command>` (serve, demo) on a free loopback port with its own data dir and
    admin token, as `kind`; answering /healthz when this yields, stopped after."""
    if not STATIC_INDEX.is_file():
        pytest.fail(
            "the console is not built: run `make console` or "
            f"`cd frontend && npm ci && npm run build` (expected {STATIC_INDEX})"
        )
    port = free_port()
    token = "test_admin_" + secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "LIVEOPS_DATA_DIR": str(data_dir),
        "LIVEOPS_ADMIN_TOKEN": token,
        # Lines are read from stdout as soon as they are printed (the demo's login link).
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [str(_liveops_executable()), command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=data_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    live = kind(base_url=f"http://127.0.0.1:{port}", admin_token=token, process=process)
    pump = threading.Thread(target=live._pump, daemon=True)
    pump.start()
    try:
        live._wait_healthy()
        yield live
    finally:
        _stop(process)
        pump.join(timeout=5)


@dataclass
class Demo(Liveops):
    """A running `liveops demo`: it plays a show and prints a one-time login link."""

    login_url: str | None = None
    _found_link: threading.Event = field(default_factory=threading.Event)

    def read_line(self, line: str) -> None:
        """Spot the login link. It carries its code in the fragment (`/login#code=…`), never
        in the query string, which would put it in the server's access log."""
        super().read_line(line)
        if self.login_url is None:
            m = re.search(rf"({re.escape(self.base_url)}/login#code=\S+)", line)
            if m is not None:
                self.login_url = m.group(1)
                self._found_link.set()

    def wait_for_login_url(self, timeout: float) -> str:
        if not self._found_link.wait(timeout) or self.login_url is None:
            pytest.fail(f"the demo printed no login link within {timeout} s:\n{self.log_tail()}")
        return self.login_url


def new_context(
    browser: Browser,
    width: int = 1280,
    height: int = 800,
    timeout_ms: float = 15_000,
    reduced_motion: Literal["reduce", "no-preference"] | None = None,
) -> BrowserContext:
    """A browser context the size of a screen, in Chinese, on Beijing time."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        reduced_motion=reduced_motion,
    )
    context.set_default_timeout(timeout_ms)
    return context


def open_console(context: BrowserContext, live: Liveops, role: str, show_id: str) -> Page:
    """A page signed in with a one-time link for `role`, on the show's console, connected."""
    page = context.new_page()
    page.goto(f"{live.base_url}{live.login_path(role, show_id)}")
    page.wait_for_url(f"**/shows/{show_id}")
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "live")
    return page


# Anything that sticks out of the page's width without a box around it that scrolls or
# clips it.
WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p !== null && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .slice(0, 10)
    .map((el) => el.tagName + '.' + el.className + ' right=' + el.getBoundingClientRect().right);
}"""


def assert_no_sideways_scroll(page: Page, width: int) -> None:
    """The page is as wide as the screen: nothing sticks out, nothing scrolls sideways."""
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " body: document.body.scrollWidth})"
    )
    assert sizes["inner"] == width, sizes
    wide = page.evaluate(WIDE_ELEMENTS)
    assert sizes["scroll"] <= width, f"the page scrolls sideways at {width}px: {sizes}; {wide}"
    assert sizes["body"] <= width, f"the body is wider than {width}px: {sizes}; {wide}"
    assert wide == [], f"wider than the page at {width}px: {wide}"


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two boxes ({left, right, top, bottom}) share more than half a pixel each way."""
    across = float(min(a["right"], b["right"]) - max(a["left"], b["left"]))
    down = float(min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]))
    return across > 0.5 and down > 0.5


def save_screenshot(page: Page, name: str) -> Path:
    """A screenshot of the viewport for the docs (docs/screenshots/NAME.png), kept small."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size < MAX_SCREENSHOT_BYTES, (shot, shot.stat().st_size)
    return shot


class ShowCalls(Protocol):
    """What a test's server offers for seeding a show: an admin call and a show's path."""

    def call(
        self, method: str, path: str, body: object | None = None, token: str | None = None
    ) -> Any: ...

    def show(self, rest: str) -> str: ...


def stock_lineup(
    server: ShowCalls,
    products: Mapping[str, tuple[str, int, int]],
    *,
    allocated: int,
    erp_version: int,
) -> None:
    """Give the show a lineup of 爆款 (sku: name, list price, live price), each allocated
    `allocated` units, with the ERP's count of the same in the stock ledger."""
    lineup = [
        {
            "sku": sku,
            "name": name,
            "role": "爆款",
            "list_price": list_price,
            "live_price": live_price,
            "allocated_stock": allocated,
        }
        for sku, (name, list_price, live_price) in products.items()
    ]
    server.call("PUT", server.show("lineup"), {"products": lineup})
    for sku in products:
        body = {"available": allocated, "version": erp_version}
        server.call("PUT", server.show(f"stock/{sku}"), body)
