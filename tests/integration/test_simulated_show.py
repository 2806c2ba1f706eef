"""Issue #2's acceptance: a simulated show's review and live snapshot equal the simulator's
own recount, on the embedded default and on PostgreSQL; replaying it changes nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from liveops.config import Settings
from liveops.metrics.formulas import METRIC_KEYS
from liveops.simulate import DEMO_LINEUP, SimulationConfig, plan_runsheet, run_simulation
from liveops.simulate.control import ANCHOR_LABEL, FIELD_CONTROL_LABEL
from tests.conftest import Server, running_server
from tests.integration.test_ingest_api import create_show

pytestmark = pytest.mark.anyio
LIVEOPS = str(Path(sys.executable).with_name("liveops"))


def assert_same_metrics(got: dict[str, Any], expected: dict[str, Any], what: str) -> None:
    assert set(got) >= set(METRIC_KEYS), what
    mismatched = {
        key: (got[key], expected[key])
        for key in METRIC_KEYS
        if not math.isclose(got[key], expected[key], rel_tol=1e-9, abs_tol=1e-12)
    }
    assert not mismatched, f"{what}: {mismatched}"


async def review_summary(server: Server, show: str) -> dict[str, Any]:
    async with server.client() as client:
        response = await client.get(f"/api/v1/shows/{show}/review")
    assert response.status_code == 200
    return dict(response.json()["summary"])


async def live_metrics(server: Server, show: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with connect(
        f"{server.ws_url}/api/v1/shows/{show}/live", additional_headers=headers, max_size=None
    ) as ws:
        snapshot = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert snapshot["type"] == "snapshot"
    return dict(snapshot["metrics"])


async def play_with_the_cli(server: Server) -> tuple[str, dict[str, Any]]:
    show = await create_show(server)
    process = await asyncio.create_subprocess_exec(
        LIVEOPS,
        "simulate",
        "--url",
        server.url,
        "--show",
        show,
        "--seed",
        "7",
        "--duration",
        "60",
        "--rate",
        "500",
        "--token",
        server.token,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 240)
    assert process.returncode == 0, stderr.decode()
    last_line = stdout.decode().strip().splitlines()[-1]
    return show, dict(json.loads(last_line))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(400)
async def test_a_real_time_simulated_show_reviews_to_the_simulators_totals(
    tmp_path: Path, pg_database: str
) -> None:
    """`liveops simulate --seed 7 --duration 60 --rate 500` against fresh servers, one on the
    embedded default and one on PostgreSQL, played at the same time."""
    embedded = Settings(data_dir=tmp_path / "embedded")
    postgres = Settings(data_dir=tmp_path / "pg", database_url=pg_database)
    async with running_server(embedded) as a, running_server(postgres) as b:
        (show_a, totals_a), (show_b, totals_b) = await asyncio.gather(
            play_with_the_cli(a), play_with_the_cli(b)
        )
        assert totals_a == totals_b  # the same seeded show
        assert totals_a["uv"] > 1000
        assert totals_a["refund_amount"] > 0
        for server, show in ((a, show_a), (b, show_b)):
            assert_same_metrics(await review_summary(server, show), totals_a, "review")
            assert_same_metrics(await live_metrics(server, show), totals_a, "live snapshot")


@pytest.mark.timeout(300)
async def test_replaying_every_batch_leaves_the_review_unchanged(server: Server) -> None:
    show = await create_show(server)
    config = SimulationConfig(
        url=server.url,
        show_id=show,
        duration=20,
        rate=400,
        seed=3,
        token=server.token,
        realtime=False,
        start=datetime.now(UTC) - timedelta(minutes=5),
    )
    first = await run_simulation(config, out=lambda _: None)
    assert first.accepted == first.unique_events
    assert first.rejected == first.malformed_sent > 0
    before = await review_summary(server, show)
    assert_same_metrics(before, first.totals, "review")

    replay = await run_simulation(dataclasses.replace(config, end_show=False), out=lambda _: None)
    assert replay.accepted == 0
    assert replay.duplicates == replay.events_sent - replay.malformed_sent
    assert replay.rejected == replay.malformed_sent
    assert await review_summary(server, show) == before
    assert_same_metrics(await live_metrics(server, show), first.totals, "live snapshot")


@pytest.mark.timeout(120)
async def test_a_short_show_plays_on_air_by_its_run_sheet(tmp_path: Path) -> None:
    """A few seconds of show on the embedded database: the run-sheet saved before the start
    without findings, every segment on air in turn, cues acknowledged by the simulated anchor,
    the audit log, and the anchor's transcript stored."""
    settings = Settings(data_dir=tmp_path, metrics_interval_seconds=0.05)
    async with running_server(settings) as server:
        show = await create_show(server, lineup=[p.as_json() for p in DEMO_LINEUP])
        config = SimulationConfig(
            url=server.url, show_id=show, duration=6, rate=80, seed=4, token=server.token
        )
        report = await run_simulation(config, out=lambda _: None)
        played = report.on_air
        assert played is not None
        assert played.problems == []
        # The start would be blocked by findings: the shipped rules must find none.
        assert played.findings == [], played.findings
        assert played.tokens_minted == ["field_control", "anchor"]
        segments = plan_runsheet(6).segments
        assert played.segment_moves == len(segments) - 1  # the start put the first on air
        assert played.cues_sent >= 3
        assert played.cues_acked == played.cues_sent
        assert played.pins == sum(s.product is not None for s in segments)
        assert played.lucky_bags_drawn == sum(s.beat == "welfare" for s in segments) >= 1

        async with server.client() as client:
            sheet = (await client.get(f"/api/v1/shows/{show}/runsheet")).json()
            cues = (await client.get(f"/api/v1/shows/{show}/cues")).json()["cues"]
            actions = (await client.get(f"/api/v1/shows/{show}/actions")).json()["actions"]
            review = (await client.get(f"/api/v1/shows/{show}/review")).json()["summary"]

        assert sheet["version"] == 1
        assert sheet["findings"] == []
        assert [s["id"] for s in sheet["segments"]] == [s.id for s in segments]
        assert sheet["current_segment_id"] == "closing"  # on air when the show ended
        starts = [s["started_at"] for s in sheet["segments"]]
        assert None not in starts
        assert starts == sorted(starts)
        for row in sheet["segments"]:
            assert row["actual_seconds"] > 0, row
            assert (row["ended_at"] is None) == (row["id"] == "closing"), row
            assert row["script"]
            assert row["planned_seconds"] >= 1
        assert all(row["fabe"] for row in sheet["segments"] if row["sku"])

        assert len(cues) == played.cues_sent
        for cue in cues:
            assert cue["ack_seconds"] is not None, cue
            assert cue["ack_seconds"] > 0, cue
            assert cue["by"] == {"label": FIELD_CONTROL_LABEL, "role": "field_control"}
            assert cue["acked_by"] == {"label": ANCHOR_LABEL, "role": "anchor"}

        gotos = [a for a in actions if a["type"] == "segment.goto"]
        assert len(gotos) == len(segments)
        assert [a["segment_id"] for a in reversed(gotos)] == [s.id for s in segments]
        assert [a.get("via") for a in gotos].count("show.start") == 1
        assert len([a for a in actions if a["type"] == "cue"]) == played.cues_sent

        # The transcript lines are kept and change no metric.
        with sqlite3.connect(tmp_path / "liveops.db") as db:
            rows = db.execute(
                "SELECT payload FROM event WHERE show_id = ? AND type = 'transcript'", (show,)
            ).fetchall()
        assert len(rows) == report.transcript_lines > 0
        assert all(json.loads(payload)["text"] for (payload,) in rows)
        assert_same_metrics(review, report.totals, "review")
