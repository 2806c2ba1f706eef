"""The HTML report (docs/report.md) in Chromium: a show played in real time by the simulator
(so that its actions, dated by the server's clock, fall on the minutes of its events), then
its report opened at a laptop's and a phone's width. The page asks for nothing but itself,
breaks no rule of its own Content-Security-Policy, fits the screen, and is photographed, whole,
for docs/screenshots/report-1280.png and report-390.png."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request
from tests.browser.helpers import (
    SCREENSHOTS,
    Liveops,
    assert_no_sideways_scroll,
    new_context,
    run_liveops,
)

from liveops.cli import demo_show_body
from liveops.simulate import DEMO_LINEUP

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# Long enough for every segment of the run-sheet, the flash sale and the lucky bag to happen
# across a few minutes; short enough to play in real time.
SHOW_SECONDS = 200
EVENTS_PER_SECOND = 40
MAX_FULL_PAGE_BYTES = 2_500_000
LIVEOPS = str(Path(sys.executable).with_name("liveops"))


@dataclass
class PlayedShow:
    live: Liveops
    show_id: str

    @property
    def report_url(self) -> str:
        return f"{self.live.base_url}/api/v1/shows/{self.show_id}/report.html"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlayedShow]:
    """`liveops serve` with one ended show, played by `liveops simulate` in real time."""
    with run_liveops(Liveops, "serve", tmp_path_factory.mktemp("liveops-report")) as live:
        body = demo_show_body(DEMO_LINEUP) | {
            "anchors": ["小林", "阿杰"],
            "planned_start_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "planned_minutes": SHOW_SECONDS // 60,
        }
        show_id = str(live.call("POST", "/api/v1/shows", body)["id"])
        subprocess.run(
            [
                LIVEOPS,
                "simulate",
                "--url",
                live.base_url,
                "--show",
                show_id,
                "--duration",
                str(SHOW_SECONDS),
                "--rate",
                str(EVENTS_PER_SECOND),
                "--seed",
                "3",
                "--token",
                live.admin_token,
            ],
            check=True,
            timeout=SHOW_SECONDS * 3,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        assert live.call("GET", f"/api/v1/shows/{show_id}")["status"] == "ended"
        yield PlayedShow(live, show_id)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_report_opens_offline_fits_and_is_photographed(
    played: PlayedShow, chromium: Browser, width: int
) -> None:
    context = new_context(chromium, width=width, height=900)
    context.set_extra_http_headers({"Authorization": f"Bearer {played.live.admin_token}"})
    requests: list[str] = []
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            problems.append(message.text)

    def on_request(request: Request) -> None:
        requests.append(request.url)

    try:
        page = context.new_page()
        page.on("request", on_request)
        page.on("console", on_console)
        answer = page.goto(played.report_url)
        assert answer is not None
        assert answer.status == 200
        page.wait_for_load_state("load")

        # Nothing fetched but the page itself, nothing the page's policy had to refuse.
        assert requests == [played.report_url]
        assert problems == []

        review = played.live.call("GET", f"/api/v1/shows/{played.show_id}/review")
        assert page.title().endswith(review["show"]["title"])
        assert page.locator("section#findings li").count() >= 2
        assert page.locator("svg").count() >= 4
        # Every product of the lineup has a row in the products table.
        rows = page.locator("section#products tbody tr")
        assert rows.count() == len(review["products"])
        assert_no_sideways_scroll(page, width)

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"report-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size < MAX_FULL_PAGE_BYTES, shot.stat().st_size
    finally:
        context.close()
