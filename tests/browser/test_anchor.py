"""The anchor's console (主播) and the cue loop, end to end in Chromium on a real server.

A show with a lineup and a run-sheet is started on `liveops serve`; then

- field control types a cue; it flashes across the anchor's screen; the anchor presses Space;
  field control's list says it was acknowledged and how fast (contract §8);
- a stock change (an ERP count) shows in the anchor's script, measured: the contract asks for
  one second, the test allows three and prints what it saw;
- the anchor's console with a cue open, a compliance hint and the script, at 390×844,
  1280×800 and 1920×1080: nothing wider than the screen, big type, the cue banner and the clock
  on screen. Screenshots go to docs/screenshots/anchor-{W}x{H}.png; field control's console
  with its cue panel to test-artifacts/ (test_responsive.py writes the field-control ones).

The latencies seen are logged (`-o log_cli=true` shows them) and kept in
test-artifacts/anchor-latency.txt.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.browser.conftest import (
    ARTIFACTS,
    START_TIMEOUT_S,
    STATIC_INDEX,
    _free_port,
    _liveops_executable,
    _stop,
)

pytestmark = pytest.mark.browser
log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWPORTS = [(390, 844), (1280, 800), (1920, 1080)]
MAX_SCREENSHOT_BYTES = 400_000
SKU = "SC-01"
OTHER_SKU = "GL-02"
ONLINE = 12_345
# What the prompter's stock may take to reach the anchor's screen here. The contract asks for
# one second; the bound is generous for a loaded CI machine, and the latency seen is printed.
STOCK_BOUND_S = 3.0

SCRIPT = (
    "家人们看过来！这条内蒙古羊绒围巾，原价{price}，今天直播间只要{live_price}！"
    "库存只剩{stock_left}件，{online}位家人正在看，手慢无。倒计时{countdown}，"
    "点击下方小黄车，1号链接直接拍！"
)


@dataclass
class Server:
    """A running `liveops serve` with one live show set up for the anchor."""

    base_url: str
    admin_token: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    show_id: str = ""
    stock_version: int = 1
    field_control_token: str = ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.output[-lines:])

    def call(
        self, method: str, path: str, body: object | None = None, token: str | None = None
    ) -> Any:
        """One call to the API (as admin unless `token` says otherwise); a 4xx/5xx answer
        fails the test with the body."""
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
                return json.loads(res.read() or b"null")
        except urllib.error.HTTPError as err:
            pytest.fail(f"{method} {path}: {err.code} {err.read()[:800]!r}\n{self.log_tail()}")

    def show(self, rest: str) -> str:
        return f"/api/v1/shows/{self.show_id}/{rest}"

    def set_stock(self, available: int) -> None:
        self.stock_version += 1
        self.call(
            "PUT",
            self.show(f"stock/{SKU}"),
            {"available": available, "version": self.stock_version},
        )

    def cue(self, text: str) -> Any:
        """Field control (a token labelled 场控小王) cues the anchor over the API."""
        body = {"type": "cue", "text": text}
        return self.call("POST", self.show("actions"), body, token=self.field_control_token)

    def login_path(self, role: str) -> str:
        link = self.call(
            "POST", "/api/v1/auth/login-links", {"role": role, "show_id": self.show_id}
        )
        return str(link["path"])

    def ingest(self, *events: dict[str, Any]) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        batch = [
            {"id": f"t-{uuid.uuid4().hex[:12]}", "ts": now, "source": "test", **e} for e in events
        ]
        answer = self.call("POST", self.show("events"), {"events": batch})
        assert answer["accepted"] == len(batch), answer


def _pump(server: Server) -> None:
    assert server.process.stdout is not None
    for line in server.process.stdout:
        server.output.append(line.rstrip("\n"))


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            code = server.process.returncode
            pytest.fail(f"`liveops serve` exited with {code}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as res:
                if res.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"/healthz did not answer within {START_TIMEOUT_S} s:\n{server.log_tail()}")


def _seed(server: Server) -> None:
    """A live show: two products, a three-segment run-sheet, the first segment on air."""
    show = server.call("POST", "/api/v1/shows", {"title": "冬季羊绒专场", "platform": "douyin"})
    server.show_id = show["id"]
    server.call(
        "PUT",
        server.show("lineup"),
        {
            "products": [
                {
                    "sku": SKU,
                    "name": "内蒙古羊绒围巾",
                    "role": "爆款",
                    "list_price": 39_900,
                    "live_price": 19_900,
                    "allocated_stock": 500,
                },
                {
                    "sku": OTHER_SKU,
                    "name": "加厚羊毛手套",
                    "role": "福利款",
                    "list_price": 12_900,
                    "live_price": 5_990,
                    "allocated_stock": 300,
                },
            ]
        },
    )
    server.call(
        "PUT",
        server.show("runsheet"),
        {
            "segments": [
                {
                    "id": "push-scarf",
                    "title": "主推 · 羊绒围巾",
                    "sku": SKU,
                    "planned_seconds": 600,
                    "beat": "push",
                    "script": SCRIPT,
                },
                {
                    "id": "welfare-gloves",
                    "title": "福利 · 羊毛手套",
                    "sku": OTHER_SKU,
                    "planned_seconds": 300,
                    "beat": "welfare",
                    "script": "福利价{live_price}，只剩{stock_left}件！",
                },
                {
                    "id": "close",
                    "title": "收尾互动",
                    "planned_seconds": 120,
                    "script": "感谢{online}位家人的陪伴！",
                },
            ]
        },
    )
    minted = server.call(
        "POST",
        "/api/v1/auth/tokens",
        {"role": "field_control", "show_id": server.show_id, "label": "场控小王"},
    )
    server.field_control_token = minted["token"]
    server.call("POST", server.show("start"), {})
    server.set_stock(420)
    server.ingest({"type": "viewer.count", "online": ONLINE})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not STATIC_INDEX.is_file():
        pytest.fail(f"the console is not built: run `make console` (expected {STATIC_INDEX})")
    data_dir = tmp_path_factory.mktemp("liveops-anchor")
    port = _free_port()
    token = "test_admin_" + secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "LIVEOPS_DATA_DIR": str(data_dir),
        "LIVEOPS_ADMIN_TOKEN": token,
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [str(_liveops_executable()), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=data_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    srv = Server(base_url=f"http://127.0.0.1:{port}", admin_token=token, process=process)
    pump = threading.Thread(target=_pump, args=(srv,), daemon=True)
    pump.start()
    try:
        _wait_healthy(srv)
        _seed(srv)
        yield srv
    finally:
        _stop(process)
        pump.join(timeout=5)


def _record(line: str) -> None:
    """A measurement: logged, and kept in test-artifacts/anchor-latency.txt."""
    log.info(line)
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "anchor-latency.txt").open("a", encoding="utf-8") as out:
        out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")


def _context(browser: Browser, width: int = 1280, height: int = 800) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    return context


def _open(context: BrowserContext, server: Server, role: str) -> Page:
    """A page signed in with a one-time link for `role`, on the show's console, connected."""
    page = context.new_page()
    page.goto(f"{server.base_url}{server.login_path(role)}")
    page.wait_for_url(f"**/shows/{server.show_id}")
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "live")
    return page


def _ack_open_cues(server: Server) -> None:
    """Acknowledge every open cue (as admin), so one test's cue does not lead the next."""
    for cue in server.call("GET", server.show("cues"))["cues"]:
        if cue["acked_at"] is None:
            server.call("POST", server.show(f"cues/{cue['id']}/ack"))


@pytest.mark.timeout(120)
def test_a_cue_reaches_the_anchor_and_its_acknowledgement_comes_back(
    server: Server, chromium: Browser
) -> None:
    fc_context, anchor_context = _context(chromium), _context(chromium, 390, 844)
    try:
        fc = _open(fc_context, server, "field_control")
        anchor = _open(anchor_context, server, "anchor")
        # The role decides the page: the anchor's link opens the prompter, not the tiles.
        expect(anchor.get_by_test_id("anchor-console")).to_be_visible()
        expect(anchor.get_by_test_id("kpi-grid")).to_have_count(0)
        expect(anchor.get_by_test_id("segment-title")).to_have_text("主推 · 羊绒围巾")
        expect(anchor.get_by_test_id("next-segment")).to_contain_text("福利 · 羊毛手套")
        expect(anchor.get_by_test_id("cue-banner")).to_have_count(0)
        expect(fc.get_by_test_id("kpi-grid")).to_be_visible()
        expect(fc.get_by_test_id("prompter-preview-text")).to_contain_text("内蒙古羊绒围巾")

        text = f"讲一下尺码 {uuid.uuid4().hex[:4]}"
        fc.get_by_test_id("cue-input").fill(text)
        sent = time.monotonic()
        fc.get_by_test_id("cue-input").press("Enter")
        banner = anchor.get_by_test_id("cue-banner")
        expect(banner.get_by_test_id("cue-text")).to_have_text(text)
        _record(f"cue on the anchor's screen {time.monotonic() - sent:.3f} s after Enter")
        item = fc.get_by_test_id("cue-item").filter(has_text=text)
        expect(item).to_have_attribute("data-state", "open")

        # The anchor reads it (a cue takes a key only after a moment on screen: a double tap
        # never acknowledges a cue not yet seen), then presses Space.
        anchor.wait_for_timeout(500)
        anchor.keyboard.press("Space")
        expect(banner).to_have_count(0)
        expect(item).to_have_attribute("data-state", "acked")
        expect(item.get_by_test_id("cue-state")).to_have_text(re.compile(r"已确认 · \d+\.\d s"))
        acked = server.call("GET", server.show("cues"))["cues"][0]
        assert acked["text"] == text, acked
        assert acked["acked_by"]["role"] == "anchor", acked
        _record(f"cue acknowledged after {acked['ack_seconds']} s (the server's count)")

        # Two cues: the oldest first, with a count; one tap on the banner takes it.
        fc.get_by_test_id("cue-preset").filter(has_text="上链接").click()
        expect(fc.get_by_test_id("cue-item").first).to_contain_text("上链接")
        fc.get_by_test_id("cue-preset").filter(has_text="放慢语速").click()
        expect(banner.get_by_test_id("cue-text")).to_have_text("上链接")
        expect(banner.get_by_test_id("cue-more")).to_have_text("还有 1 条")
        anchor.wait_for_timeout(500)
        banner.click()
        expect(banner.get_by_test_id("cue-text")).to_have_text("放慢语速")
        anchor.wait_for_timeout(500)
        anchor.keyboard.press("Enter")
        expect(banner).to_have_count(0)
        expect(fc.get_by_test_id("cue-open-count")).to_have_text("全部已确认")

        # Field control can look at the anchor's view, but cannot acknowledge for the anchor.
        fc.get_by_test_id("anchor-view-link").click()
        fc.wait_for_url(f"**/shows/{server.show_id}/anchor")
        expect(fc.get_by_test_id("anchor-console")).to_be_visible()
        expect(fc.get_by_test_id("script-text")).to_contain_text("内蒙古羊绒围巾")
        fc.get_by_test_id("back-to-console").click()
        expect(fc.get_by_test_id("cue-panel")).to_be_visible()
    finally:
        fc_context.close()
        anchor_context.close()
        _ack_open_cues(server)


@pytest.mark.timeout(60)
def test_the_cue_banner_holds_still_under_reduced_motion(server: Server, chromium: Browser) -> None:
    """prefers-reduced-motion: the banner does not flash; a heavy frame marks it instead."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", reduced_motion="reduce"
    )
    context.set_default_timeout(15_000)
    try:
        page = _open(context, server, "anchor")
        server.cue("讲库存")
        banner = page.get_by_test_id("cue-banner")
        expect(banner.get_by_test_id("cue-text")).to_have_text("讲库存")
        style = banner.evaluate(
            "(el) => ({ animation: getComputedStyle(el).animationName,"
            " outline: getComputedStyle(el).outlineStyle })"
        )
        assert style == {"animation": "none", "outline": "solid"}, style
        page.wait_for_timeout(500)
        page.keyboard.press("Space")
        expect(banner).to_have_count(0)
    finally:
        context.close()
        _ack_open_cues(server)


@pytest.mark.timeout(120)
def test_a_stock_change_shows_in_the_script_within_a_second(
    server: Server, chromium: Browser
) -> None:
    context = _context(chromium)
    try:
        page = _open(context, server, "anchor")
        value = page.get_by_test_id("script-text").locator('mark[data-name="stock_left"]')
        expect(value).to_have_text(re.compile(r"^\d+$"))
        latencies = []
        for available in (311, 57, 0, 402):
            started = time.monotonic()
            server.set_stock(available)
            page.wait_for_function(
                """(want) => document.querySelector(
                    '[data-testid="script-text"] mark[data-name="stock_left"]'
                  )?.textContent === want""",
                arg=str(available),
                polling="raf",
                timeout=STOCK_BOUND_S * 1000,
            )
            latencies.append(time.monotonic() - started)
            expect(page.get_by_test_id("fact-stock")).to_have_text(
                "已售罄" if available == 0 else str(available)
            )
        _record(
            "stock change → anchor's script: "
            + ", ".join(f"{s * 1000:.0f} ms" for s in latencies)
            + f" (bound {STOCK_BOUND_S:.0f} s; contract: 1 s)"
        )
        assert max(latencies) < STOCK_BOUND_S
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_the_segment_moves_and_runs_over(
    server: Server, chromium: Browser, artifacts: Path
) -> None:
    """Field control moves the show to the next segment: the anchor's title, script and facts
    follow; a segment past its plan turns the clock into a red overrun count."""
    context = _context(chromium)
    try:
        page = _open(context, server, "anchor")
        clock = page.get_by_test_id("segment-clock")
        expect(clock).to_contain_text("剩余")
        server.call(
            "POST",
            server.show("actions"),
            {"type": "segment.goto", "segment_id": "welfare-gloves"},
            token=server.field_control_token,
        )
        expect(page.get_by_test_id("segment-title")).to_have_text("福利 · 羊毛手套")
        expect(page.get_by_test_id("script-text")).to_contain_text("59.9元")
        expect(page.get_by_test_id("next-segment")).to_contain_text("收尾互动")

        # The plan shrinks under the segment on air (same id: it keeps its time on air).
        sheet = server.call("GET", server.show("runsheet"))
        segments = [
            {
                k: v
                for k, v in seg.items()
                if k in ("id", "title", "sku", "planned_seconds", "beat", "script")
            }
            for seg in sheet["segments"]
        ]
        for seg in segments:
            if seg["id"] == "welfare-gloves":
                seg["planned_seconds"] = 1
        server.call("PUT", server.show("runsheet"), {"segments": segments})
        expect(clock).to_contain_text("超时")
        expect(page.get_by_test_id("segment-clock-value")).to_have_text(re.compile(r"^\+0:0\d$"))
        page.screenshot(path=str(artifacts / "anchor-overrun-1280x800.png"))
    finally:
        context.close()
        server.call(
            "POST",
            server.show("actions"),
            {"type": "segment.goto", "segment_id": "push-scarf"},
            token=server.field_control_token,
        )


# Anything wider than the page, outside a box that scrolls or clips it.
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

LAYOUT = """() => {
  const box = (id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    if (el === null) return null;
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom,
             size: parseFloat(getComputedStyle(el).fontSize),
             clipped: el.scrollWidth > el.clientWidth + 1 };
  };
  return { script: box('script-text'), cue: box('cue-text'), banner: box('cue-banner'),
           clock: box('segment-clock-value'), title: box('segment-title'),
           stock: box('fact-stock'), price: box('fact-live-price'), online: box('fact-online'),
           hint: box('compliance-hint'), conn: box('conn-state'),
           height: window.innerHeight, width: document.documentElement.clientWidth,
           scroll: document.documentElement.scrollWidth };
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    across = min(a["right"], b["right"]) - max(a["left"], b["left"])
    down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return across > 0.5 and down > 0.5


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_anchor_console_fits_and_screenshots(
    server: Server, chromium: Browser, artifacts: Path, width: int, height: int
) -> None:
    context = _context(chromium, width, height)
    try:
        page = _open(context, server, "anchor")
        expect(page.get_by_test_id("script-text")).to_contain_text("内蒙古羊绒围巾")
        expect(page.get_by_test_id("fact-online")).to_have_text("12,345")

        # Before any cue: the title, the clock and the facts sit apart, the text is big.
        page.screenshot(path=str(artifacts / f"anchor-calm-{width}x{height}.png"))
        calm = page.evaluate(LAYOUT)
        assert calm["scroll"] <= width, f"sideways scroll: {page.evaluate(WIDE_ELEMENTS)}"
        assert not _overlap(calm["title"], calm["clock"]), calm
        assert calm["script"]["size"] >= 26, f"script text too small at {width}px: {calm}"
        assert calm["clock"]["size"] >= 48, calm
        for fact in ("stock", "price", "online"):
            assert not calm[fact]["clipped"], (fact, calm[fact])
            assert calm[fact]["size"] >= 24, (fact, calm[fact])
        assert calm["conn"]["bottom"] <= height + 0.5, calm

        # A line of speech with a flagged word: a quiet hint, not the cue banner.
        server.ingest({"type": "transcript", "text": "这是全网最好的羊绒围巾"})
        hint = page.get_by_test_id("compliance-hint")
        expect(hint).to_contain_text("最好")
        expect(page.get_by_test_id("cue-banner")).to_have_count(0)

        cue = server.cue("看评论区，有人问尺码")
        expect(page.get_by_test_id("cue-text")).to_have_text(cue["text"])
        page.wait_for_timeout(400)  # the banner's entrance
        seen = page.evaluate(LAYOUT)
        assert seen["scroll"] <= width, f"sideways scroll: {page.evaluate(WIDE_ELEMENTS)}"
        assert seen["banner"]["left"] <= 0.5, seen
        assert seen["banner"]["right"] >= width - 0.5, seen
        assert seen["banner"]["bottom"] <= height * 0.6, f"the banner hides the script: {seen}"
        assert seen["cue"]["size"] >= 32, f"cue text too small at {width}px: {seen}"
        assert seen["script"]["bottom"] > seen["banner"]["bottom"], "no script under the banner"
        assert seen["hint"]["size"] <= 20, f"the compliance hint is loud: {seen['hint']}"

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"anchor-{width}x{height}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size < MAX_SCREENSHOT_BYTES, (shot, shot.stat().st_size)

        # Field control's console at the same size: the cue open in its list, the preview.
        fc_context = _context(chromium, width, height)
        try:
            fc = _open(fc_context, server, "field_control")
            expect(fc.get_by_test_id("cue-item").first).to_have_attribute("data-state", "open")
            expect(fc.get_by_test_id("prompter-preview-text")).to_contain_text("内蒙古羊绒围巾")
            assert fc.evaluate("document.documentElement.scrollWidth") <= width, fc.evaluate(
                WIDE_ELEMENTS
            )
            fc.get_by_test_id("cue-panel").scroll_into_view_if_needed()
            fc.screenshot(path=str(artifacts / f"field-control-cues-{width}x{height}.png"))
        finally:
            fc_context.close()

        # The hint fades by itself within about ten seconds.
        expect(hint).to_have_count(0, timeout=14_000)
    finally:
        context.close()
        _ack_open_cues(server)
