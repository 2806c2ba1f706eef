"""Run-sheet, prompter, actions and cues over HTTP (contract §8, §9's start gate, §10), on
SQLite, PostgreSQL and PostgreSQL + Redis, against a real uvicorn."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

LINEUP = [
    {
        "sku": "A1",
        "name": "羊绒围巾",
        "role": "爆款",
        "list_price": 19_900,
        "live_price": 9_900,
        "allocated_stock": 100,
    },
    {
        "sku": "B2",
        "name": "手套",
        "role": "福利款",
        "list_price": 5_950,
        "live_price": 990,
        "allocated_stock": 50,
    },
]
SEGMENTS = [
    {
        "id": "hook",
        "title": "15秒钩子",
        "planned_seconds": 15,
        "beat": "hook",
        "script": "{online}位家人晚上好！原价199今天99",
    },
    {
        "id": "push",
        "title": "羊绒围巾强推",
        "sku": "A1",
        "planned_seconds": 180,
        "beat": "push",
        "script": "原价{price}，直播间{live_price}，只剩{stock_left}件，已抢{sold}件，{countdown}",
        "fabe": {
            "feature": "100%羊绒",
            "advantage": "不起球",
            "benefit": "暖和",
            "evidence": "质检报告",
        },
    },
    {
        "id": "welfare",
        "title": "福利",
        "sku": "B2",
        "planned_seconds": 300,
        "beat": "welfare",
        "script": "福利价{live_price}",
    },
]
# A script that breaks advertising law (contract §9): 最好 and 第一 as absolute claims.
NON_COMPLIANT = "这是全网最好的围巾，销量第一"


async def token_for(server: Server, show: str, role: str, label: str = "") -> str:
    async with server.client() as client:
        minted = await client.post(
            "/api/v1/auth/tokens", json={"role": role, "show_id": show, "label": label or role}
        )
    assert minted.status_code == 201, minted.text
    return str(minted.json()["token"])


async def call(
    server: Server, method: str, path: str, token: str | None = None, **kwargs: Any
) -> Any:
    async with server.client(token) as client:
        return await client.request(method, path, **kwargs)


async def planned_show(server: Server, segments: list[dict[str, Any]] = SEGMENTS) -> str:
    show = await create_show(server, lineup=LINEUP)
    saved = await call(server, "PUT", f"/api/v1/shows/{show}/runsheet", json={"segments": segments})
    assert saved.status_code == 200, saved.text
    return show


async def action(server: Server, show: str, token: str | None = None, **body: Any) -> Any:
    return await call(server, "POST", f"/api/v1/shows/{show}/actions", token, json=body)


async def prompter(server: Server, show: str, token: str | None = None) -> dict[str, Any]:
    answer = await call(server, "GET", f"/api/v1/shows/{show}/prompter", token)
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    assert {"segment", "text", "next", "cues"} <= set(view)
    return view


class TestRunsheet:
    async def test_save_versions_and_read_back(self, server: Server) -> None:
        show = await create_show(server, lineup=LINEUP)
        path = f"/api/v1/shows/{show}/runsheet"
        empty = await call(server, "GET", path)
        assert empty.status_code == 200, empty.text
        assert (empty.json()["version"], empty.json()["segments"]) == (0, [])

        first = await call(server, "PUT", path, json={"segments": SEGMENTS})
        assert first.status_code == 200, first.text
        assert first.json()["version"] == 1
        assert first.json()["findings"] == []
        second = await call(server, "PUT", path, json={"segments": SEGMENTS[:2], "base_version": 1})
        assert second.status_code == 200, second.text
        assert second.json()["version"] == 2

        read = (await call(server, "GET", path)).json()
        assert read["version"] == 2
        assert read["current_segment_id"] is None
        assert [s["id"] for s in read["segments"]] == ["hook", "push"]
        push = read["segments"][1]
        assert push["fabe"]["feature"] == "100%羊绒"
        assert (push["beat"], push["sku"], push["planned_offset_seconds"]) == ("push", "A1", 15)
        assert (push["started_at"], push["ended_at"], push["actual_seconds"]) == (None, None, 0)

        stale = await call(server, "PUT", path, json={"segments": SEGMENTS, "base_version": 1})
        assert stale.status_code == 409, stale.text
        assert "version 2" in stale.json()["detail"]

    async def test_refusals(self, server: Server) -> None:
        show = await create_show(server)
        path = f"/api/v1/shows/{show}/runsheet"
        unknown = {**SEGMENTS[0], "script": "只要{prize}元"}
        answer = await call(server, "PUT", path, json={"segments": [unknown]})
        assert answer.status_code == 422, answer.text
        assert "{prize}" in answer.json()["detail"]
        lone = {**SEGMENTS[0], "script": "只要 { 元"}
        answer = await call(server, "PUT", path, json={"segments": [lone]})
        assert answer.status_code == 422
        assert "lone '{'" in answer.json()["detail"]
        twice = await call(server, "PUT", path, json={"segments": [SEGMENTS[0], SEGMENTS[0]]})
        assert twice.status_code == 409
        assert "hook" in twice.json()["detail"]
        too_long = {**SEGMENTS[0], "script": "话" * 5001}
        assert (await call(server, "PUT", path, json={"segments": [too_long]})).status_code == 422
        many = [{**SEGMENTS[0], "id": f"s{i}"} for i in range(201)]
        assert (await call(server, "PUT", path, json={"segments": many})).status_code == 422
        bad_beat = {**SEGMENTS[0], "beat": "climax"}
        assert (await call(server, "PUT", path, json={"segments": [bad_beat]})).status_code == 422
        missing = await call(
            server, "PUT", "/api/v1/shows/show_nope/runsheet", json={"segments": []}
        )
        assert missing.status_code == 404
        assert (await call(server, "GET", path)).json()["version"] == 0  # nothing was kept

    async def test_compliance_findings_on_save(self, server: Server) -> None:
        show = await create_show(server)
        bad = {**SEGMENTS[0], "script": NON_COMPLIANT}
        saved = await call(
            server, "PUT", f"/api/v1/shows/{show}/runsheet", json={"segments": [bad]}
        )
        assert saved.status_code == 200, saved.text
        findings = saved.json()["findings"]
        assert {f["term"] for f in findings} >= {"最好"}
        for finding in findings:
            assert finding["segment_id"] == "hook"
            assert finding["field"] == "script"
            assert NON_COMPLIANT[finding["start"] : finding["end"]] == finding["term"]
            assert finding["kind"]
            assert finding["reason"]
        read = await call(server, "GET", f"/api/v1/shows/{show}/runsheet")
        assert read.json()["findings"] == findings

    async def test_who_may_save_and_read(self, server: Server) -> None:
        show = await planned_show(server)
        path = f"/api/v1/shows/{show}/runsheet"
        for role, may_save in [
            ("field_control", True),
            ("assistant", False),
            ("anchor", False),
            ("integrator", False),
        ]:
            token = await token_for(server, show, role)
            saved = await call(server, "PUT", path, token, json={"segments": SEGMENTS})
            assert saved.status_code == (200 if may_save else 403), (role, saved.text)
            read = await call(server, "GET", path, token)
            assert read.status_code == (403 if role == "integrator" else 200), role


class TestPrompter:
    async def test_follows_the_segment_and_the_stock(self, server: Server) -> None:
        show = await planned_show(server)
        before = await prompter(server, show)
        assert (before["segment"], before["text"]) == (None, "")
        assert before["next"] == {"id": "hook", "title": "15秒钩子", "beat": "hook"}

        moved = await action(server, show, type="segment.goto", segment_id="push")
        assert moved.status_code == 201, moved.text
        view = await prompter(server, show)
        assert view["segment"]["id"] == "push"
        assert view["segment"]["planned_seconds"] == 180
        assert 0 <= view["segment"]["elapsed_seconds"] <= 5
        assert view["text"].startswith("原价199元，直播间99元，只剩100件，已抢0件，")
        assert view["next"] == {"id": "welfare", "title": "福利", "beat": "welfare"}
        left = next(p for p in view["parts"] if p["name"] == "stock_left")
        assert view["text"][left["start"] : left["end"]] == "100"

        stock = await call(
            server, "PUT", f"/api/v1/shows/{show}/stock/A1", json={"available": 7, "version": 2}
        )
        assert stock.status_code == 200, stock.text
        assert "只剩7件" in (await prompter(server, show))["text"]

        anchor = await token_for(server, show, "anchor")
        assert "只剩7件" in (await prompter(server, show, anchor))["text"]
        integrator = await token_for(server, show, "integrator")
        denied = await call(server, "GET", f"/api/v1/shows/{show}/prompter", integrator)
        assert denied.status_code == 403

    async def test_online_and_question_from_the_live_feed(self, server: Server) -> None:
        show = await planned_show(server)
        await action(server, show, type="segment.goto", segment_id="hook")
        from tests.timestamps import at

        events = [
            {"id": "c1", "type": "viewer.count", "ts": at(0), "online": 321},
            {"id": "c2", "type": "comment", "ts": at(0), "viewer_id": "v1", "text": "有没有XL码？"},
        ]
        posted = await call(server, "POST", f"/api/v1/shows/{show}/events", json={"events": events})
        assert posted.status_code == 200, posted.text
        for _ in range(100):  # the Redis aggregator computes metrics on its interval
            view = await prompter(server, show)
            if view["text"].startswith("321"):
                break
            await asyncio.sleep(0.05)
        assert view["text"] == "321位家人晚上好！原价199今天99"


class TestActions:
    async def test_segment_goto_records_actual_times(self, server: Server) -> None:
        show = await planned_show(server)
        first = await action(server, show, type="segment.goto", segment_id="hook")
        assert first.status_code == 201, first.text
        record = first.json()
        assert (record["type"], record["segment_id"], record["from_segment_id"]) == (
            "segment.goto",
            "hook",
            None,
        )
        assert record["by"] == {"label": "admin token", "role": "admin"}
        await asyncio.sleep(0.2)
        field = await token_for(server, show, "field_control", "场控小王")
        second = await action(server, show, field, type="segment.goto", segment_id="push")
        assert second.status_code == 201, second.text
        assert second.json()["by"] == {"label": "场控小王", "role": "field_control"}
        assert second.json()["from_segment_id"] == "hook"

        sheet = (await call(server, "GET", f"/api/v1/shows/{show}/runsheet")).json()
        assert sheet["current_segment_id"] == "push"
        hook, push, welfare = sheet["segments"]
        assert hook["started_at"]
        assert hook["ended_at"]
        assert hook["actual_seconds"] >= 0.2
        assert hook["current"] is False
        assert push["current"] is True
        assert push["started_at"] == hook["ended_at"]
        assert push["ended_at"] is None
        assert (welfare["started_at"], welfare["actual_seconds"]) == (None, 0)

        unknown = await action(server, show, type="segment.goto", segment_id="nope")
        assert unknown.status_code == 409
        assert "nope" in unknown.json()["detail"]
        # The segment on air cannot be dropped from the run-sheet.
        dropped = await call(
            server, "PUT", f"/api/v1/shows/{show}/runsheet", json={"segments": [SEGMENTS[0]]}
        )
        assert dropped.status_code == 409
        assert "push" in dropped.json()["detail"]
        # Saving again keeps the actual times of the segments it keeps.
        resaved = await call(
            server, "PUT", f"/api/v1/shows/{show}/runsheet", json={"segments": SEGMENTS[::-1]}
        )
        assert resaved.status_code == 200
        kept = {s["id"]: s for s in resaved.json()["segments"]}
        assert kept["hook"]["started_at"] == hook["started_at"]
        assert resaved.json()["current_segment_id"] == "push"

        log = (await call(server, "GET", f"/api/v1/shows/{show}/actions")).json()
        assert [a["segment_id"] for a in log["actions"]] == ["push", "hook"]  # newest first

    async def test_permissions_for_every_type(self, server: Server) -> None:
        show = await planned_show(server)
        bodies = [
            {"type": "cue", "text": "讲尺码"},
            {"type": "segment.goto", "segment_id": "hook"},
            {"type": "product.pin", "sku": "A1"},
            {"type": "price.set", "sku": "A1", "live_price": 100},
            {"type": "viewer.ban", "viewer_id": "v1", "scope": "show"},
            {"type": "nonsense"},
        ]
        for role in ("anchor", "integrator"):
            token = await token_for(server, show, role)
            for body in bodies:
                answer = await action(server, show, token, **body)
                assert answer.status_code == 403, (role, body, answer.text)
        assistant = await token_for(server, show, "assistant")
        assert (await action(server, show, assistant, **bodies[0])).status_code == 201
        assert (await action(server, show, assistant, **bodies[1])).status_code == 403
        field = await token_for(server, show, "field_control")
        for body in bodies[:2]:
            assert (await action(server, show, field, **body)).status_code == 201
        # Every type of contract §10 is performed now (test_actions_api.py has the matrix).
        assert (await action(server, show, field, **bodies[-1])).status_code == 422
        other = await create_show(server)
        assert (await action(server, other, field, **bodies[0])).status_code == 403
        long_cue = await action(server, show, type="cue", text="字" * 201)
        assert long_cue.status_code == 422

    async def test_the_log_pages_newest_first(self, server: Server) -> None:
        show = await planned_show(server)
        for i in range(5):
            assert (await action(server, show, type="cue", text=f"cue {i}")).status_code == 201
        path = f"/api/v1/shows/{show}/actions"
        page = (await call(server, "GET", path, params={"limit": 3})).json()
        assert [a["text"] for a in page["actions"]] == ["cue 4", "cue 3", "cue 2"]
        rest = (
            await call(server, "GET", path, params={"limit": 3, "before": page["next_before"]})
        ).json()
        assert [a["text"] for a in rest["actions"]] == ["cue 1", "cue 0"]
        assert rest["next_before"] is None
        anchor = await token_for(server, show, "anchor")
        assert (await call(server, "GET", path, anchor)).status_code == 403


class TestCues:
    async def test_cue_ack_and_list(self, server: Server) -> None:
        show = await planned_show(server)
        field = await token_for(server, show, "field_control", "场控")
        sent = await action(server, show, field, type="cue", text="讲一下尺码")
        assert sent.status_code == 201, sent.text
        cue_id = sent.json()["id"]
        assert sent.json()["text"] == "讲一下尺码"

        view = await prompter(server, show)
        assert [(c["id"], c["text"], c["acked_at"]) for c in view["cues"]] == [
            (cue_id, "讲一下尺码", None)
        ]

        await asyncio.sleep(0.3)
        anchor = await token_for(server, show, "anchor", "主播")
        ack_path = f"/api/v1/shows/{show}/cues/{cue_id}/ack"
        assert (await call(server, "POST", ack_path, field)).status_code == 403
        acked = await call(server, "POST", ack_path, anchor)
        assert acked.status_code == 200, acked.text
        first = acked.json()
        assert first["ack_seconds"] >= 0.3
        assert first["acked_by"] == {"label": "主播", "role": "anchor"}
        again = await call(server, "POST", ack_path)  # admin: the first acknowledgement counts
        assert again.status_code == 200
        assert (again.json()["acked_at"], again.json()["acked_by"]) == (
            first["acked_at"],
            first["acked_by"],
        )

        listed = await call(server, "GET", f"/api/v1/shows/{show}/cues", field)
        assert listed.status_code == 200
        (cue,) = listed.json()["cues"]
        assert cue["id"] == cue_id
        assert cue["ack_seconds"] == first["ack_seconds"]
        created = datetime.fromisoformat(cue["created_at"])
        acked_at = datetime.fromisoformat(cue["acked_at"])
        assert abs((acked_at - created).total_seconds() - cue["ack_seconds"]) < 0.01
        assert cue["by"] == {"label": "场控", "role": "field_control"}
        assert (await prompter(server, show))["cues"] == []

        missing = await call(server, "POST", f"/api/v1/shows/{show}/cues/999999/ack", anchor)
        assert missing.status_code == 404
        goto = await action(server, show, type="segment.goto", segment_id="hook")
        not_a_cue = await call(server, "POST", f"/api/v1/shows/{show}/cues/{goto.json()['id']}/ack")
        assert not_a_cue.status_code == 404
        other = await create_show(server)
        elsewhere = await call(server, "POST", f"/api/v1/shows/{other}/cues/{cue_id}/ack", anchor)
        assert elsewhere.status_code == 403

    async def test_a_browser_session_acts_under_its_token_s_label(self, server: Server) -> None:
        show = await planned_show(server)
        field = await token_for(server, show, "field_control", "场控小王")
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
            login = await browser.post("/api/v1/auth/login", json={"token": field})
            assert login.status_code == 200, login.text
            sent = await browser.post(
                f"/api/v1/shows/{show}/actions",
                json={"type": "cue", "text": "看评论区"},
                headers={"Origin": server.url},
            )
            assert sent.status_code == 201, sent.text
            admin_login = await browser.post("/api/v1/auth/login", json={"token": server.token})
            assert admin_login.status_code == 200
            moved = await browser.post(
                f"/api/v1/shows/{show}/actions",
                json={"type": "segment.goto", "segment_id": "hook"},
                headers={"Origin": server.url},
            )
            assert moved.status_code == 201, moved.text
        assert sent.json()["by"] == {"label": "场控小王", "role": "field_control"}
        assert moved.json()["by"] == {"label": "admin token", "role": "admin"}


class TestStartGate:
    async def test_findings_block_the_start_until_overridden(self, server: Server) -> None:
        bad = {**SEGMENTS[0], "script": NON_COMPLIANT}
        show = await planned_show(server, [bad, *SEGMENTS[1:]])
        field = await token_for(server, show, "field_control", "场控")
        start = f"/api/v1/shows/{show}/start"
        refused = await call(server, "POST", start, field)
        assert refused.status_code == 409, refused.text
        assert (await call(server, "POST", start, field, json={})).status_code == 409
        body = refused.json()
        assert body["code"] == "compliance_findings"
        assert {f["term"] for f in body["findings"]} >= {"最好"}
        assert (await call(server, "GET", f"/api/v1/shows/{show}")).json()["status"] == "scheduled"

        empty = await call(server, "POST", start, field, json={"override_reason": ""})
        assert empty.status_code == 422
        started = await call(server, "POST", start, field, json={"override_reason": "法务已确认"})
        assert started.status_code == 200, started.text
        assert started.json()["status"] == "live"

        log = (await call(server, "GET", f"/api/v1/shows/{show}/actions")).json()["actions"]
        goto, override = log
        assert override["type"] == "compliance.override"
        assert override["override_reason"] == "法务已确认"
        assert override["by"] == {"label": "场控", "role": "field_control"}
        assert override["findings_count"] == len(body["findings"])
        # The start put the first segment on air.
        assert (goto["type"], goto["segment_id"], goto["via"]) == (
            "segment.goto",
            "hook",
            "show.start",
        )
        sheet = (await call(server, "GET", f"/api/v1/shows/{show}/runsheet")).json()
        assert sheet["current_segment_id"] == "hook"
        assert sheet["segments"][0]["started_at"] is not None

    async def test_a_clean_run_sheet_starts_without_a_reason(self, server: Server) -> None:
        show = await planned_show(server)
        started = await call(server, "POST", f"/api/v1/shows/{show}/start", json={})
        assert started.status_code == 200, started.text
        again = await call(server, "POST", f"/api/v1/shows/{show}/start")
        assert again.status_code == 409
        assert again.json()["code"] == "conflict"
        log = (await call(server, "GET", f"/api/v1/shows/{show}/actions")).json()["actions"]
        assert [a["type"] for a in log] == ["segment.goto"]
        # The segment on air when the show ends stops counting at the end.
        assert (await call(server, "POST", f"/api/v1/shows/{show}/end")).status_code == 200
        path = f"/api/v1/shows/{show}/runsheet"
        ended = (await call(server, "GET", path)).json()["segments"][0]["actual_seconds"]
        await asyncio.sleep(0.3)
        assert (await call(server, "GET", path)).json()["segments"][0]["actual_seconds"] == ended
        # No run-sheet: the show starts, nothing goes on air.
        bare = await create_show(server)
        assert (await call(server, "POST", f"/api/v1/shows/{bare}/start")).status_code == 200
        assert (await prompter(server, bare))["segment"] is None
