"""POST /api/v1/compliance/check over real HTTP (contract §9), on SQLite, PostgreSQL and
PostgreSQL + Redis."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.integration.test_ingest_api import create_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

PATH = "/api/v1/compliance/check"


async def post(server: Server, body: Any, token: str | None = None) -> httpx.Response:
    async with server.client(token) as client:
        return await client.post(PATH, json=body)


async def mint(server: Server, role: str, show: str) -> str:
    async with server.client() as admin:
        answer = await admin.post("/api/v1/auth/tokens", json={"role": role, "show_id": show})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


async def test_results_in_order_with_offsets(server: Server) -> None:
    texts = ["最后三分钟，第一个链接", "这是最好的面霜，无副作用", "", "加我VX领券", "最顶层放被子"]
    answer = await post(server, {"texts": texts})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert len(results) == len(texts)
    found = [[(v["term"], v["kind"]) for v in r["violations"]] for r in results]
    assert found == [
        [],
        [("最好", "absolute"), ("无副作用", "efficacy")],
        [],
        [("VX", "platform")],
        [],
    ]
    for text, result in zip(texts, results, strict=True):
        for v in result["violations"]:
            assert text[v["start"] : v["end"]] == v["term"]
            assert set(v) == {"term", "kind", "start", "end", "reason", "suggestion"}
            assert v["reason"]


async def test_a_thousand_texts_are_answered(server: Server) -> None:
    texts = [f"第{i}号宝宝问：这个是最好的吗" for i in range(1_000)]
    answer = await post(server, {"texts": texts})
    assert answer.status_code == 200, answer.text
    assert all(r["violations"][0]["term"] == "最好" for r in answer.json()["results"])


async def test_without_a_token_401(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as anonymous:
        answer = await anonymous.post(PATH, json={"texts": ["最好"]})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"texts": []}, "texts"),
        ({"texts": ["最好"] * 1_001}, "texts"),
        ({"texts": "最好"}, "texts"),
        ({"texts": [1, 2]}, "texts.0"),
        ({"texts": ["a" * 10_001]}, "10000"),
        ({}, "texts"),
        ({"texts": ["ok"], "extra": 1}, "extra"),
    ],
)
async def test_invalid_bodies_422(server: Server, body: Any, says: str) -> None:
    answer = await post(server, body)
    assert answer.status_code == 422, answer.text
    assert says in answer.json()["detail"]


@pytest.mark.parametrize("role", ["integrator", "anchor"])
async def test_a_show_role_may_check(server: Server, role: str) -> None:
    token = await mint(server, role, await create_show(server))
    answer = await post(server, {"texts": ["史上最低价"]}, token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["violations"][0]["kind"] == "absolute"
