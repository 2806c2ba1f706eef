"""The anchor's desk on a real websocket, on every backend (contract §8, §9): the prompter follows
the run-sheet and the stock, cues reach the anchor at once and their acknowledgement reaches
field control, an unacknowledged cue escalates, a non-compliant line of speech raises a
`compliance` alert. (Every role that may read the live websocket is at the anchor's desk or sees
everything, so the prompter's audience shows only in tests/unit/test_live_channels.py.)"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from liveops.config import Settings
from tests.conftest import Server
from tests.integration.test_role_channels import console, receive
from tests.integration.test_runsheet_api import action, call, planned_show, token_for
from tests.timestamps import at

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

ESCALATE_AFTER = 1.5
log = logging.getLogger(__name__)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"cue_escalate_seconds": ESCALATE_AFTER})


async def until(
    ws: ClientConnection, wanted: Callable[[dict[str, Any]], bool], seconds: float = 10
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The first message `wanted` accepts, and every message before it."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        message = await receive(ws)
        if wanted(message):
            return message, seen
        seen.append(message)
    raise AssertionError(f"not received in {seconds} s; got {[m['type'] for m in seen]}")


def prompter_text(message: dict[str, Any]) -> str | None:
    if message["type"] == "prompter":
        return str(message["prompter"]["text"])
    return None


async def test_the_prompter_follows_the_segment_and_the_stock(server: Server) -> None:
    show = await planned_show(server)
    anchor_token = await token_for(server, show, "anchor", "主播")
    async with console(server, show, anchor_token) as anchor:
        snapshot = await receive(anchor)
        # The prompter reads the run-sheet again after it is saved, off the hot path: the
        # snapshot may be a moment behind, and the `prompter` message that follows is not.
        if snapshot["prompter"]["next"] is None:
            snapshot, _ = await until(anchor, lambda m: m["type"] == "prompter")
            snapshot = {"prompter": snapshot["prompter"]}
        assert snapshot["prompter"]["segment"] is None
        assert snapshot["prompter"]["next"] == {"id": "hook", "title": "15秒钩子", "beat": "hook"}

        moved = await action(server, show, type="segment.goto", segment_id="push")
        assert moved.status_code == 201, moved.text
        message, _ = await until(
            anchor, lambda m: m["type"] == "prompter" and m["prompter"]["segment"] is not None
        )
        view = message["prompter"]
        assert view["segment"]["id"] == "push"
        assert view["text"].startswith("原价199元，直播间99元，只剩100件，已抢0件，")

        changed_at = time.monotonic()
        stock = await call(
            server, "PUT", f"/api/v1/shows/{show}/stock/A1", json={"available": 7, "version": 2}
        )
        assert stock.status_code == 200, stock.text
        await until(anchor, lambda m: "只剩7件" in (prompter_text(m) or ""))
        # Contract §8 asks for one second; the bound here only guards against "never".
        log.info("stock change to prompter text: %.3f s", time.monotonic() - changed_at)

        # The countdown moves by itself, once a second.
        first, _ = await until(anchor, lambda m: m["type"] == "prompter")
        second, _ = await until(anchor, lambda m: m["type"] == "prompter")
        assert (
            second["prompter"]["segment"]["elapsed_seconds"]
            > (first["prompter"]["segment"]["elapsed_seconds"])
        )


async def test_a_cue_flashes_for_the_anchor_and_its_ack_reaches_field_control(
    server: Server,
) -> None:
    show = await planned_show(server)
    anchor_token = await token_for(server, show, "anchor", "主播")
    field_token = await token_for(server, show, "field_control", "场控")
    async with (
        console(server, show, anchor_token) as anchor,
        console(server, show, field_token) as field,
        console(server, show, server.token) as admin,
    ):
        for ws in (anchor, field, admin):
            assert (await receive(ws))["type"] == "snapshot"

        sent = await action(server, show, field_token, type="cue", text="看评论区")
        assert sent.status_code == 201, sent.text
        cue_id = sent.json()["id"]
        flashed, _ = await until(anchor, lambda m: m["type"] == "cue")
        assert flashed["cue"]["id"] == cue_id
        assert (flashed["cue"]["text"], flashed["cue"]["acked_at"]) == ("看评论区", None)
        assert flashed["cue"]["by"] == {"label": "场控", "role": "field_control"}
        # The prompter lists it as open too.
        listed, _ = await until(
            anchor, lambda m: m["type"] == "prompter" and m["prompter"]["cues"] != []
        )
        assert [c["id"] for c in listed["prompter"]["cues"]] == [cue_id]

        acked = await call(server, "POST", f"/api/v1/shows/{show}/cues/{cue_id}/ack", anchor_token)
        assert acked.status_code == 200, acked.text
        back, _ = await until(field, lambda m: m["type"] == "cue" and m["cue"]["acked_at"])
        assert back["cue"]["id"] == cue_id
        assert back["cue"]["ack_seconds"] == acked.json()["ack_seconds"]
        assert back["cue"]["acked_by"] == {"label": "主播", "role": "anchor"}

        # The action itself reaches every console, as the audit log's record.
        message, _ = await until(admin, lambda m: m["type"] == "action")
        assert message["action"]["type"] == "cue"
        assert message["action"]["id"] == cue_id
        await action(server, show, type="segment.goto", segment_id="hook")
        moved, _ = await until(
            anchor, lambda m: m["type"] == "action" and m["action"]["type"] == "segment.goto"
        )
        assert moved["action"]["segment_id"] == "hook"

    # A fresh console: its snapshot, and what follows it, hold the cue acknowledged and the
    # segment on air (the prompter's inputs are read again after each change, off the hot
    # path, so the snapshot may be a moment behind; the publications after it catch up).
    async with console(server, show, field_token) as field:
        state = await receive(field)
        cues = {c["id"]: c for c in state["cues"]}
        prompter = state["prompter"]
        for message in await drain(field, 1.5):
            if message["type"] == "cue":
                cues[message["cue"]["id"]] = message["cue"]
            elif message["type"] == "prompter":
                prompter = message["prompter"]
    assert [(c["id"], c["ack_seconds"] is not None) for c in cues.values()] == [(cue_id, True)]
    assert prompter["segment"]["id"] == "hook"


async def test_an_unacknowledged_cue_escalates_to_its_senders(server: Server) -> None:
    show = await planned_show(server)
    anchor_token = await token_for(server, show, "anchor")
    assistant_token = await token_for(server, show, "assistant")
    async with (
        console(server, show, anchor_token) as anchor,
        console(server, show, assistant_token) as assistant,
    ):
        await receive(anchor)
        await receive(assistant)
        sent_at = time.monotonic()
        sent = await action(server, show, assistant_token, type="cue", text="讲库存")
        assert sent.status_code == 201, sent.text
        alert, _ = await until(assistant, lambda m: m["type"] == "alert")
        waited = time.monotonic() - sent_at
        assert alert["kind"] == "cue_unacked"
        assert alert["cue_id"] == sent.json()["id"]
        assert set(alert["roles"]) == {"field_control", "assistant"}
        assert waited >= ESCALATE_AFTER - 0.2
        # Once only, and never on the anchor's screen: a skip holds its place there.
        later = await drain(assistant, 2 * ESCALATE_AFTER)
        assert [m for m in later if m["type"] == "alert"] == []
        skip, seen = await until(anchor, lambda m: m["offset"] == alert["offset"])
        assert skip["type"] == "skip"
        assert all(m["type"] != "alert" for m in seen)


async def drain(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Every message received in the next `seconds`."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            seen.append(await asyncio.wait_for(receive(ws), left))
        except TimeoutError:
            break
    return seen


async def test_non_compliant_speech_raises_a_compliance_alert(server: Server) -> None:
    show = await planned_show(server)
    anchor_token = await token_for(server, show, "anchor")
    field_token = await token_for(server, show, "field_control")
    integrator_token = await token_for(server, show, "integrator")
    async with (
        console(server, show, anchor_token) as anchor,
        console(server, show, field_token) as field,
    ):
        for ws in (anchor, field):
            await receive(ws)
        lines = [
            {"id": "t1", "type": "transcript", "ts": at(0), "text": "最后三分钟，第一个链接"},
            {"id": "t2", "type": "transcript", "ts": at(1), "text": "这是全网最好的围巾"},
        ]
        posted = await call(
            server, "POST", f"/api/v1/shows/{show}/events", integrator_token, json={"events": lines}
        )
        assert posted.status_code == 200, posted.text
        assert posted.json()["accepted"] == 2
        for ws in (field, anchor):
            alert, _ = await until(ws, lambda m: m["type"] == "alert")
            assert alert["kind"] == "compliance"
            assert alert["line"] == "这是全网最好的围巾"  # the compliant line raised nothing
            terms = {v["term"] for v in alert["violations"]}
            assert any("最好" in term for term in terms)
            for v in alert["violations"]:
                assert alert["line"][v["start"] : v["end"]] == v["term"]
