"""The field-control console on a phone (390×844), a laptop (1280×800) and a 1080p screen.

Issue #10 item 6: people on a live broadcast read these numbers at a glance, a phone held in
one hand or a laptop beside the camera. So, with the demo show streaming and the biggest
numbers a top room produces (hundreds of thousands online, tens of millions of likes, GMV near
a million yuan), at every viewport:

- the page never scrolls sideways (wide tables scroll inside their own box);
- no KPI value is cut off: its box holds its text, and no number ends in an ellipsis;
- the header's parts do not overlap and stay on screen;
- the trend chart fits its panel.

Screenshots of the viewport go to docs/screenshots/field-control-{W}x{H}.png.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.helpers import (
    ERP_VERSION,
    VIEWPORT_IDS,
    VIEWPORTS,
    Demo,
    assert_no_sideways_scroll,
    new_context,
    open_console,
    overlaps,
    save_screenshot,
)

pytestmark = pytest.mark.browser

# Values that make the widest texts of each format (see frontend/src/lib/format.ts).
BIG_ONLINE = 876_543  # "876,543": the widest count still written out in full
BIG_LIKES = 98_765_432  # tens of millions: Chinese units
BIG_ORDER_FEN = 98_765_432  # ¥987,654.32: the widest amount still written out in full
BIG_GIFT_FEN = 99_999_999  # ¥999,999.99: rounds up to a million yuan
BIG_REFUND_FEN = 12_345_678


@pytest.fixture(scope="module")
def big_show(liveops_demo: Demo) -> dict[str, Any]:
    """The demo's show, with a burst of big numbers on top of the simulator's, and one SKU
    sold out (an alert feed on every console)."""
    deadline = time.monotonic() + 30
    while True:  # the demo starts its show a moment after the server answers
        shows = liveops_demo.call("GET", "/api/v1/shows")["items"]
        if shows and shows[0]["status"] == "live":
            break
        assert time.monotonic() < deadline, (
            f"the demo's show did not go live: {shows}\n{liveops_demo.log_tail()}"
        )
        time.sleep(0.3)
    show: dict[str, Any] = shows[0]
    lineup = liveops_demo.call("GET", f"/api/v1/shows/{show['id']}/lineup")["products"]
    assert lineup, "the demo's show has no lineup"
    sku = lineup[0]["sku"]
    tag = uuid.uuid4().hex[:8]
    order, refunded = f"rt-{tag}-1", f"rt-{tag}-2"
    liveops_demo.ingest(
        show["id"],
        {"type": "viewer.count", "online": BIG_ONLINE},
        {"type": "like", "viewer_id": f"rt-{tag}", "count": BIG_LIKES},
        {"type": "gift", "viewer_id": f"rt-{tag}", "gift": "嘉年华", "value": BIG_GIFT_FEN},
        {
            "type": "order.created",
            "order_id": order,
            "viewer_id": f"rt-{tag}",
            "sku": sku,
            "qty": 1,
            "amount": BIG_ORDER_FEN,
        },
        {"type": "order.paid", "order_id": order, "amount": BIG_ORDER_FEN},
        {
            "type": "order.created",
            "order_id": refunded,
            "viewer_id": f"rt-{tag}-b",
            "sku": sku,
            "qty": 1,
            "amount": BIG_REFUND_FEN,
        },
        {"type": "order.paid", "order_id": refunded, "amount": BIG_REFUND_FEN},
        {"type": "order.refunded", "order_id": refunded, "amount": BIG_REFUND_FEN},
    )
    sold_out = lineup[-1]["sku"]
    liveops_demo.call(
        "PUT",
        f"/api/v1/shows/{show['id']}/stock/{sold_out}",
        {"available": 0, "version": ERP_VERSION},
    )
    return show


# Every KPI value: its box must hold its text, and no number may be cut to "…".
KPI_OVERFLOWS = """() => [...document.querySelectorAll('[data-testid^="kpi-value-"]')]
  .map((el) => ({
    key: el.dataset.testid, text: el.textContent, title: el.title,
    scroll: el.scrollWidth, client: el.clientWidth,
    right: el.getBoundingClientRect().right,
    tileRight: el.closest('.kpi').getBoundingClientRect().right,
  }))
  .filter((v) => v.scroll > v.client || /…|\\.\\.\\.$/.test(v.text)
    || v.right > v.tileRight + 0.5)"""

# Labels of the tiles: the Chinese label must be readable in full.
LABEL_OVERFLOWS = """() => [...document.querySelectorAll('.kpi__label')]
  .filter((el) => el.scrollWidth > el.clientWidth)
  .map((el) => el.title + ' ' + el.scrollWidth + '>' + el.clientWidth)"""

# Parts of the header, each a box that must not overlap another or leave the screen.
HEADER_PARTS = """() => {
  const header = document.querySelector('header.topbar');
  const parts = header.querySelectorAll(
    '.brand, [data-testid="show-title"], .badge, [data-testid="stream-health"],' +
    ' [data-testid="conn-state"], [data-testid="conn-position"],' +
    ' .topbar__clock, .topbar__role, .btn');
  return [...parts].filter((el) => el.getClientRects().length > 0).map((el) => {
    const r = el.getBoundingClientRect();
    return { name: el.dataset.testid || el.className, text: el.textContent,
             left: r.left, right: r.right, top: r.top, bottom: r.bottom,
             clipped: el.scrollWidth > el.clientWidth + 1 };
  });
}"""


def _assert_fits(page: Page, width: int) -> None:
    assert_no_sideways_scroll(page, width)

    truncated = page.evaluate(KPI_OVERFLOWS)
    assert truncated == [], f"KPI values cut off at {width}px: {truncated}"
    assert page.evaluate(LABEL_OVERFLOWS) == [], f"KPI labels cut off at {width}px"

    parts = page.evaluate(HEADER_PARTS)
    names = [p["name"] for p in parts]
    for expected in ("show-title", "conn-state", "conn-position", "stream-health"):
        assert expected in names, (expected, names)
    for part in parts:
        assert part["left"] >= -0.5, f"off screen: {part}"
        assert part["right"] <= width + 0.5, f"off screen: {part}"
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            assert not overlaps(a, b), f"header parts overlap at {width}px: {a} / {b}"
    title = next(p for p in parts if p["name"] == "show-title")
    assert not title["clipped"], f"the show title is cut off at {width}px: {title}"

    chart = page.evaluate(
        """() => {
          const body = document.querySelector('[data-testid="trend-chart"] .trend__body');
          const svg = body.querySelector('svg');
          return { body: body.getBoundingClientRect().right,
                   svg: svg.getBoundingClientRect().right };
        }"""
    )
    assert chart["svg"] <= chart["body"] + 0.5, f"the chart is wider than its panel: {chart}"


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=VIEWPORT_IDS)
def test_field_control_console_fits(
    liveops_demo: Demo, chromium: Browser, big_show: dict[str, Any], width: int, height: int
) -> None:
    context = new_context(chromium, width, height, timeout_ms=20_000)
    try:
        page = open_console(context, liveops_demo, "field_control", big_show["id"])
        # The burst is in: the big numbers and the sold-out alert are on screen.
        page.wait_for_function(
            """(least) => Number(
                document.querySelector('[data-testid="kpi-value-likes"]')?.title) >= least""",
            arg=BIG_LIKES,
        )
        expect(page.get_by_test_id("kpi-value-peak_online")).to_have_attribute(
            "title", re.compile(str(BIG_ONLINE))
        )
        expect(page.get_by_test_id("alert-feed")).to_be_visible()
        expect(page.get_by_test_id("trend-chart").locator("svg")).to_be_visible()
        expect(page.get_by_test_id("product-table").locator("tbody tr").first).to_be_visible()
        expect(page.get_by_test_id("stream-health")).to_be_visible()
        # Every tile holds a number (digits), the big ones included.
        for key in ("online", "peak_online", "likes", "gmv_paid", "net_gmv", "gift_value", "gpm"):
            expect(page.get_by_test_id(f"kpi-value-{key}")).to_have_text(re.compile(r"\d"))

        _assert_fits(page, width)

        # Let a few more frames arrive (values change width as they move), then check again.
        page.wait_for_timeout(1_500)
        _assert_fits(page, width)

        save_screenshot(page, f"field-control-{width}x{height}")
    finally:
        context.close()


@pytest.mark.timeout(60)
def test_show_list_and_sign_in_fit_a_phone(
    liveops_demo: Demo, chromium: Browser, artifacts: Path
) -> None:
    context = new_context(chromium, 390, 844, timeout_ms=20_000)
    try:
        page = context.new_page()
        page.goto(f"{liveops_demo.base_url}/")
        expect(page.get_by_test_id("signin-form")).to_be_visible()
        assert_no_sideways_scroll(page, 390)
        page.screenshot(path=str(artifacts / "signin-390.png"))

        page.get_by_test_id("signin-token").fill(liveops_demo.admin_token)
        page.get_by_test_id("signin-submit").click()
        expect(page.locator("[data-testid^='show-link-']").first).to_be_visible()
        assert_no_sideways_scroll(page, 390)
        page.screenshot(path=str(artifacts / "show-list-390.png"))
    finally:
        context.close()
