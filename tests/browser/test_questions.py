"""Comment intelligence on the consoles (issue #12), end to end in Chromium on a real
`liveops serve`: a live show with three products, the scarf pinned, and viewers' comments
ingested: size questions from four viewers, shipping questions from two, a price question, a
logistics complaint, purchase intent, praise and spam.

- field control's comment stream tags every comment with the intent the server gave it (the
  classifier's own answer, `POST /comments/classify`, is the expectation), and the 问题 chip
  keeps only questions, its count the number of them;
- while the pointer rests on the stream a new comment waits below ("1 条新评论 ▼") and the rows
  stay; when it leaves, the comment shows;
- the question queue lists the server's open clusters in the server's order with their counts;
  the key Q focuses the top one's 已回答; answering one there closes it on the server (an
  audited `question.answer`) and its row leaves, on this console and on the anchor's;
- the anchor's view shows the top three open questions beside (or under) the script;
- the assistant picks a reply template (the product's live price filled in), and 发公告并标记已答
  closes the question and puts the reply up as the room's announcement in one call;
- screenshots at 390×844 and 1920×1080 (docs/screenshots/questions-*.png): nothing wider than
  the screen, the queue's and the chips' buttons finger-sized on a phone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from tests.browser.helpers import (
    ERP_VERSION,
    Liveops,
    assert_no_sideways_scroll,
    new_context,
    run_liveops,
    save_screenshot,
    stock_lineup,
)

pytestmark = pytest.mark.browser

PRODUCTS = {
    "SC-01": ("内蒙古羊绒围巾", 39_900, 19_900),
    "GL-02": ("加厚羊毛手套", 12_900, 6_900),
    "HT-03": ("针织毛线帽", 9_900, 4_900),
}
SEGMENTS = [
    {
        "id": "push-scarf",
        "title": "主推 · 羊绒围巾",
        "sku": "SC-01",
        "planned_seconds": 600,
        "script": "家人们看过来！这条内蒙古羊绒围巾，原价{price}，今天直播间只要{live_price}！"
        "库存只剩{stock_left}件，点击下方小黄车，1号链接直接拍！",
    },
    {"id": "close", "title": "收尾互动", "planned_seconds": 120, "script": "感谢陪伴！"},
]
LABELS = {"field_control": "场控小王", "assistant": "助播小李", "anchor": "主播"}
# (viewer, text): what the room says. The classifier decides each one's intent; the test asks
# it (POST /comments/classify) rather than assume.
COMMENTS = [
    ("dy_v01", "一米六穿什么码"),
    ("dy_v02", "160穿多大码"),
    ("dy_v03", "我一米六选哪个码"),
    ("dy_v04", "身高一米六要穿啥码"),
    ("dy_v05", "什么时候发货"),
    ("dy_v06", "几天能发货"),
    ("dy_v07", "这个多少钱"),
    ("dy_v08", "上次买的快递一个星期都没到，太慢了"),
    ("dy_v09", "已拍两件"),
    ("dy_v10", "主播好漂亮"),
    ("dy_v11", "加微信领红包 vx123456"),
]
SCREENS = [(390, 844), (1920, 1080)]


@dataclass
class Server(Liveops):
    """A running `liveops serve` with one live show, the scarf pinned."""

    show_id: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    def show(self, rest: str) -> str:
        return f"/api/v1/shows/{self.show_id}/{rest}"

    def comment(self, viewer_id: str, text: str) -> None:
        self.ingest(self.show_id, {"type": "comment", "viewer_id": viewer_id, "text": text})

    def clusters(self) -> list[dict[str, Any]]:
        return list(self.call("GET", self.show("questions"))["clusters"])

    def open_clusters(self) -> list[dict[str, Any]]:
        return [c for c in self.clusters() if c["status"] == "open"]

    def intents(self, texts: list[str]) -> list[str]:
        answer = self.call("POST", "/api/v1/comments/classify", {"texts": texts})
        return [r["intent"] for r in answer["results"]]


def _seed(server: Server) -> None:
    show = server.call("POST", "/api/v1/shows", {"title": "冬季羊绒专场", "platform": "douyin"})
    server.show_id = show["id"]
    stock_lineup(server, PRODUCTS, allocated=200, erp_version=ERP_VERSION)
    server.call("PUT", server.show("runsheet"), {"segments": SEGMENTS})
    for role, label in LABELS.items():
        minted = server.call(
            "POST", "/api/v1/auth/tokens", {"role": role, "show_id": server.show_id, "label": label}
        )
        server.tokens[role] = minted["token"]
    server.call("POST", server.show("start"), {})
    # The scarf on screen: the questions are about it, and its replies know its price.
    server.call(
        "POST",
        server.show("actions"),
        {"type": "product.pin", "sku": "SC-01"},
        token=server.tokens["field_control"],
    )
    server.ingest(
        server.show_id,
        {"type": "viewer.count", "online": 1280},
        *[{"type": "comment", "viewer_id": v, "text": t} for v, t in COMMENTS],
    )
    deadline = time.monotonic() + 15
    while len(server.open_clusters()) < 3:
        if time.monotonic() > deadline:
            pytest.fail(f"the server clustered too few questions: {server.clusters()}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_liveops(Server, "serve", tmp_path_factory.mktemp("liveops-questions")) as srv:
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
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "live")
    return page


def _too_small(scope: Locator) -> list[Any]:
    """Visible buttons in `scope` less than 40 px high (a finger's width)."""
    found: list[Any] = scope.evaluate_all(
        """(els) => els
          .filter((el) => el.offsetParent !== null)
          .map((el) => [el.textContent.trim(), el.getBoundingClientRect().height])
          .filter(([, h]) => h < 39.5)"""
    )
    return found


def _rows(page: Page) -> Locator:
    return page.get_by_test_id("comment-stream").get_by_test_id("comment")


@pytest.mark.timeout(120)
def test_comments_are_tagged_by_intent_and_filtered(server: Server, chromium: Browser) -> None:
    texts = [t for _, t in COMMENTS]
    expected = dict(zip(texts, server.intents(texts), strict=True))
    context = new_context(chromium, 1280, 800)
    try:
        page = _sign_in(context, server, "field_control")
        for text, intent in expected.items():
            row = _rows(page).filter(has_text=text)
            expect(row).to_have_count(1)
            expect(row).to_have_attribute("data-intent", intent)
            expect(row.get_by_test_id("comment-intent")).not_to_have_text("")

        questions = [t for t, i in expected.items() if i.startswith("question_")]
        assert len(questions) >= 5, expected  # the four size questions and more
        chip = page.get_by_test_id("comment-filter-question")
        expect(chip).to_have_attribute("data-count", str(len(questions)))
        chip.click()
        expect(chip).to_have_attribute("aria-pressed", "true")
        expect(_rows(page)).to_have_count(len(questions))
        shown = [str(r.get_attribute("data-intent")) for r in _rows(page).all()]
        assert all(i.startswith("question_") for i in shown), shown
        page.get_by_test_id("comment-filter-all").click()
        expect(_rows(page)).to_have_count(len(COMMENTS))
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_the_stream_freezes_under_the_pointer(server: Server, chromium: Browser) -> None:
    context = new_context(chromium, 1920, 1080)
    try:
        page = _sign_in(context, server, "field_control")
        stream = page.get_by_test_id("comment-stream")
        expect(_rows(page).first).to_be_visible()
        page.locator(".comments__body").hover()
        expect(stream).to_have_attribute("data-frozen", "true")
        before = _rows(page).count()
        server.comment("dy_v12", "围巾有灰色吗")
        queued = page.get_by_test_id("comments-queued")
        expect(queued).to_have_text("1 条新评论 ▼")
        assert _rows(page).filter(has_text="围巾有灰色吗").count() == 0
        assert _rows(page).count() == before
        # The pointer leaves: the waiting comment shows.
        page.mouse.move(5, 5)
        expect(stream).to_have_attribute("data-frozen", "false")
        expect(_rows(page).filter(has_text="围巾有灰色吗")).to_have_count(1)
        expect(queued).to_have_count(0)
    finally:
        context.close()


@pytest.mark.timeout(180)
def test_the_queue_answers_a_question_and_the_anchor_reads_the_top_three(
    server: Server, chromium: Browser
) -> None:
    fc_context = new_context(chromium, 1920, 1080)
    anchor_context = new_context(chromium, 1920, 1080)
    try:
        fc = _sign_in(fc_context, server, "field_control")
        anchor = _sign_in(anchor_context, server, "anchor", "/anchor")
        queue = fc.get_by_test_id("question-queue")
        open_ = server.open_clusters()
        top = open_[0]
        # The size question, asked by four viewers, leads.
        assert top["label"] == "尺码", open_
        assert top["count"] >= 4, open_
        rows = queue.get_by_test_id("question")
        expect(rows).to_have_count(min(4, len(open_)))
        for i, cluster in enumerate(open_[:4]):
            expect(rows.nth(i)).to_have_attribute("data-id", cluster["id"])
        first = queue.get_by_test_id("question").first
        expect(first.get_by_test_id("question-label")).to_have_text("尺码")
        expect(first.get_by_test_id("question-count")).to_have_text(f"×{top['count']}")
        expect(first.get_by_test_id("question-viewers")).to_have_text(f"{top['viewers']} 人")
        expect(queue.get_by_test_id("question-open-count")).to_have_text(f"待答 {len(open_)}")

        # The anchor: the top three, the first in full.
        asks = anchor.get_by_test_id("anchor-questions").get_by_test_id("anchor-question")
        expect(asks).to_have_count(min(3, len(open_)))
        for ask, cluster in zip(asks.all(), open_[:3], strict=False):
            expect(ask).to_contain_text(cluster["representative"])
        assert_no_sideways_scroll(anchor, 1920)
        save_screenshot(anchor, "questions-anchor-1920")

        # Q: the top question's 已回答, focused; Enter answers it.
        fc.keyboard.press("q")
        answer = first.get_by_test_id("question-answer")
        expect(answer).to_be_focused()
        save_screenshot(fc, "questions-1920")
        fc.keyboard.press("Enter")
        expect(queue.locator(f"[data-id='{top['id']}']")).to_have_count(0)
        closed = next(c for c in server.clusters() if c["id"] == top["id"])
        assert closed["status"] == "answered", closed
        actions = server.call("GET", server.show("actions?limit=500"))["actions"]
        audit = [a for a in actions if a["type"] == "question.answer"]
        assert audit, actions
        assert audit[0]["cluster_id"] == top["id"], audit
        assert audit[0]["by"] == {"label": LABELS["field_control"], "role": "field_control"}
        # The anchor's list moved on.
        expect(asks.first).not_to_contain_text(top["representative"])

        # 忽略: the next one leaves too, dismissed.
        nxt = server.open_clusters()[0]
        queue.locator(f"[data-id='{nxt['id']}']").get_by_test_id("question-dismiss").click()
        expect(queue.locator(f"[data-id='{nxt['id']}']")).to_have_count(0)
        assert next(c for c in server.clusters() if c["id"] == nxt["id"])["status"] == "dismissed"
    finally:
        fc_context.close()
        anchor_context.close()


@pytest.mark.timeout(120)
def test_the_assistant_answers_with_a_reply_template(server: Server, chromium: Browser) -> None:
    # A question of its own, so that the test does not depend on the others' order.
    for viewer in ("dy_v21", "dy_v22", "dy_v23", "dy_v24", "dy_v25"):
        server.comment(viewer, "围巾多少钱")
    deadline = time.monotonic() + 10
    while not any(c["intent"] == "question_price" for c in server.open_clusters()):
        assert time.monotonic() < deadline, server.clusters()
        time.sleep(0.2)
    price = next(c for c in server.open_clusters() if c["intent"] == "question_price")
    context = new_context(chromium, 390, 844)
    try:
        page = _sign_in(context, server, "assistant", "/assistant")
        row = page.get_by_test_id("question-queue").locator(f"[data-id='{price['id']}']")
        expect(row).to_be_visible()
        row.get_by_test_id("question-reply-toggle").click()
        templates = row.get_by_test_id("question-reply-template")
        expect(templates.first).to_be_visible()
        text = row.get_by_test_id("question-reply-text")
        # The best match is picked: its text, the scarf's live price filled in, is in the box.
        best = server.call("GET", server.show(f"replies?cluster_id={price['id']}"))["replies"][0]
        assert "199元" in best["text"], best
        expect(text).to_have_value(best["text"])
        expect(templates.first).to_contain_text(best["text"])
        reply = text.input_value() + " 先到先得"
        text.fill(reply)
        assert_no_sideways_scroll(page, 390)
        assert _too_small(row.locator("button")) == []
        row.evaluate("e => e.scrollIntoView({block: 'start'})")
        time.sleep(0.3)
        save_screenshot(page, "questions-assistant-390")
        row.get_by_test_id("question-reply-send").click()
        queue = page.get_by_test_id("question-queue")
        expect(queue.locator(f"[data-id='{price['id']}']")).to_have_count(0)
        assert server.call("GET", server.show("commerce"))["announcement"] == reply
        closed = next(c for c in server.clusters() if c["id"] == price["id"])
        assert closed["status"] == "answered", closed
    finally:
        context.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}" for w, _ in SCREENS])
def test_screens(server: Server, chromium: Browser, width: int, height: int) -> None:
    # Fresh questions, so that the queue has rows whatever the tests before it closed.
    for i, text in enumerate(("有没有优惠券", "什么面料的", "包邮吗", "有没有优惠券呀")):
        server.comment(f"dy_s{width}_{i}", text)
    context = new_context(chromium, width, height)
    anchor_context = new_context(chromium, width, height)
    try:
        page = _sign_in(context, server, "field_control")
        queue = page.get_by_test_id("question-queue")
        expect(queue.get_by_test_id("question").first).to_be_visible()
        expect(_rows(page).first).to_be_visible()
        assert_no_sideways_scroll(page, width)
        if width == 390:
            assert _too_small(queue.locator("button")) == []
            chips = page.get_by_test_id("comment-stream").locator(".comments__filters button")
            assert _too_small(chips) == []
            queue.evaluate("e => e.scrollIntoView({block: 'start'})")
            time.sleep(0.3)
            save_screenshot(page, "questions-390")
            stream = page.get_by_test_id("comment-stream")
            stream.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.get_by_test_id("comment-filter-question").click()
            time.sleep(0.3)
            save_screenshot(page, "questions-comments-390")
        anchor = _sign_in(anchor_context, server, "anchor", "/anchor")
        expect(anchor.get_by_test_id("anchor-question").first).to_be_visible()
        assert_no_sideways_scroll(anchor, width)
        # The questions never cover the script.
        script = anchor.locator(".anchor__script").bounding_box()
        asks = anchor.get_by_test_id("anchor-questions").bounding_box()
        assert script is not None
        assert asks is not None
        assert script["y"] + script["height"] <= asks["y"] + 0.5 or (
            script["x"] + script["width"] <= asks["x"] + 0.5
        ), (script, asks)
        if width == 390:
            save_screenshot(anchor, "questions-anchor-390")
    finally:
        context.close()
        anchor_context.close()
