"""How uvicorn serves the consoles' websockets (used by the CLI and by the tests alike)."""

from __future__ import annotations

from typing import Any

from liveops.config import Settings
from liveops.server_limits import protocol_factory


def uvicorn_options(
    log_level: str = "info", settings: Settings | None = None, *, access_log: bool = True
) -> dict[str, Any]:
    """`settings` gives the slow-client limits (docs/deployment.md); by default, the
    environment's."""
    settings = settings or Settings()
    return {
        "log_level": log_level,
        "access_log": access_log,
        # A request head must arrive within `header_timeout_seconds`, and one address may hold
        # at most `max_connections_per_client` connections (server_limits.py).
        "http": protocol_factory(
            settings.header_timeout_seconds, settings.max_connections_per_client
        ),
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
