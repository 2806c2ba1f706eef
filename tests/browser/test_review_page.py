"""The post-show review (复盘) in the console (issue #13), against a real `liveops demo`.

Two shows are played by the simulator against the demo's server and ended. Then, as admin:

- an ended show's `/shows/{id}` opens its review, which shows the API's own figures (net GMV,
  KPIs, every product's GMV, a table row per segment, channel, alert), sorts its products, and
  links to exports that answer 200;
- at 390×844 nothing scrolls sideways; full-page screenshots go to
  docs/screenshots/review-{1920,390}.png;
- the show list links an ended show to its review and compares ticked shows, the best value of
  a row marked (docs/screenshots/compare-1920.png);
- field control and the assistant land on the review too, the anchor on its own view;
- the live console of an ended show says 已结束, not 实时.

- the replay page plays the show again over the live websocket (`?replay=SPEED`): pause, seek
  to the start, 120×, play to the end, where its KPI tiles hold the review's summary
  (docs/screenshots/review-replay-1920.png).
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.browser.helpers import SCREENSHOTS, Demo, assert_no_sideways_scroll, new_context

from liveops.simulate import DEMO_LINEUP, SimulationConfig, run_simulation

pytestmark = pytest.mark.browser

PHONE = (390, 844)
BIG = (1920, 1080)
MAX_FULL_PAGE_BYTES = 1_500_000


def _simulate(demo: Demo, title: str, seconds: float, seed: int, gmv_target: int) -> str:
    """A show with the demo's lineup and targets, played back to back by the simulator with
    its events dated over the last `seconds`, started and ended: its id."""
    show = demo.call(
        "POST",
        "/api/v1/shows",
        {
            "title": title,
            "platform": "douyin",
            "room": "抖音 8866",
            "anchors": ["小林"],
            "lineup": [p.as_json() for p in DEMO_LINEUP],
        },
    )
    show_id = str(show["id"])
    targets = {"gmv": gmv_target, "uv": 400, "conversion_rate": 0.05, "aov": 12_000}
    demo.call("PUT", f"/api/v1/shows/{show_id}/targets", targets)
    config = SimulationConfig(
        url=demo.base_url,
        show_id=show_id,
        duration=seconds,
        rate=4,
        seed=seed,
        token=demo.admin_token,
        realtime=False,
        start=datetime.now(UTC) - timedelta(seconds=seconds + 60),
    )
    # Its own thread and loop: Playwright's sync API owns this thread's.
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(asyncio.run, run_simulation(config, out=lambda _: None)).result()
    assert report.accepted > 0, report
    assert demo.call("GET", f"/api/v1/shows/{show_id}")["status"] == "ended"
    return show_id


@pytest.fixture(scope="module")
def ended(liveops_demo: Demo) -> list[dict[str, Any]]:
    """Two ended shows and their reviews as the API answers them."""
    ids = [
        _simulate(liveops_demo, "双12 秋冬上新专场", 1200, seed=3, gmv_target=3_000_000),
        _simulate(liveops_demo, "周三 日常专场", 600, seed=8, gmv_target=1_000_000),
    ]
    return [liveops_demo.call("GET", f"/api/v1/shows/{i}/review") for i in ids]


def half_up(x: float) -> int:
    """JavaScript's Math.round and toFixed(0) on a positive double: halves up, not to even."""
    return int(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money(fen: float) -> str:
    """lib/format.ts formatMoney below a million yuan: ¥1,234.50, and whole yuan from ¥10,000."""
    yuan = abs(fen) / 100
    assert yuan < 1_000_000, "this helper covers the test's amounts only"
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{half_up(yuan):,}" if yuan >= 10_000 else f"{sign}¥{yuan:,.2f}"


def count(n: float) -> str:
    return f"{half_up(n):,}"


def _admin_page(context: BrowserContext, demo: Demo) -> Page:
    page = context.new_page()
    link = demo.call("POST", "/api/v1/auth/login-links", {"role": "admin"})
    page.goto(f"{demo.base_url}{link['path']}")
    # Signed in once the list is there (the link's code is redeemed before it loads).
    expect(page.get_by_test_id("show-list")).to_be_visible()
    return page


def _full_page_screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size < MAX_FULL_PAGE_BYTES, (shot, shot.stat().st_size)


def _assert_review(page: Page, review: dict[str, Any]) -> None:
    summary = review["summary"]
    expect(page.get_by_test_id("show-title")).to_have_text(review["show"]["title"])
    expect(page.get_by_test_id("review-net-gmv")).to_have_text(money(summary["net_gmv"]))
    expect(page.get_by_test_id("review-kpi-uv")).to_have_text(count(summary["uv"]))
    expect(page.get_by_test_id("review-kpi-orders_paid")).to_have_text(
        count(summary["orders_paid"])
    )
    expect(page.get_by_test_id("review-kpi-gmv_paid")).to_have_text(money(summary["gmv_paid"]))
    for key, target in review["targets"].items():
        expect(page.get_by_test_id(f"review-target-{key}")).to_contain_text(
            f"{half_up(target['progress'] * 100)}%"
        )

    # Every product with its GMV, the best seller first; then by conversion.
    products = review["products"]
    rows = page.get_by_test_id("products-table").locator("tbody tr")
    expect(rows).to_have_count(len(products))
    for p in products:
        expect(page.get_by_test_id(f"review-product-gmv-{p['sku']}")).to_have_text(money(p["gmv"]))
    # Ties as the page breaks them: more GMV first, then the SKU.
    best = min(products, key=lambda p: (-p["gmv"], p["sku"]))
    expect(rows.first).to_have_attribute("data-testid", f"review-product-{best['sku']}")
    page.get_by_test_id("sort-conversion").click()
    clicked = [p for p in products if p["clicks"] > 0]
    converting = min(clicked, key=lambda p: (-p["paid_orders"] / p["clicks"], -p["gmv"], p["sku"]))
    expect(rows.first).to_have_attribute("data-testid", f"review-product-{converting['sku']}")

    # The chart: one bar per minute with sales, a segment mark per segment start.
    chart = page.get_by_test_id("review-chart")
    expect(chart.locator("svg")).to_be_visible()
    selling = [m for m in review["minutes"] if m["gmv"] > 0]
    expect(chart.locator("rect.trend__bar")).to_have_count(len(selling))
    started = [s for s in review["segments"] if s["started_at"] is not None]
    expect(chart.locator("[data-kind=segment]")).to_have_count(len(started))

    # The other tables, a row per row of the review.
    expect(page.get_by_test_id("segments-table").locator("tbody tr")).to_have_count(
        len(review["segments"])
    )
    expect(page.get_by_test_id("channels-table").locator("tbody tr")).to_have_count(
        len(review["channels"])
    )
    expect(page.locator("[data-testid^='funnel-']")).to_have_count(len(review["funnel"]))
    alerts = review["alerts"]["items"]
    if alerts:
        expect(page.get_by_test_id("alerts-table").locator("tbody tr")).to_have_count(len(alerts))
    expect(page.get_by_test_id("intent-bars").locator("li")).to_have_count(len(review["comments"]))


def _assert_links_answer(page: Page, demo: Demo) -> None:
    hrefs = page.locator("[data-testid^='export-']").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    tables = {h.split("?")[0].rsplit("/", 1)[-1] for h in hrefs}
    expected = {"minutes", "products", "segments", "channels", "comments", "alerts", "actions"}
    assert {f"{t}.csv" for t in expected} | {"events.ndjson", "report.html"} <= tables, hrefs
    for href in hrefs:
        # With the page's session cookie, as a click would fetch it.
        answer = page.request.get(f"{demo.base_url}{href}")
        assert answer.status == 200, (href, answer.status, answer.text()[:300])
    expect(page.get_by_test_id("replay-link")).to_have_attribute(
        "href", re.compile(r"/shows/[^/]+/replay$")
    )


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize(("width", "height"), [BIG, PHONE], ids=["1920x1080", "390x844"])
def test_an_ended_show_opens_on_its_review(
    liveops_demo: Demo, chromium: Browser, ended: list[dict[str, Any]], width: int, height: int
) -> None:
    show_id = ended[0]["show"]["id"]
    context = new_context(chromium, width, height)
    try:
        page = _admin_page(context, liveops_demo)
        # The review the page itself read: alerts may still move after the end, the figures not.
        with page.expect_response(lambda r: r.url.endswith(f"/shows/{show_id}/review")) as answer:
            page.goto(f"{liveops_demo.base_url}/shows/{show_id}")
        page.wait_for_url(f"**/shows/{show_id}/review")
        review: dict[str, Any] = answer.value.json()
        assert review["summary"] == ended[0]["summary"]
        _assert_review(page, review)
        _assert_links_answer(page, liveops_demo)
        if width == PHONE[0]:
            assert_no_sideways_scroll(page, width)
        page.get_by_test_id("sort-gmv").click()
        page.evaluate("document.fonts.ready")
        _full_page_screenshot(page, f"review-{width}")
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_show_list_links_reviews_and_compares_shows(
    liveops_demo: Demo, chromium: Browser, ended: list[dict[str, Any]]
) -> None:
    ids = [r["show"]["id"] for r in ended]
    context = new_context(chromium, *BIG)
    try:
        page = _admin_page(context, liveops_demo)
        for show_id in ids:
            expect(page.get_by_test_id(f"show-link-{show_id}")).to_have_attribute(
                "href", f"/shows/{show_id}/review"
            )
        compare = page.get_by_test_id("compare-open")
        expect(compare).to_be_disabled()
        for show_id in ids:
            page.get_by_test_id(f"compare-pick-{show_id}").check()
        compare.click()
        page.wait_for_url(f"**/reviews/compare?shows={','.join(ids)}")

        table = page.get_by_test_id("compare-table")
        for show_id in ids:
            expect(table.get_by_test_id(f"compare-col-{show_id}")).to_be_visible()
        # The best of each row is marked in the column of the show that has it.
        gmv = [r["summary"]["gmv_paid"] for r in ended]
        assert gmv[0] != gmv[1], gmv
        row = table.get_by_test_id("compare-row-gmv_paid")
        expect(row.locator("td").nth(gmv.index(max(gmv)))).to_have_attribute("data-best", "true")
        expect(row.locator("td[data-best]")).to_have_count(1)
        expect(row.locator("td").nth(gmv.index(min(gmv)))).to_have_text(money(min(gmv)))
        refunds = [r["summary"]["refund_rate"] for r in ended]
        if refunds[0] != refunds[1]:  # less is better there
            best = (
                table.get_by_test_id("compare-row-refund_rate")
                .locator("td")
                .nth(refunds.index(min(refunds)))
            )
            expect(best).to_have_attribute("data-best", "true")
        _full_page_screenshot(page, "compare-1920")
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("role", "lands_on"),
    [("field_control", "review"), ("assistant", "review"), ("anchor", "anchor")],
)
def test_roles_that_read_reviews_land_on_the_review(
    liveops_demo: Demo, chromium: Browser, ended: list[dict[str, Any]], role: str, lands_on: str
) -> None:
    review = ended[1]
    show_id = review["show"]["id"]
    context = new_context(chromium, *PHONE)
    try:
        page = context.new_page()
        page.goto(f"{liveops_demo.base_url}{liveops_demo.login_path(role, show_id)}")
        if lands_on == "review":
            page.wait_for_url(f"**/shows/{show_id}/review")
            expect(page.get_by_test_id("review-net-gmv")).to_have_text(
                money(review["summary"]["net_gmv"])
            )
        else:
            page.wait_for_url(f"**/shows/{show_id}")
            expect(page.get_by_test_id("anchor-console")).to_be_visible()
            expect(page.get_by_test_id("review-page")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_the_live_console_of_an_ended_show_says_ended(
    liveops_demo: Demo, chromium: Browser, ended: list[dict[str, Any]]
) -> None:
    show_id = ended[1]["show"]["id"]
    context = new_context(chromium, *BIG)
    try:
        page = _admin_page(context, liveops_demo)
        page.goto(f"{liveops_demo.base_url}/shows/{show_id}/live")
        pill = page.get_by_test_id("conn-state")
        expect(pill).to_have_attribute("data-state", "live")  # connected…
        expect(pill).to_have_attribute("data-show-ended", "true")  # …to a show that is over
        expect(pill).to_contain_text("已结束")
        expect(pill).not_to_contain_text("实时")
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_replay_plays_the_show_again_to_its_summary(
    liveops_demo: Demo, chromium: Browser, ended: list[dict[str, Any]]
) -> None:
    review = ended[1]
    show_id = review["show"]["id"]
    summary = review["summary"]
    context = new_context(chromium, *BIG)
    try:
        page = _admin_page(context, liveops_demo)
        page.goto(f"{liveops_demo.base_url}/shows/{show_id}/review")
        page.get_by_test_id("replay-link").click()
        page.wait_for_url(f"**/shows/{show_id}/replay")

        bar = page.get_by_test_id("replay-bar")
        expect(bar).to_have_attribute("data-state", "playing")
        page.get_by_test_id("replay-toggle").click()
        expect(bar).to_have_attribute("data-state", "paused")
        # Back to the start with the scrubber's keyboard: the server's fresh snapshot has
        # nothing counted yet.
        page.get_by_test_id("replay-scrubber").focus()
        page.keyboard.press("Home")
        expect(page.get_by_test_id("replay-position")).to_have_text(re.compile(r"^0:00 /"))
        expect(page.get_by_test_id("kpi-value-orders_paid")).to_have_text("0")

        page.get_by_test_id("replay-speed-120").click()
        expect(page.get_by_test_id("replay-speed-120")).to_have_attribute("aria-pressed", "true")
        page.get_by_test_id("replay-toggle").click()
        expect(bar).to_have_attribute("data-state", "ended", timeout=60_000)
        # Played to the end, the tiles hold the review's summary (contract §13).
        expect(page.get_by_test_id("kpi-value-uv")).to_have_text(count(summary["uv"]))
        expect(page.get_by_test_id("kpi-value-orders_paid")).to_have_text(
            count(summary["orders_paid"])
        )
        expect(page.get_by_test_id("kpi-value-gmv_paid")).to_have_text(money(summary["gmv_paid"]))
        page.screenshot(path=str(SCREENSHOTS / "review-replay-1920.png"))
    finally:
        context.close()
