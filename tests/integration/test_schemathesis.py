"""The OpenAPI description is true: a seeded schemathesis run against a real server.

Every operation in /openapi.json is exercised with every check schemathesis has (no server
error, documented status codes, response bodies, content types and headers matching the
description, schema-valid requests accepted and schema-violating ones refused, the `Allow`
header, auth not ignored, …), in every phase (coverage, fuzzing, stateful), once with the admin
token and once with a field_control token scoped to one show, on SQLite and on PostgreSQL.

Nothing is excluded. What is not in the description is not fuzzed: the live websocket
(docs/protocol.md and docs/asyncapi.json describe it; tests/integration/test_live_websocket.py
tests it), the console pages and the operational endpoints (/healthz, /readyz, /metrics),
which are kept out of the API description on purpose; tests/integration/test_http_edge.py
covers their edges.

The path parameters are drawn from a dictionary part of the time (the seeded show, its SKUs,
an order it holds), so that the generated requests reach past "no such show" into the logic.
docs/api.md gives the command to run the same against any server.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from liveops.alerts import service as alerts_service
from liveops.alerts.rules import DEFAULTS
from liveops.alerts.service import NewAlert
from liveops.config import Settings
from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work
from tests.conftest import Server, running_server

log = logging.getLogger(__name__)
# Two runs of up to RUN_SECONDS each, and the server around them.
pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(720)]
RUN_SECONDS = 330

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
SEED = 20261204
# Per operation and phase; with the coverage phase's own boundary cases and the stateful
# phase, a few hundred requests per operation over the whole file. Tuned so that the file
# runs in about three minutes on two cores.
MAX_EXAMPLES = {"admin": 40, "field_control": 15}
SKUS = ("A1", "B2")
ORDER = "o-seeded"
# Alerts are fired by the live side, not over HTTP: two are stored directly, one for field
# control and one it may not handle, so that acknowledging and resolving reach past 404.
ALERTS = {"al_5eeded0000000001": "low_stock", "al_5eeded0000000002": "question_unanswered"}


async def seed(server: Server) -> tuple[str, str]:
    """A show with a lineup, stock and a reservation; and a field_control token for it."""
    product = {"name": "围巾", "role": "爆款", "list_price": 19_900, "live_price": 9_900}
    lineup = [{**product, "sku": sku, "allocated_stock": 1_000} for sku in SKUS]
    async with server.client() as client:
        created = await client.post(
            "/api/v1/shows", json={"title": "fuzz", "platform": "douyin", "lineup": lineup}
        )
        assert created.status_code == 201, created.text
        show = str(created.json()["id"])
        reserved = await client.post(
            f"/api/v1/shows/{show}/stock/A1/reservations",
            json={"order_id": ORDER, "viewer_id": "v1", "qty": 1},
        )
        assert reserved.status_code == 201, reserved.text
        minted = await client.post(
            "/api/v1/auth/tokens",
            json={"role": "field_control", "show_id": show, "label": "schemathesis"},
        )
        assert minted.status_code == 201, minted.text
    await seed_alerts(server.settings, show)
    return show, str(minted.json()["token"])


async def seed_alerts(settings: Settings, show: str) -> None:
    engine = create_engine(settings)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            for alert_id, name in ALERTS.items():
                rule = DEFAULTS[name]
                new = NewAlert(alert_id, name, rule.severity, rule.roles, name, datetime.now(UTC))
                await alerts_service.fire(session, show, new)
    finally:
        await engine.dispose()


def config(directory: Path, show: str) -> Path:
    path = directory / "schemathesis.toml"
    path.write_text(
        f"""
[dictionaries.shows]
values = ["{show}"]

[dictionaries.skus]
values = [{", ".join(f'"{s}"' for s in SKUS)}]

[dictionaries.orders]
values = ["{ORDER}"]

[dictionaries.alerts]
values = [{", ".join(f'"{a}"' for a in ALERTS)}]

[parameters]
"path.show_id" = {{ dictionary = "shows", probability = 0.8 }}
"path.sku" = {{ dictionary = "skus", probability = 0.6 }}
"path.order_id" = {{ dictionary = "orders", probability = 0.5 }}
"path.alert_id" = {{ dictionary = "alerts", probability = 0.6 }}

# A schema-violating body that is also over the body limit is refused by size before
# it is parsed: 413 is a rejection too (the 5xx default is left out on purpose).
[checks.negative_data_rejection]
expected-statuses = [
  "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429",
]
""",
        encoding="utf-8",
    )
    return path


async def run(server: Server, token: str, config_file: Path, max_examples: int) -> str:
    """One schemathesis run; its whole output, with the exit code on the last line."""
    process = await asyncio.create_subprocess_exec(
        SCHEMATHESIS,
        "--config-file",
        str(config_file),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--seed",
        str(SEED),
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--request-timeout",
        "20",
        # The hypothesis example database and reports stay out of the repository.
        cwd=config_file.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), RUN_SECONDS)
    return f"{output.decode(errors='replace')}\nexit code {process.returncode}"


def summary(output: str) -> str:
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if "SUMMARY" in line), len(lines) - 25)
    return "\n".join(lines[start:])


@pytest.mark.parametrize(
    "settings", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_every_operation_answers_as_described(settings: Settings, tmp_path: Path) -> None:
    failed: list[str] = []
    async with running_server(settings) as server:
        show, field_token = await seed(server)
        config_file = config(tmp_path, show)
        # field_control first: the admin run revokes tokens (DELETE /auth/tokens/{id}), the
        # field_control one among them.
        for who, token in (("field_control", field_token), ("admin", server.token)):
            started = time.perf_counter()
            output = await run(server, token, config_file, MAX_EXAMPLES[who])
            took = time.perf_counter() - started
            # `pytest --log-cli-level=INFO` shows each run's counts.
            log.info("schemathesis as %s (%.0f s):\n%s", who, took, summary(output))
            if not output.endswith("exit code 0"):
                failed.append(f"as {who}:\n{output}")
    assert not failed, "\n\n".join(failed)
