"""The review's tables (segments, channels, audience, funnel, minutes) and their CSV exports
(contract §13) against a real uvicorn, on every backend: a small show whose figures are worked
out by hand, and a simulated show whose tables must add up to its summary."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from fastapi.encoders import jsonable_encoder

from liveops.events import parse_iso, to_micros
from liveops.report.format import money
from liveops.review import service as review_service
from liveops.review.schemas import Comparison, Review
from liveops.simulate import SimulationConfig, run_simulation
from liveops.storage.db import create_engine, create_sessionmaker
from tests.conftest import Server
from tests.integration.test_alerts_api import fire, move, new_alert
from tests.integration.test_ingest_api import create_show
from tests.integration.test_runsheet_api import action, call, planned_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(300)]

CSV_TABLES = ("minutes", "products", "segments", "channels", "comments", "alerts", "actions")
# The minute columns that add up to the summary key of the same name.
ADDITIVE = (
    "views",
    "comments",
    "likes",
    "shares",
    "new_followers",
    "gift_value",
    "product_clicks",
    "orders_created",
    "orders_paid",
    "gmv_paid",
    "orders_refunded",
    "refund_amount",
    "net_gmv",
)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def review_of(server: Server, show: str) -> dict[str, Any]:
    answer = await call(server, "GET", f"/api/v1/shows/{show}/review")
    assert answer.status_code == 200, answer.text
    review: dict[str, Any] = answer.json()
    return review


async def csv_rows(server: Server, show: str, table: str) -> tuple[list[str], list[list[str]]]:
    path = f"/api/v1/shows/{show}/export/{table}.csv"
    answer = await call(server, "GET", path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    text = answer.content.decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    # For Excel: the same file after a UTF-8 byte-order mark.
    excel = await call(server, "GET", path, params={"excel": "true"})
    assert excel.content == "\ufeff".encode() + answer.content
    return header, rows


async def post(server: Server, show: str, events: list[dict[str, Any]]) -> None:
    answer = await call(server, "POST", f"/api/v1/shows/{show}/events", json={"events": events})
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == len(events), answer.text


class TestHandMadeShow:
    """Three viewers, two segments on air (hook, then push), the third never."""

    async def test_segments_channels_audience_and_funnel(self, server: Server) -> None:
        show = await planned_show(server)
        # The start puts the first segment on air (a segment.goto); going there again
        # continues the same visit.
        assert (await call(server, "POST", f"/api/v1/shows/{show}/start")).status_code == 200
        again = await action(server, show, type="segment.goto", segment_id="hook")
        assert again.status_code == 201, again.text
        push = await action(server, show, type="segment.goto", segment_id="push")
        assert push.status_code == 201, push.text
        ended = await call(server, "POST", f"/api/v1/shows/{show}/end")
        assert ended.status_code == 200, ended.text
        log = (await call(server, "GET", f"/api/v1/shows/{show}/actions")).json()["actions"]
        gotos = [a for a in reversed(log) if a["type"] == "segment.goto"]
        assert [a["segment_id"] for a in gotos] == ["hook", "hook", "push"]
        t1, t2 = parse_iso(gotos[0]["at"]), parse_iso(push.json()["at"])
        t3 = parse_iso((await call(server, "GET", f"/api/v1/shows/{show}")).json()["ended_at"])
        assert t1 < t2 < t3
        before = t1 - timedelta(seconds=10)

        def ev(n: int, kind: str, moment: datetime, **fields: Any) -> dict[str, Any]:
            return {"id": f"e{n}", "type": kind, "ts": stamp(moment), **fields}

        v1_joined = {"channel": "recommend", "region": "浙江", "tier": "vip"}
        await post(
            server,
            show,
            [
                ev(1, "viewer.join", before, viewer_id="v1", **v1_joined),
                ev(2, "viewer.join", before, viewer_id="v2", channel="recommend"),
                ev(3, "viewer.join", before, viewer_id="v3"),
                # v1's second join names another channel: the first join decides.
                ev(4, "viewer.join", t1, viewer_id="v1", channel="search"),
                ev(5, "viewer.leave", t1 - timedelta(seconds=5), viewer_id="v3"),
                ev(6, "comment", t1, viewer_id="v1", text="好看"),
                ev(7, "product.click", t1, viewer_id="v1", sku="A1"),
                ev(8, "cart.add", t1, viewer_id="v1", sku="A1", qty=2),
                ev(9, "order.created", t1, order_id="o1", viewer_id="v1", sku="A1", qty=2,
                   amount=19_800),
                ev(10, "order.paid", t2, order_id="o1", amount=19_800),
                ev(11, "comment", t2, viewer_id="v2", text="有红色吗"),
                ev(12, "order.created", t2, order_id="o2", viewer_id="v2", sku="B2", qty=1,
                   amount=990),
                ev(13, "order.paid", t3 + timedelta(seconds=1), order_id="o2", amount=990),
                ev(14, "order.created", t2, order_id="o3", viewer_id="v3", sku="B2", qty=1,
                   amount=990),
                ev(15, "viewer.leave", t3 + timedelta(seconds=60), viewer_id="v1"),
                ev(16, "comment", t3 + timedelta(seconds=2), viewer_id="v2", text="还有吗"),
            ],
        )  # fmt: skip
        review = await review_of(server, show)

        segments = {row["id"]: row for row in review["segments"]}
        assert list(segments) == ["hook", "push", "welfare"]
        hook_row, push_row, never = segments["hook"], segments["push"], segments["welfare"]
        assert (hook_row["started_at"], hook_row["ended_at"]) == (stamp(t1), stamp(t2))
        assert (push_row["started_at"], push_row["ended_at"]) == (stamp(t2), stamp(t3))
        assert hook_row["actual_seconds"] == round((t2 - t1).total_seconds(), 1)
        assert hook_row["overrun_seconds"] == round(hook_row["actual_seconds"] - 15, 1)
        expected_hook = {"visits": 1, "gmv": 19_800, "orders_paid": 1, "units": 2, "buyers": 1}
        assert {k: hook_row[k] for k in expected_hook} == expected_hook
        assert (hook_row["comments"], hook_row["peak_online"]) == (1, 2)  # v3 left before
        assert hook_row["conversion_rate"] == 1 / 2  # v1 bought; v1 and v2 were there
        air_minutes = (to_micros(t2) - to_micros(t1)) / 60_000_000
        assert math.isclose(hook_row["gmv_per_minute"], 19_800 / air_minutes)
        expected_push = {"visits": 1, "gmv": 990, "orders_paid": 1, "units": 1, "buyers": 1}
        assert {k: push_row[k] for k in expected_push} == expected_push
        assert push_row["comments"] == 1  # the comment after the end is in no segment
        assert push_row["conversion_rate"] == 1 / 3  # v3 ordered on air, so was seen
        assert never == {
            "id": "welfare", "title": "福利", "sku": "B2", "planned_seconds": 300,
            "actual_seconds": 0.0, "overrun_seconds": 0.0, "started_at": None,
            "ended_at": None, "visits": 0, "gmv": 0, "orders_paid": 0, "units": 0,
            "buyers": 0, "comments": 0, "peak_online": 0, "gmv_per_minute": 0.0,
            "conversion_rate": 0.0,
        }  # fmt: skip

        watch = {
            "v1": (t3 + timedelta(seconds=60) - before).total_seconds(),  # left after the end
            "v2": (t3 - before).total_seconds(),  # still there: runs to the end
            "v3": 5.0,
        }
        recommend, unknown = review["channels"]
        assert recommend["channel"] == "recommend"
        assert (recommend["uv"], recommend["buyers"], recommend["gmv"]) == (2, 2, 20_790)
        assert recommend["share"] == 2 / 3
        assert recommend["conversion_rate"] == 1.0
        assert recommend["uv_value"] == 20_790 / 2
        assert math.isclose(recommend["avg_watch_seconds"], (watch["v1"] + watch["v2"]) / 2)
        assert unknown == {
            "channel": "unknown", "uv": 1, "share": 1 / 3, "avg_watch_seconds": 5.0,
            "buyers": 0, "conversion_rate": 0.0, "gmv": 0, "uv_value": 0.0,
        }  # fmt: skip
        summary = review["summary"]
        total_watch = sum(c["avg_watch_seconds"] * c["uv"] for c in review["channels"])
        assert math.isclose(total_watch, summary["avg_watch_seconds"] * summary["uv"])

        audience = review["audience"]
        assert set(audience) == {"region", "age_band", "device", "tier"}
        assert [(r["value"], r["uv"], r["gmv"]) for r in audience["tier"]] == [
            ("unknown", 2, 990),
            ("vip", 1, 19_800),
        ]
        assert [(r["value"], r["uv"]) for r in audience["device"]] == [("unknown", 3)]
        assert [r["value"] for r in audience["region"]] == ["unknown", "浙江"]

        funnel = {step["step"]: step for step in review["funnel"]}
        assert list(funnel) == ["entered", "interacted", "clicked", "carted", "ordered", "paid"]
        assert [s["viewers"] for s in review["funnel"]] == [3, 2, 1, 1, 3, 2]
        assert funnel["entered"]["label"] == "进房 entered"
        assert (funnel["entered"]["rate_from_previous"], funnel["entered"]["drop_off"]) == (1.0, 0)
        # Not clamped: three viewers ordered, only one had added to the cart.
        assert (funnel["ordered"]["rate_from_previous"], funnel["ordered"]["drop_off"]) == (3.0, -2)
        assert funnel["paid"]["rate_from_top"] == 2 / 3

        products = {row["sku"]: row for row in review["products"]}
        assert (products["A1"]["refunds"], products["A1"]["refund_amount"]) == (0, 0)

        header, rows = await csv_rows(server, show, "segments")
        assert header[:3] == ["id", "title", "sku"]
        assert [row[0] for row in rows] == ["hook", "push", "welfare"]
        header, rows = await csv_rows(server, show, "channels")
        assert [dict(zip(header, row, strict=True))["channel"] for row in rows] == [
            "recommend",
            "unknown",
        ]


class TestCsv:
    async def test_an_empty_show_has_every_header_and_unknown_tables_are_404(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        for table in CSV_TABLES:
            header, rows = await csv_rows(server, show, table)
            assert header, table
            if table != "comments":  # one row per intent, even with no comment
                assert rows == [], table
        header, _ = await csv_rows(server, show, "minutes")
        assert header[:2] == ["minute", "minute_epoch_seconds"]
        unknown = await call(server, "GET", f"/api/v1/shows/{show}/export/orders.csv")
        assert unknown.status_code == 404
        assert all(table in unknown.json()["detail"] for table in CSV_TABLES)
        missing = await call(server, "GET", "/api/v1/shows/nope/export/minutes.csv")
        assert missing.status_code == 404

    async def test_a_cell_that_looks_like_a_formula_is_neutralised(self, server: Server) -> None:
        show = await planned_show(
            server,
            [{"id": "s1", "title": '=HYPERLINK("x")', "planned_seconds": 60, "script": "开场"}],
        )
        header, rows = await csv_rows(server, show, "segments")
        row = dict(zip(header, rows[0], strict=True))
        assert row["title"] == '\'=HYPERLINK("x")'


async def test_the_response_models_keep_every_key_and_value(server: Server) -> None:
    """The review and the comparison as the service builds them, validated through the
    response models, come out exactly as they went in (no key renamed, dropped or added)."""
    show = await create_show(server)
    config = SimulationConfig(
        url=server.url,
        show_id=show,
        duration=10,
        rate=100,
        seed=3,
        token=server.token,
        realtime=False,
        start=datetime.now(UTC) - timedelta(minutes=5),
    )
    await run_simulation(config, out=lambda _: None)
    engine = create_engine(server.settings)
    try:
        sessions = create_sessionmaker(engine)
        alert = await fire(sessions, show, new_alert("low_stock", subject="A1", ago=5))
        await move(server, show, alert.id, "ack")
        async with sessions() as session:
            built = await review_service.review(session, show)
            compared = {"shows": await review_service.compare(session, [show, show])}
    finally:
        await engine.dispose()
    assert built["alerts"]["items"]
    assert built["actions"]
    assert built["segments"]
    as_json = jsonable_encoder(built)  # what the route answered before it had a model
    assert Review.model_validate(built).model_dump(mode="json") == as_json
    assert Comparison.model_validate(compared).model_dump(mode="json") == jsonable_encoder(compared)
    answered = await review_of(server, show)
    assert set(answered) == set(as_json)
    assert answered["summary"] == as_json["summary"]
    schema = (await call(server, "GET", "/openapi.json")).json()["components"]["schemas"]
    assert set(schema["Review"]["properties"]) == set(as_json)


@pytest.mark.slow
async def test_a_simulated_show_s_tables_add_up_and_a_late_refund_shows(server: Server) -> None:
    show = await create_show(server)
    config = SimulationConfig(
        url=server.url,
        show_id=show,
        duration=20,
        rate=300,
        seed=11,
        token=server.token,
        realtime=False,
        start=datetime.now(UTC) - timedelta(minutes=5),
    )
    report = await run_simulation(config, out=lambda _: None)
    assert report.accepted > 1_000
    review = await review_of(server, show)
    summary = review["summary"]
    assert review["series"] == review["minutes"]

    header, rows = await csv_rows(server, show, "minutes")
    minutes = [dict(zip(header, row, strict=True)) for row in rows]
    assert len(minutes) == len(review["minutes"])
    for key in ADDITIVE:
        assert sum(int(m[key]) for m in minutes) == summary[key], key
    first = review["minutes"][0]
    assert int(minutes[0]["minute_epoch_seconds"]) == first["minute"]
    assert parse_iso(minutes[0]["minute"]) == datetime.fromtimestamp(first["minute"], UTC)

    channels = review["channels"]
    assert sum(c["uv"] for c in channels) == summary["uv"]
    assert sum(c["gmv"] for c in channels) == summary["gmv_paid"]
    assert sum(c["buyers"] for c in channels) == summary["buyers"]
    watch = sum(c["avg_watch_seconds"] * c["uv"] for c in channels)
    assert math.isclose(watch, summary["avg_watch_seconds"] * summary["uv"], rel_tol=1e-9)
    assert [c["uv"] for c in channels] == sorted((c["uv"] for c in channels), reverse=True)
    for rows_of_field in review["audience"].values():
        assert sum(r["uv"] for r in rows_of_field) == summary["uv"]

    funnel = {step["step"]: step["viewers"] for step in review["funnel"]}
    assert (funnel["entered"], funnel["paid"]) == (summary["uv"], summary["buyers"])
    assert funnel["clicked"] == summary["click_viewers"]

    sections = {"alerts": review["alerts"]["items"]}
    for table in CSV_TABLES:
        header, rows = await csv_rows(server, show, table)
        assert header, table
        assert len(rows) == len(sections.get(table, review[table])), table

    # A refund a day after the show ended, of a paid order with no refund yet.
    refunded_skus = {p["sku"]: p["refunds"] for p in review["products"]}
    paid_row = next(p for p in review["products"] if p["paid_orders"] > p["refunds"])
    order = await unrefunded_paid_order(server, show, paid_row["sku"])
    ended = parse_iso(review["show"]["ended_at"])
    late = {
        "id": "late-refund",
        "type": "order.refunded",
        "ts": stamp(ended + timedelta(days=1)),
        "order_id": order,
        "amount": 1,
    }
    report_path = f"/api/v1/shows/{show}/report.html"
    report_before = (await call(server, "GET", report_path)).text
    await post(server, show, [late])
    after = await review_of(server, show)
    assert after["summary"]["net_gmv"] == summary["net_gmv"] - 1
    row = next(p for p in after["products"] if p["sku"] == paid_row["sku"])
    assert row["refunds"] == refunded_skus[paid_row["sku"]] + 1
    assert row["refund_amount"] == paid_row["refund_amount"] + 1
    assert review["last_event_at"] is not None
    assert parse_iso(after["last_event_at"]) > parse_iso(review["last_event_at"])
    assert after["minutes"][-1]["net_gmv"] == -1  # the refund's own minute, a day later
    # The report reads the same review: its net GMV is the new one.
    report_after = (await call(server, "GET", report_path)).text
    assert money(after["summary"]["net_gmv"]) in report_after
    assert money(after["summary"]["net_gmv"]) not in report_before


async def unrefunded_paid_order(server: Server, show: str, sku: str) -> str:
    """A paid order of `sku` with no refund, read from the NDJSON export."""
    answer = await call(server, "GET", f"/api/v1/shows/{show}/export/events.ndjson")
    assert answer.status_code == 200, answer.text
    lines = [orjson.loads(line) for line in answer.content.splitlines()]
    created = {e["order_id"] for e in lines if e["type"] == "order.created" and e["sku"] == sku}
    paid = {e["order_id"] for e in lines if e["type"] == "order.paid"}
    refunded = {e["order_id"] for e in lines if e["type"] == "order.refunded"}
    return str(sorted((created & paid) - refunded)[0])
