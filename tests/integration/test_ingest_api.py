"""Contract §3 over real HTTP, on the embedded default and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, free_port
from tests.timestamps import at

pytestmark = pytest.mark.anyio


def ev(n: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"e{n}", "type": kind, "ts": at(n), **fields}


async def create_show(server: Server, **extra: Any) -> str:
    async with server.client() as client:
        response = await client.post(
            "/api/v1/shows", json={"title": "测试专场", "platform": "douyin", **extra}
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


class TestIngest:
    async def test_partial_acceptance_keeps_valid_and_quarantines_the_rest(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        batch = [
            ev(1, "viewer.join", viewer_id="v1"),
            ev(2, "gift", viewer_id="v1", gift="rose", value=990.5),
            ev(3, "comment", viewer_id="v1", text="这件有XL吗"),
            {"id": "e4", "type": "teleport", "ts": at(4)},
            "not an object",
        ]
        async with server.client() as client:
            response = await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})
            assert response.status_code == 200
            body = response.json()
            assert body["accepted"] == 2
            assert body["duplicates"] == 0
            rejected = {r["index"]: r for r in body["rejected"]}
            assert set(rejected) == {1, 3, 4}
            assert rejected[1]["id"] == "e2"
            assert "value" in rejected[1]["error"]
            assert "integer" in rejected[1]["error"]
            assert "unknown type 'teleport'" in rejected[3]["error"]
            assert rejected[4]["id"] is None

            quarantine = (await client.get(f"/api/v1/shows/{show}/quarantine")).json()
            assert sorted(i["batch_index"] for i in quarantine["items"]) == [1, 3, 4]
            assert any('"value":990.5' in i["raw"] for i in quarantine["items"])

    async def test_retrying_a_batch_counts_duplicates_and_changes_nothing(
        self, server: Server
    ) -> None:
        show = await create_show(server)
        batch = [
            ev(1, "viewer.join", viewer_id="v1"),
            ev(2, "order.paid", order_id="o1", amount=9900),
            ev(2, "order.paid", order_id="o1", amount=9900),  # same id twice in one batch
        ]
        async with server.client() as client:
            first = await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})
            assert first.json() == {"accepted": 2, "duplicates": 1, "rejected": []}
            again = await client.post(f"/api/v1/shows/{show}/events", json={"events": batch})
            assert again.json() == {"accepted": 0, "duplicates": 3, "rejected": []}
            summary = (await client.get(f"/api/v1/shows/{show}/review")).json()["summary"]
        assert summary["gmv_paid"] == 9900
        assert summary["views"] == 1

    @pytest.mark.parametrize(
        ("body", "fragment"),
        [
            (b"{not json", "not valid JSON"),
            (b"[]", '"events" list'),
            (b'{"events": {}}', '"events" list'),
        ],
    )
    async def test_a_body_that_is_not_an_events_object_is_422(
        self, server: Server, body: bytes, fragment: str
    ) -> None:
        show = await create_show(server)
        async with server.client() as client:
            response = await client.post(
                f"/api/v1/shows/{show}/events",
                content=body,
                headers={"Content-Type": "application/json"},
            )
        assert response.status_code == 422
        assert fragment in response.json()["detail"]

    async def test_more_than_5000_events_is_refused_with_the_limit(self, server: Server) -> None:
        show = await create_show(server)
        events = [ev(1, "like", count=1)] * 5001
        async with server.client() as client:
            response = await client.post(f"/api/v1/shows/{show}/events", json={"events": events})
        assert response.status_code == 422
        assert "5000" in response.json()["detail"]

    async def test_unknown_show_is_404(self, server: Server) -> None:
        async with server.client() as client:
            response = await client.post(
                "/api/v1/shows/show_nope/events", json={"events": [ev(1, "like", count=1)]}
            )
        assert response.status_code == 404

    async def test_no_token_is_401(self, server: Server) -> None:
        show = await create_show(server)
        async with server.client(token="wrong") as client:
            response = await client.post(f"/api/v1/shows/{show}/events", json={"events": []})
        assert response.status_code == 401


@pytest.mark.timeout(60)
async def test_a_second_process_on_the_same_embedded_database_is_refused(tmp_path: Path) -> None:
    from liveops.config import Settings
    from tests.conftest import running_server

    async with running_server(Settings(data_dir=tmp_path)):
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("liveops")),
            "serve",
            "--port",
            str(free_port()),
            env={**os.environ, "LIVEOPS_DATA_DIR": str(tmp_path)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode != 0
    assert "already serving the embedded database" in output.decode()


@pytest.mark.timeout(60)
async def test_past_the_in_flight_limit_and_a_short_wait_ingest_answers_503_keeping_nothing(
    settings: Any,
) -> None:
    from urllib.parse import urlsplit

    from tests.conftest import running_server

    limited = settings.model_copy(update={"ingest_max_in_flight": 1, "ingest_queue_seconds": 0.3})
    async with running_server(limited) as server:
        show = await create_show(server)
        body = (
            b'{"events": [{"id": "slow-1", "type": "comment", "ts": "%s", '
            b'"viewer_id": "v1", "text": "hi"}]}' % at(0).encode()
        )
        address = urlsplit(server.url)
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        # A producer on a slow link: admitted, its body still arriving.
        writer.write(
            f"POST /api/v1/shows/{show}/events HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {server.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:10]
        )
        await writer.drain()
        await asyncio.sleep(0.3)
        async with server.client() as client:
            refused = await client.post(
                f"/api/v1/shows/{show}/events", json={"events": [comment_event("busy-1")]}
            )
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == "1"
            assert "retry" in refused.json()["detail"]

            # One that arrives while the slot is taken, which frees within its wait: served.
            waiting = asyncio.create_task(
                client.post(
                    f"/api/v1/shows/{show}/events", json={"events": [comment_event("queued-1")]}
                )
            )
            await asyncio.sleep(0.05)
            writer.write(body[10:])
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 10)
            assert b" 200 " in status_line
            writer.close()
            assert (await waiting).status_code == 200

            retried = await client.post(
                f"/api/v1/shows/{show}/events", json={"events": [comment_event("busy-1")]}
            )
            assert retried.status_code == 200
            assert retried.json()["accepted"] == 1  # the refused try kept nothing
            review = (await client.get(f"/api/v1/shows/{show}/review")).json()
            assert review["summary"]["comments"] == 3


def comment_event(event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "comment",
        "ts": at(1),
        "viewer_id": "v2",
        "text": "在吗",
    }
