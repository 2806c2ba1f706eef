"""How uvicorn serves the consoles' websockets (used by the CLI and by the tests alike)."""

from __future__ import annotations

from typing import Any


def uvicorn_options(log_level: str = "info") -> dict[str, Any]:
    return {
        "log_level": log_level,
        # A dead console is noticed within ~40 s even if it never closed its socket.
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        # Consoles send tiny frames (ping); nothing legitimate is near 1 MiB.
        "ws_max_size": 1 << 20,
        # No permessage-deflate: it compresses every frame once PER CONNECTION, which undoes
        # encoding a publication once for all consoles and costs server CPU per delivery.
        # Consoles sit on the studio's network, where bytes are cheaper than CPU.
        "ws_per_message_deflate": False,
        "timeout_graceful_shutdown": 10,
    }
