"""The application factory. Nothing happens at import time: `create_app(settings)` builds it."""

from __future__ import annotations

import hmac
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from types import FrameType
from typing import Any, TypedDict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from liveops import http_errors, openapi
from liveops.api import api_router
from liveops.auth.router import pages as login_pages
from liveops.body_limit import BodyLimit
from liveops.compliance.service import engine as compliance_engine
from liveops.config import Settings
from liveops.errors import Unauthorized
from liveops.inventory.fast_path import ReservationFastPath
from liveops.live.wire import RawSendCapture
from liveops.logs import configure as configure_logs
from liveops.runtime import Runtime
from liveops.storage.db import exclusive_embedded_use
from liveops.storage.migrate import require_head, upgrade_to_head
from liveops.tuning import tune_runtime
from liveops.web import console_router, mount_assets

log = logging.getLogger("liveops")


class State(TypedDict):
    runtime: Runtime


def _drain_on_sigterm(runtime: Runtime) -> None:
    """Mark the process as draining the moment SIGTERM arrives, then let uvicorn shut down.

    uvicorn then closes every console with 1012 (they reconnect elsewhere and resume) and waits
    for requests in flight; until then, new ingest gets 503 with Retry-After and /readyz says
    not ready, so nothing is acknowledged that a dying process might not store.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        runtime.draining = True
        runtime.live.drain()
        log.info("SIGTERM: draining (ingest answers 503, consoles close with 1012)")
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)


def _allowed_methods(app: FastAPI, request: Request) -> set[str]:
    allowed: set[str] = set()
    for route in iter_route_contexts(app.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE and route.methods:
            allowed |= route.methods
    return allowed


def create_app(settings: Settings | None = None, *, admin_token: str | None = None) -> FastAPI:
    """Build the app. `admin_token` overrides settings (dev mode passes a generated one)."""
    settings = settings or Settings()
    token = admin_token or (
        settings.admin_token.get_secret_value() if settings.admin_token else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        configure_logs()  # in every worker process, not only the one that parsed the CLI
        tune_runtime()
        # A broken deployment rule file stops the start here, naming the problem, rather
        # than answering 503 on the first run-sheet save or compliance check.
        compliance_engine(settings.compliance_rules_path)
        with ExitStack() as held:
            if settings.is_sqlite and settings.database_url is None:
                held.enter_context(exclusive_embedded_use(settings.data_dir))
            runtime = Runtime.build(settings, admin_token=token)
            try:
                if settings.is_sqlite:
                    # Embedded mode is one process: migrating on start is safe and saves a step.
                    await upgrade_to_head(runtime.engine)
                else:
                    # Many processes may start together: migrating is `liveops migrate`'s job.
                    await require_head(runtime.engine)
                await runtime.live.start()
                runtime.expiry.start()
                runtime.held_actions.start()
                _drain_on_sigterm(runtime)
                yield {"runtime": runtime}
            finally:
                await runtime.close()

    app = FastAPI(
        title="LiveOps",
        version="0.1.0",
        summary="The control room behind a live-commerce broadcast.",
        lifespan=lifespan,
    )
    # Consoles' sockets are written to directly (live/wire.py): keep the server's own send.
    app.add_middleware(RawSendCapture)
    # Outside the router, so that a flash sale's requests skip it entirely.
    app.add_middleware(ReservationFastPath, enabled=settings.reservation_fast_path)
    # Outermost: no body, the fast path's included, is read past its limit.
    app.add_middleware(
        BodyLimit,
        default_bytes=settings.max_request_body_bytes,
        ingest_bytes=settings.max_body_bytes,
    )

    async def _answered(request: Request, exc: Exception) -> JSONResponse:
        if request.scope["type"] != "http":
            # A websocket has no JSON answer: live/router.py closes it with its own codes.
            raise exc
        during = f"{request.method} {request.url.path}"
        return http_errors.for_exception(exc, during).response()

    for answered in http_errors.ANSWERED:
        app.add_exception_handler(answered, _answered)

    @app.exception_handler(ClientDisconnect)
    async def _client_left(request: Request, exc: ClientDisconnect) -> Response:
        # Gone mid-body (a proxy's timeout, a phone losing its signal): nothing was read
        # whole, so nothing was stored, and there is nobody to answer. Not a server error.
        log.info(
            "client left during %s %s before its body arrived", request.method, request.url.path
        )
        return Response(status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return http_errors.invalid_request(exc.errors()).response()

    @app.exception_handler(HTTPException)
    async def _http_refusal(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # FastAPI's "error parsing the body": bytes that are no JSON text at all (not
            # UTF-8, a number past the parser's digit limit). As invalid as any other body.
            return http_errors.unreadable_body(str(exc.__cause__)).response()
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of the first route on this path only; a path served
            # by several routes (GET and POST /shows) allows all of theirs.
            headers["Allow"] = ", ".join(sorted(_allowed_methods(app, request)))
        return http_errors.http_status(exc.status_code, str(exc.detail), headers).response()

    @app.get("/healthz", include_in_schema=False)
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok", "process": request.state.runtime.process_id}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime = request.state.runtime
        checks: dict[str, str] = {}
        try:
            async with runtime.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # any failure means not ready; say which
            checks["database"] = str(exc)[:200] or type(exc).__name__
        if runtime.redis is not None:
            try:
                await runtime.redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = str(exc)[:200] or type(exc).__name__
        if runtime.draining:
            checks["draining"] = "shutting down"
        ready = all(v == "ok" for v in checks.values())
        body = {"status": "ready" if ready else "unavailable", **checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    scrapers = [t.encode() for t in (token,) if t]
    if settings.metrics_token is not None:
        scrapers.append(settings.metrics_token.get_secret_value().encode())

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus metrics of this process: the admin token or `LIVEOPS_METRICS_TOKEN`.

        Series carry show ids, so they are not for everyone; checked without the database (a
        scrape must work while it is down) and in constant time."""
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        offered = secret.strip().encode()
        # Every candidate is compared, so the time taken says nothing about which matched.
        matches = [hmac.compare_digest(offered, s) for s in scrapers]
        if scheme.lower() != "bearer" or not offered or not any(matches):
            raise Unauthorized(
                "/metrics needs 'Authorization: Bearer <token>' with the admin token or the "
                "metrics token (LIVEOPS_METRICS_TOKEN)",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        runtime: Runtime = request.state.runtime
        return Response(runtime.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(api_router())
    app.include_router(console_router())
    app.include_router(login_pages)
    mount_assets(app)

    def describe() -> dict[str, Any]:
        return openapi.describe(app)

    app.openapi = describe  # type: ignore[method-assign]
    return app
