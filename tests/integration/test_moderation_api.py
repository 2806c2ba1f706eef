"""Moderation against a real uvicorn, on SQLite, PostgreSQL and PostgreSQL + Redis: the services
the actions endpoint calls (inside the server's own transaction boundary), the room keyword
filter and the user card over HTTP, who may read and write them, and the export marks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from liveops.actions.log import Actor
from liveops.config import Settings
from liveops.errors import Conflict, NotFound
from liveops.events import iso, utc_now
from liveops.moderation import service
from liveops.runtime import Runtime
from liveops.shows import repository as shows_repository
from liveops.storage.models import Show
from tests.conftest import Server, running_server
from tests.integration.test_runsheet_api import call, token_for
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

FIELD = Actor("场控小王", "field_control")


@dataclass
class Running:
    server: Server
    rt: Runtime


@pytest.fixture
async def running(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    """A real server, and its runtime: the services run in its transaction boundary, so what
    they stage reaches its live side exactly as from the actions endpoint."""
    built: list[Runtime] = []
    build = Runtime.build

    def capture(settings: Settings, *, admin_token: str | None) -> Runtime:
        runtime = build(settings, admin_token=admin_token)
        built.append(runtime)
        return runtime

    monkeypatch.setattr(Runtime, "build", capture)
    async with running_server(settings) as server:
        yield Running(server, built[-1])


Service = Callable[..., Awaitable[dict[str, Any]]]


async def perform(rt: Runtime, show_id: str, what: Service, *args: Any) -> dict[str, Any]:
    """`what(session, show, actor, *args, now, action_id)` in one transaction."""
    async with rt.transaction() as session:
        show = await shows_repository.get(session, show_id)
        assert show is not None
        return await what(session, show, FIELD, *args, utc_now(), 1)


async def new_show(server: Server, room: str | None = None, *, start: bool = False) -> str:
    body: dict[str, Any] = {"title": "测试专场", "platform": "douyin"}
    if room is not None:
        body["room"] = room
    created = await call(server, "POST", "/api/v1/shows", json=body)
    assert created.status_code == 201, created.text
    show = str(created.json()["id"])
    if start:
        started = await call(server, "POST", f"/api/v1/shows/{show}/start")
        assert started.status_code == 200, started.text
    return show


async def ingest(server: Server, show: str, *events: dict[str, Any]) -> None:
    answer = await call(server, "POST", f"/api/v1/shows/{show}/events", json={"events": events})
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == len(events), answer.text


def comment(event_id: str, viewer: str, text: str, ts: str) -> dict[str, Any]:
    return {"id": event_id, "type": "comment", "ts": ts, "viewer_id": viewer, "text": text}


def now_ts() -> str:
    return iso(utc_now())


def room_name() -> str:
    return f"room-{utc_now().timestamp():.6f}"  # one per test: PostgreSQL is shared


class TestServices:
    async def test_hide_a_comment(self, running: Running) -> None:
        server, rt = running.server, running.rt
        show = await new_show(server)
        long_text = (
            "这件羊绒围巾有没有XL码，我想给我妈妈买一条，"
            + "颜色要深一点的那种，谢谢主播，今天还有福袋吗"
        )
        await ingest(
            server,
            show,
            comment("c1", "v1", long_text, at(1)),
            {"id": "o1", "type": "order.created", "ts": at(2), "order_id": "o1",
             "viewer_id": "v1", "sku": "A1", "qty": 1, "amount": 9900},
        )  # fmt: skip
        before = await perform(rt, show, service.hide_comment, "c1")
        assert before == {"viewer_id": "v1", "text": long_text[:39] + "…"}
        again = await perform(rt, show, service.hide_comment, "c1")
        assert again["already_hidden"] is True
        for missing in ("nope", "o1"):  # no such event; not a comment
            with pytest.raises(NotFound, match="has no comment"):
                await perform(rt, show, service.hide_comment, missing)
        other = await new_show(server)
        with pytest.raises(NotFound):  # another show's comment
            await perform(rt, other, service.hide_comment, "c1")

    async def test_ban_and_unban(self, running: Running) -> None:
        server, rt = running.server, running.rt
        roomless = await new_show(server)
        # A show with no room is a room of its own: its room ban is a show ban.
        banned = await perform(rt, roomless, service.ban_viewer, "v1", "room")
        assert (banned["room"], banned["scope_applied"]) == (None, "show")
        assert isinstance(banned["ban_id"], int)
        again = await perform(rt, roomless, service.ban_viewer, "v1", "show")
        assert again == {"room": None, "already_banned": True, "ban_ids": [banned["ban_id"]]}
        lifted = await perform(rt, roomless, service.unban_viewer, "v1", "show")
        assert lifted == {"room": None, "lifted": [banned["ban_id"]]}
        none = await perform(rt, roomless, service.unban_viewer, "v1", "show")
        assert none == {"room": None, "lifted": [], "not_banned": True}

        room = room_name()
        first, second = await new_show(server, room), await new_show(server, room)
        by_room = await perform(rt, first, service.ban_viewer, "v2", "room")
        assert by_room["room"] == room
        # Remembered across the room's shows: banning on the next show changes nothing.
        for scope in ("show", "room"):
            again = await perform(rt, second, service.ban_viewer, "v2", scope)
            assert again["already_banned"] is True
            assert again["ban_ids"] == [by_room["ban_id"]]
        with pytest.raises(Conflict, match="banned for the whole room"):
            await perform(rt, second, service.unban_viewer, "v2", "show")
        lifted = await perform(rt, second, service.unban_viewer, "v2", "room")
        assert lifted["lifted"] == [by_room["ban_id"]]

        # A show ban does not stop a room ban, and unbanning the room says to lift the show's.
        await perform(rt, second, service.ban_viewer, "v3", "show")
        with pytest.raises(Conflict, match="banned for this show"):
            await perform(rt, second, service.unban_viewer, "v3", "room")
        assert "ban_id" in await perform(rt, second, service.ban_viewer, "v3", "room")

    async def test_export_marks_hidden_comments_in_one_pass(self, running: Running) -> None:
        server, rt = running.server, running.rt
        room = room_name()
        show = await new_show(server, room)
        await ingest(
            server,
            show,
            comment("c1", "v-bad", "早来的", at(1)),
            comment("c2", "v1", "by hand", at(2)),
            comment("c3", "v1", "加微信领券", at(3)),
            comment("c4", "v1", "好看", at(4)),
        )
        put = await call(
            server, "PUT", f"/api/v1/rooms/{room}/moderation", json={"keywords": ["加微信"]}
        )
        assert put.status_code == 200, put.text
        await perform(rt, show, service.hide_comment, "c2")
        await perform(rt, show, service.ban_viewer, "v-bad", "room")
        await ingest(server, show, comment("c5", "v-bad", "晚来的", now_ts()))
        async with rt.read() as session:
            row = await session.get(Show, show)
            assert row is not None
            marked = [pair async for pair in service.hidden_comments(session, row)]
        assert marked == [("c2", "hidden"), ("c3", "keyword"), ("c5", "banned")]


class TestRoomKeywords:
    async def test_save_read_validate(self, running: Running) -> None:
        server = running.server
        room = room_name()
        path = f"/api/v1/rooms/{room}/moderation"
        empty = await call(server, "GET", path)
        assert empty.status_code == 200, empty.text
        assert empty.json() == {
            "room": room,
            "keywords": [],
            "version": 0,
            "updated_at": None,
            "updated_by": None,
            "banned": [],
        }
        assert empty.headers["cache-control"] == "no-store"
        given = ["加微信", " VX ", "vx", "ＶＸ", "  "]
        saved = await call(server, "PUT", path, json={"keywords": given})
        assert saved.status_code == 200, saved.text
        body = saved.json()
        assert (body["keywords"], body["version"], body["updated_by"]) == (
            ["加微信", "VX"],
            1,
            "admin token",
        )
        stale = await call(server, "PUT", path, json={"keywords": [], "base_version": 0})
        assert stale.status_code == 409, stale.text
        assert "version 1" in stale.json()["detail"]
        ok = await call(server, "PUT", path, json={"keywords": ["代购"], "base_version": 1})
        assert ok.json()["version"] == 2
        for bad in (
            {"keywords": ["a" * 51]},
            {"keywords": [""]},
            {"keywords": ["a\u0000b"]},
            {"keywords": [f"k{i}" for i in range(501)]},
            {"keywords": ["ok"], "extra": 1},
            {"keywords": "加微信"},
        ):
            refused = await call(server, "PUT", path, json=bad)
            assert refused.status_code == 422, (bad, refused.text)
        assert (await call(server, "GET", path)).json()["keywords"] == ["代购"]

    async def test_bans_in_force_are_listed(self, running: Running) -> None:
        server, rt = running.server, running.rt
        room = room_name()
        show = await new_show(server, room)
        await perform(rt, show, service.ban_viewer, "v1", "room")
        await perform(rt, show, service.ban_viewer, "v2", "show")
        await perform(rt, show, service.ban_viewer, "v3", "show")
        await perform(rt, show, service.unban_viewer, "v3", "show")
        listed = (await call(server, "GET", f"/api/v1/rooms/{room}/moderation")).json()
        banned = [(b["viewer_id"], b["scope"], b["show_id"], b["by"]) for b in listed["banned"]]
        assert banned == [("v2", "show", show, "场控小王"), ("v1", "room", show, "场控小王")]

    async def test_who_may_read_and_write(self, running: Running) -> None:
        server = running.server
        room, elsewhere = room_name(), room_name() + "-b"
        show = await new_show(server, room)
        other = await new_show(server, elsewhere)
        roomless = await new_show(server)
        path = f"/api/v1/rooms/{room}/moderation"
        body = {"keywords": ["加微信"]}
        expected = {
            # role, show of the token: (GET, PUT)
            ("field_control", show): (200, 200),
            ("assistant", show): (200, 403),
            ("anchor", show): (403, 403),
            ("integrator", show): (403, 403),
            ("field_control", other): (403, 403),  # another room's show
            ("assistant", other): (403, 403),
            ("field_control", roomless): (403, 403),
        }
        for (role, of), (read, write) in expected.items():
            token = await token_for(server, of, role)
            got = await call(server, "GET", path, token)
            assert got.status_code == read, (role, of, got.text)
            put = await call(server, "PUT", path, token, json=body)
            assert put.status_code == write, (role, of, put.text)
        async with server.client() as client:
            minted = await client.post("/api/v1/auth/tokens", json={"role": "operations"})
        operations = str(minted.json()["token"])
        assert (await call(server, "PUT", path, operations, json=body)).status_code == 200
        assert (await call(server, "GET", path, operations)).status_code == 200


class TestUserCard:
    async def test_what_the_card_holds(self, running: Running) -> None:
        server, rt = running.server, running.rt
        room = room_name()
        earlier = await new_show(server, room)
        show = await new_show(server, room)
        await perform(rt, earlier, service.ban_viewer, "v1", "show")  # a previous ban
        await perform(rt, earlier, service.unban_viewer, "v1", "show")
        put = await call(
            server, "PUT", f"/api/v1/rooms/{room}/moderation", json={"keywords": ["加微信"]}
        )
        assert put.status_code == 200, put.text

        def order(n: int, kind: str, **fields: Any) -> dict[str, Any]:
            return {"id": f"{kind}-{n}", "type": kind, "ts": at(10 + n), **fields}

        await ingest(
            server,
            show,
            {"id": "j1", "type": "viewer.join", "ts": at(0), "viewer_id": "v1",
             "channel": "recommend", "tier": "new", "region": "浙江"},
            {"id": "l1", "type": "viewer.leave", "ts": at(60), "viewer_id": "v1"},
            {"id": "j2", "type": "viewer.join", "ts": at(100), "viewer_id": "v1",
             "channel": "follow", "tier": "vip"},
            {"id": "l2", "type": "viewer.leave", "ts": at(130), "viewer_id": "v1"},
            comment("c1", "v1", "有XL吗", at(1)),
            comment("c2", "v1", "加微信", at(2)),
            comment("c3", "v1", "好的", at(3)),
            comment("c4", "v2", "别人的", at(4)),
            order(1, "order.created", order_id="o1", viewer_id="v1", sku="A1", qty=1, amount=990),
            order(2, "order.created", order_id="o2", viewer_id="v1", sku="B2", qty=2, amount=500),
            order(3, "order.created", order_id="o3", viewer_id="v1", sku="A1", qty=1, amount=990),
            order(4, "order.created", order_id="o4", viewer_id="v2", sku="A1", qty=1, amount=990),
            order(5, "order.paid", order_id="o1", amount=990),
            order(6, "order.refunded", order_id="o1", amount=990),
            order(7, "order.cancelled", order_id="o2"),
            order(8, "order.paid", order_id="o3", amount=990),
        )  # fmt: skip
        await perform(rt, show, service.hide_comment, "c3")
        await perform(rt, show, service.ban_viewer, "v1", "room")

        answer = await call(server, "GET", f"/api/v1/shows/{show}/viewers/v1")
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        card = answer.json()
        assert (card["viewer_id"], card["show_id"], card["room"]) == ("v1", show, room)
        assert (card["tier"], card["channel"], card["joins"]) == ("vip", "follow", 2)
        assert card["watch_seconds"] == 90.0
        assert "region" not in answer.text  # only what moderation needs
        shown = [(c["id"], c["hidden"], c["reason"]) for c in card["comments"]]
        assert shown == [("c3", True, "hidden"), ("c2", True, "keyword"), ("c1", False, None)]
        assert card["comments_hidden"] == 2
        assert card["orders"] == {"created": 3, "paid": 2, "cancelled": 1, "refunded": 1}
        states = [(o["order_id"], o["state"]) for o in card["recent_orders"]]
        assert states == [("o3", "paid"), ("o2", "cancelled"), ("o1", "refunded")]
        bans = card["bans"]
        assert (bans["show"], bans["room"]) == (False, True)
        history = [(b["scope"], b["show_id"], b["active"]) for b in bans["history"]]
        assert history == [("room", show, True), ("show", earlier, False)]
        assert bans["history"][1]["lifted_by"] == "场控小王"

        nobody = (await call(server, "GET", f"/api/v1/shows/{show}/viewers/nobody")).json()
        assert (nobody["comments"], nobody["tier"], nobody["watch_seconds"]) == ([], None, None)
        assert nobody["orders"]["created"] == 0
        missing = await call(server, "GET", "/api/v1/shows/show_0000000000000000/viewers/v1")
        assert missing.status_code == 404

    async def test_who_may_read_it(self, running: Running) -> None:
        server = running.server
        show, other = await new_show(server), await new_show(server)
        path = f"/api/v1/shows/{show}/viewers/v1"
        for role, of, status in (
            ("field_control", show, 200),
            ("assistant", show, 200),
            ("anchor", show, 403),
            ("integrator", show, 403),
            ("field_control", other, 403),
        ):
            token = await token_for(server, of, role)
            got = await call(server, "GET", path, token)
            assert got.status_code == status, (role, got.text)


class TestThroughActions:
    """The services behind POST …/actions: refusals and the audit log's value before."""

    async def test_refusals_and_the_audit_log(self, running: Running) -> None:
        server = running.server
        roomless = await new_show(server)
        field = await token_for(server, roomless, "field_control", "场控小王")
        assistant = await token_for(server, roomless, "assistant", "助播")
        await ingest(server, roomless, comment("c1", "v1", "加微信", at(1)))

        async def act(token: str, **body: Any) -> Any:
            return await call(server, "POST", f"/api/v1/shows/{roomless}/actions", token, json=body)

        missing = await act(field, type="comment.hide", event_id="nope")
        assert missing.status_code == 404, missing.text
        assert "has no comment" in missing.json()["detail"]
        refused = await act(assistant, type="viewer.ban", viewer_id="v1", scope="show")
        assert refused.status_code == 403, refused.text
        hidden = await act(assistant, type="comment.hide", event_id="c1")
        assert hidden.status_code == 201, hidden.text
        banned = await act(field, type="viewer.ban", viewer_id="v1", scope="show")
        assert banned.status_code == 201, banned.text
        # A show with no room is a room of its own: a room ban there holds for the show.
        v2 = await act(field, type="viewer.ban", viewer_id="v2", scope="room")
        assert v2.status_code == 201, v2.text
        assert (v2.json()["scope"], v2.json()["scope_applied"]) == ("room", "show")
        card = await call(server, "GET", f"/api/v1/shows/{roomless}/viewers/v2", field)
        assert card.status_code == 200, card.text
        lifted = await act(field, type="viewer.unban", viewer_id="v2", scope="room")
        assert lifted.status_code == 201, lifted.text
        assert lifted.json()["lifted"] == [v2.json()["ban_id"]]

        log = await call(server, "GET", f"/api/v1/shows/{roomless}/actions", field)
        assert log.status_code == 200, log.text
        records = {a["type"]: a for a in log.json()["actions"]}
        hide = records["comment.hide"]
        assert (hide["event_id"], hide["viewer_id"], hide["text"]) == ("c1", "v1", "加微信")
        assert hide["by"] == {"label": "助播", "role": "assistant"}
        bans = [a for a in log.json()["actions"] if a["type"] == "viewer.ban"]
        ban = bans[-1]  # newest first: v1's is the older
        assert (ban["viewer_id"], ban["scope"], ban["room"]) == ("v1", "show", None)
        assert isinstance(ban["ban_id"], int)
        # Nothing was stored for the refused ones.
        assert set(records) == {"comment.hide", "viewer.ban", "viewer.unban"}
