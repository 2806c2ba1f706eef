"""Peer of bench/fanout: Python `websockets` (asyncio implementation) with `broadcast()`.

    python peers/websockets_server.py PORT

Consoles open /sub; every text message received on /pub is handed to `broadcast()`, which
encodes the frame once and writes it to every open console without waiting. Runs on uvloop
(as uvicorn, and so LiveOps, does).
"""

from __future__ import annotations

import sys

import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

CONSOLES: set[ServerConnection] = set()


async def handler(websocket: ServerConnection) -> None:
    if websocket.request is not None and websocket.request.path.startswith("/sub"):
        CONSOLES.add(websocket)
        try:
            await websocket.wait_closed()
        finally:
            CONSOLES.discard(websocket)
        return
    async for message in websocket:
        broadcast(CONSOLES, message)


async def main(port: int) -> None:
    async with serve(
        handler, "127.0.0.1", port, compression=None, ping_interval=None, max_size=1 << 20
    ) as server:
        print(f"ready {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
