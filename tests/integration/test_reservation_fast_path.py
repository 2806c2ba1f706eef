"""The reservation fast path answers exactly as the FastAPI route does: the same table of
requests, good and bad, against a real uvicorn with the fast path and one without, must give
the same statuses, bodies and Retry-After headers; and the fast path must really be taken."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from liveops.config import Settings
from liveops.inventory import fast_path
from tests.conftest import Server, running_server
from tests.integration.test_ingest_api import create_show

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

Answer = tuple[int, Any, str | None]


def _body(order: str, qty: Any = 1, **extra: Any) -> dict[str, Any]:
    return {"order_id": order, "viewer_id": f"viewer-{order}", "qty": qty, **extra}


async def _table(server: Server) -> list[tuple[str, Answer]]:
    show = await create_show(server)
    async with server.client() as admin:
        put = await admin.put(
            f"/api/v1/shows/{show}/stock/HOT", json={"available": 2, "version": 1}
        )
        assert put.status_code == 200, put.text
        minted = {
            role: (
                await admin.post("/api/v1/auth/tokens", json={"role": role, "show_id": show})
            ).json()["token"]
            for role in ("integrator", "anchor")
        }
    path = f"/api/v1/shows/{show}/stock/HOT/reservations"

    def with_token(token: str | None, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        sent = dict(headers or {})
        if token is not None:
            sent.setdefault("Authorization", f"Bearer {token}")
        return httpx.AsyncClient(base_url=server.url, headers=sent, timeout=30)

    admin_token, integrator = server.token, minted["integrator"]
    cases: list[tuple[str, Callable[[], Awaitable[httpx.Response]]]] = []

    def case(name: str, token: str | None, url: str, **request: Any) -> None:
        headers = request.pop("headers", None)

        async def send() -> httpx.Response:
            async with with_token(token, headers) as client:
                return await client.post(url, **request)

        cases.append((name, send))

    case("reserves", integrator, path, json=_body("o1"))
    case("a retry answers as the first time", integrator, path, json=_body("o1"))
    case("more than is left", integrator, path, json=_body("o2", qty=5))
    case("the last unit", admin_token, path, json=_body("o3"))
    case("sold out", integrator, path, json=_body("o4"))
    case("a sold-out retry", integrator, path, json=_body("o4"))
    case(
        "no such SKU", integrator, f"/api/v1/shows/{show}/stock/NOPE/reservations", json=_body("o5")
    )
    case("a SKU longer than allowed", integrator, path.replace("HOT", "S" * 65), json=_body("o6"))
    case("no token", None, path, json=_body("o7"))
    case("not a bearer token", None, path, json=_body("o8"), headers={"Authorization": "Basic x"})
    case("an unknown token", "nope", path, json=_body("o9"))
    case("a role that may not reserve", minted["anchor"], path, json=_body("o10"))
    case("a role that may not reserve, a bad body", minted["anchor"], path, json={"qty": 0})
    case("another show's token", integrator, path.replace(show, "show_other"), json=_body("o11"))
    case("a missing field", integrator, path, json={"order_id": "o12", "qty": 1})
    case("qty zero", integrator, path, json=_body("o13", qty=0))
    case("qty as text", integrator, path, json=_body("o14", qty="1"))
    case("an unknown field", integrator, path, json=_body("o15", coupon="x"))
    case("an empty order id", integrator, path, json=_body(""))
    case(
        "not JSON", integrator, path, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    case("a JSON list", integrator, path, json=[1, 2])
    case("no body", integrator, path)
    answers = []
    for name, send in cases:
        response = await send()
        body = response.json() if response.content else None
        answers.append((name, (response.status_code, body, response.headers.get("retry-after"))))
    return [(name, _without(show, answer)) for name, answer in answers]


def _without(show: str, answer: Answer) -> Answer:
    """The show id differs between the two servers; nothing else may."""
    status, body, retry = answer
    text = repr(body).replace(show, "<show>")
    return status, text, retry


async def _answers(tmp_path: Path, enabled: bool) -> tuple[list[tuple[str, Answer]], int]:
    taken = 0
    original = fast_path._reserve

    async def counting(*args: Any) -> tuple[int, dict[str, Any]]:
        nonlocal taken
        taken += 1
        return await original(*args)

    settings = Settings(data_dir=tmp_path / str(enabled), reservation_fast_path=enabled)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast_path, "_reserve", counting)
        async with running_server(settings) as server:
            return await _table(server), taken


async def test_the_fast_path_answers_as_the_route_does(tmp_path: Path) -> None:
    fast, taken_fast = await _answers(tmp_path, enabled=True)
    routed, taken_routed = await _answers(tmp_path, enabled=False)
    assert taken_routed == 0
    # Every case but the over-long SKU (left to the router on purpose) took the fast path.
    assert taken_fast == len(fast) - 1
    for (name, got), (_, expected) in zip(fast, routed, strict=True):
        assert got == expected, name
    statuses = dict((name, answer[0]) for name, answer in fast)
    assert statuses["reserves"] == 201
    assert statuses["sold out"] == 409
    assert statuses["no token"] == 401
    assert statuses["a role that may not reserve"] == 403
    assert statuses["not JSON"] == 422
    assert statuses["no body"] == 422


async def test_the_fast_path_refuses_an_oversized_body(tmp_path: Path) -> None:
    async with running_server(Settings(data_dir=tmp_path)) as server:
        show = await create_show(server)
        async with server.client() as client:
            response = await client.post(
                f"/api/v1/shows/{show}/stock/HOT/reservations",
                json=_body("o1", note="x" * (fast_path.MAX_BODY_BYTES + 1)),
            )
    assert response.status_code == 413
    assert "at most" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/api/v1/shows/s1/stock/HOT/reservations", ("s1", "HOT")),
        ("/api/v1/shows/s1/stock/HOT/reservations/o1", None),
        ("/api/v1/shows/s1/stock/HOT", None),
        ("/api/v1/shows//stock/HOT/reservations", None),
        ("/api/v1/shows/s1/stock//reservations", None),
        ("/api/v2/shows/s1/stock/HOT/reservations", None),
        ("/api/v1/shows/s1/stock/" + "S" * 64 + "/reservations", ("s1", "S" * 64)),
        ("/api/v1/shows/s1/stock/" + "S" * 65 + "/reservations", None),
    ],
)
def test_which_paths_it_answers(path: str, target: tuple[str, str] | None) -> None:
    assert fast_path.reservation_target(path) == target
