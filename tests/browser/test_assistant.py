"""The assistant's console (助播台, issue #11 item 6), end to end in Chromium on a real server.

A live show on `liveops serve` with four products and a run-sheet that presents them in another
order than the lineup; the assistant (token labelled 助播小李) opens the show and gets the
assistant console. Then

- (a) a price change with preview and undo: the preview's summary shows, confirming puts the
  held action in the undo bar with its countdown, 撤销 takes it back: the audit log holds it
  only as `undone` (never `applied`) and the live price is what it was;
- (b) a price change left to run applies when its window ends, and the product queue shows
  the new price;
- (c) a coupon issued (preview, confirm, applied after the window) and a lucky bag started and
  drawn from the page: winners, seed and candidate count shown, as the audit log has them;
- (d) the page at 390×844, 1280×800 and 1920×1080 with flagged orders (a large order, a viewer
  who cancelled twice, a banned viewer): nothing wider than the screen, buttons big enough to
  tap; screenshots docs/screenshots/assistant-{390,1280,1920}.png and assistant-undo-390.png
  (the undo bar counting down on a phone);
- (e) the action impact: a pin with impressions and clicks of its product in the half-minute
  before it and just after it; the 效果 panel lists the pin (fetched again as it arrives) with
  the click rate before → after, marked 进行中 while its after window runs, and shows the
  clicks after it once it fetches again (every 30 s); screenshot assistant-impact-390.png.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

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

PRODUCTS = {
    "SC-01": ("内蒙古羊绒围巾", 39_900, 19_900),
    "GL-02": ("加厚羊毛手套", 12_900, 6_900),
    "HT-03": ("针织毛线帽", 9_900, 4_900),
    "SK-04": ("羊毛袜三双装", 5_900, 2_900),
}
# The run-sheet presents HT-03 first, then SC-01, then GL-02; SK-04 is in no segment.
QUEUE_ORDER = ["HT-03", "SC-01", "GL-02", "SK-04"]
LABELS = {"assistant": "助播小李", "field_control": "场控小王"}
# The server's undo window (LIVEOPS_UNDO_SECONDS, default 10 s).
UNDO_S = 10


@dataclass
class Server(Liveops):
    show_id: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    def show(self, rest: str) -> str:
        return f"/api/v1/shows/{self.show_id}/{rest}"

    def actions(self, kind: str) -> list[dict[str, Any]]:
        log = self.call("GET", self.show("actions?limit=500"))["actions"]
        return [a for a in log if a["type"] == kind]

    def live_price(self, sku: str) -> int:
        prices = self.call("GET", self.show("commerce"))["prices"]
        return int(next(p["live_price"] for p in prices if p["sku"] == sku))


def _seed(server: Server) -> None:
    show = server.call("POST", "/api/v1/shows", {"title": "冬季羊绒专场", "platform": "douyin"})
    server.show_id = show["id"]
    stock_lineup(server, PRODUCTS, allocated=200, erp_version=ERP_VERSION)
    segments = [
        {"id": "warmup", "title": "暖场", "planned_seconds": 120, "beat": "warmup"},
        {"id": "hat", "title": "引流 · 毛线帽", "sku": "HT-03", "planned_seconds": 300},
        {"id": "scarf", "title": "主推 · 羊绒围巾", "sku": "SC-01", "planned_seconds": 600},
        {"id": "gloves", "title": "福利 · 手套", "sku": "GL-02", "planned_seconds": 300},
    ]
    server.call("PUT", server.show("runsheet"), {"segments": segments})
    for role, label in LABELS.items():
        minted = server.call(
            "POST", "/api/v1/auth/tokens", {"role": role, "show_id": server.show_id, "label": label}
        )
        server.tokens[role] = minted["token"]
    server.call("POST", server.show("start"), {})
    # The scarf's segment is on air.
    server.call(
        "POST",
        server.show("actions"),
        {"type": "segment.goto", "segment_id": "scarf"},
        token=server.tokens["field_control"],
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_liveops(Server, "serve", tmp_path_factory.mktemp("liveops-assistant")) as srv:
        _seed(srv)
        yield srv


def _assistant(context: BrowserContext, server: Server) -> Page:
    """The assistant signed in with its labelled token, on the show's page: its console."""
    ARTIFACTS.mkdir(exist_ok=True)
    answer = context.request.post(
        f"{server.base_url}/api/v1/auth/login", data={"token": server.tokens["assistant"]}
    )
    assert answer.ok, answer.text()
    page = context.new_page()
    page.goto(f"{server.base_url}/shows/{server.show_id}")
    expect(page.get_by_test_id("assistant-console")).to_be_visible()
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("queue-item")).to_have_count(len(PRODUCTS))
    return page


def _product(page: Page, sku: str) -> Locator:
    return page.get_by_test_id("product-queue").locator(
        f"[data-testid='queue-item'][data-sku='{sku}']"
    )


def _change_price(page: Page, sku: str, yuan: str) -> Locator:
    """Open 改价 on the SKU, type the price, preview it; answers the product's card."""
    card = _product(page, sku)
    card.get_by_test_id("price-open").click()
    card.get_by_test_id("price-input").fill(yuan)
    card.get_by_test_id("preview-button").click()
    expect(card.get_by_test_id("preview-summary")).to_be_visible()
    return card


@pytest.mark.timeout(120)
def test_a_price_change_previewed_then_undone_never_applies(
    server: Server, chromium: Browser
) -> None:
    sku = "GL-02"
    before = server.live_price(sku)
    context = new_context(chromium, 390, 844)
    try:
        page = _assistant(context, server)
        # The queue is in the run-sheet's order, the segment on air marked.
        skus = page.get_by_test_id("queue-item").evaluate_all(
            "els => els.map((e) => e.dataset.sku)"
        )
        assert skus == QUEUE_ORDER
        expect(_product(page, "SC-01")).to_contain_text("讲解中")

        # Above the list price (¥129): the preview warns, in red; nothing is sent.
        card = _change_price(page, sku, "150")
        warnings = card.get_by_test_id("preview-warnings")
        expect(warnings).to_contain_text("高于划线价")
        assert warnings.evaluate("el => getComputedStyle(el).color") == "rgb(254, 202, 202)"
        card.get_by_test_id("preview").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "assistant-preview-warning-390.png"))
        card.get_by_role("button", name="取消").click()
        expect(card.get_by_test_id("preview")).to_have_count(0)

        card.get_by_test_id("price-input").fill("59")
        card.get_by_test_id("preview-button").click()
        summary = card.get_by_test_id("preview-summary")
        expect(summary).to_contain_text("59")
        expect(card.get_by_test_id("preview")).to_contain_text("秒内可撤销")
        card.get_by_test_id("confirm").click()

        held = page.get_by_test_id("held-action")
        expect(held).to_have_count(1)
        expect(held.get_by_test_id("held-countdown")).to_contain_text("秒后生效")
        save_screenshot(page, "assistant-undo-390")
        held.get_by_test_id("undo").click()

        outcome = page.get_by_test_id("held-outcome")
        expect(outcome).to_have_attribute("data-state", "undone")
        expect(held).to_have_count(0)

        log = server.actions("price.set")
        assert [a["state"] for a in log] == ["undone"], log
        assert log[0]["live_price"] == 5_900
        assert log[0]["by"]["label"] == LABELS["assistant"]
        # Past the window it still never applies.
        time.sleep(UNDO_S + 2)
        assert [a["state"] for a in server.actions("price.set")] == ["undone"]
        assert server.live_price(sku) == before
        expect(_product(page, sku).get_by_test_id("live-price")).to_have_text("¥69.00")
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_b_a_price_change_left_to_run_applies_after_the_window(
    server: Server, chromium: Browser
) -> None:
    sku = "HT-03"
    context = new_context(chromium, 1280, 800)
    try:
        page = _assistant(context, server)
        card = _change_price(page, sku, "39.9")
        card.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("held-action")).to_have_count(1)
        # Not yet: the window runs.
        expect(card.get_by_test_id("live-price")).to_have_text("¥49.00")

        price = card.get_by_test_id("live-price")
        expect(price).to_have_text("¥39.90", timeout=(UNDO_S + 10) * 1000)
        expect(page.get_by_test_id("held-action")).to_have_count(0)
        assert server.live_price(sku) == 3_990
        applied = [a for a in server.actions("price.set") if a["sku"] == sku]
        assert [a["state"] for a in applied] == ["applied"], applied
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_c_a_coupon_issued_and_a_lucky_bag_started_and_drawn(
    server: Server, chromium: Browser
) -> None:
    context = new_context(chromium, 1280, 800)
    try:
        page = _assistant(context, server)

        # A coupon: ¥10 off from ¥100, 50 of them.
        panel = page.get_by_test_id("coupon-panel")
        coupon_id = panel.get_by_test_id("coupon-id").input_value()
        panel.get_by_test_id("coupon-off").fill("10")
        panel.get_by_test_id("coupon-threshold").fill("100")
        panel.get_by_test_id("coupon-quantity").fill("50")
        panel.get_by_test_id("coupon-preview").click()
        expect(panel.get_by_test_id("preview-summary")).to_be_visible()
        panel.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("held-action")).to_have_count(1)
        coupon = panel.locator(f"[data-testid='coupon'][data-coupon-id='{coupon_id}']")
        expect(coupon).to_contain_text("满¥100.00减¥10.00", timeout=(UNDO_S + 10) * 1000)
        expect(coupon).to_contain_text("共 50 张")
        issued = server.actions("coupon.issue")
        assert [(a["coupon_id"], a["state"]) for a in issued] == [(coupon_id, "applied")]

        # A lucky bag for commenters: 2 winners.
        bags = page.get_by_test_id("lucky-bag-panel")
        bags.get_by_test_id("bag-prize").fill("羊绒围巾一条")
        bags.get_by_test_id("bag-winners").fill("2")
        bags.get_by_text("评论", exact=True).click()
        bags.get_by_test_id("bag-start").click()
        bag = bags.get_by_test_id("bag")
        expect(bag).to_have_attribute("data-state", "running")
        expect(bag).to_contain_text("羊绒围巾一条")
        # Three viewers comment after the start (dated to the millisecond: the bag's start is
        # finer than the helpers' whole seconds).
        time.sleep(0.05)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        comments = [
            {
                "id": f"t-{uuid.uuid4().hex[:12]}",
                "ts": stamp,
                "source": "test",
                "type": "comment",
                "viewer_id": f"dy_bag_{i}",
                "text": "想要围巾",
            }
            for i in range(3)
        ]
        server.call("POST", server.show("events"), {"events": comments})
        bag.get_by_test_id("bag-draw-button").click()
        expect(bag).to_have_attribute("data-state", "drawn")
        drawn = server.actions("lucky_bag.draw")
        assert len(drawn) == 1, drawn
        record = drawn[0]
        assert record["candidates"] == 3, record
        assert len(record["winner_ids"]) == 2, record
        expect(bag.get_by_test_id("bag-candidates")).to_have_text("3")
        expect(bag.get_by_test_id("bag-seed")).to_have_text(str(record["seed"]))
        expect(bag.get_by_test_id("bag-winners-list")).to_have_text("、".join(record["winner_ids"]))
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_c2_pin_and_a_flash_sale_from_the_queue(server: Server, chromium: Browser) -> None:
    sku = "SK-04"
    context = new_context(chromium, 390, 844)
    try:
        page = _assistant(context, server)
        card = _product(page, sku)
        card.get_by_test_id("pin").click()
        expect(card.get_by_test_id("pinned-badge")).to_be_visible()
        assert server.call("GET", server.show("commerce"))["pinned_sku"] == sku

        card.get_by_test_id("flash-open").click()
        form = card.get_by_test_id("flash-form")
        form.get_by_role("textbox").fill("10")
        form.get_by_role("button", name="立即开始秒杀").click()
        expect(card).to_contain_text("秒杀 · 进行中 · 剩 10 / 10")
        expect(card.get_by_test_id("available")).to_have_text("10")

        card.get_by_test_id("flash-open").click()
        card.get_by_role("button", name="停止秒杀").click()
        expect(card).not_to_contain_text("秒杀 · ")
        stock = server.call("GET", server.show("stock"))["items"]
        assert next(r for r in stock if r["sku"] == sku)["flash_sale"] is None
        card.get_by_test_id("pin").click()
        expect(card.get_by_test_id("pinned-badge")).to_have_count(0)
    finally:
        context.close()


def _flagged_orders(server: Server) -> None:
    """A large order, a viewer who cancels twice, and a banned viewer's order."""

    def order(viewer: str, sku: str, qty: int) -> dict[str, Any]:
        price = PRODUCTS[sku][2]
        return {
            "type": "order.created",
            "order_id": f"o-{uuid.uuid4().hex[:10]}",
            "viewer_id": viewer,
            "sku": sku,
            "qty": qty,
            "amount": price * qty,
        }

    plain = [order(f"dy_buyer_{i}", "SC-01", 1) for i in range(4)]
    big = order("dy_reseller", "GL-02", 8)
    twice = [order("dy_flaky", "SK-04", 1) for _ in range(2)]
    banned = order("dy_spam", "SC-01", 1)
    server.ingest(server.show_id, *plain, big, *twice)
    server.ingest(
        server.show_id, *({"type": "order.cancelled", "order_id": o["order_id"]} for o in twice)
    )
    server.call(
        "POST",
        server.show("actions"),
        {"type": "viewer.ban", "viewer_id": "dy_spam", "scope": "show"},
        token=server.tokens["field_control"],
    )
    server.ingest(server.show_id, banned, order("dy_flaky", "SK-04", 1))
    server.ingest(
        server.show_id, {"type": "order.paid", "order_id": big["order_id"], "amount": big["amount"]}
    )


@pytest.mark.timeout(120)
def test_d_the_console_fits_every_screen_with_flagged_orders(
    server: Server, chromium: Browser
) -> None:
    _flagged_orders(server)
    for width, height in [(390, 844), (1280, 800), (1920, 1080)]:
        context = new_context(chromium, width, height)
        try:
            page = _assistant(context, server)
            orders = page.get_by_test_id("flagged-orders")
            expect(orders.locator("[data-flags~='large']")).not_to_have_count(0)
            expect(orders.locator("[data-flags~='repeat_cancel']")).not_to_have_count(0)
            expect(orders.locator("[data-flags~='banned']")).to_have_count(1)
            expect(orders.get_by_test_id("flag-count")).not_to_have_text("异常 0")
            assert_no_sideways_scroll(page, width)
            # Every button of the queue is big enough to tap.
            for button in page.get_by_test_id("product-queue").get_by_role("button").all():
                box = button.bounding_box()
                assert box is not None
                assert box["height"] >= 44, box
                assert box["width"] >= 44, box
            save_screenshot(page, f"assistant-{width}")
            if width == 390:
                tall = page.evaluate("document.documentElement.scrollHeight")
                for i, top in enumerate(range(0, tall, 1400)):
                    clip = {"x": 0, "y": top, "width": width, "height": min(1400, tall - top)}
                    shot = ARTIFACTS / f"assistant-390-part{i}.png"
                    page.screenshot(path=str(shot), full_page=True, clip=clip)
        finally:
            context.close()


def _stamp(at: datetime) -> str:
    """An event's `ts` to the millisecond (the helpers' `ingest` dates to whole seconds)."""
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _product_events(sku: str, at: datetime, impressions: int, clicks: int) -> list[dict[str, Any]]:
    def event(**fields: Any) -> dict[str, Any]:
        return {"id": f"t-{uuid.uuid4().hex[:12]}", "ts": _stamp(at), "source": "test", **fields}

    batch = [event(type="product.impression", sku=sku, count=impressions)]
    batch += [
        event(type="product.click", sku=sku, viewer_id=f"dy_click_{i}") for i in range(clicks)
    ]
    return batch


@pytest.mark.timeout(150)
def test_e_the_impact_panel_shows_a_pin_with_its_click_rate(
    server: Server, chromium: Browser
) -> None:
    sku = "GL-02"
    width = 390
    context = new_context(chromium, width, 844)
    try:
        page = _assistant(context, server)
        panel = page.get_by_test_id("impact-panel")
        expect(panel).to_contain_text("不是对照实验")
        # In the half-minute before the pin: 200 impressions of the product, 10 clicks (5%).
        now = datetime.now(UTC)
        before = [
            *_product_events(sku, now - timedelta(seconds=25), 120, 6),
            *_product_events(sku, now - timedelta(seconds=10), 80, 4),
        ]
        server.call("POST", server.show("events"), {"events": before})

        card = _product(page, sku)
        card.get_by_test_id("pin").click()
        expect(card.get_by_test_id("pinned-badge")).to_be_visible()
        pin = next(a for a in reversed(server.actions("product.pin")) if a["sku"] == sku)
        # The pin arrives in the live state: the panel fetches again and lists it, newest first.
        row = panel.locator(f"[data-testid='impact-row'][data-action-id='{pin['id']}']")
        expect(row).to_be_visible(timeout=10_000)
        expect(panel.get_by_test_id("impact-row").first).to_have_attribute(
            "data-action-id", str(pin["id"])
        )
        expect(row).to_contain_text(f"挂车 {sku}")
        click = row.get_by_test_id("impact-click_rate")
        expect(click).to_contain_text("5.0% →")
        expect(row.get_by_test_id("impact-partial")).to_contain_text("进行中 (")
        expect(row.get_by_test_id("impact-partial")).to_contain_text("/5 分钟)")

        # Just after the pin: 100 impressions, 12 clicks (12%); the next fetch (within 30 s)
        # has them in the after window.
        time.sleep(0.05)
        server.call(
            "POST",
            server.show("events"),
            {"events": _product_events(sku, datetime.now(UTC), 100, 12)},
        )
        expect(click.get_by_test_id("impact-after")).to_have_text("12%", timeout=40_000)
        expect(click.locator("[data-direction='up']")).to_have_text("↑ +140%")
        impact = server.call("GET", server.show("actions/impact?window_minutes=5"))
        measured = next(r for r in impact["actions"] if r["action"]["id"] == pin["id"])
        assert measured["before"]["click_rate"] == 0.05, measured
        assert measured["after"]["click_rate"] == 0.12, measured
        assert measured["partial"] is True, measured

        assert_no_sideways_scroll(page, width)
        panel.scroll_into_view_if_needed()
        row.scroll_into_view_if_needed()
        save_screenshot(page, "assistant-impact-390")
        panel.screenshot(path=str(ARTIFACTS / "assistant-impact-panel-390.png"))
        # Below 1500 px the panel spans the page: a row on one line.
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(row).to_contain_text("12%")
        assert_no_sideways_scroll(page, 1280)
        panel.screenshot(path=str(ARTIFACTS / "assistant-impact-panel-1280.png"))
    finally:
        context.close()
