"""The HTTP edge (issue #9): odd content types, oversized bodies, short error bodies, the range
of every number a client sends, control characters, and who may scrape /metrics.

Each refusal is a 4xx with a readable message, never a 500, and leaves nothing behind: the
tests read the state back after every refused request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import update
from websockets.asyncio.client import connect

from liveops.config import Settings
from liveops.storage.db import create_engine
from liveops.storage.models import LineupProduct, Show
from tests.conftest import Server, running_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

MiB = 1024 * 1024
PRODUCT = {
    "sku": "A1",
    "name": "羊毛围巾",
    "role": "爆款",
    "list_price": 19_900,
    "live_price": 9_900,
    "allocated_stock": 100,
}


async def new_show(client: httpx.AsyncClient, **extra: Any) -> str:
    response = await client.post(
        "/api/v1/shows", json={"title": "边界", "platform": "douyin", **extra}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def show_ids(client: httpx.AsyncClient) -> set[str]:
    """Every show's id (PostgreSQL's database is shared by the session's tests: compare sets
    before and after rather than expecting none)."""
    return {s["id"] for s in (await client.get("/api/v1/shows")).json()["items"]}


def refused(response: httpx.Response, status: int = 422) -> dict[str, Any]:
    """The response is a refusal with `status`, in the one error format; its body."""
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["code"], str)
    return dict(body)


class TestContentType:
    async def test_a_text_plain_body_is_a_422_not_a_500(self, server: Server) -> None:
        async with server.client() as client:
            show = await new_show(client)
            before = await show_ids(client)
            cases = [
                ("POST", "/api/v1/auth/login", {"token": "0"}),
                ("POST", "/api/v1/auth/tokens", {"role": "admin"}),
                ("POST", "/api/v1/shows", {"title": "t", "platform": "p"}),
                ("PUT", f"/api/v1/shows/{show}/lineup", {"products": [PRODUCT]}),
                ("PUT", f"/api/v1/shows/{show}/targets", {"gmv": 1}),
                ("PUT", f"/api/v1/shows/{show}/stock/A1", {"available": 1, "version": 1}),
                ("POST", f"/api/v1/shows/{show}/stock/A1/flash-sale", {"cap": 1}),
            ]
            for method, path, body in cases:
                response = await client.request(
                    method,
                    path,
                    content=json.dumps(body).encode(),
                    headers={"Content-Type": "text/plain"},
                )
                detail = refused(response)["detail"]
                assert "application/json" in detail, (path, detail)
            # Nothing of those was applied.
            assert (await client.get(f"/api/v1/shows/{show}/lineup")).json()["products"] == []
            assert (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"] == []
            assert await show_ids(client) == before

    async def test_bytes_that_are_not_utf8_are_a_422(self, server: Server) -> None:
        async with server.client() as client:
            for content_type in ("text/plain", "application/json", "application/octet-stream"):
                response = await client.post(
                    "/api/v1/shows",
                    content=b"\xff\xfe\x00title",
                    headers={"Content-Type": content_type},
                )
                assert response.status_code == 422, (content_type, response.text)
                refused(response)


class TestBodyLimit:
    async def test_an_oversized_body_is_refused_before_it_is_read(self, server: Server) -> None:
        limit = server.settings.max_request_body_bytes
        big = b'{"token": "' + b"x" * (limit + 10) + b'"}'
        async with server.client() as client:
            show = await new_show(client)
            for path in ("/api/v1/auth/login", "/api/v1/shows", f"/api/v1/shows/{show}/targets"):
                method = "PUT" if path.endswith("targets") else "POST"
                response = await client.request(
                    method, path, content=big, headers={"Content-Type": "application/json"}
                )
                assert str(limit) in refused(response, 413)["detail"]
            # The reservation fast path sits outside the router: the limit holds there too.
            response = await client.post(
                f"/api/v1/shows/{show}/stock/A1/reservations",
                content=big,
                headers={"Content-Type": "application/json"},
            )
            refused(response, 413)
            assert (await client.get("/healthz")).status_code == 200

    async def test_a_chunked_body_is_counted_as_it_arrives(self, server: Server) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"title": "'
            for _ in range(40):  # 40 MiB, far more than the server should ever hold
                yield b"x" * MiB
            yield b'", "platform": "p"}'

        async with server.client() as client:
            before = await show_ids(client)
            response = await client.post(
                "/api/v1/shows", content=chunks(), headers={"Content-Type": "application/json"}
            )
            refused(response, 413)
            assert (await client.get("/healthz")).status_code == 200
            assert await show_ids(client) == before

    async def test_ingest_has_its_own_larger_limit(self, server: Server) -> None:
        """A 3 MiB ingest batch is fine (its limit is 16 MiB); past that it is a 413."""
        event = {
            "id": "e",
            "type": "comment",
            "ts": datetime.now(UTC).isoformat(),
            "viewer_id": "v",
            "text": "好" * 100,
        }
        async with server.client() as client:
            show = await new_show(client)
            events = [{**event, "id": f"e{i}"} for i in range(5_000)]
            body = json.dumps({"events": events}).encode()
            assert (
                server.settings.max_request_body_bytes < len(body) < server.settings.max_body_bytes
            )
            response = await client.post(
                f"/api/v1/shows/{show}/events",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            assert response.status_code == 200, response.text[:300]
            huge = b'{"events": ["' + b"x" * server.settings.max_body_bytes + b'"]}'
            response = await client.post(
                f"/api/v1/shows/{show}/events",
                content=huge,
                headers={"Content-Type": "application/json"},
            )
            refused(response, 413)


class TestShortErrors:
    async def test_a_422_echoes_at_most_a_short_excerpt(self, server: Server) -> None:
        megabyte = "标" * (MiB // 3)
        async with server.client() as client:
            show = await new_show(client)
            cases = [
                ("POST", "/api/v1/shows", {"title": megabyte, "platform": "p"}),
                ("POST", "/api/v1/shows", {"title": "t", "platform": "p", megabyte: 1}),
                ("POST", "/api/v1/auth/login", {"token": megabyte}),
                ("PUT", f"/api/v1/shows/{show}/targets", {"gmv": megabyte}),
                ("PUT", f"/api/v1/shows/{show}/stock/A1", {"available": 1, "version": megabyte}),
                (
                    "POST",
                    f"/api/v1/shows/{show}/stock/A1/reservations",
                    # The fast path refuses bodies over 16 KiB itself.
                    {"order_id": "o" * 10_000, "viewer_id": "v", "qty": 1},
                ),
            ]
            for method, path, body in cases:
                response = await client.request(method, path, json=body)
                refused(response)
                assert len(response.content) < 4096, (path, len(response.content))

    async def test_many_errors_are_summarised(self, server: Server) -> None:
        products = [{"sku": "", "name": "", "role": "?", "list_price": -1}] * 400
        async with server.client() as client:
            show = await new_show(client)
            response = await client.put(f"/api/v1/shows/{show}/lineup", json={"products": products})
        body = refused(response)
        assert len(response.content) < 8192
        assert "more" in body["detail"]

    async def test_a_huge_integer_is_refused_briefly(self, server: Server) -> None:
        digits = "9" * 4000  # Python refuses to parse more than 4300 digits; stay under
        async with server.client() as client:
            response = await client.post(
                "/api/v1/shows",
                content=f'{{"title": "t", "platform": "p", "planned_minutes": {digits}}}',
                headers={"Content-Type": "application/json"},
            )
        refused(response)
        assert len(response.content) < 2048


class TestRanges:
    async def test_targets_out_of_range_are_refused_and_nothing_is_kept(
        self, server: Server
    ) -> None:
        async with server.client() as client:
            show = await new_show(client, targets={"gmv": 100})
            for targets in (
                {"aov": 6669543358416725496299520},
                {"gmv": 10**12 + 1},
                {"uv": 10**9 + 1},
                {"gmv": -1},
                {"conversion_rate": 1.5},
                {"conversion_rate": False},
                {"gmv": "100"},
                {"uv": 1.5},
            ):
                refused(await client.put(f"/api/v1/shows/{show}/targets", json=targets))
            for raw in ('{"conversion_rate": NaN}', '{"conversion_rate": Infinity}'):
                response = await client.put(
                    f"/api/v1/shows/{show}/targets",
                    content=raw,
                    headers={"Content-Type": "application/json"},
                )
                refused(response)
            assert (await client.get(f"/api/v1/shows/{show}")).json()["targets"]["gmv"] == 100
            # The show still works end to end: start, the console, end.
            assert (await client.post(f"/api/v1/shows/{show}/start")).status_code == 200
            headers = {"Authorization": f"Bearer {server.token}"}
            async with connect(
                f"{server.ws_url}/api/v1/shows/{show}/live", additional_headers=headers
            ) as ws:
                assert json.loads(await ws.recv())["type"] == "snapshot"
            assert (await client.post(f"/api/v1/shows/{show}/end")).status_code == 200
            top = {"gmv": 10**12, "uv": 10**9, "aov": 10**12, "conversion_rate": 1}
            response = await client.put(f"/api/v1/shows/{show}/targets", json=top)
            assert response.status_code == 200, response.text
            assert response.json()["targets"]["gmv"] == 10**12

    async def test_what_was_stored_before_the_rules_tightened_still_reads(
        self, server: Server
    ) -> None:
        """Ranges bind what comes in; a show stored earlier with a larger target or a
        control character in a product name still answers (not a 500 on reading it)."""
        async with server.client() as client:
            show = await new_show(client, lineup=[PRODUCT])
        engine = create_engine(server.settings)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    update(Show).where(Show.id == show).values(targets={"gmv": 10**15})
                )
                await connection.execute(
                    update(LineupProduct)
                    .where(LineupProduct.show_id == show)
                    .values(name="围\x07巾", list_price=10**13)
                )
        finally:
            await engine.dispose()
        async with server.client() as client:
            response = await client.get(f"/api/v1/shows/{show}")
            assert response.status_code == 200, response.text
            assert response.json()["targets"]["gmv"] == 10**15
            response = await client.get(f"/api/v1/shows/{show}/lineup")
            assert response.status_code == 200, response.text
            assert response.json()["products"][0]["list_price"] == 10**13

    async def test_lineup_prices_and_stock_out_of_range_are_refused(self, server: Server) -> None:
        async with server.client() as client:
            show = await new_show(client, lineup=[PRODUCT])
            before = await show_ids(client)
            for change in (
                {"list_price": 2**63},
                {"live_price": 10**12 + 1},
                {"live_price": -1},
                {"allocated_stock": 10**9 + 1},
                {"allocated_stock": 2**63},
            ):
                bad = {**PRODUCT, "sku": "B2", **change}
                response = await client.put(
                    f"/api/v1/shows/{show}/lineup", json={"products": [PRODUCT, bad]}
                )
                refused(response)
                bad_show = {"title": "t", "platform": "p", "lineup": [bad]}
                refused(await client.post("/api/v1/shows", json=bad_show))
            lineup = (await client.get(f"/api/v1/shows/{show}/lineup")).json()["products"]
            assert lineup == [PRODUCT]
            stock = (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"]
            assert [row["sku"] for row in stock] == ["A1"]
            assert await show_ids(client) == before

    async def test_stock_versions_stay_within_a_signed_64_bit_range(self, server: Server) -> None:
        async with server.client() as client:
            show = await new_show(client)
            path = f"/api/v1/shows/{show}/stock/A1"
            for version in (2**53, 2**63, 2**64, -1, -(2**63), -(2**63) - 1, "1", True, 1.5):
                refused(await client.put(path, json={"available": 5, "version": version}))
            refused(await client.put(path, json={"available": 10**9 + 1, "version": 1}))
            assert (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"] == []
            # The largest integer every JSON reader holds exactly (JavaScript's too).
            top = {"available": 10**9, "version": 2**53 - 1}
            response = await client.put(path, json=top)
            assert response.status_code == 200, response.text
            assert response.json()["version"] == 2**53 - 1
            # Nothing is newer than the newest version: a 409 with the row, not an overflow.
            response = await client.put(path, json={"available": 1, "version": 2**53 - 1.0})
            assert response.status_code == 409, response.text
            assert response.json()["available"] == 10**9

    async def test_a_flash_sale_starts_within_a_sane_window(self, server: Server) -> None:
        async with server.client() as client:
            show = await new_show(client)
            path = f"/api/v1/shows/{show}/stock/A1"
            assert (await client.put(path, json={"available": 5, "version": 1})).status_code == 200
            for starts_at in ("9999-12-31T23:59:59Z", "2199-01-01T00:00:00Z"):
                response = await client.post(
                    f"{path}/flash-sale", json={"cap": 1, "starts_at": starts_at}
                )
                refused(response)
            refused(await client.post(f"{path}/flash-sale", json={"cap": 10**9 + 1}))
            row = (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"][0]
            assert row["flash_sale"] is None
            response = await client.post(f"{path}/flash-sale", json={"cap": 2})
            assert response.status_code == 200, response.text

    async def test_planned_start_lies_in_a_sane_window(self, server: Server) -> None:
        async with server.client() as client:
            before = await show_ids(client)
            for when in ("9999-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z"):
                body = {"title": "t", "platform": "p", "planned_start_at": when}
                refused(await client.post("/api/v1/shows", json=body))
            assert await show_ids(client) == before


class TestControlCharacters:
    async def test_titles_and_identifiers_refuse_control_characters(self, server: Server) -> None:
        async with server.client() as client:
            before = await show_ids(client)
            for field in ("title", "platform", "room"):
                for bad in ("a\x00b", "a\x07b", "a\nb"):
                    body = {"title": "t", "platform": "p", field: bad}
                    detail = refused(await client.post("/api/v1/shows", json=body))["detail"]
                    assert "control character" in detail
            refused(
                await client.post(
                    "/api/v1/shows", json={**{"title": "t", "platform": "p"}, "anchors": ["\x00"]}
                )
            )
            assert await show_ids(client) == before

            show = await new_show(client)
            for change in ({"sku": "A\x001"}, {"name": "围\x00巾"}, {"sku": "A 1\t"}):
                bad = {**PRODUCT, **change}
                response = await client.put(
                    f"/api/v1/shows/{show}/lineup", json={"products": [bad]}
                )
                refused(response)
            assert (await client.get(f"/api/v1/shows/{show}/lineup")).json()["products"] == []

            for sku in ("A%00", "A%0A", "A%7F"):
                path = f"/api/v1/shows/{show}/stock/{sku}"
                refused(await client.put(path, json={"available": 1, "version": 1}))
                refused(await client.post(f"{path}/flash-sale", json={"cap": 1}))
            assert (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"] == []
            assert (
                await client.put(
                    f"/api/v1/shows/{show}/stock/A1", json={"available": 1, "version": 1}
                )
            ).status_code == 200
            for order in ({"order_id": "o\x00"}, {"viewer_id": "v\x00"}):
                body = {"order_id": "o1", "viewer_id": "v1", "qty": 1, **order}
                response = await client.post(
                    f"/api/v1/shows/{show}/stock/A1/reservations", json=body
                )
                refused(response)
            row = (await client.get(f"/api/v1/shows/{show}/stock")).json()["items"][0]
            assert row["reserved"] == 0
            for show_id in ("show%00", "x%0Ay"):
                for path in ("", "/review", "/stock", "/lineup"):
                    response = await client.get(f"/api/v1/shows/{show_id}{path}")
                    assert 400 <= response.status_code < 500, (path, response.text)
                # Never a 500 (PostgreSQL cannot even compare a NUL); an empty page will do.
                response = await client.get(f"/api/v1/shows/{show_id}/quarantine")
                assert response.status_code < 500, response.text
                response = await client.post(f"/api/v1/shows/{show_id}/events", json={"events": []})
                assert 400 <= response.status_code < 500, response.text

    async def test_unpaired_surrogates_are_refused(self, server: Server) -> None:
        async with server.client() as client:
            response = await client.post(
                "/api/v1/shows",
                content=b'{"title": "\\ud800", "platform": "p"}',
                headers={"Content-Type": "application/json"},
            )
            refused(response)


class TestMetricsAuth:
    async def test_metrics_need_the_admin_or_the_metrics_token(self, server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url) as anonymous:
            response = await anonymous.get("/metrics")
            assert "Bearer" in refused(response, 401)["detail"]
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert "liveops_" not in response.text
            wrong = await anonymous.get("/metrics", headers={"Authorization": "Bearer nope"})
            refused(wrong, 401)
        async with server.client() as admin:
            show = await new_show(admin)
            minted = await admin.post(
                "/api/v1/auth/tokens", json={"role": "field_control", "show_id": show}
            )
            response = await admin.get("/metrics")
            assert response.status_code == 200
            assert "liveops_" in response.text
        async with server.client(minted.json()["token"]) as field:
            refused(await field.get("/metrics"), 401)

    async def test_a_configured_metrics_token_may_scrape(self, settings: Settings) -> None:
        scrape = "scrape-" + settings.effective_database_url[:6]
        configured = settings.model_copy(update={"metrics_token": SecretStr(scrape)})
        async with running_server(configured) as server:
            async with httpx.AsyncClient(base_url=server.url) as anonymous:
                refused(await anonymous.get("/metrics"), 401)
            async with server.client(scrape) as client:
                assert (await client.get("/metrics")).status_code == 200
                # The metrics token opens /metrics, nothing else.
                refused(await client.get("/api/v1/shows"), 401)
            async with server.client() as admin:
                assert (await admin.get("/metrics")).status_code == 200
