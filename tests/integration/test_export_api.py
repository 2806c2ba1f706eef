"""The NDJSON export (contract §13) against a real uvicorn, on every backend: every stored
event once, exactly as accepted, comments with their intent and moderation's mark; posted to a
new show, the lines give it the same review summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from liveops.comments.intents import INTENTS
from liveops.simulate import SimulationConfig, run_simulation
from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.integration.test_runsheet_api import action, call, token_for
from tests.integration.test_simulated_show import assert_same_metrics

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(300)]


async def export(server: Server, show: str, token: str | None = None) -> list[dict[str, Any]]:
    answer = await call(server, "GET", f"/api/v1/shows/{show}/export/events.ndjson", token)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    body: bytes = answer.content
    assert body == b"" or body.endswith(b"\n")  # whole lines only
    return [orjson.loads(line) for line in body.splitlines()]


async def test_an_exported_show_posted_to_a_new_show_gives_the_same_review(
    server: Server,
) -> None:
    show = await create_show(server)
    config = SimulationConfig(
        url=server.url,
        show_id=show,
        duration=20,
        rate=300,
        seed=5,
        token=server.token,
        realtime=False,
        start=datetime.now(UTC) - timedelta(minutes=5),
        end_show=False,  # an ended show's open watch intervals run to its end, not the replica's
    )
    report = await run_simulation(config, out=lambda _: None)
    assert report.accepted > 1_000

    lines = await export(server, show)
    first_comment = next(line for line in lines if line["type"] == "comment")
    field = await token_for(server, show, "field_control")
    hidden = await action(server, show, field, type="comment.hide", event_id=first_comment["id"])
    assert hidden.status_code == 201, hidden.text
    lines = await export(server, show)

    # Every stored event once (rejected items are not stored), in storage order.
    review = (await call(server, "GET", f"/api/v1/shows/{show}/review")).json()
    assert len(lines) == review["events"] == report.accepted
    assert len({line["id"] for line in lines}) == len(lines)
    comments = [line for line in lines if line["type"] == "comment"]
    assert comments
    assert all(c["intent"] in INTENTS for c in comments)
    assert [c["id"] for c in comments if c.get("hidden")] == [first_comment["id"]]

    replica = await create_show(server)
    for start in range(0, len(lines), 1_000):
        batch = lines[start : start + 1_000]
        posted = await call(
            server, "POST", f"/api/v1/shows/{replica}/events", json={"events": batch}
        )
        assert posted.status_code == 200, posted.text
        assert posted.json()["accepted"] == len(batch), posted.text
    copy = (await call(server, "GET", f"/api/v1/shows/{replica}/review")).json()
    assert_same_metrics(copy["summary"], review["summary"], "replica's review")
    assert copy["products"] == review["products"]
    assert copy["series"] == review["series"]
    # Table by table, what the events alone decide (segments come from the run-sheet and the
    # operators' moves, which an export of events does not carry).
    for table in ("minutes", "channels", "audience", "funnel", "concentration"):
        assert copy[table] == review[table], table
    per_intent = {row["intent"]: row["count"] for row in review["comments"]}
    assert {row["intent"]: row["count"] for row in copy["comments"]} == per_intent


async def test_the_export_is_for_those_who_may_read_the_review(server: Server) -> None:
    show = await create_show(server)
    anchor = await token_for(server, show, "anchor")
    refused = await call(server, "GET", f"/api/v1/shows/{show}/export/events.ndjson", anchor)
    assert refused.status_code == 403, refused.text
    missing = await call(server, "GET", "/api/v1/shows/show_nope/export/events.ndjson")
    assert missing.status_code == 404, missing.text
    assert await export(server, show) == []  # nothing stored: an empty export

    # Exactly as accepted: the producer's own fields kept, a rejected item left out, and a
    # comment's intent added.
    ts = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    like = {"id": "e1", "type": "like", "ts": ts, "viewer_id": "v1", "count": 3, "note": "外场"}
    said = {"id": "e2", "type": "comment", "ts": ts, "viewer_id": "v2", "text": "多大码"}
    broken = {"id": "e3", "type": "like", "ts": ts, "count": "many"}
    posted = await call(
        server, "POST", f"/api/v1/shows/{show}/events", json={"events": [like, said, broken]}
    )
    assert posted.json()["accepted"] == 2, posted.text
    assert await export(server, show) == [like, {**said, "intent": "question_size"}]


async def test_compare_answers_the_summaries_side_by_side(server: Server) -> None:
    ts = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    shows = [await create_show(server) for _ in range(2)]
    for n, show in enumerate(shows, start=1):
        joins = [
            {"id": f"j{i}", "type": "viewer.join", "ts": ts, "viewer_id": f"v{i}"}
            for i in range(n * 3)
        ]
        posted = await call(server, "POST", f"/api/v1/shows/{show}/events", json={"events": joins})
        assert posted.status_code == 200, posted.text
    answer = await call(server, "GET", f"/api/v1/reviews/compare?shows={shows[1]},{shows[0]}")
    assert answer.status_code == 200, answer.text
    compared = answer.json()["shows"]
    assert [c["show"]["id"] for c in compared] == [shows[1], shows[0]]  # in the order asked
    assert [c["summary"]["uv"] for c in compared] == [6, 3]
    for show, row in zip(reversed(shows), compared, strict=True):
        review = (await call(server, "GET", f"/api/v1/shows/{show}/review")).json()
        assert row["summary"] == review["summary"]
        assert review["minutes"] == review["series"]

    # A show-scoped token compares only its own show; an unknown show is a 404; a malformed
    # list a 422.
    field = await token_for(server, shows[0], "field_control")
    path = "/api/v1/reviews/compare?shows="
    assert (await call(server, "GET", path + shows[0], field)).status_code == 200
    assert (await call(server, "GET", path + ",".join(shows), field)).status_code == 403
    assert (await call(server, "GET", path + "show_nope")).status_code == 404
    assert (await call(server, "GET", path + f"{shows[0]},,{shows[1]}")).status_code == 422
    assert (await call(server, "GET", path + ",".join(["x"] * 21))).status_code == 422
