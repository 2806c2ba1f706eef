"""The anchor's console (主播) and the cue loop, end to end in Chromium on a real server.

A show with a lineup, a run-sheet with beats and some paid orders is started on
`liveops serve`; then

- field control types a cue; it flashes across the anchor's screen; the anchor presses Space;
  field control's list says it was acknowledged and how fast (contract §8);
- a stock change (an ERP count) shows in the anchor's script and its stock number, measured:
  the contract asks for one second, the test allows three and prints what it saw;
- the segment moves: title, beat (强推 → 福利), script and next segment follow; a segment
  past its plan turns the clock into a red overrun count and field control gets 段落超时;
- a viewer's question (a comment) appears under 观众在问, newest first;
- the anchor's console with a cue open, a compliance hint, the three numbers (online, GMV,
  stock left), questions and the script, at 390×844, 1280×800 and 1920×1080: nothing wider
  than the screen, big type, the cue banner, the clock and the script on screen. Screenshots
  go to docs/screenshots/anchor-{W}x{H}.png; field control's console with its cue panel to
  test-artifacts/ (test_responsive.py writes the field-control ones).

The latencies seen are logged (`-o log_cli=true` shows them) and kept in
test-artifacts/anchor-latency.txt.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.browser.helpers import (
    ARTIFACTS,
    VIEWPORT_IDS,
    VIEWPORTS,
    Liveops,
    assert_no_sideways_scroll,
    new_context,
    open_console,
    overlaps,
    run_liveops,
    save_screenshot,
)

pytestmark = pytest.mark.browser
log = logging.getLogger(__name__)

SKU = "SC-01"
OTHER_SKU = "GL-02"
ONLINE = 12_345
# Paid orders worth ¥123,456: the anchor's GMV reads ¥12.3万.
ORDERS_FEN = (8_800_000, 3_545_600)
# What the prompter's stock may take to reach the anchor's screen here. The contract asks for
# one second; the bound is generous for a loaded CI machine, and the latency seen is printed.
STOCK_BOUND_S = 3.0
# Viewers' comments: the question-like ones reach the anchor (docs/runsheet.md).
QUESTIONS = ("有没有灰色的？", "一米六穿什么码", "今天拍能包邮吗")

SCRIPT = (
    "家人们看过来！这条内蒙古羊绒围巾，原价{price}，今天直播间只要{live_price}！"
    "库存只剩{stock_left}件，{online}位家人正在看，手慢无。倒计时{countdown}，"
    "点击下方小黄车，1号链接直接拍！"
)


@dataclass
class Server(Liveops):
    """A running `liveops serve` with one live show set up for the anchor."""

    show_id: str = ""
    stock_version: int = 1
    field_control_token: str = ""

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

    def goto(self, segment_id: str) -> None:
        """Field control puts a segment on air."""
        body = {"type": "segment.goto", "segment_id": segment_id}
        self.call("POST", self.show("actions"), body, token=self.field_control_token)

    def comment(self, text: str, viewer_id: str = "dy_test_01") -> None:
        self.ingest(self.show_id, {"type": "comment", "viewer_id": viewer_id, "text": text})

    def top_asked(self, text: str) -> None:
        """Ask `text` from more viewers than any open question cluster has, so that its
        cluster leads the queue with `text` as its representative (docs/comments.md)."""
        clusters = self.call("GET", self.show("questions"))["clusters"]
        most = max((c["count"] for c in clusters if c["status"] == "open"), default=0)
        for i in range(most + 1):
            self.comment(text, f"asker_{uuid.uuid4().hex[:6]}_{i}")

    def shown_questions(self) -> list[str]:
        """What the prompter says the anchor sees under 观众在问, once it has some."""
        deadline = time.monotonic() + 10
        while True:
            shown: list[str] = self.call("GET", self.show("prompter"))["questions"]
            if shown or time.monotonic() > deadline:
                return shown
            time.sleep(0.1)


def _seed(server: Server) -> None:
    """A live show: two products, a three-segment run-sheet, the first segment on air, the
    room's size and two paid orders."""
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
    orders = []
    for i, amount in enumerate(ORDERS_FEN):
        order = {"order_id": f"o-{i}", "amount": amount}
        orders.append(
            {"type": "order.created", "viewer_id": f"v-{i}", "sku": SKU, "qty": 1, **order}
        )
        orders.append({"type": "order.paid", **order})
    server.ingest(server.show_id, {"type": "viewer.count", "online": ONLINE}, *orders)
    server.set_stock(420)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_liveops(Server, "serve", tmp_path_factory.mktemp("liveops-anchor")) as srv:
        _seed(srv)
        yield srv


def _record(line: str) -> None:
    """A measurement: logged, and kept in test-artifacts/anchor-latency.txt."""
    log.info(line)
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "anchor-latency.txt").open("a", encoding="utf-8") as out:
        out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")


def _open(context: BrowserContext, server: Server, role: str) -> Page:
    return open_console(context, server, role, server.show_id)


def _ack_open_cues(server: Server) -> None:
    """Acknowledge every open cue (as admin), so one test's cue does not lead the next."""
    for cue in server.call("GET", server.show("cues"))["cues"]:
        if cue["acked_at"] is None:
            server.call("POST", server.show(f"cues/{cue['id']}/ack"))


@pytest.mark.timeout(120)
def test_a_cue_reaches_the_anchor_and_its_acknowledgement_comes_back(
    server: Server, chromium: Browser
) -> None:
    fc_context, anchor_context = new_context(chromium), new_context(chromium, 390, 844)
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
    context = new_context(chromium, 390, 844, reduced_motion="reduce")
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
def test_three_numbers_online_gmv_and_stock_left(server: Server, chromium: Browser) -> None:
    """Exactly three headline numbers: the room (grouped; the script says it as 1.2万), paid
    GMV in yuan (¥12.3万 for ¥123,456) and the product's stock left (已售罄 at 0)."""
    context = new_context(chromium)
    try:
        page = _open(context, server, "anchor")
        numbers = page.get_by_test_id("anchor-headlines")
        expect(numbers.locator("dt")).to_have_text(["在线", "成交额", "库存"])
        expect(page.get_by_test_id("headline-value-online")).to_have_text("12,345")
        expect(page.get_by_test_id("headline-value-gmv")).to_have_text("¥12.3万")
        expect(page.get_by_test_id("headline-value-gmv")).to_have_attribute(
            "title", re.compile("¥123,456.00")
        )
        expect(page.get_by_test_id("headline-value-stock")).to_have_text(re.compile(r"^[\d,]+$"))
        script = page.get_by_test_id("script-text")
        expect(script.locator('mark[data-name="online"]')).to_have_text("1.2万")
        # The price sits with the product, not among the numbers.
        expect(page.get_by_test_id("anchor-product")).to_contain_text("内蒙古羊绒围巾")
        expect(page.get_by_test_id("anchor-live-price")).to_have_text("199元")
        expect(numbers).not_to_contain_text("199")
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_a_stock_change_shows_in_the_script_within_a_second(
    server: Server, chromium: Browser
) -> None:
    context = new_context(chromium)
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
            expect(page.get_by_test_id("headline-value-stock")).to_have_text(
                "已售罄" if available == 0 else str(available)
            )
            expect(page.get_by_test_id("headline-stock")).to_have_class(
                re.compile(r"headline--out" if available == 0 else r"headline--ok")
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
def test_a_viewers_question_reaches_the_anchor(server: Server, chromium: Browser) -> None:
    """The most asked open questions show under 观众在问 (the question queue's top three,
    docs/comments.md), most pressing first; other comments do not."""
    context = new_context(chromium, 390, 844)
    try:
        page = _open(context, server, "anchor")
        asks = page.get_by_test_id("anchor-questions")
        if not server.call("GET", server.show("prompter"))["questions"]:
            expect(asks).to_have_count(0)  # nothing at all until a viewer asks
        server.comment("主播好漂亮")
        question = f"围巾起不起球{uuid.uuid4().hex[:3]}？"
        server.top_asked(question)
        expect(asks).to_contain_text("观众在问")
        expect(asks.get_by_test_id("anchor-question").first).to_have_text(question)
        expect(asks).not_to_contain_text("主播好漂亮")
        price = f"多少钱一条{uuid.uuid4().hex[:3]}"
        server.top_asked(price)
        expect(asks.get_by_test_id("anchor-question").first).to_have_text(price)
        expect(asks.get_by_test_id("anchor-question").nth(1)).to_have_text(question)
        expect(asks.get_by_test_id("anchor-question")).to_have_text(server.shown_questions())
        # The script keeps its room on a phone: its first line stays in sight.
        script = page.get_by_test_id("script-text").bounding_box()
        assert script is not None
        assert script["y"] < 844 / 2, script
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_the_segment_moves_and_runs_over(
    server: Server, chromium: Browser, artifacts: Path
) -> None:
    """Field control moves the show to the next segment: the anchor's title, beat, script and
    next segment follow; a segment past its plan turns the clock into a red overrun count, and
    field control's alert feed says 段落超时."""
    context, fc_context = new_context(chromium), new_context(chromium)
    try:
        page = _open(context, server, "anchor")
        clock = page.get_by_test_id("segment-clock")
        expect(clock).to_contain_text("剩余")
        expect(clock.get_by_test_id("segment-beat")).to_have_text("强推")
        expect(page.get_by_test_id("next-beat")).to_have_text("福利")
        server.goto("welfare-gloves")
        expect(page.get_by_test_id("segment-title")).to_have_text("福利 · 羊毛手套")
        expect(clock.get_by_test_id("segment-beat")).to_have_text("福利")
        expect(page.get_by_test_id("script-text")).to_contain_text("59.9元")
        expect(page.get_by_test_id("next-segment")).to_contain_text("收尾互动")
        expect(page.get_by_test_id("next-beat")).to_have_count(0)  # the plan gives it none

        fc = _open(fc_context, server, "field_control")
        # The plan shrinks under the segment on air (same id: it keeps its time on air).
        sheet = server.call("GET", server.show("runsheet"))
        keep = ("id", "title", "sku", "planned_seconds", "beat", "script")
        segments = [{k: v for k, v in seg.items() if k in keep} for seg in sheet["segments"]]
        for seg in segments:
            if seg["id"] == "welfare-gloves":
                seg["planned_seconds"] = 1
        server.call("PUT", server.show("runsheet"), {"segments": segments})
        expect(clock).to_contain_text("超时")
        expect(clock.get_by_test_id("segment-beat")).to_have_text("福利")
        expect(page.get_by_test_id("segment-clock-value")).to_have_text(re.compile(r"^\+0:0\d$"))
        page.screenshot(path=str(artifacts / "anchor-overrun-1280x800.png"))

        overrun = fc.locator("[data-testid='alert'][data-kind='segment_overrun']").first
        expect(overrun).to_contain_text("段落超时")
        expect(overrun).to_contain_text("福利 · 羊毛手套")
        fc.screenshot(path=str(artifacts / "field-control-overrun-1280x800.png"))
    finally:
        context.close()
        fc_context.close()
        server.goto("push-scarf")


LAYOUT = """() => {
  const box = (sel) => {
    const el = document.querySelector(sel.startsWith('.') ? sel : `[data-testid="${sel}"]`);
    if (el === null) return null;
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height,
             size: parseFloat(getComputedStyle(el).fontSize),
             clipped: el.scrollWidth > el.clientWidth + 1 };
  };
  return { script: box('script-text'), scriptBox: box('.anchor__script'), cue: box('cue-text'),
           banner: box('cue-banner'), clock: box('segment-clock-value'),
           beat: box('segment-beat'), title: box('segment-title'),
           online: box('headline-value-online'), gmv: box('headline-value-gmv'),
           stock: box('headline-value-stock'), price: box('anchor-live-price'),
           asks: box('anchor-questions'), hint: box('compliance-hint'), conn: box('conn-state'),
           height: window.innerHeight };
}"""


def _assert_readable(layout: dict[str, Any], width: int) -> None:
    """Nothing overlaps, the numbers are whole and big, the script is big and has room."""
    assert not overlaps(layout["title"], layout["clock"]), layout
    assert not overlaps(layout["beat"], layout["clock"]), layout
    assert layout["script"]["size"] >= 26, f"script text too small at {width}px: {layout}"
    assert layout["clock"]["size"] >= 48, layout
    for key in ("online", "gmv", "stock"):
        assert not layout[key]["clipped"], (key, layout[key])
        assert layout[key]["size"] >= 28, (key, layout[key])
    for a, b in (("online", "gmv"), ("gmv", "stock")):
        assert layout[a]["right"] <= layout[b]["left"], (a, b, layout)
    # The questions never hide the script, and leave it at least three lines.
    assert not overlaps(layout["asks"], layout["scriptBox"]), layout
    lines = layout["scriptBox"]["height"] / (layout["script"]["size"] * 1.55)
    assert lines >= 3, f"the script has {lines:.1f} lines of room at {width}px: {layout}"
    assert layout["conn"]["bottom"] <= layout["height"] + 0.5, layout


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=VIEWPORT_IDS)
def test_anchor_console_fits_and_screenshots(
    server: Server, chromium: Browser, artifacts: Path, width: int, height: int
) -> None:
    context = new_context(chromium, width, height)
    try:
        page = _open(context, server, "anchor")
        for text in QUESTIONS:  # the same texts each run: a question is shown once
            server.comment(text)
        expect(page.get_by_test_id("script-text")).to_contain_text("内蒙古羊绒围巾")
        expect(page.get_by_test_id("headline-value-online")).to_have_text("12,345")
        expect(page.get_by_test_id("headline-value-gmv")).to_have_text("¥12.3万")
        expect(page.get_by_test_id("segment-beat")).to_have_text("强推")
        expect(page.get_by_test_id("anchor-question")).to_have_text(server.shown_questions())

        # Before any cue: the title, the clock and the numbers sit apart, the text is big.
        page.screenshot(path=str(artifacts / f"anchor-calm-{width}x{height}.png"))
        assert_no_sideways_scroll(page, width)
        _assert_readable(page.evaluate(LAYOUT), width)

        # A line of speech with a flagged word: a quiet hint, not the cue banner.
        server.ingest(server.show_id, {"type": "transcript", "text": "这是全网最好的羊绒围巾"})
        hint = page.get_by_test_id("compliance-hint")
        expect(hint).to_contain_text("最好")
        expect(page.get_by_test_id("cue-banner")).to_have_count(0)

        cue = server.cue("看评论区，有人问尺码")
        expect(page.get_by_test_id("cue-text")).to_have_text(cue["text"])
        page.wait_for_timeout(400)  # the banner's entrance
        seen = page.evaluate(LAYOUT)
        assert_no_sideways_scroll(page, width)
        assert seen["banner"]["left"] <= 0.5, seen
        assert seen["banner"]["right"] >= width - 0.5, seen
        assert seen["banner"]["bottom"] <= height * 0.6, f"the banner hides the script: {seen}"
        assert seen["cue"]["size"] >= 32, f"cue text too small at {width}px: {seen}"
        assert seen["script"]["top"] > seen["banner"]["bottom"], "no script under the banner"
        assert seen["hint"]["size"] <= 20, f"the compliance hint is loud: {seen['hint']}"
        _assert_readable(seen, width)
        save_screenshot(page, f"anchor-{width}x{height}")

        # Field control's console at the same size: the cue open in its list, the preview.
        fc_context = new_context(chromium, width, height)
        try:
            fc = _open(fc_context, server, "field_control")
            expect(fc.get_by_test_id("cue-item").first).to_have_attribute("data-state", "open")
            expect(fc.get_by_test_id("prompter-preview-text")).to_contain_text("内蒙古羊绒围巾")
            assert_no_sideways_scroll(fc, width)
            fc.get_by_test_id("cue-panel").scroll_into_view_if_needed()
            fc.screenshot(path=str(artifacts / f"field-control-cues-{width}x{height}.png"))
        finally:
            fc_context.close()

        # The hint fades by itself within about ten seconds.
        expect(hint).to_have_count(0, timeout=14_000)
    finally:
        context.close()
        _ack_open_cues(server)
