"""Serves the built console (frontend/ → web/static) without Node at run time."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>LiveOps</title>
<body style="font-family:sans-serif;background:#111;color:#eee;padding:2em">
<h1>LiveOps</h1><p>The console has not been built. Run <code>make run</code> (or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>). The API is at
<a style="color:#8cf" href="/docs">/docs</a>.</p></body>"""


def console_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def index() -> Response:
        page = STATIC_DIR / "index.html"
        if not page.is_file():
            return HTMLResponse(_NOT_BUILT)
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    router.add_api_route("/", index, methods=["GET"], response_model=None)

    @router.get("/shows/{show_id}", response_model=None)
    async def console(show_id: str) -> Response:
        return await index()

    return router


def mount_assets(app: FastAPI) -> None:
    """Mount /assets when the build exists (it is absent in a source checkout before a build)."""
    assets = STATIC_DIR / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
