"""Serves the built console (frontend/ → web/static) without Node at run time.

Also the API's /docs page with Swagger UI from the package (FastAPI's own loads it from a CDN,
and is blank offline), and the console's index.html for any other page a browser asks for,
with status 404, so that the console shows its own "not found" page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent / "static"
SWAGGER_UI_DIR = STATIC_DIR / "swagger-ui"  # copied from swagger-ui-dist by frontend's build

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>LiveOps</title>
<body style="font-family:sans-serif;background:#111;color:#eee;padding:2em">
<h1>LiveOps</h1><p>The console has not been built. Run <code>make run</code> (or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>). The API is at
<a style="color:#8cf" href="/docs">/docs</a>.</p></body>"""

# Paths that are never console pages: their misses stay the API's JSON 404 (or a file's 404).
_NOT_PAGES = ("/api/", "/assets/", "/swagger-ui/")


def _index(status_code: int = 200) -> Response:
    page = STATIC_DIR / "index.html"
    if not page.is_file():
        return HTMLResponse(_NOT_BUILT, status_code=status_code)
    return FileResponse(page, status_code=status_code, headers={"Cache-Control": "no-cache"})


SHOW_PAGES = frozenset({"anchor", "assistant", "setup", "review", "replay", "live"})


def console_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def index() -> Response:
        return _index()

    router.add_api_route("/", index, methods=["GET"], response_model=None)

    @router.get("/shows/{show_id}", response_model=None)
    async def console(show_id: str) -> Response:
        return _index()

    # The console's own pages of a show (frontend/src/lib/route.ts): the anchor's view, the
    # assistant's console, the setup page, the review (复盘), its replay, and field control's
    # live console of an ended show.
    @router.get("/shows/{show_id}/{page}", response_model=None)
    async def show_page(show_id: str, page: str) -> Response:
        return _index(200 if page in SHOW_PAGES else 404)

    # Reviews side by side (`?shows=a,b`).
    router.add_api_route("/reviews/compare", index, methods=["GET"], response_model=None)

    return router


def is_console_page(scope: Scope) -> bool:
    """A browser navigating to a page: GET (or HEAD) of a path that is not the API's, not a
    file's (no extension) and whose answer may be HTML."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    path: str = scope["path"]
    if path == "/api" or path.startswith(_NOT_PAGES):
        return False
    if "." in path.rstrip("/").rsplit("/", 1)[-1]:
        return False
    accept = Request(scope).headers.get("accept", "")
    return "text/html" in accept


class ConsolePages(BaseRoute):
    """The last route: any other page a browser asks for is the console's, answered 404.

    A route rather than `/{path:path}`, which would answer 405 to other methods on unknown paths
    instead of 404, and would match the API's paths too.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return (Match.FULL, {}) if is_console_page(scope) else (Match.NONE, {})

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _index(status_code=404)(scope, receive, send)


def offline_docs(app: FastAPI, path: str = "/docs") -> None:
    """Serve /docs with the packaged Swagger UI, replacing FastAPI's CDN page if it has one.
    /redoc (CDN only) redirects there."""
    replaced = {app.docs_url, app.redoc_url, path, "/redoc"} - {None}
    app.router.routes[:] = [
        r for r in app.router.routes if getattr(r, "path", None) not in replaced
    ]
    # Not built (a source checkout before `make console`): FastAPI's CDN defaults.
    js_url, css_url, favicon_url = (
        "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js",
        "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css",
        "https://fastapi.tiangolo.com/img/favicon.png",
    )
    if SWAGGER_UI_DIR.is_dir():
        app.mount("/swagger-ui", StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")
        js_url, css_url, favicon_url = (
            "/swagger-ui/swagger-ui-bundle.js",
            "/swagger-ui/swagger-ui.css",
            "/swagger-ui/favicon-32x32.png",
        )
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url if app.docs_url else None

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} – API",
            oauth2_redirect_url=oauth2_redirect_url,
            swagger_ui_parameters=app.swagger_ui_parameters,
            swagger_js_url=js_url,
            swagger_css_url=css_url,
            swagger_favicon_url=favicon_url,
        )

    async def redoc() -> RedirectResponse:
        return RedirectResponse(path)

    app.add_api_route(path, docs, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)


def mount_assets(app: FastAPI) -> None:
    """What must come after the app's own routes: /assets (when the console is built; absent
    in a source checkout before a build), the offline /docs, and the console's 404 page last."""
    assets = STATIC_DIR / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
    offline_docs(app)
    app.router.routes.append(ConsolePages())
