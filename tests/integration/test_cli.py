"""The first hour with the `liveops` command: the demo stops cleanly, commands run from the
wrong directory say so, bad tokens stop the simulator, and the console's pages work offline.

Every command runs as a real subprocess, in a temporary directory, with no LIVEOPS_* variables
from the outside, and is killed if it outlives its bound.
"""

from __future__ import annotations

import asyncio
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from liveops.auth.principal import Role
from liveops.config import Settings
from tests.conftest import Server, free_port, running_server
from tests.integration.test_ingest_api import create_show

pytestmark = pytest.mark.timeout(60)

LIVEOPS = str(Path(sys.executable).with_name("liveops"))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEOPS_")}
    return env | {"PYTHONUNBUFFERED": "1", **extra}


def liveops(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LIVEOPS, *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def no_traceback(output: str) -> None:
    assert "Traceback" not in output, output


class TestDemo:
    @pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
    def test_stopping_the_demo_ends_its_show_and_exits_0_quietly(
        self, tmp_path: Path, stop: signal.Signals
    ) -> None:
        port = free_port()
        demo = subprocess.Popen(
            [LIVEOPS, "demo", "--port", str(port), "--duration", "600", "--rate", "10"],
            cwd=tmp_path,
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        errors: list[str] = []

        def read() -> None:
            assert demo.stdout is not None
            for line in demo.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        def read_errors() -> None:
            assert demo.stderr is not None
            errors.extend(demo.stderr)

        readers = [threading.Thread(target=f, daemon=True) for f in (read, read_errors)]
        for reader in readers:
            reader.start()
        printed: list[str] = []
        try:
            deadline = time.monotonic() + 30
            while not any("/login" in line for line in printed):
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                assert line is not None, f"the demo ended early: {printed} {errors}"
                printed.append(line)
            # The show plays on for a while; nothing more is printed meanwhile.
            time.sleep(2)
            count_before_stop = len(printed) + lines.qsize()
            demo.send_signal(stop)
            demo.wait(25)
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait(5)
        for reader in readers:
            reader.join(5)
        while (line := lines.get(timeout=5)) is not None:
            printed.append(line)
        stderr = "".join(errors)

        assert demo.returncode == 0, (printed, stderr)
        no_traceback(stderr)
        no_traceback("\n".join(printed))
        link_at = next(i for i, line in enumerate(printed) if "/login" in line)
        link = printed[link_at].strip()
        assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/login[#?]code=\S+&show=show_\w+", link)
        # The link is the last thing printed until the user stops the demo; then one line.
        before_stop = [line for line in printed[:count_before_stop] if line.strip()]
        assert before_stop[-1].strip() == link, printed
        after = [line for line in printed[count_before_stop:] if line.strip()]
        assert len(after) == 1, printed
        assert "stopped" in after[0]
        # No access log and no JSON log lines either.
        assert "GET /" not in stderr, stderr
        assert "POST /" not in stderr, stderr

        show_id = link.rsplit("show=", 1)[1]
        with sqlite3.connect(tmp_path / ".liveops" / "liveops.db") as db:
            statuses = dict(db.execute("SELECT id, status FROM show").fetchall())
        assert statuses == {show_id: "ended"}

    def test_a_busy_port_is_said_plainly(self, tmp_path: Path) -> None:
        import socket

        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = liveops("demo", "--port", str(port), cwd=tmp_path)
        assert result.returncode == 2
        assert f"127.0.0.1:{port}" in result.stderr
        assert "--port" in result.stderr
        no_traceback(result.stderr)


class TestTokenAndShow:
    def test_token_in_a_directory_without_a_database_creates_nothing(self, tmp_path: Path) -> None:
        result = liveops("token", "--role", "admin", cwd=tmp_path)
        assert result.returncode == 2, result
        assert "no LiveOps database here" in result.stderr
        assert str(tmp_path.resolve()) in result.stderr  # where it looked
        assert "LIVEOPS_DATABASE_URL" in result.stderr  # how to point at one
        no_traceback(result.stderr)
        assert result.stdout == ""
        assert not (tmp_path / ".liveops").exists()

    def test_show_create_then_tokens_for_it(self, tmp_path: Path) -> None:
        assert liveops("migrate", cwd=tmp_path).returncode == 0
        created = liveops(
            "show", "create", "--title", "双十二专场", "--platform", "douyin", cwd=tmp_path
        )
        assert created.returncode == 0, created.stderr
        show_id = created.stdout.strip()
        assert re.fullmatch(r"show_\w+", show_id)

        minted = liveops("token", "--role", "anchor", "--show", show_id, cwd=tmp_path)
        assert minted.returncode == 0, minted.stderr
        assert minted.stdout.strip()
        assert "\n" not in minted.stdout.strip()

        unknown = liveops("token", "--role", "anchor", "--show", "nosuch", cwd=tmp_path)
        assert unknown.returncode == 2
        assert "nosuch" in unknown.stderr
        assert unknown.stdout == ""
        no_traceback(unknown.stderr)

        showless = liveops("token", "--role", "anchor", cwd=tmp_path)
        assert showless.returncode == 2
        assert "--show" in showless.stderr
        assert "a anchor" not in showless.stderr

        with sqlite3.connect(tmp_path / ".liveops" / "liveops.db") as db:
            (count,) = db.execute("SELECT count(*) FROM api_token").fetchone()
        assert count == 1  # only the anchor token for the real show

    def test_show_create_refuses_a_bad_show(self, tmp_path: Path) -> None:
        assert liveops("migrate", cwd=tmp_path).returncode == 0
        result = liveops("show", "create", "--title", "", "--platform", "douyin", cwd=tmp_path)
        assert result.returncode == 2
        assert "title" in result.stderr
        no_traceback(result.stderr)

    def test_help_lists_the_roles_and_every_option_is_explained(self, tmp_path: Path) -> None:
        result = liveops("token", "--help", cwd=tmp_path)
        assert result.returncode == 0
        for role in Role:
            assert role.value in result.stdout
        for command in (["serve"], ["demo"], ["simulate"], ["token"], ["show", "create"]):
            text = liveops(*command, "--help", cwd=tmp_path).stdout
            options = re.findall(r"^  (--[\w-]+)(.*)$", text, flags=re.M)
            assert options, text
            for name, rest in options:
                if name == "--help":
                    continue
                # argparse puts the help on the option's line or on the next one.
                following = text.split(name + rest, 1)[1].split("\n", 2)[1]
                assert rest.strip(" A-Z_{},") or following.startswith(" " * 10), (name, text)


class TestSimulate:
    @pytest.mark.anyio
    async def test_a_bad_token_stops_at_once(self, tmp_path: Path) -> None:
        async with running_server(Settings(data_dir=tmp_path)) as server:
            show = await create_show(server)
            began = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                LIVEOPS,
                *("simulate", "--url", server.url, "--show", show, "--token", "nope"),
                *("--duration", "60", "--rate", "20", "--seed", "1"),
                env=clean_env(),
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await asyncio.wait_for(process.communicate(), 20)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            elapsed = time.monotonic() - began
            async with server.client() as client:
                status = (await client.get(f"/api/v1/shows/{show}")).json()["status"]
        assert process.returncode == 2
        message = err.decode()
        assert "HTTP 401" in message, message
        assert "--token" in message, message
        assert "playing on" not in out.decode()
        no_traceback(message)
        assert elapsed < 10
        assert status == "scheduled"


@pytest.mark.anyio
class TestConsolePages:
    """What a browser meets: /docs works offline, unknown pages are the console's own."""

    @pytest.fixture
    async def web(self, tmp_path: Path) -> AsyncIterator[Server]:
        async with running_server(Settings(data_dir=tmp_path)) as server:
            yield server

    async def test_docs_use_only_local_assets(self, web: Server) -> None:
        async with httpx.AsyncClient(base_url=web.url, timeout=10) as client:
            page = await client.get("/docs")
            assert page.status_code == 200
            sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
            sources += re.findall(r"""url: ?["']([^"']+)["']""", page.text)
            assert sources, page.text
            for source in sources:
                assert source.startswith("/"), f"{source} is not served by LiveOps"
                assert (await client.get(source)).status_code == 200, source

    async def test_an_unknown_console_page_is_the_console(self, web: Server) -> None:
        html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        async with httpx.AsyncClient(base_url=web.url, timeout=10) as client:
            index = await client.get("/")
            page = await client.get("/no/such/page", headers=html)
            api = await client.get("/api/v1/no-such-thing", headers=html)
            script = await client.get("/no-such.js", headers=html)
            pages = [
                await client.get(f"/shows/s1/{name}", headers=html)
                for name in ("anchor", "assistant", "setup", "review", "replay", "live")
            ]
            pages.append(await client.get("/reviews/compare?shows=s1,s2", headers=html))
            unknown_show_page = await client.get("/shows/s1/nonsense", headers=html)
        assert [p.status_code for p in pages] == [200] * 7
        assert all(p.text == index.text for p in pages)
        assert unknown_show_page.status_code == 404
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert page.text == index.text
        assert api.status_code == 404
        assert api.headers["content-type"].startswith("application/json")
        assert script.status_code == 404
        assert not script.headers["content-type"].startswith("text/html")
