"""Persisted alerts and their API (contract §12), on SQLite, PostgreSQL and PostgreSQL + Redis,
against a real uvicorn: the live side's calls (fire, resolve_auto, open_alerts) through a
session on the server's database, listing and paging, acknowledging and resolving (idempotent,
timed, audited), who may do what, the show's rules, and the review's `alerts` section."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liveops.alerts import service
from liveops.alerts.rules import DEFAULTS
from liveops.alerts.schemas import AlertRead
from liveops.auth.principal import Principal, Role
from liveops.errors import NotFound
from liveops.live.changes import AlertChanged, staged
from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work
from tests.conftest import Server
from tests.integration.test_ingest_api import create_show
from tests.integration.test_runsheet_api import call, token_for

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

Sessions = async_sessionmaker[AsyncSession]
SHOW_ROLES = ("field_control", "assistant", "anchor", "integrator")


@pytest.fixture
async def sessions(server: Server) -> AsyncIterator[Sessions]:
    """Sessions on the server's own database, as the live side has them."""
    engine = create_engine(server.settings)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


def new_alert(
    show_rule: str = "low_stock", *, subject: str = "", ago: float = 10.0, **extra: Any
) -> service.NewAlert:
    rule = DEFAULTS[show_rule]
    return service.NewAlert(
        id=service.new_alert_id(),
        rule=show_rule,
        severity=rule.severity,
        roles=list(rule.roles),
        message=f"{show_rule} {subject}".strip(),
        fired_at=datetime.now(UTC) - timedelta(seconds=ago),
        subject=subject,
        **extra,
    )


async def fire(sessions: Sessions, show: str, alert: service.NewAlert) -> AlertRead:
    async with unit_of_work(sessions) as session:
        return await service.fire(session, show, alert)


async def alerts(server: Server, show: str, token: str | None = None, **params: Any) -> Any:
    answer = await call(server, "GET", f"/api/v1/shows/{show}/alerts", token, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def move(
    server: Server, show: str, alert_id: str, verb: str, token: str | None = None
) -> Any:
    return await call(server, "POST", f"/api/v1/shows/{show}/alerts/{alert_id}/{verb}", token)


class TestTheLiveSide:
    async def test_one_open_alert_per_rule_and_subject(
        self, server: Server, sessions: Sessions
    ) -> None:
        show = await create_show(server)
        first = await fire(sessions, show, new_alert(subject="A1", sku="A1", value=0.05))
        assert (first.state, first.sku, first.value, first.subject) == ("firing", "A1", 0.05, "A1")
        assert first.threshold is None
        assert first.acked_by is None
        assert first.ack_seconds is None
        # The same condition again, under a new id: the open one answers, unchanged.
        again = await fire(sessions, show, new_alert(subject="A1", value=0.01))
        assert again == first
        # The same id again (a retry): the same.
        retry = service.NewAlert(**{**_fields(new_alert(subject="B2")), "id": first.id})
        assert await fire(sessions, show, retry) == first
        other = await fire(sessions, show, new_alert(subject="B2", ago=5))
        assert other.id != first.id
        async with sessions() as session:
            opened = await service.open_alerts(session, show)
        assert [a.id for a in opened] == [first.id, other.id]  # oldest first

        now = datetime.now(UTC)
        async with unit_of_work(sessions) as session:
            resolved = await service.resolve_auto(session, show, first.id, now)
            assert resolved is not None
            assert (resolved.state, resolved.resolved_by) == ("resolved", None)
            assert resolved.resolve_seconds is not None
            assert resolved.resolve_seconds >= 10
            assert await service.resolve_auto(session, show, first.id, now) is None
            assert await service.resolve_auto(session, show, "al_0000000000000000", now) is None
            assert await service.resolve_auto(session, "show_other", other.id, now) is None
        async with sessions() as session:
            assert [a.id for a in await service.open_alerts(session, show)] == [other.id]
        # Resolved, the condition may fire again: a new alert.
        refired = await fire(sessions, show, new_alert(subject="A1", ago=0))
        assert refired.id not in (first.id, other.id)

        with pytest.raises(NotFound):
            await fire(sessions, "show_nope", new_alert())
        with pytest.raises(ValueError, match="no alert rule"):
            await fire(sessions, show, service.NewAlert(**{**_fields(new_alert()), "rule": "x"}))

    async def test_two_fires_at_once_keep_one_alert(
        self, server: Server, sessions: Sessions
    ) -> None:
        show = await create_show(server)

        async def slow_fire() -> AlertRead:
            async with unit_of_work(sessions) as session:
                alert = await service.fire(session, show, new_alert("sold_out", subject="A1"))
                await asyncio.sleep(0.3)  # still uncommitted while the other one fires
                return alert

        async def late_fire() -> AlertRead:
            await asyncio.sleep(0.1)
            return await fire(sessions, show, new_alert("sold_out", subject="A1"))

        first, second = await asyncio.gather(slow_fire(), late_fire())
        assert first.id == second.id
        assert len((await alerts(server, show))["alerts"]) == 1

    async def test_operators_moves_are_staged_for_the_live_side(
        self, server: Server, sessions: Sessions
    ) -> None:
        show = await create_show(server)
        fired = await fire(sessions, show, new_alert())
        admin = Principal(Role.ADMIN, None)
        async with unit_of_work(sessions) as session:
            acked = await service.ack(session, show, fired.id, admin, datetime.now(UTC))
            changes = staged(session)
        # Only the alert: an `action` publication would reach every console, the anchor's too.
        assert changes == [AlertChanged(show, acked.model_dump(mode="json"))]
        async with unit_of_work(sessions) as session:
            await service.ack(session, show, fired.id, admin, datetime.now(UTC))
            assert staged(session) == []  # nothing changed, nothing to tell


def _fields(alert: service.NewAlert) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in service.NewAlert.__dataclass_fields__}


class TestListing:
    async def test_newest_first_paged_and_filtered(
        self, server: Server, sessions: Sessions
    ) -> None:
        show, elsewhere = await create_show(server), await create_show(server)
        fired = [
            await fire(sessions, show, new_alert(subject=f"S{i}", ago=50 - 10 * i))
            for i in range(5)
        ]
        sold_out = await fire(sessions, show, new_alert("sold_out", subject="S0", ago=1))
        stranger = await fire(sessions, elsewhere, new_alert(subject="S0"))
        async with unit_of_work(sessions) as session:
            await service.resolve_auto(session, show, fired[0].id, datetime.now(UTC))

        listed = await alerts(server, show)
        assert [a["id"] for a in listed["alerts"]] == [sold_out.id] + [
            a.id for a in reversed(fired)
        ]
        assert listed["next_before"] is None
        assert stranger.id not in {a["id"] for a in listed["alerts"]}
        one = listed["alerts"][0]
        assert set(one) == {
            "id", "rule", "subject", "severity", "state", "roles", "message", "value",
            "threshold", "sku", "fired_at", "acked_at", "resolved_at", "acked_by",
            "resolved_by", "ack_seconds", "resolve_seconds", "detail",
        }  # fmt: skip
        assert one["fired_at"].endswith("Z")

        pages: list[str] = []
        before = None
        while True:
            params = {"limit": 2, **({"before": before} if before else {})}
            page = await alerts(server, show, **params)
            pages += [a["id"] for a in page["alerts"]]
            before = page["next_before"]
            if before is None:
                break
        assert pages == [a["id"] for a in listed["alerts"]]

        by = {a["id"] for a in (await alerts(server, show, state="resolved"))["alerts"]}
        assert by == {fired[0].id}
        opened = (await alerts(server, show, state="open"))["alerts"]
        assert len(opened) == 5
        assert fired[0].id not in {a["id"] for a in opened}
        assert len((await alerts(server, show, state="acknowledged"))["alerts"]) == 0
        rule = (await alerts(server, show, rule="sold_out"))["alerts"]
        assert [a["id"] for a in rule] == [sold_out.id]
        both = await alerts(server, show, rule="low_stock", state="firing", limit=3)
        assert [a["id"] for a in both["alerts"]] == [a.id for a in reversed(fired)][:3]
        assert both["next_before"] == fired[2].id

    async def test_refusals(self, server: Server, sessions: Sessions) -> None:
        show, elsewhere = await create_show(server), await create_show(server)
        stranger = await fire(sessions, elsewhere, new_alert())
        path = f"/api/v1/shows/{show}/alerts"
        for params, status, said in [
            ({"before": stranger.id}, 404, "has no alert"),
            ({"before": "al_1"}, 422, "before"),
            ({"rule": "nope"}, 422, "rule"),
            ({"state": "closed"}, 422, "state"),
            ({"limit": 0}, 422, "limit"),
            ({"limit": 501}, 422, "limit"),
        ]:
            answer = await call(server, "GET", path, params=params)
            assert answer.status_code == status, (params, answer.text)
            assert said in answer.json()["detail"]
        missing = await call(server, "GET", "/api/v1/shows/show_nope/alerts")
        assert missing.status_code == 404
        for verb in ("ack", "resolve"):
            other = await move(server, show, stranger.id, verb)
            assert other.status_code == 404, other.text
            assert "has no alert" in other.json()["detail"]
            assert (await move(server, show, "al_nope", verb)).status_code == 422
            assert (await move(server, "show_nope", stranger.id, verb)).status_code == 404
        answer = await call(server, "GET", f"/api/v1/shows/{elsewhere}/alerts")
        assert answer.json()["alerts"][0]["state"] == "firing"  # untouched


class TestAckAndResolve:
    async def test_the_first_counts_and_times_are_kept(
        self, server: Server, sessions: Sessions
    ) -> None:
        show = await create_show(server)
        field = await token_for(server, show, "field_control", "场控小王")
        helper = await token_for(server, show, "assistant", "助播小李")
        fired = await fire(sessions, show, new_alert(subject="A1", ago=10))

        acked = await move(server, show, fired.id, "ack", field)
        assert acked.status_code == 200, acked.text
        body = acked.json()
        assert body["state"] == "acknowledged"
        assert body["acked_by"] == {"label": "场控小王", "role": "field_control"}
        assert 9.5 <= body["ack_seconds"] <= 60
        assert body["acked_at"].endswith("Z")
        assert (body["resolved_at"], body["resolved_by"], body["resolve_seconds"]) == (
            None,
            None,
            None,
        )
        again = (await move(server, show, fired.id, "ack", helper)).json()
        assert again == body  # the first acknowledgement counts

        resolved = (await move(server, show, fired.id, "resolve", helper)).json()
        assert resolved["state"] == "resolved"
        assert resolved["resolved_by"] == {"label": "助播小李", "role": "assistant"}
        assert resolved["resolve_seconds"] >= resolved["ack_seconds"]
        assert (resolved["acked_at"], resolved["acked_by"]) == (body["acked_at"], body["acked_by"])
        assert (await move(server, show, fired.id, "resolve")).json() == resolved
        assert (await move(server, show, fired.id, "ack")).json() == resolved

        # Resolved without an acknowledgement, then acknowledged: it stays resolved.
        second = await fire(sessions, show, new_alert("sold_out", subject="A1"))
        direct = (await move(server, show, second.id, "resolve", field)).json()
        assert (direct["state"], direct["acked_at"], direct["ack_seconds"]) == (
            "resolved",
            None,
            None,
        )
        late = (await move(server, show, second.id, "ack", helper)).json()
        assert late["state"] == "resolved"
        assert late["acked_by"] == {"label": "助播小李", "role": "assistant"}
        assert late["resolved_by"] == direct["resolved_by"]

        # Resolved by itself: resolving by hand changes nothing.
        third = await fire(sessions, show, new_alert("low_stock", subject="B2"))
        async with unit_of_work(sessions) as session:
            await service.resolve_auto(session, show, third.id, datetime.now(UTC))
        by_itself = (await move(server, show, third.id, "resolve", field)).json()
        assert (by_itself["state"], by_itself["resolved_by"]) == ("resolved", None)

        log = await call(server, "GET", f"/api/v1/shows/{show}/actions")
        moves = [(a["type"], a["alert_id"]) for a in log.json()["actions"]]
        assert sorted(moves) == sorted(
            [
                ("alert.ack", fired.id),
                ("alert.resolve", fired.id),
                ("alert.resolve", second.id),
                ("alert.ack", second.id),
            ]
        )
        first_ack = next(a for a in log.json()["actions"] if a["type"] == "alert.ack")
        assert first_ack["rule"] in ("low_stock", "sold_out")
        assert first_ack["by"]["role"] in ("field_control", "assistant")


class TestWhoMay:
    async def test_every_role_on_its_own_show_and_another(
        self, server: Server, sessions: Sessions
    ) -> None:
        show, elsewhere = await create_show(server), await create_show(server)
        fired = {
            rule: await fire(sessions, show, new_alert(rule))
            for rule in ("low_stock", "compliance", "stream_unhealthy")
        }
        async with server.client() as client:
            minted = await client.post(
                "/api/v1/auth/tokens", json={"role": "operations", "label": "运营"}
            )
        assert minted.status_code == 201, minted.text
        tokens = {("operations", "any"): str(minted.json()["token"])}
        for role in SHOW_ROLES:
            tokens[(role, "own")] = await token_for(server, show, role)
            tokens[(role, "other")] = await token_for(server, elsewhere, role)

        # Who is routed each alert (contract §12 roles), besides admin and operations.
        routed = {
            "low_stock": {"field_control", "assistant"},
            "compliance": {"field_control", "assistant", "anchor"},
            "stream_unhealthy": {"field_control", "operations"},
        }
        for (role, scope), token in tokens.items():
            for rule, alert in fired.items():
                may = role == "operations" or (scope == "own" and role in routed[rule])
                for verb in ("ack", "resolve"):
                    answer = await move(server, show, alert.id, verb, token)
                    assert answer.status_code == (200 if may else 403), (role, scope, rule, verb)
                    if not may:
                        assert answer.json()["code"] == "forbidden"

            listing = await call(server, "GET", f"/api/v1/shows/{show}/alerts", token)
            if role == "integrator" or scope == "other":
                assert listing.status_code == 403, (role, scope)
            else:
                seen = {a["rule"] for a in listing.json()["alerts"]}
                expected = {r for r in routed if role == "operations" or role in routed[r]}
                assert seen == expected, role

            for method, body in (("GET", None), ("PUT", {"rules": {}})):
                answer = await call(
                    server, method, f"/api/v1/shows/{show}/alert-rules", token, json=body
                )
                may = role == "operations" or (role == "field_control" and scope == "own")
                assert answer.status_code == (200 if may else 403), (role, scope, method)

    async def test_a_refused_move_changes_nothing(self, server: Server, sessions: Sessions) -> None:
        show = await create_show(server)
        anchor = await token_for(server, show, "anchor")
        fired = await fire(sessions, show, new_alert("low_stock"))
        refused = await move(server, show, fired.id, "ack", anchor)
        assert refused.status_code == 403
        assert "field_control, assistant" in refused.json()["detail"]
        assert (await alerts(server, show))["alerts"][0]["state"] == "firing"
        assert (await call(server, "GET", f"/api/v1/shows/{show}/actions")).json()["actions"] == []


class TestRules:
    async def test_defaults_overrides_and_versions(
        self, server: Server, sessions: Sessions
    ) -> None:
        show = await create_show(server)
        path = f"/api/v1/shows/{show}/alert-rules"
        fresh = (await call(server, "GET", path)).json()
        assert (fresh["version"], fresh["updated_at"], fresh["overrides"]) == (0, None, {})
        assert [r["name"] for r in fresh["rules"]] == list(DEFAULTS)
        low = fresh["rules"][0]
        assert (low["threshold"], low["unit"], low["roles"]) == (
            0.1,
            "share",
            ["field_control", "assistant"],
        )
        assert low["description"] == DEFAULTS["low_stock"].description

        change = {
            "low_stock": {"threshold": 0.2, "roles": ["field_control"]},
            "stale_feed": {"enabled": False},
            "cue_unacked": {"escalate_after_seconds": None},
        }
        saved = await call(server, "PUT", path, json={"rules": change})
        assert saved.status_code == 200, saved.text
        body = saved.json()
        assert body["version"] == 1
        assert body["updated_at"].endswith("Z")
        by_name = {r["name"]: r for r in body["rules"]}
        assert by_name["low_stock"]["threshold"] == 0.2
        assert by_name["low_stock"]["overridden"] == ["roles", "threshold"]
        assert by_name["stale_feed"]["enabled"] is False
        assert by_name["cue_unacked"]["escalate_after_seconds"] is None
        assert by_name["sold_out"]["overridden"] == []
        assert body["overrides"] == change
        assert (await call(server, "GET", path)).json() == body
        async with sessions() as session:
            rules = await service.rules_of(session, show)
        assert rules["low_stock"].threshold == 0.2
        assert rules["stale_feed"].enabled is False

        stale = await call(server, "PUT", path, json={"rules": {}, "base_version": 0})
        assert stale.status_code == 409
        assert "version 1" in stale.json()["detail"]
        reset = await call(server, "PUT", path, json={"rules": {}, "base_version": 1})
        assert reset.status_code == 200, reset.text
        assert (reset.json()["version"], reset.json()["overrides"]) == (2, {})
        assert {r["name"]: r for r in reset.json()["rules"]}["low_stock"]["threshold"] == 0.1

    async def test_what_cannot_apply_is_refused_saying_why(self, server: Server) -> None:
        show = await create_show(server)
        path = f"/api/v1/shows/{show}/alert-rules"
        for rules, said in [
            ({"nope": {}}, "no alert rule 'nope'"),
            ({"low_stock": {"name": "x"}}, "cannot change name"),
            ({"compliance": {"threshold": 1}}, "rules.compliance: Value error, this rule fires"),
            ({"low_stock": {"threshold": 1.5}}, "rules.low_stock.threshold"),
            ({"stale_feed": {"threshold": -1}}, "greater than or equal to 0"),
            ({"stale_feed": {"recovery_seconds": 90_000}}, "less than or equal to 86400"),
            ({"online_drop": {"roles": ["integrator"]}}, "rules.online_drop.roles.0"),
            ({"online_drop": {"severity": None}}, "must not be null"),
        ]:
            answer = await call(server, "PUT", path, json={"rules": rules})
            assert answer.status_code == 422, (rules, answer.text)
            assert said in answer.json()["detail"], answer.json()["detail"]
        assert (await call(server, "GET", path)).json()["version"] == 0  # nothing was kept
        missing = "/api/v1/shows/show_nope/alert-rules"
        assert (await call(server, "GET", missing)).status_code == 404
        assert (await call(server, "PUT", missing, json={"rules": {}})).status_code == 404


class TestReview:
    async def test_every_alert_with_its_times_per_rule(
        self, server: Server, sessions: Sessions
    ) -> None:
        show = await create_show(server)
        first = await fire(sessions, show, new_alert("low_stock", subject="A1", ago=20))
        second = await fire(sessions, show, new_alert("low_stock", subject="B2", ago=10))
        third = await fire(sessions, show, new_alert("compliance", ago=5, detail={"line": "最"}))
        await move(server, show, first.id, "ack")
        await move(server, show, first.id, "resolve")
        async with unit_of_work(sessions) as session:
            await service.resolve_auto(session, show, second.id, datetime.now(UTC))

        answer = await call(server, "GET", f"/api/v1/shows/{show}/review")
        assert answer.status_code == 200, answer.text
        review = answer.json()
        assert set(review) == {
            "show", "summary", "targets", "products", "series", "events", "stock", "alerts",
            "actions", "comments", "comment_minutes", "questions", "minutes", "segments",
            "channels", "audience", "funnel", "updated_at", "last_event_at", "concentration",
            "responses",
        }  # fmt: skip
        section = review["alerts"]
        assert [a["id"] for a in section["items"]] == [first.id, second.id, third.id]
        assert section["items"][2]["detail"] == {"line": "最"}
        low, compliance = section["by_rule"]
        assert (low["rule"], low["count"], low["acknowledged"], low["resolved"]) == (
            "low_stock",
            2,
            1,
            2,
        )
        assert low["resolved_by_itself"] == 1
        assert low["max_resolve_seconds"] >= 19
        assert 19 <= low["median_ack_seconds"] == low["max_ack_seconds"]
        assert (compliance["rule"], compliance["open"], compliance["median_ack_seconds"]) == (
            "compliance",
            1,
            None,
        )
        assert section["overall"]["count"] == 3
