"""`liveops` command line: serve, demo, simulate, migrate, token (contract §1)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any
from urllib.parse import quote

import httpx
import uvicorn

from liveops.config import Settings
from liveops.live.server_options import uvicorn_options

_SPEED_HELP = (
    "play the show this many times faster than real time (default 1): its moves, cues, "
    "orders and flash sale on the compressed clock"
)


class CliError(Exception):
    """A mistake the user can fix; printed without a traceback, exit status 2."""


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        raise CliError(f"bad configuration: {exc}") from None


def _admin_token(settings: Settings) -> str:
    if settings.admin_token is not None:
        return settings.admin_token.get_secret_value()
    if settings.mode == "production":
        raise CliError("LIVEOPS_ADMIN_TOKEN is required in production mode")
    token = "dev_" + secrets.token_urlsafe(24)
    print(f"dev mode: admin token for this run: {token}", flush=True)
    print("  (set LIVEOPS_ADMIN_TOKEN to choose your own)", flush=True)
    return token


def _check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise CliError("--workers must be at least 1")
    if workers > 1 and settings.redis_url is None:
        raise CliError(
            f"--workers {workers} needs LIVEOPS_REDIS_URL: without Redis, LiveOps uses an "
            "in-process bus that serves one process only, and consoles on the other workers "
            "would miss updates. Set LIVEOPS_REDIS_URL, or run with --workers 1."
        )
    if workers > 1 and settings.is_sqlite:
        raise CliError(
            f"--workers {workers} needs PostgreSQL: SQLite serves one process. Set "
            "LIVEOPS_DATABASE_URL=postgresql+asyncpg://… (and run `liveops migrate`)."
        )


def _embedded_free(settings: Settings) -> None:
    """Say at once, without a traceback, that another process serves the embedded database
    (the app takes the lock for good when it starts)."""
    from liveops.storage.db import EmbeddedDatabaseBusy, exclusive_embedded_use

    if settings.is_sqlite and settings.database_url is None:
        try:
            with exclusive_embedded_use(settings.data_dir):
                pass
        except EmbeddedDatabaseBusy as exc:
            raise CliError(str(exc)) from None


def _listen(host: str, port: int) -> socket.socket:
    """Bind here rather than in uvicorn, which logs a busy port and calls sys.exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}): is another server "
            f"running there? Pick another port with --port (make run PORT=8001)."
        ) from None
    sock.set_inheritable(True)
    return sock


def _config(settings: Settings, token: str, host: str, port: int, **options: Any) -> uvicorn.Config:
    from liveops.app import create_app

    app = create_app(settings, admin_token=token)
    return uvicorn.Config(
        app, host=host, port=port, **uvicorn_options(settings=settings, **options)
    )


def cmd_serve(args: argparse.Namespace) -> None:
    settings = _settings()
    _check_workers(settings, args.workers)
    token = _admin_token(settings)
    bus = "Redis" if settings.redis_url else "in-process bus"
    if args.workers == 1:
        _embedded_free(settings)
        sock = _listen(args.host, args.port)
    print(
        f"LiveOps on http://{args.host}:{args.port}  (database: {_db_label(settings)}; {bus}; "
        f"{args.workers} worker{'s' if args.workers > 1 else ''})",
        flush=True,
    )
    if args.workers == 1:
        # uvicorn shuts down gracefully on Ctrl-C, then raises it again: not an error here.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(_config(settings, token, args.host, args.port)).run(sockets=[sock])
        return
    # Worker processes build their own app from the environment; they share this token.
    os.environ["LIVEOPS_ADMIN_TOKEN"] = token
    uvicorn.run(
        "liveops.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        **uvicorn_options(settings=settings),
    )


def _db_label(settings: Settings) -> str:
    url = settings.effective_database_url
    return url.split("://", 1)[0] + "://…" + url.rsplit("/", 1)[-1]


class _DemoServer(uvicorn.Server):
    """The demo handles SIGINT and SIGTERM itself: it ends its show before the server stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _stop_on_signals(stop: asyncio.Event, server: uvicorn.Server) -> Callable[[], None]:
    """Ctrl-C or SIGTERM sets `stop`; a second one makes the server stop without waiting.
    Returns what restores the previous handlers."""
    loop = asyncio.get_running_loop()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            server.force_exit = True
        loop.call_soon_threadsafe(stop.set)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


async def _first(*waits: Awaitable[object]) -> None:
    """Until the first of `waits` is done (the others are cancelled unless they are tasks)."""
    futures = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future, wait in zip(futures, waits, strict=True):
            if future is not wait and not future.done():
                future.cancel()


async def _demo(settings: Settings, token: str, args: argparse.Namespace) -> None:
    from liveops.simulate import DEMO_LINEUP, SimulationConfig, SimulationError, run_simulation

    _embedded_free(settings)
    sock = _listen(args.host, args.port)
    # The demo's console is for the sign-in link: no access log, no info lines.
    config = _config(settings, token, args.host, args.port, log_level="warning", access_log=False)
    server = _DemoServer(config)
    stop = asyncio.Event()
    restore_signals = _stop_on_signals(stop, server)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    playing: asyncio.Task[Any] | None = None
    show_id: str | None = None
    base = f"http://{args.host}:{args.port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        while not server.started and not stop.is_set():
            if serving.done():
                serving.result()  # raises the server's startup error
                raise CliError("the server stopped during start-up")
            await asyncio.sleep(0.05)
        if stop.is_set():
            return
        logging.getLogger("liveops").setLevel(logging.WARNING)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            show_id, link = await _demo_show(client, DEMO_LINEUP)
            anchor_link = None if args.auto_ack else await _anchor_link(client, show_id)
        sim = SimulationConfig(
            url=base,
            show_id=show_id,
            duration=args.duration,
            rate=args.rate,
            seed=args.seed,
            token=token,
            auto_ack=args.auto_ack,
            speed=args.speed,
        )
        # Progress lines would bury the link: the simulator plays silently.
        playing = asyncio.create_task(run_simulation(sim, out=lambda line: None))
        length = (
            f"{args.duration / 60:.0f} minutes" if args.duration >= 120 else f"{args.duration:g} s"
        )
        if args.speed != 1:
            length += f" at {args.speed:g}× speed"
        if anchor_link is None:
            anchor = (
                "A simulated anchor acknowledges field control's cues after 2–8 s "
                "(--no-auto-ack leaves them to you on the anchor console)."
            )
        else:
            anchor = (
                "Cues wait for you: sign in as the anchor with this one-time link (valid "
                f"{anchor_link.expires_in_minutes} minutes):\n\n    {base}{anchor_link.path}\n"
            )
        print(
            f"\nLiveOps demo: show {show_id} is live; a simulated audience plays it for "
            f"{length}, on a run-sheet with field control's cues and the anchor's transcript.\n"
            f"{anchor}\nCtrl-C stops the demo and ends the show.\n\n"
            f"Open the console with this one-time sign-in link (valid "
            f"{link.expires_in_minutes} minutes):\n\n    {base}{link.path}\n",
            flush=True,
        )
        await _first(stop.wait(), playing, serving)
        if playing.done() and not stop.is_set():
            problem = playing.exception()
            if isinstance(problem, SimulationError):
                print(f"[demo] the simulator stopped: {problem}", flush=True)
            elif problem is None:
                print(
                    "[demo] the show has ended; the server keeps running (Ctrl-C to stop)",
                    flush=True,
                )
            else:
                raise problem
            await _first(stop.wait(), serving)
    finally:
        if playing is not None:
            playing.cancel()
            with contextlib.suppress(BaseException):
                await playing
        if show_id is not None and server.started and not serving.done():
            await _end_show(base, headers, show_id)
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(serving), 15)
        except TimeoutError:
            server.force_exit = True
            await serving
        finally:
            restore_signals()
    if show_id is not None:
        print(f"demo stopped; show {show_id} has ended.", flush=True)
    else:
        print("demo stopped.", flush=True)


@dataclass(frozen=True, slots=True)
class _Link:
    path: str
    expires_in_minutes: int


def demo_show_body(lineup: Sequence[Any]) -> dict[str, Any]:
    """The demo's show as `POST /api/v1/shows` takes it: its lineup seeds the stock ledger,
    which the simulated storefront then reserves from."""
    return {
        "title": "演示专场 · 秋冬上新",
        "platform": "douyin",
        "room": "demo",
        "targets": {"gmv": 5_000_000, "uv": 3_000, "conversion_rate": 0.05},
        "lineup": [p.as_json() for p in lineup],
    }


async def _demo_show(client: httpx.AsyncClient, lineup: Sequence[Any]) -> tuple[str, _Link]:
    created = await client.post("/api/v1/shows", json=demo_show_body(lineup))
    created.raise_for_status()
    show_id = str(created.json()["id"])
    answer = await client.post("/api/v1/auth/login-links", json={"role": "admin"})
    answer.raise_for_status()
    body = answer.json()
    path = str(body["path"])
    if "show=" not in path:
        # The show rides with the code, in the fragment or the query alike.
        path += ("&" if ("#" in path or "?" in path) else "#") + f"show={quote(show_id, safe='')}"
    minutes = max(1, int(body.get("expires_in_seconds", 600)) // 60)
    return show_id, _Link(path, minutes)


async def _anchor_link(client: httpx.AsyncClient, show_id: str) -> _Link:
    """A one-time sign-in link for the show's anchor console, for a human to take the cues."""
    answer = await client.post(
        "/api/v1/auth/login-links", json={"role": "anchor", "show_id": show_id}
    )
    answer.raise_for_status()
    body = answer.json()
    minutes = max(1, int(body.get("expires_in_seconds", 600)) // 60)
    return _Link(str(body["path"]), minutes)


async def _end_show(base: str, headers: dict[str, str], show_id: str) -> None:
    """Leave no live show behind; an already ended show is fine (409)."""
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=5) as client:
            answer = await client.post(f"/api/v1/shows/{quote(show_id, safe='')}/end")
    except httpx.HTTPError as exc:
        print(f"[demo] could not end show {show_id}: {exc}", file=sys.stderr, flush=True)
        return
    if not answer.is_success and answer.status_code != 409:
        print(
            f"[demo] could not end show {show_id}: HTTP {answer.status_code}",
            file=sys.stderr,
            flush=True,
        )


def cmd_demo(args: argparse.Namespace) -> None:
    if not args.speed >= 1:
        raise CliError("--speed must be at least 1")
    settings = _settings()
    token = _admin_token(settings)
    asyncio.run(_demo(settings, token, args))


def cmd_simulate(args: argparse.Namespace) -> None:
    from liveops.simulate import SimulationConfig, SimulationError, run_simulation

    if args.duration <= 0 or args.rate <= 0:
        raise CliError("--duration and --rate must be positive")
    if not args.speed >= 1:
        raise CliError("--speed must be at least 1")
    config = SimulationConfig(
        url=args.url.rstrip("/"),
        show_id=args.show,
        duration=args.duration,
        rate=args.rate,
        seed=args.seed,
        token=args.token or os.environ.get("LIVEOPS_ADMIN_TOKEN"),
        realtime=not args.fast,
        end_show=not args.no_end,
        auto_ack=args.auto_ack,
        speed=args.speed,
    )
    try:
        report = asyncio.run(run_simulation(config, out=lambda line: print(line, flush=True)))
    except SimulationError as exc:
        raise CliError(str(exc)) from None
    print(json.dumps(report.totals, ensure_ascii=False), flush=True)


def cmd_migrate(args: argparse.Namespace) -> None:
    from liveops.storage.db import create_engine
    from liveops.storage.migrate import upgrade_to_head

    settings = _settings()

    async def run() -> None:
        engine = create_engine(settings)
        try:
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"migrated {_db_label(settings)} to the latest schema")


def _existing_database(settings: Settings) -> None:
    """Refuse to create a database as a side effect of a command that only writes to one.

    The embedded database lives under ./.liveops/ of the directory `liveops serve` runs in; run
    elsewhere, a command would create an empty one there and fail on its missing tables.
    """
    if settings.database_url is not None or not settings.is_sqlite:
        return
    path = (settings.data_dir / "liveops.db").resolve()
    if not path.is_file():
        raise CliError(
            f"no LiveOps database here: {path} does not exist. Run this in the directory "
            "where `liveops serve` (or `make run`) runs, or point at the database with "
            "LIVEOPS_DATA_DIR=<that directory>/.liveops (embedded) or "
            "LIVEOPS_DATABASE_URL=postgresql+asyncpg://… ."
        )


async def _in_transaction(settings: Settings, work: Callable[[Any], Awaitable[str]]) -> str:
    """Run `work(session)` in one transaction on the configured, migrated database."""
    from sqlalchemy.exc import SQLAlchemyError

    from liveops.errors import LiveOpsError
    from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work
    from liveops.storage.migrate import SchemaOutOfDate, require_head

    engine = create_engine(settings)
    try:
        await require_head(engine)
        async with unit_of_work(create_sessionmaker(engine)) as session:
            return await work(session)
    except SchemaOutOfDate as exc:
        raise CliError(str(exc)) from None
    except LiveOpsError as exc:
        raise CliError(exc.message) from None
    except (SQLAlchemyError, OSError) as exc:
        raise CliError(
            f"cannot use the database {_db_label(settings)}: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None
    finally:
        await engine.dispose()


def cmd_token(args: argparse.Namespace) -> None:
    from liveops.auth import service
    from liveops.auth.principal import GLOBAL_ROLES, Role
    from liveops.shows import repository

    role = Role(args.role)
    if role not in GLOBAL_ROLES and args.show is None:
        raise CliError(f"--role {role.value} needs --show SHOW_ID: its token is for one show")
    settings = _settings()
    _existing_database(settings)

    async def mint(session: Any) -> str:
        if args.show is not None and await repository.get(session, args.show) is None:
            raise CliError(f"there is no show {args.show!r} in {_db_label(settings)}")
        return await service.mint(
            session, kind="api", role=role, show_id=args.show, label=args.label
        )

    print(asyncio.run(_in_transaction(settings, mint)))


def cmd_show_create(args: argparse.Namespace) -> None:
    from pydantic import ValidationError

    from liveops.shows import service
    from liveops.shows.schemas import ShowCreate

    try:
        data = ShowCreate(
            title=args.title,
            platform=args.platform,
            room=args.room,
            planned_start_at=args.planned_start,
            planned_minutes=args.planned_minutes,
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise CliError(f"invalid show: {problems}") from None
    settings = _settings()
    _existing_database(settings)

    async def create(session: Any) -> str:
        return (await service.create(session, data)).id

    print(asyncio.run(_in_transaction(settings, create)))


_ROLES_HELP = (
    "admin and operations may act on every show; field_control, anchor, assistant and "
    "integrator act on the one show named by --show"
)


def build_parser() -> argparse.ArgumentParser:
    from liveops.auth.principal import Role

    parser = argparse.ArgumentParser(prog="liveops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the API, websockets and console")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--workers", type=int, default=1, help="processes (default 1; more need Redis)"
    )
    serve.set_defaults(run=cmd_serve)

    demo = commands.add_parser(
        "demo",
        help="serve plus a simulated show playing in real time",
        description="serve plus a simulated show playing in real time, on a run-sheet with "
        "field control's cues and the anchor's transcript; Ctrl-C ends the show and stops "
        "the server",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    demo.add_argument("--duration", type=float, default=1800.0, help="seconds (default 1800)")
    demo.add_argument("--rate", type=float, default=40.0, help="events per second (default 40)")
    demo.add_argument("--seed", type=int, default=1, help="the show's random seed (default 1)")
    demo.add_argument("--speed", type=float, default=1.0, help=_SPEED_HELP)
    demo.add_argument(
        "--no-auto-ack",
        dest="auto_ack",
        action="store_false",
        help="leave field control's cues for a human anchor (prints an anchor sign-in link); "
        "by default a simulated anchor acknowledges each after 2–8 s",
    )
    demo.set_defaults(run=cmd_demo)

    sim = commands.add_parser("simulate", help="play a seeded show against a running server")
    sim.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    sim.add_argument("--show", required=True, metavar="SHOW_ID", help="the show to play")
    sim.add_argument(
        "--duration", type=float, required=True, metavar="SECONDS", help="the show's length"
    )
    sim.add_argument(
        "--rate", type=float, required=True, metavar="EVENTS_PER_S", help="events per second"
    )
    sim.add_argument("--seed", type=int, required=True, help="random seed: same seed, same show")
    sim.add_argument("--token", help="bearer token (default: $LIVEOPS_ADMIN_TOKEN)")
    sim.add_argument("--fast", action="store_true", help="send as fast as the server takes it")
    sim.add_argument("--speed", type=float, default=1.0, help=_SPEED_HELP)
    sim.add_argument(
        "--no-end",
        action="store_true",
        help="do not start or end the show (nor save a run-sheet, move segments or send cues)",
    )
    sim.add_argument(
        "--no-auto-ack",
        dest="auto_ack",
        action="store_false",
        help="send cues but leave them for a human anchor to acknowledge",
    )
    sim.set_defaults(run=cmd_simulate)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=cmd_migrate)

    roles = [r.value for r in Role]
    token = commands.add_parser(
        "token",
        help="mint a bearer token for a role and show",
        description="Mint a bearer token in the configured database and print it (once). "
        f"Roles: {', '.join(roles)}; {_ROLES_HELP}.",
    )
    token.add_argument("--role", required=True, choices=roles, help=f"one of: {', '.join(roles)}")
    token.add_argument(
        "--show", metavar="SHOW_ID", help="the show the token is for (show roles need one)"
    )
    token.add_argument("--label", default="", help="a note to recognise the token by later")
    token.set_defaults(run=cmd_token)

    show = commands.add_parser("show", help="create shows")
    show_commands = show.add_subparsers(dest="show_command", required=True, metavar="ACTION")
    create = show_commands.add_parser(
        "create",
        help="create a scheduled show and print its id",
        description="Create a scheduled show in the configured database and print its id.",
    )
    create.add_argument("--title", required=True, help="the show's title")
    create.add_argument("--platform", required=True, help="where it streams, e.g. douyin")
    create.add_argument("--room", help="the live room or account")
    create.add_argument(
        "--planned-start",
        metavar="TIME",
        help="planned start, RFC 3339 with a zone (2026-12-24T20:00:00+08:00)",
    )
    create.add_argument("--planned-minutes", type=int, metavar="N", help="planned length")
    create.set_defaults(run=cmd_show_create)

    comments = commands.add_parser(
        "comments", help="the comment classifier: train it, evaluate it (docs/comments.md)"
    )
    comment_commands = comments.add_subparsers(
        dest="comments_command", required=True, metavar="ACTION"
    )
    for name, helptext in (
        ("train", "train on the shipped labelled set (reproducibly) and write the model"),
        ("evaluate", "per-intent precision, recall and F1 on the held-apart test split"),
    ):
        sub = comment_commands.add_parser(name, help=helptext, add_help=False)
        sub.add_argument("rest", nargs=argparse.REMAINDER)
        sub.set_defaults(run=cmd_comments, comments_command=name)
    return parser


def cmd_comments(args: argparse.Namespace) -> None:
    """Hand over to the command's own parser (its options and --help are its own)."""
    if args.comments_command == "train":
        from liveops.comments.train import main as run
    else:
        from liveops.comments.evaluate import main as run
    code = run(args.rest)
    if code:
        sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw[:1] == ["comments"] and raw[1:2] in (["train"], ["evaluate"]):
        # Their options are their own parsers' (argparse cannot pass `--json` through).
        args = argparse.Namespace(comments_command=raw[1], rest=raw[2:])
        cmd_comments(args)
        return
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except CliError as exc:
        print(f"liveops: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("liveops: interrupted", file=sys.stderr)
        sys.exit(130)
