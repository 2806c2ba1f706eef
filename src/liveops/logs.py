"""Structured logs: one JSON object per line, carrying the show and console of the moment.

The ids travel in context variables, so any log line written while serving a console or an
ingest batch names them without every call passing them along.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time

show_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("show_id", default=None)
connection_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "connection_id", default=None
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in (("show_id", show_id_var), ("connection_id", connection_id_var)):
            value = var.get()
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """JSON lines on stderr for LiveOps' own loggers (uvicorn keeps its access log format)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("liveops")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
