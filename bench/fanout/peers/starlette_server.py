"""Peer of bench/fanout: the naive Starlette "connection manager" loop under uvicorn.

    python peers/starlette_server.py PORT

Consoles open /sub; for every text message received on /pub the server awaits
`send_text` on each console in turn, the pattern of the FastAPI/Starlette websocket guides.
uvicorn runs with the options LiveOps uses (uvloop, httptools, its default websocket
implementation, no permessage-deflate, 20 s pings).
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

CONSOLES: set[WebSocket] = set()


async def console(websocket: WebSocket) -> None:
    await websocket.accept()
    CONSOLES.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        CONSOLES.discard(websocket)


async def publisher(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive_text()
            for target in list(CONSOLES):
                try:
                    await target.send_text(message)
                except (WebSocketDisconnect, RuntimeError):
                    CONSOLES.discard(target)
    except WebSocketDisconnect:
        pass


app = Starlette(routes=[WebSocketRoute("/sub", console), WebSocketRoute("/pub", publisher)])

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        ws_per_message_deflate=False,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
    )
