"""Moderation on a real websocket, on every backend, through POST …/actions (contract §10): a
banned viewer's later comments and a keyword-matched comment never arrive in `feed` frames while
others' do, a ban for the room holds on another live show of the room, and a comment hidden after
it was shown is in no new console's snapshot."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from tests.conftest import Server
from tests.integration.test_anchor_live import until
from tests.integration.test_moderation_api import comment, ingest, new_show, now_ts, room_name
from tests.integration.test_role_channels import console, receive
from tests.integration.test_runsheet_api import action, call, token_for

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]


def fed(messages: list[dict[str, Any]]) -> list[str]:
    """The ids of every feed item among `messages`."""
    return [i["id"] for m in messages if m["type"] == "feed" for i in m["items"]]


async def until_fed(ws: ClientConnection, event_id: str) -> list[str]:
    """Every feed item id received up to and including `event_id`'s."""
    last, seen = await until(ws, lambda m: m["type"] == "feed" and event_id in fed([m]))
    return fed([*seen, last])


async def acted(server: Server, show: str, token: str, **body: Any) -> dict[str, Any]:
    answer = await action(server, show, token, **body)
    assert answer.status_code == 201, answer.text
    record: dict[str, Any] = answer.json()
    return record


async def test_banned_keyword_and_hidden_comments_stay_off_consoles(server: Server) -> None:
    room = room_name()
    show = await new_show(server, room, start=True)
    field = await token_for(server, show, "field_control", "场控小王")
    keywords = await call(
        server, "PUT", f"/api/v1/rooms/{room}/moderation", field, json={"keywords": ["加微信"]}
    )
    assert keywords.status_code == 200, keywords.text
    async with console(server, show, field) as ws:
        await receive(ws)  # the snapshot
        await ingest(server, show, comment("c0", "v-bad", "还没被封", now_ts()))
        assert "c0" in await until_fed(ws, "c0")

        ban = await acted(server, show, field, type="viewer.ban", viewer_id="v-bad", scope="room")
        assert (ban["room"], ban["viewer_id"], ban["scope"]) == (room, "v-bad", "room")
        await ingest(
            server,
            show,
            comment("c1", "v-bad", "封了还说", now_ts()),
            comment("c2", "v-good", "加微信领券", now_ts()),
            comment("c3", "v-good", "有XL吗", now_ts()),
        )
        got = await until_fed(ws, "c3")
        assert "c1" not in got
        assert "c2" not in got

        hide = await acted(server, show, field, type="comment.hide", event_id="c0")
        assert (hide["viewer_id"], hide["text"]) == ("v-bad", "还没被封")
        announced, _ = await until(ws, lambda m: m["type"] == "action")
        assert announced["action"]["type"] == "comment.hide"
        assert announced["action"]["event_id"] == "c0"

    async with console(server, show, field) as fresh:
        snapshot = await receive(fresh)
    recent = [i["id"] for i in snapshot["feed"]]
    assert "c3" in recent
    assert not {"c0", "c1", "c2"} & set(recent)

    # Lifted: their comments from then on are shown again (those of the ban's time are not).
    lifted = await acted(server, show, field, type="viewer.unban", viewer_id="v-bad", scope="room")
    assert lifted["lifted"] == [ban["ban_id"]]
    async with console(server, show, field) as ws:
        await receive(ws)
        await ingest(server, show, comment("c4", "v-bad", "解封了", now_ts()))
        assert "c4" in await until_fed(ws, "c4")
    card = await call(server, "GET", f"/api/v1/shows/{show}/viewers/v-bad", field)
    reasons = {c["id"]: c["reason"] for c in card.json()["comments"]}
    assert reasons == {"c0": "hidden", "c1": "banned", "c4": None}


async def test_a_room_ban_holds_on_every_live_show_of_the_room(server: Server) -> None:
    room = room_name()
    here = await new_show(server, room, start=True)
    there = await new_show(server, room, start=True)
    field_here = await token_for(server, here, "field_control")
    field_there = await token_for(server, there, "field_control")
    async with console(server, there, field_there) as ws:
        await receive(ws)
        await ingest(server, there, comment("t0", "v-bad", "先说一句", now_ts()))
        await until_fed(ws, "t0")  # the show is loaded and fed
        await acted(server, here, field_here, type="viewer.ban", viewer_id="v-bad", scope="room")
        await ingest(
            server,
            there,
            comment("t1", "v-bad", "换个直播间", now_ts()),
            comment("t2", "v-good", "好看", now_ts()),
        )
        assert "t1" not in await until_fed(ws, "t2")
    # A show ban holds on its own show only.
    await acted(server, here, field_here, type="viewer.ban", viewer_id="v-show", scope="show")
    async with console(server, there, field_there) as ws:
        await receive(ws)
        await ingest(server, there, comment("t3", "v-show", "这里没被封", now_ts()))
        assert "t3" in await until_fed(ws, "t3")
