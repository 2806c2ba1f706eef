"""Comment intelligence against a real uvicorn, on SQLite, PostgreSQL and PostgreSQL + Redis
(contract §11): classification over HTTP, `intent` on every comment frame, and the question
queue (paraphrases cluster, ranked by volume, answered clusters close and reopen)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from liveops.comments.intents import INTENTS
from tests.conftest import Server
from tests.integration.test_anchor_live import until
from tests.integration.test_ingest_api import create_show
from tests.integration.test_moderation_api import comment, ingest, now_ts
from tests.integration.test_role_channels import console, receive
from tests.integration.test_runsheet_api import LINEUP, action, call, token_for

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

# Three questions, each in many words, asked by different viewers in different volumes.
SIZE = [
    "多大码",
    "穿什么码",
    "160斤穿啥",
    "身高165体重120穿几码",
    "平时穿M拍什么码",
    "偏大还是偏小",
    "腰围二尺四穿几码",
    "170/130穿多大的",
    "我155 95斤选哪个码",
    "码数准吗",
]
SHIPPING = [
    "什么时候发货",
    "几天能发货",
    "今天拍什么时候发",
    "多久发货啊",
    "拍下后几天发货",
    "现在下单明天能发吗",
    "下单后多久发",
    "付款后几号发货",
]
PRICE = ["多少钱", "这个什么价", "到手价多少", "直播间多少钱"]


async def classify(server: Server, texts: list[Any], token: str | None = None) -> Any:
    return await call(server, "POST", "/api/v1/comments/classify", token, json={"texts": texts})


async def questions(server: Server, show: str, token: str | None = None) -> list[dict[str, Any]]:
    answer = await call(server, "GET", f"/api/v1/shows/{show}/questions", token)
    assert answer.status_code == 200, answer.text
    clusters: list[dict[str, Any]] = answer.json()["clusters"]
    return clusters


async def eventually(show_clusters: Any, check: Any, seconds: float = 10.0) -> Any:
    """Poll until `check(value)` holds (the Redis backend's snapshot trails by a moment)."""
    deadline = time.monotonic() + seconds
    while True:
        value = await show_clusters()
        if check(value) or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.1)


def open_ones(clusters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in clusters if c["status"] == "open"]


async def test_classify_answers_each_text_in_order(server: Server) -> None:
    texts = ["多大码", "加微信vx123456看更多", "666", "什么时候发货", "收到就坏了，质量太差", ""]
    answer = await classify(server, texts)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert len(results) == len(texts)
    assert [r["intent"] for r in results[:5]] == [
        "question_size",
        "spam",
        "interaction",
        "question_shipping",
        "complaint_quality",
    ]
    assert all(r["intent"] in INTENTS and 0 <= r["confidence"] <= 1 for r in results)
    assert results[5]["intent"] == "other"  # nothing to read: other, not an error


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"texts": []}, "texts"),
        ({"texts": ["好"] * 1001}, "texts"),
        ({"texts": [1]}, "texts"),
        ({"texts": ["长" * 501]}, "texts"),
        ({}, "texts"),
    ],
)
async def test_classify_refuses_what_is_not_a_list_of_comments(
    server: Server, body: dict[str, Any], where: str
) -> None:
    answer = await call(server, "POST", "/api/v1/comments/classify", json=body)
    assert answer.status_code == 422, answer.text
    assert where in answer.text


async def test_every_comment_frame_carries_its_intent(server: Server) -> None:
    show = await create_show(server)
    field = await token_for(server, show, "field_control")
    async with console(server, show, field) as ws:
        await receive(ws)
        await ingest(
            server,
            show,
            comment("c1", "v1", "这个多少钱", now_ts()),
            comment("c2", "v2", "主播好美😍", now_ts()),
        )
        last, seen = await until(ws, lambda m: m["type"] == "feed" and m["items"][-1]["id"] == "c2")
    items = [i for m in [*seen, last] if m["type"] == "feed" for i in m["items"]]
    assert {i["id"]: i["intent"] for i in items} == {"c1": "question_price", "c2": "praise"}
    async with console(server, show, field) as fresh:
        snapshot = await receive(fresh)
    assert {i["id"]: i["intent"] for i in snapshot["feed"]} == {
        "c1": "question_price",
        "c2": "praise",
    }


async def test_paraphrases_of_three_questions_make_three_clusters(server: Server) -> None:
    show = await create_show(server, lineup=LINEUP)
    field = await token_for(server, show, "field_control")
    anchor = await token_for(server, show, "anchor")
    pinned = await action(server, show, field, type="product.pin", sku="A1")
    assert pinned.status_code == 201, pinned.text
    events = []
    for group, texts in (("s", SIZE), ("p", PRICE), ("d", SHIPPING)):
        for i, text in enumerate(texts):
            events.append(comment(f"{group}{i}", f"viewer-{group}{i}", text, now_ts()))
    # Chatter that is not a question, and one viewer pasting a question over and over: a
    # viewer counts at most three times.
    events += [comment(f"x{i}", f"fan{i}", "主播好美", now_ts()) for i in range(5)]
    events += [comment(f"f{i}", "flooder", "多少钱多少钱", now_ts()) for i in range(6)]
    await ingest(server, show, *events)

    clusters = await eventually(
        lambda: questions(server, show, anchor), lambda c: len(open_ones(c)) == 3
    )
    shown = open_ones(clusters)
    assert [c["intent"] for c in shown] == ["question_size", "question_shipping", "question_price"]
    assert [(c["count"], c["viewers"]) for c in shown] == [
        (len(SIZE), len(SIZE)),
        (len(SHIPPING), len(SHIPPING)),
        (len(PRICE) + 3, len(PRICE) + 1),
    ]
    assert all(c["sku"] == "A1" for c in shown)
    size = shown[0]
    assert size["representative"] in SIZE
    assert len(size["examples"]) == 3

    # The anchor may read the queue but not close it; an unknown cluster is a 404.
    refused = await call(
        server, "POST", f"/api/v1/shows/{show}/questions/{size['id']}/answer", anchor
    )
    assert refused.status_code == 403, refused.text
    missing = await call(server, "POST", f"/api/v1/shows/{show}/questions/q_nope/answer", field)
    assert missing.status_code == 404, missing.text

    answered = await call(
        server, "POST", f"/api/v1/shows/{show}/questions/{size['id']}/answer", field, json={}
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"
    clusters = await eventually(
        lambda: questions(server, show, field), lambda c: len(open_ones(c)) == 2
    )
    assert [c["intent"] for c in open_ones(clusters)] == ["question_shipping", "question_price"]
    closed = next(c for c in clusters if c["id"] == size["id"])
    assert (closed["status"], closed["count"]) == ("answered", len(SIZE))
    log = await call(server, "GET", f"/api/v1/shows/{show}/actions", field)
    assert any(
        a["type"] == "question.answer" and a["cluster_id"] == size["id"]
        for a in log.json()["actions"]
    )

    # A new wave of the same question reopens the same cluster, counting from one.
    await ingest(server, show, comment("s-again", "late-viewer", "这件多大码啊", now_ts()))
    clusters = await eventually(
        lambda: questions(server, show, field),
        lambda c: any(x["id"] == size["id"] and x["status"] == "open" for x in c),
    )
    again = next(c for c in clusters if c["id"] == size["id"])
    assert (again["status"], again["count"], again["total"]) == ("open", 1, len(SIZE) + 1)

    # Dismissed: it comes back only when three viewers ask again.
    price = next(c for c in open_ones(clusters) if c["intent"] == "question_price")
    dismissed = await call(
        server, "POST", f"/api/v1/shows/{show}/questions/{price['id']}/dismiss", field
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "dismissed"

    # The review reads the same from storage: comments per intent and minute, the queue.
    review = (await call(server, "GET", f"/api/v1/shows/{show}/review", field)).json()
    per_intent = {row["intent"]: row["count"] for row in review["comments"]}
    assert len(per_intent) == 12
    assert per_intent["question_size"] == len(SIZE) + 1
    assert per_intent["question_shipping"] == len(SHIPPING)
    assert per_intent["question_price"] == len(PRICE) + 6
    assert per_intent["praise"] == 5
    assert sum(per_intent.values()) == sum(
        sum(v for k, v in m.items() if k != "minute") for m in review["comment_minutes"]
    )
    asked = review["questions"]
    assert (asked["clusters"], asked["answered"], asked["dismissed"]) == (3, 1, 1)
    assert asked["top"][0]["id"] == size["id"]
    assert asked["top"][0]["total"] == len(SIZE) + 1
    assert asked["answer_seconds_median"] is not None


async def test_an_answer_with_a_reply_sets_the_announcement(server: Server) -> None:
    show = await create_show(server, lineup=LINEUP)
    assistant = await token_for(server, show, "assistant")
    pinned = await action(server, show, assistant, type="product.pin", sku="A1")
    assert pinned.status_code == 201, pinned.text
    await ingest(server, show, comment("q1", "v1", "多少钱", now_ts()))
    clusters = await eventually(lambda: questions(server, show, assistant), lambda c: len(c) == 1)
    cluster = clusters[0]
    replies = await call(
        server, "GET", f"/api/v1/shows/{show}/replies?cluster_id={cluster['id']}", assistant
    )
    assert replies.status_code == 200, replies.text
    first = replies.json()["replies"][0]
    assert first["intent"] == "question_price"
    assert "99元" in first["text"]
    assert "羊绒围巾" in first["text"]
    answered = await call(
        server,
        "POST",
        f"/api/v1/shows/{show}/questions/{cluster['id']}/answer",
        assistant,
        json={"reply": first["text"], "announce": True},
    )
    assert answered.status_code == 200, answered.text
    commerce = await call(server, "GET", f"/api/v1/shows/{show}/commerce", assistant)
    assert commerce.json()["announcement"] == first["text"]
    no_reply = await call(
        server,
        "POST",
        f"/api/v1/shows/{show}/questions/{cluster['id']}/answer",
        assistant,
        json={"announce": True},
    )
    assert no_reply.status_code == 422, no_reply.text
