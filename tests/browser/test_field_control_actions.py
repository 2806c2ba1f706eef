"""Field control acts from its console (#11 item 6), end to end in Chromium on a real
`liveops serve`: a live show in a room (抖音 8866) with three products and a run-sheet, field
control signed in on two consoles with a token labelled 场控小王, the anchor on its own view.

- a comment hidden from the stream on one console disappears from the other;
- a viewer banned from the user card: their next comment (ingested after the ban) shows on
  neither console, while another viewer's comment does; the card says who banned them;
- pin from the action bar: the pinned badge shows the product, and a marker appears on the
  trend chart at that minute; the key C brings up the cue panel's text box (the one place to
  compose a cue; the bar has no cue tab), and a cue typed there reaches the anchor's view;
  its presets are one tap, and edited presets are kept in the browser;
- on a phone and on wide screens the key C scrolls the cue panel into view with the focus
  in its text box; the composer's buttons are finger-sized on a phone (a shot of the panel,
  presets being edited, goes to test-artifacts/cue-panel-*.png);
- screenshots of the console with the action bar and a comment's tools open at 390, 1280 and
  1920 px wide, and of the user card on a phone (docs/screenshots/field-control-actions-*.png,
  user-card-390.png): nothing wider than the screen, tap targets of at least 40 px.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from tests.browser.helpers import (
    ARTIFACTS,
    ERP_VERSION,
    Liveops,
    assert_no_sideways_scroll,
    new_context,
    run_liveops,
    save_screenshot,
    stock_lineup,
)

pytestmark = pytest.mark.browser

ROOM = "抖音 8866"
PRODUCTS = {
    "SC-01": "内蒙古羊绒围巾",
    "GL-02": "加厚羊毛手套",
    "HT-03": "针织毛线帽",
}
SEGMENTS = [
    {"id": "warmup", "title": "开场暖场", "planned_seconds": 120, "script": "欢迎家人们！"},
    {
        "id": "push-scarf",
        "title": "主推 · 羊绒围巾",
        "sku": "SC-01",
        "planned_seconds": 600,
        "script": "这条围巾今天只要{live_price}！",
    },
    {"id": "close", "title": "收尾互动", "planned_seconds": 120, "script": "感谢陪伴！"},
]
LABEL = "场控小王"
SCREENS = [(390, 844), (1280, 800), (1920, 1080)]


@dataclass
class Server(Liveops):
    """A running `liveops serve` with one live show in a room."""

    show_id: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    def show(self, rest: str) -> str:
        return f"/api/v1/shows/{self.show_id}/{rest}"

    def comment(self, viewer_id: str, text: str) -> None:
        self.ingest(self.show_id, {"type": "comment", "viewer_id": viewer_id, "text": text})


def _seed(server: Server) -> None:
    show = server.call(
        "POST", "/api/v1/shows", {"title": "冬季羊绒专场", "platform": "douyin", "room": ROOM}
    )
    server.show_id = show["id"]
    stock_lineup(
        server,
        {sku: (name, 39_900, 19_900) for sku, name in PRODUCTS.items()},
        allocated=200,
        erp_version=ERP_VERSION,
    )
    server.call("PUT", server.show("runsheet"), {"segments": SEGMENTS})
    for role, label in (("field_control", LABEL), ("anchor", "主播")):
        minted = server.call(
            "POST", "/api/v1/auth/tokens", {"role": role, "show_id": server.show_id, "label": label}
        )
        server.tokens[role] = minted["token"]
    server.call("POST", server.show("start"), {})
    server.ingest(
        server.show_id,
        {"type": "viewer.count", "online": 1280},
        *[
            {"type": "comment", "viewer_id": f"dy_fan_{i:02d}", "text": text}
            for i, text in enumerate(("主播好", "围巾有灰色吗", "一米六穿什么码", "已拍"))
        ],
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_liveops(Server, "serve", tmp_path_factory.mktemp("liveops-fc-actions")) as srv:
        _seed(srv)
        yield srv


def _sign_in(context: BrowserContext, server: Server, role: str, path: str = "") -> Page:
    """A page signed in with the role's labelled token, on the show's console, connected."""
    answer = context.request.post(
        f"{server.base_url}/api/v1/auth/login", data={"token": server.tokens[role]}
    )
    assert answer.ok, answer.text()
    page = context.new_page()
    page.goto(f"{server.base_url}/shows/{server.show_id}{path}")
    if path == "":
        expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "live")
    return page


def _comments(page: Page, text: str) -> Locator:
    return page.get_by_test_id("comment-stream").get_by_test_id("comment").filter(has_text=text)


def _unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(2)}"


@pytest.mark.timeout(120)
def test_a_comment_hidden_on_one_console_disappears_on_another(
    server: Server, chromium: Browser
) -> None:
    contexts = [new_context(chromium), new_context(chromium)]
    try:
        first, second = (_sign_in(c, server, "field_control") for c in contexts)
        text = _unique("加我微信便宜卖")
        server.comment("dy_spam_01", text)
        for page in (first, second):
            expect(_comments(page, text)).to_have_count(1)

        row = _comments(first, text)
        row.get_by_test_id("comment-more").click()
        row.get_by_test_id("comment-hide").click()

        for page in (first, second):
            expect(_comments(page, text)).to_have_count(0)
        # The audit log has it, by whom.
        actions = server.call("GET", server.show("actions"))["actions"]
        hide = next(a for a in actions if a["type"] == "comment.hide")
        assert hide["by"] == {"label": LABEL, "role": "field_control"}, hide
        # Others' comments stay.
        expect(_comments(second, "围巾有灰色吗")).to_have_count(1)
    finally:
        for c in contexts:
            c.close()


@pytest.mark.timeout(120)
def test_a_viewer_banned_from_the_user_card_is_not_shown_again(
    server: Server, chromium: Browser
) -> None:
    contexts = [new_context(chromium), new_context(chromium)]
    troll = "dy_troll_07"
    try:
        first, second = (_sign_in(c, server, "field_control") for c in contexts)
        before = _unique("差评！垃圾")
        server.comment(troll, before)
        row = _comments(first, before)
        expect(row).to_have_count(1)

        row.get_by_test_id("comment-viewer").click()
        card = first.get_by_test_id("user-card")
        expect(card).to_have_attribute("data-viewer", troll)
        expect(card.get_by_test_id("user-card-comments")).to_contain_text(before)
        card.get_by_test_id("user-card-ban-show").click()
        card.get_by_test_id("user-card-confirm-yes").click()
        expect(card.get_by_test_id("user-card-result")).to_contain_text("已禁言本场")
        expect(card.get_by_test_id("user-card-banned")).to_be_visible()
        expect(card.get_by_test_id("user-card-bans")).to_contain_text(LABEL)
        expect(card.get_by_test_id("user-card-unban-show")).to_be_visible()

        # The ingest helper dates events to the whole second: let that second pass the ban's
        # time, so that the comment is one made after the ban.
        time.sleep(1.1)
        after = _unique("还是垃圾")
        other = _unique("围巾什么时候发货")
        server.comment(troll, after)
        server.comment("dy_fan_09", other)
        for page in (first, second):
            expect(_comments(page, other)).to_have_count(1)
            expect(_comments(page, after)).to_have_count(0)
        # Stored, though: the card lists it as sent while banned.
        card.get_by_test_id("user-card-close").click()
        expect(card).to_have_count(0)
        answer = server.call("GET", server.show(f"viewers/{troll}"))
        texts = {c["text"]: c for c in answer["comments"]}
        assert texts[after]["hidden"] is True, answer
        assert texts[after]["reason"] == "banned", answer
    finally:
        for c in contexts:
            c.close()


@pytest.mark.timeout(120)
def test_pin_and_cue_from_the_action_bar(server: Server, chromium: Browser) -> None:
    fc_context = new_context(chromium)
    anchor_context = new_context(chromium)
    try:
        fc = _sign_in(fc_context, server, "field_control")
        anchor = _sign_in(anchor_context, server, "anchor", "/anchor")
        bar = fc.get_by_test_id("action-bar")

        # Pin: the badge says what the room sees, and a marker lands on the trend chart.
        bar.get_by_test_id("bar-tab-pin").click()
        bar.get_by_test_id("pin-GL-02").click()
        expect(bar.get_by_test_id("action-status")).to_have_attribute("data-state", "ok")
        expect(bar.get_by_test_id("pinned-badge")).to_have_attribute("data-sku", "GL-02")
        expect(bar.get_by_test_id("pinned-badge")).to_contain_text(PRODUCTS["GL-02"])
        # (The show's start put the first segment on air: a marker of its own, maybe the same.)
        marker = fc.locator("[data-testid='trend-marker'][data-types~='product.pin']")
        expect(marker).to_have_count(1)
        expect(marker.locator("title")).to_contain_text(f"挂车 {PRODUCTS['GL-02']}")
        expect(fc.get_by_test_id("trend-marker-label")).to_contain_text(LABEL)
        assert server.call("GET", server.show("commerce"))["pinned_sku"] == "GL-02"

        # A pin the server refuses (not in the lineup) is impossible from the bar; a segment
        # the server refuses is said in place: go to one, then the current one is marked.
        bar.get_by_test_id("bar-tab-segment").click()
        bar.get_by_test_id("segment-push-scarf").click()
        expect(bar.get_by_test_id("action-status")).to_contain_text("已切到 主推 · 羊绒围巾")
        expect(bar.get_by_test_id("segment-push-scarf")).to_have_attribute("aria-current", "step")

        # Cue: the bar has no cue tab; the key C focuses the cue panel's text box.
        expect(bar.get_by_test_id("bar-tab-cue")).to_have_count(0)
        fc.locator("body").click(position={"x": 5, "y": 5})
        fc.keyboard.press("c")
        panel = fc.get_by_test_id("cue-panel")
        cue_input = panel.get_by_test_id("cue-input")
        expect(cue_input).to_be_focused()
        expect(cue_input).to_have_value("")  # the C itself is not typed
        text = _unique("讲一下尺码")
        fc.keyboard.type(text)
        fc.keyboard.press("Enter")
        expect(cue_input).to_have_value("")
        sent = panel.get_by_test_id("cue-item").filter(has_text=text)
        expect(sent).to_have_attribute("data-state", "open")
        expect(sent.get_by_test_id("cue-state")).to_contain_text("未确认")
        expect(anchor.get_by_test_id("cue-banner").get_by_test_id("cue-text")).to_have_text(text)

        # A preset is one tap.
        panel.get_by_test_id("cue-preset").filter(has_text="催单").click()
        expect(panel.get_by_test_id("cue-item").first).to_contain_text("催单")

        # Presets are edited in place and kept in this browser (a reload keeps them).
        preset = _unique("福袋")
        panel.get_by_test_id("cue-presets-edit").click()
        panel.get_by_test_id("cue-preset-new").fill(preset)
        panel.get_by_test_id("cue-preset-new").press("Enter")
        panel.get_by_test_id("cue-preset-edit").filter(has_text="放慢语速").get_by_role(
            "button"
        ).click()
        panel.get_by_test_id("cue-presets-edit").click()
        presets = panel.get_by_test_id("cue-preset")
        expect(presets.filter(has_text=preset)).to_have_count(1)
        expect(presets.filter(has_text="放慢语速")).to_have_count(0)
        fc.reload()
        expect(fc.get_by_test_id("conn-state")).to_have_attribute("data-state", "live")
        presets = fc.get_by_test_id("cue-panel").get_by_test_id("cue-preset")
        expect(presets.filter(has_text=preset)).to_have_count(1)
        expect(presets.filter(has_text="放慢语速")).to_have_count(0)

        # Unpin: the badge says so.
        bar.get_by_test_id("bar-tab-pin").click()
        bar.get_by_test_id("unpin").click()
        expect(bar.get_by_test_id("pinned-badge")).to_have_attribute("data-sku", "")
    finally:
        fc_context.close()
        anchor_context.close()


@pytest.mark.timeout(120)
def test_the_room_keyword_filter_from_the_console(server: Server, chromium: Browser) -> None:
    context = new_context(chromium)
    try:
        page = _sign_in(context, server, "field_control")
        page.get_by_test_id("keywords-open").click()
        dialog = page.get_by_test_id("keyword-filter")
        expect(dialog).to_contain_text(ROOM)
        word = _unique("私信")
        dialog.get_by_test_id("keyword-input").fill(word)
        dialog.get_by_test_id("keyword-input").press("Enter")
        expect(dialog.get_by_test_id("keyword-list")).to_contain_text(word)
        dialog.get_by_test_id("keywords-save").click()
        expect(dialog.get_by_test_id("keywords-result")).to_contain_text("已保存")
        saved = server.call("GET", f"/api/v1/rooms/{quote(ROOM)}/moderation")
        assert word in saved["keywords"], saved
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)

        time.sleep(1.1)  # a comment dated after the save (the helper dates to the second)
        filtered = f"想要的{word}我"
        shown = _unique("好看")
        server.comment("dy_fan_21", filtered)
        server.comment("dy_fan_22", shown)
        expect(_comments(page, shown)).to_have_count(1)
        expect(_comments(page, filtered)).to_have_count(0)
    finally:
        context.close()


def _too_small(page: Page, scope: Locator) -> list[Any]:
    """Visible buttons in `scope` smaller than 40 px in height (a finger's width)."""
    return scope.evaluate_all(
        """(els) => els
          .filter((el) => el.offsetParent !== null)
          .map((el) => [el.textContent.trim(), el.getBoundingClientRect().height])
          .filter(([, h]) => h < 39.5)"""
    )


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}" for w, _ in SCREENS])
def test_the_key_c_brings_up_the_cue_composer(
    server: Server, chromium: Browser, width: int, height: int
) -> None:
    context = new_context(chromium, width, height)
    try:
        page = _sign_in(context, server, "field_control")
        panel = page.get_by_test_id("cue-panel")
        cue_input = panel.get_by_test_id("cue-input")
        expect(panel.get_by_test_id("cue-preset").first).to_be_visible()
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press("c")
        expect(cue_input).to_be_focused()
        expect(cue_input).to_be_in_viewport()
        expect(panel.get_by_test_id("cue-send")).to_be_in_viewport()
        assert_no_sideways_scroll(page, width)
        if width == 390:
            assert _too_small(page, panel.locator("button")) == []

        # The presets' editor fits too.
        panel.get_by_test_id("cue-presets-edit").click()
        expect(panel.get_by_test_id("cue-preset-new")).to_be_visible()
        assert_no_sideways_scroll(page, width)
        if width == 390:
            assert _too_small(page, panel.locator("button")) == []
        time.sleep(1)  # the flash and the smooth scroll end
        ARTIFACTS.mkdir(exist_ok=True)
        panel.screenshot(path=str(ARTIFACTS / f"cue-panel-{width}.png"))
        panel.get_by_test_id("cue-presets-edit").click()
    finally:
        context.close()


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}" for w, _ in SCREENS])
def test_screenshots(server: Server, chromium: Browser, width: int, height: int) -> None:
    # Something to look at: a pin, an announcement and a few comments.
    token = server.tokens["field_control"]
    server.call("POST", server.show("actions"), {"type": "product.pin", "sku": "SC-01"}, token)
    server.call(
        "POST",
        server.show("actions"),
        {"type": "announcement.set", "text": "今晚8点整点福袋，关注主播参与"},
        token,
    )
    vip = "dy_vip_88"
    if width == 390:
        # A viewer worth a card: a VIP who bought, with one comment hidden.
        order = {"order_id": _unique("o-vip-"), "amount": 39_800}
        server.ingest(
            server.show_id,
            {"type": "viewer.join", "viewer_id": vip, "tier": "vip", "channel": "follow"},
            {"type": "order.created", "viewer_id": vip, "sku": "SC-01", "qty": 2, **order},
            {"type": "order.paid", **order},
        )
        rude = _unique("客服太慢了")
        server.comment(vip, rude)
        answer = server.call("GET", server.show(f"viewers/{vip}"))
        event_id = next(c["id"] for c in answer["comments"] if c["text"] == rude)
        server.call(
            "POST", server.show("actions"), {"type": "comment.hide", "event_id": event_id}, token
        )
    # Before the page opens, so that its first snapshot holds them (the row stays the last).
    server.comment(vip, "这款围巾能机洗吗？想买两条送妈妈")
    server.comment("dy_fan_12", "已拍两件")
    context = new_context(chromium, width, height)
    try:
        page = _sign_in(context, server, "field_control")
        bar = page.get_by_test_id("action-bar")
        expect(bar.get_by_test_id("pinned-badge")).to_contain_text(PRODUCTS["SC-01"])
        row = _comments(page, "能机洗吗").last
        expect(row).to_be_visible()
        row.get_by_test_id("comment-more").click()
        row.get_by_test_id("comment-ban").click()
        expect(row.get_by_test_id("ban-scope-room")).to_be_enabled()
        expect(page.get_by_test_id("trend-marker").first).to_be_attached()
        assert_no_sideways_scroll(page, width)
        assert _too_small(page, bar.locator("button")) == []
        assert _too_small(page, row.get_by_test_id("comment-tools").locator("button")) == []
        # On a phone the comments are below the fold: the shot shows the bar above the numbers.
        page.evaluate("window.scrollTo(0, 0)")
        time.sleep(0.3)
        save_screenshot(page, f"field-control-actions-{width}")

        if width == 390:
            row.get_by_test_id("ban-scope-show").click()
            expect(row.get_by_test_id("ban-confirm")).to_be_visible()
            row.get_by_test_id("comment-viewer").click()
            card = page.get_by_test_id("user-card")
            expect(card.get_by_test_id("user-card-tier")).to_be_visible()
            assert_no_sideways_scroll(page, width)
            assert _too_small(page, card.locator("button")) == []
            time.sleep(0.3)
            save_screenshot(page, "user-card-390")
    finally:
        context.close()
