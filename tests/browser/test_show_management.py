"""Show management in the console (#11 item 7), against a real `liveops serve`: operations
creates a show from the show list's form, plans its lineup and targets on `/shows/{id}/setup`,
starts it and ends it (the end asks first), and every step is checked through the API. A 422
from the server lands next to the field it names and keeps what was typed. Field control may
start and end but reads the plan; the assistant only reads.

Screenshots (docs/screenshots/): show-list-create-{390,1920}, show-setup-{390,1920},
show-setup-readonly-390.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.helpers import (
    Liveops,
    assert_no_sideways_scroll,
    new_context,
    open_console,
    run_liveops,
    save_screenshot,
)

pytestmark = pytest.mark.browser

PHONE = (390, 844)
BIG = (1920, 1080)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Liveops]:
    """`liveops serve` with its own data: only the shows these tests make."""
    with run_liveops(Liveops, "serve", tmp_path_factory.mktemp("liveops-shows")) as live:
        yield live


def _sign_in_operations(page: Page, live: Liveops) -> None:
    link = live.call("POST", "/api/v1/auth/login-links", {"role": "operations"})
    page.goto(f"{live.base_url}{link['path']}")
    expect(page.get_by_test_id("create-open")).to_be_visible()


def _show_titled(live: Liveops, title: str) -> dict[str, Any] | None:
    shows = live.call("GET", "/api/v1/shows")["items"]
    return next((s for s in shows if s["title"] == title), None)


def _fill_product(
    page: Page, i: int, sku: str, name: str, role: str, prices: tuple[str, str], stock: str
) -> None:
    page.get_by_test_id(f"field-products.{i}.sku").fill(sku)
    page.get_by_test_id(f"field-products.{i}.name").fill(name)
    page.get_by_test_id(f"field-products.{i}.role").select_option(role)
    page.get_by_test_id(f"field-products.{i}.list_price").fill(prices[0])
    page.get_by_test_id(f"field-products.{i}.live_price").fill(prices[1])
    page.get_by_test_id(f"field-products.{i}.allocated_stock").fill(stock)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("width", "height"), [PHONE, BIG], ids=["390x844", "1920x1080"])
def test_create_plan_start_and_end_a_show(
    server: Liveops, chromium: Browser, artifacts: Path, width: int, height: int
) -> None:
    title = f"双11美妆专场 {secrets.token_hex(3)}"
    context = new_context(chromium, width, height)
    try:
        page = context.new_page()
        _sign_in_operations(page, server)

        # The form: what a planner fills in the day before.
        page.get_by_test_id("create-open").click()
        page.get_by_test_id("field-title").fill(title)
        page.get_by_test_id("field-platform").select_option("kuaishou")
        page.get_by_test_id("field-room").fill("快手 8866")
        page.get_by_test_id("field-planned_start_at").fill("2031-11-11T20:00")
        page.get_by_test_id("field-planned_minutes").fill("90")
        page.get_by_test_id("field-anchors").fill("小美、阿杰")
        assert_no_sideways_scroll(page, width)
        save_screenshot(page, f"show-list-create-{width}")
        page.get_by_test_id("create-submit").click()
        expect(page.get_by_test_id("create-done")).to_contain_text(title)

        show = _show_titled(server, title)
        assert show is not None, "the form created no show"
        assert show["status"] == "scheduled"
        assert show["platform"] == "kuaishou"
        assert show["room"] == "快手 8866"
        assert show["planned_minutes"] == 90
        assert show["anchors"] == ["小美", "阿杰"]
        # Typed in Beijing time (the context's time zone), stored as the same instant.
        planned = datetime.fromisoformat(show["planned_start_at"].replace("Z", "+00:00"))
        assert planned == datetime(2031, 11, 11, 12, 0, tzinfo=UTC)
        show_id = show["id"]
        expect(page.get_by_test_id(f"show-row-{show_id}")).to_be_visible()
        expect(page.get_by_test_id(f"start-{show_id}")).to_be_visible()

        # The setup page, from the link the form leaves.
        page.get_by_test_id("create-setup-link").click()
        page.wait_for_url(f"**/shows/{show_id}/setup")
        expect(page.get_by_test_id("setup-title")).to_have_text(title)

        _fill_product(page, 0, "A1", "玻尿酸面膜 5 片装", "引流款", ("99", "9.9"), "200")
        page.get_by_test_id("lineup-add").click()
        _fill_product(page, 1, "B2", "保湿面霜 50ml", "福利款", ("199", "129.90"), "50")
        page.get_by_test_id("lineup-add").click()
        _fill_product(page, 2, "C3", "精华液 30ml", "利润款", ("299", "259"), "100")
        # A repeated SKU is caught before anything is sent, on the row that repeats it.
        page.get_by_test_id("lineup-add").click()
        _fill_product(page, 3, "A1", "重复的面膜", "清仓", ("10", "20"), "1")
        expect(page.get_by_test_id("warning-products.3.live_price")).to_contain_text("高于原价")
        page.get_by_test_id("lineup-save").click()
        expect(page.get_by_test_id("error-products.3.sku")).to_contain_text("SKU 重复")
        expect(page.get_by_test_id("error-products.0.sku")).to_contain_text("SKU 重复")
        assert server.call("GET", f"/api/v1/shows/{show_id}/lineup")["products"] == []
        # Remove it, move the 利润款 up before the 福利款, save.
        page.get_by_test_id("lineup-remove-3").click()
        expect(page.get_by_test_id("error-products.0.sku")).to_have_count(0)
        page.get_by_test_id("lineup-up-2").click()
        expect(page.get_by_test_id("field-products.1.sku")).to_have_value("C3")
        page.get_by_test_id("lineup-save").click()
        expect(page.get_by_test_id("lineup-state")).to_contain_text("已保存")

        lineup = server.call("GET", f"/api/v1/shows/{show_id}/lineup")["products"]
        assert lineup == [
            {
                "sku": "A1",
                "name": "玻尿酸面膜 5 片装",
                "role": "引流款",
                "list_price": 9900,
                "live_price": 990,
                "allocated_stock": 200,
            },
            {
                "sku": "C3",
                "name": "精华液 30ml",
                "role": "利润款",
                "list_price": 29900,
                "live_price": 25900,
                "allocated_stock": 100,
            },
            {
                "sku": "B2",
                "name": "保湿面霜 50ml",
                "role": "福利款",
                "list_price": 19900,
                "live_price": 12990,
                "allocated_stock": 50,
            },
        ]

        page.get_by_test_id("field-gmv").fill("500000")
        page.get_by_test_id("field-uv").fill("20000")
        page.get_by_test_id("field-conversion_rate").fill("3.5")
        page.get_by_test_id("field-aov").fill("129.9")
        page.get_by_test_id("targets-save").click()
        expect(page.get_by_test_id("targets-state")).to_contain_text("已保存")
        targets = server.call("GET", f"/api/v1/shows/{show_id}")["targets"]
        assert targets == {"gmv": 50_000_000, "uv": 20000, "conversion_rate": 0.035, "aov": 12990}

        # The page reloaded shows what was saved.
        page.reload()
        expect(page.get_by_test_id("field-products.2.name")).to_have_value("保湿面霜 50ml")
        expect(page.get_by_test_id("field-products.0.live_price")).to_have_value("9.90")
        expect(page.get_by_test_id("field-conversion_rate")).to_have_value("3.5")
        assert_no_sideways_scroll(page, width)
        page.evaluate("window.scrollTo(0, 0)")
        save_screenshot(page, f"show-setup-{width}")
        page.screenshot(path=str(artifacts / f"show-setup-full-{width}.png"), full_page=True)

        # Start, then end: the end asks first, and 取消 leaves the show live.
        page.get_by_test_id(f"start-{show_id}").click()
        expect(page.get_by_test_id(f"end-{show_id}")).to_be_visible()
        assert server.call("GET", f"/api/v1/shows/{show_id}")["status"] == "live"
        page.get_by_test_id(f"end-{show_id}").click()
        expect(page.get_by_test_id(f"end-confirm-{show_id}")).to_be_visible()
        assert_no_sideways_scroll(page, width)
        page.screenshot(path=str(artifacts / f"show-setup-end-confirm-{width}.png"))
        page.get_by_test_id(f"end-cancel-{show_id}").click()
        expect(page.get_by_test_id(f"end-confirm-{show_id}")).to_have_count(0)
        assert server.call("GET", f"/api/v1/shows/{show_id}")["status"] == "live"
        page.get_by_test_id(f"end-{show_id}").click()
        page.get_by_test_id(f"end-confirm-{show_id}").click()
        expect(page.get_by_test_id(f"controls-{show_id}")).to_have_count(0)
        ended = server.call("GET", f"/api/v1/shows/{show_id}")
        assert ended["status"] == "ended"
        assert ended["ended_at"] is not None
    finally:
        context.close()


@pytest.mark.timeout(90)
def test_start_and_end_from_the_show_list(server: Liveops, chromium: Browser) -> None:
    show = server.call("POST", "/api/v1/shows", {"title": "列表开播", "platform": "douyin"})
    show_id = show["id"]
    context = new_context(chromium, *PHONE)
    try:
        page = context.new_page()
        _sign_in_operations(page, server)
        row = page.get_by_test_id(f"show-row-{show_id}")
        row.get_by_test_id(f"start-{show_id}").click()
        expect(row.get_by_test_id("show-status")).to_have_attribute("data-status", "live")
        assert server.call("GET", f"/api/v1/shows/{show_id}")["status"] == "live"
        row.get_by_test_id(f"end-{show_id}").click()
        expect(row.get_by_test_id(f"end-confirm-{show_id}")).to_be_visible()
        assert_no_sideways_scroll(page, PHONE[0])
        row.get_by_test_id(f"end-confirm-{show_id}").click()
        expect(row.get_by_test_id("show-status")).to_have_attribute("data-status", "ended")
        assert server.call("GET", f"/api/v1/shows/{show_id}")["status"] == "ended"
    finally:
        context.close()


@pytest.mark.timeout(90)
def test_a_422_shows_next_to_its_field_and_keeps_what_was_typed(
    server: Liveops, chromium: Browser
) -> None:
    title = f"年份写错的场次 {secrets.token_hex(3)}"
    context = new_context(chromium, *PHONE)
    try:
        page = context.new_page()
        _sign_in_operations(page, server)
        page.get_by_test_id("create-open").click()
        page.get_by_test_id("field-title").fill(title)
        page.get_by_test_id("field-anchors").fill("小美")
        page.get_by_test_id("field-planned_minutes").fill("60")
        # A year the server refuses (2000–2099): the form leaves that rule to the server.
        page.get_by_test_id("field-planned_start_at").fill("2150-01-01T20:00")
        with page.expect_response(
            lambda r: r.url.endswith("/api/v1/shows") and r.request.method == "POST"
        ) as answer:
            page.get_by_test_id("create-submit").click()
        assert answer.value.status == 422

        error = page.get_by_test_id("error-planned_start_at")
        expect(error).to_contain_text("年份须在 2000–2099 之间")
        planned = page.get_by_test_id("field-planned_start_at")
        expect(planned).to_have_attribute("aria-invalid", "true")
        # The message is under its own field, not somewhere else on the page. Both boxes are
        # read in one frame: the form scrolls its first problem into view, and two separate
        # reads could straddle a step of that scroll.
        field_box, error_box = page.evaluate(
            """() => ['field-planned_start_at', 'error-planned_start_at'].map((id) => {
              const r = document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
              return { x: r.x, y: r.y, height: r.height };
            })"""
        )
        assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40
        assert abs(error_box["x"] - field_box["x"]) < 40
        # What was typed is still there; no other field is marked; nothing was created.
        expect(page.get_by_test_id("field-title")).to_have_value(title)
        expect(page.get_by_test_id("field-anchors")).to_have_value("小美")
        expect(page.get_by_test_id("field-planned_minutes")).to_have_value("60")
        expect(page.get_by_test_id("field-planned_start_at")).to_have_value("2150-01-01T20:00")
        expect(page.locator("[data-testid^='error-']")).to_have_count(1)
        assert _show_titled(server, title) is None
        assert_no_sideways_scroll(page, PHONE[0])
        save_screenshot(page, "show-list-create-error-390")

        # Fixed, it goes through.
        page.get_by_test_id("field-planned_start_at").fill("2031-01-01T20:00")
        expect(page.get_by_test_id("error-planned_start_at")).to_have_count(0)
        page.get_by_test_id("create-submit").click()
        expect(page.get_by_test_id("create-done")).to_contain_text(title)
        created = _show_titled(server, title)
        assert created is not None
        assert created["anchors"] == ["小美"]
    finally:
        context.close()


@pytest.mark.timeout(120)
def test_field_control_starts_and_ends_but_reads_the_plan_and_the_assistant_reads(
    server: Liveops, chromium: Browser
) -> None:
    show = server.call(
        "POST",
        "/api/v1/shows",
        {
            "title": "场控只读计划",
            "platform": "douyin",
            "targets": {"gmv": 1_000_000, "conversion_rate": 0.05},
            "lineup": [
                {
                    "sku": "Z9",
                    "name": "羽绒服",
                    "role": "爆款",
                    "list_price": 59900,
                    "live_price": 39900,
                    "allocated_stock": 300,
                },
            ],
        },
    )
    show_id = show["id"]
    context = new_context(chromium, *PHONE)
    try:
        page = open_console(context, server, "field_control", show_id)
        page.get_by_test_id("setup-link").click()
        page.wait_for_url(f"**/shows/{show_id}/setup")
        expect(page.get_by_test_id("setup-readonly")).to_contain_text("可以开播")
        expect(page.get_by_test_id("lineup-readonly")).to_contain_text("羽绒服")
        expect(page.get_by_test_id("lineup-readonly")).to_contain_text("¥399.00")
        expect(page.get_by_test_id("target-gmv")).to_have_text("¥10,000.00")
        expect(page.get_by_test_id("target-conversion_rate")).to_have_text("5.00%")
        expect(page.get_by_test_id("lineup-form")).to_have_count(0)
        expect(page.get_by_test_id("targets-form")).to_have_count(0)
        assert_no_sideways_scroll(page, PHONE[0])
        save_screenshot(page, "show-setup-readonly-390")
        page.get_by_test_id(f"start-{show_id}").click()
        expect(page.get_by_test_id(f"end-{show_id}")).to_be_visible()
        assert server.call("GET", f"/api/v1/shows/{show_id}")["status"] == "live"
    finally:
        context.close()

    context = new_context(chromium, *PHONE)
    try:
        page = open_console(context, server, "assistant", show_id)
        expect(page.get_by_test_id("setup-link")).to_have_count(0)
        page.goto(f"{server.base_url}/shows/{show_id}/setup")
        expect(page.get_by_test_id("setup-readonly")).to_be_visible()
        expect(page.get_by_test_id("lineup-readonly")).to_contain_text("羽绒服")
        expect(page.get_by_test_id(f"controls-{show_id}")).to_have_count(0)
    finally:
        context.close()
