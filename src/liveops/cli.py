"""`liveops` command line: serve, demo, simulate, migrate, token (contract §1)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import sys
from collections.abc import Sequence

import httpx
import uvicorn

from liveops.config import Settings
from liveops.live.server_options import uvicorn_options


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


def _server(settings: Settings, token: str, host: str, port: int) -> uvicorn.Server:
    from liveops.app import create_app

    app = create_app(settings, admin_token=token)
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, **uvicorn_options()))


def cmd_serve(args: argparse.Namespace) -> None:
    settings = _settings()
    _check_workers(settings, args.workers)
    token = _admin_token(settings)
    bus = "Redis" if settings.redis_url else "in-process bus"
    print(
        f"LiveOps on http://{args.host}:{args.port}  (database: {_db_label(settings)}; {bus}; "
        f"{args.workers} worker{'s' if args.workers > 1 else ''})",
        flush=True,
    )
    if args.workers == 1:
        _server(settings, token, args.host, args.port).run()
        return
    # Worker processes build their own app from the environment; they share this token.
    os.environ["LIVEOPS_ADMIN_TOKEN"] = token
    uvicorn.run(
        "liveops.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        **uvicorn_options(),
    )


def _db_label(settings: Settings) -> str:
    url = settings.effective_database_url
    return url.split("://", 1)[0] + "://…" + url.rsplit("/", 1)[-1]


async def _demo(settings: Settings, token: str, args: argparse.Namespace) -> None:
    from liveops.simulate import DEMO_LINEUP, SimulationConfig, run_simulation

    server = _server(settings, token, args.host, args.port)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()  # raises the server's startup error
            raise CliError("the server stopped during start-up")
        await asyncio.sleep(0.05)
    base = f"http://{args.host}:{args.port}"
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        created = await client.post(
            "/api/v1/shows",
            json={
                "title": "演示专场 · 秋冬上新",
                "platform": "douyin",
                "room": "demo",
                "targets": {"gmv": 5_000_000, "uv": 3_000, "conversion_rate": 0.05},
                "lineup": [p.as_json() for p in DEMO_LINEUP],
            },
        )
        created.raise_for_status()
        show_id = created.json()["id"]
        link = await client.post("/api/v1/auth/login-links", json={"role": "admin"})
        link.raise_for_status()
    print(f"demo show {show_id} is playing. Open the console (one-time link, 10 minutes):")
    print(f"  {base}{link.json()['path']}&show={show_id}", flush=True)
    config = SimulationConfig(
        url=base,
        show_id=show_id,
        duration=args.duration,
        rate=args.rate,
        seed=args.seed,
        token=token,
    )
    try:
        await run_simulation(config, out=lambda line: print(f"[demo] {line}", flush=True))
        print("[demo] the show has ended; the server keeps running (Ctrl-C to stop)", flush=True)
        await serving
    finally:
        server.should_exit = True
        await serving


def cmd_demo(args: argparse.Namespace) -> None:
    settings = _settings()
    token = _admin_token(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_demo(settings, token, args))


def cmd_simulate(args: argparse.Namespace) -> None:
    from liveops.simulate import SimulationConfig, SimulationError, run_simulation

    if args.duration <= 0 or args.rate <= 0:
        raise CliError("--duration and --rate must be positive")
    config = SimulationConfig(
        url=args.url.rstrip("/"),
        show_id=args.show,
        duration=args.duration,
        rate=args.rate,
        seed=args.seed,
        token=args.token or os.environ.get("LIVEOPS_ADMIN_TOKEN"),
        realtime=not args.fast,
        end_show=not args.no_end,
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


def cmd_token(args: argparse.Namespace) -> None:
    from liveops.auth import service
    from liveops.auth.principal import Role
    from liveops.storage.db import create_engine, create_sessionmaker, unit_of_work

    settings = _settings()
    try:
        role = Role(args.role)
    except ValueError:
        raise CliError(f"unknown role {args.role!r}; one of: {', '.join(Role)}") from None

    async def run() -> str:
        engine = create_engine(settings)
        try:
            async with unit_of_work(create_sessionmaker(engine)) as session:
                return await service.mint(
                    session, kind="api", role=role, show_id=args.show, label=args.label
                )
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(run()))
    except service.InvalidScope as exc:
        raise CliError(exc.message) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liveops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the API, websockets and console")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)

    demo = commands.add_parser("demo", help="serve plus a simulated show playing in real time")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--duration", type=float, default=1800.0, help="seconds (default 1800)")
    demo.add_argument("--rate", type=float, default=40.0, help="events per second (default 40)")
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(run=cmd_demo)

    sim = commands.add_parser("simulate", help="play a seeded show against a running server")
    sim.add_argument("--url", required=True)
    sim.add_argument("--show", required=True, metavar="SHOW_ID")
    sim.add_argument("--duration", type=float, required=True, metavar="SECONDS")
    sim.add_argument("--rate", type=float, required=True, metavar="EVENTS_PER_S")
    sim.add_argument("--seed", type=int, required=True)
    sim.add_argument("--token", help="bearer token (default: $LIVEOPS_ADMIN_TOKEN)")
    sim.add_argument("--fast", action="store_true", help="send as fast as the server takes it")
    sim.add_argument("--no-end", action="store_true", help="do not start or end the show")
    sim.set_defaults(run=cmd_simulate)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=cmd_migrate)

    token = commands.add_parser("token", help="mint a bearer token for a role and show")
    token.add_argument("--role", required=True)
    token.add_argument("--show", metavar="SHOW_ID")
    token.add_argument("--label", default="")
    token.set_defaults(run=cmd_token)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except CliError as exc:
        print(f"liveops: {exc}", file=sys.stderr)
        sys.exit(2)
