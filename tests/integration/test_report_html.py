"""The HTML report (contract §13) against a real uvicorn, on every backend: a simulated show's
report is one self-contained page (nothing to fetch, no script), shows the review's figures,
keeps data as text, and is for those who may read the review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from liveops.simulate import SimulationConfig, run_simulation
from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.integration.test_runsheet_api import call, token_for

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(300)]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
HOSTILE = "<script>alert(1)</script>"


async def report(server: Server, show: str, token: str | None = None) -> tuple[str, Any]:
    answer = await call(server, "GET", f"/api/v1/shows/{show}/report.html", token)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["content-security-policy"] == CSP
    assert answer.headers["content-disposition"] == f'inline; filename="review-{show}.html"'
    return str(answer.text), answer


def yuan(fen: int) -> str:
    """Written out here rather than borrowed from the report, so that a wrong format shows."""
    sign = "−" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


class _Tags(HTMLParser):
    """Every element's name and attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_self_contained(html: str) -> None:
    """Nothing to fetch and nothing to run: no URL, no script, no external style, no
    resource but data: ones, no event handler."""
    lowered = html.lower()
    assert "http://" not in lowered
    assert "https://" not in lowered
    assert "@import" not in lowered
    assert "url(" not in lowered
    parser = _Tags()
    parser.feed(html)
    parser.close()
    names = {tag for tag, _ in parser.tags}
    assert {"html", "style", "svg", "table"} <= names
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base"}, names
    for tag, attrs in parser.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"src", "href", "xlink:href", "srcset", "action", "poster"}:
                assert (value or "").startswith("data:"), (tag, name, value)


async def test_a_simulated_shows_report_is_self_contained_and_shows_its_figures(
    server: Server,
) -> None:
    show = await create_show(server, targets={"gmv": 100_000, "uv": 1_000_000})
    config = SimulationConfig(
        url=server.url,
        show_id=show,
        duration=30,
        rate=200,
        seed=11,
        token=server.token,
        realtime=False,
        start=datetime.now(UTC) - timedelta(minutes=5),
    )
    played = await run_simulation(config, out=lambda _: None)
    assert played.accepted > 1_000

    html, _ = await report(server, show)
    assert html.startswith("<!doctype html>")
    assert_self_contained(html)
    assert "<svg" in html

    review = (await call(server, "GET", f"/api/v1/shows/{show}/review")).json()
    summary = review["summary"]
    assert summary["net_gmv"] > 0
    assert yuan(summary["net_gmv"]) in html
    assert yuan(summary["gmv_paid"]) in html
    assert f"{summary['uv']:,}" in html
    assert f"{review['events']:,}" in html
    for product in review["products"]:
        assert product["sku"] in html
    # One target met, one missed: the findings say which, with the figures.
    assert summary["gmv_paid"] >= 100_000
    assert summary["uv"] < 1_000_000
    assert "Target met" in html
    assert "Target missed" in html
    assert f"{1_000_000 - summary['uv']:,} short" in html


async def test_data_in_the_report_stays_text(server: Server) -> None:
    lineup = [
        {
            "sku": "X1",
            "name": f'<img src="x" onerror="alert(2)">围巾{HOSTILE}',
            "role": "爆款",
            "list_price": 19_900,
            "live_price": 9_900,
            "allocated_stock": 10,
        }
    ]
    show = await create_show(server, title=HOSTILE, lineup=lineup)
    ts = (datetime.now(UTC) - timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    events = [
        {"id": "j1", "type": "viewer.join", "ts": ts, "viewer_id": "v1"},
        {"id": "k1", "type": "product.click", "ts": ts, "viewer_id": "v1", "sku": "X1"},
        {"id": "c1", "type": "comment", "ts": ts, "viewer_id": "v1", "text": f"多大码{HOSTILE}"},
        {
            "id": "o1",
            "type": "order.created",
            "ts": ts,
            "viewer_id": "v1",
            "order_id": "o1",
            "sku": "X1",
            "qty": 1,
            "amount": 9_900,
        },
        {"id": "p1", "type": "order.paid", "ts": ts, "order_id": "o1", "amount": 9_900},
    ]
    posted = await call(server, "POST", f"/api/v1/shows/{show}/events", json={"events": events})
    assert posted.status_code == 200, posted.text
    assert posted.json()["accepted"] == len(events), posted.text

    html, _ = await report(server, show)
    assert_self_contained(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html.lower()
    assert "&lt;img src=&quot;x&quot;" in html
    assert yuan(9_900) in html


async def test_the_report_is_for_those_who_may_read_the_review(server: Server) -> None:
    show = await create_show(server)
    anchor = await token_for(server, show, "anchor")
    refused = await call(server, "GET", f"/api/v1/shows/{show}/report.html", anchor)
    assert refused.status_code == 403, refused.text
    field = await token_for(server, show, "field_control")
    review = await call(server, "GET", f"/api/v1/shows/{show}/review", field)
    assert review.status_code == 200, review.text
    html, _ = await report(server, show, field)  # an empty show has a report too
    assert html.startswith("<!doctype html>")
    assert "<svg" in html
    assert yuan(0) in html

    missing = await call(server, "GET", "/api/v1/shows/show_nope/report.html")
    assert missing.status_code == 404, missing.text
    assert missing.headers["content-type"].startswith("application/json")
    assert missing.json() == (await call(server, "GET", "/api/v1/shows/show_nope/review")).json()
