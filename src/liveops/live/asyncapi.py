"""Generate the AsyncAPI 3.0 document of the console websocket from `live.messages`.

    python -m liveops.live.asyncapi > docs/asyncapi.json

CI checks that docs/asyncapi.json is exactly what this prints.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from liveops.live.close_codes import CloseCode
from liveops.live.messages import CLIENT_MESSAGES, SERVER_MESSAGES

# Prose for readers of the document; tools read the same table from `x-close-codes`.
_CLOSE_CODES = "Close codes (`x-close-codes` on the channel, with what a console should do): " + (
    "; ".join(f"{code.value} {code.meaning}" for code in CloseCode) + "."
)


def close_codes() -> list[dict[str, Any]]:
    """The close-code table, machine-readable: `name` is the member's name in lower case."""
    return [
        {
            "code": code.value,
            "name": code.name.lower(),
            "meaning": code.meaning,
            "console": code.console,
        }
        for code in CloseCode
    ]


def document() -> dict[str, Any]:
    models = [*SERVER_MESSAGES, *CLIENT_MESSAGES]
    refs, schema = models_json_schema(
        [(model, "validation") for model in models],
        ref_template="#/components/schemas/{model}",
    )
    messages = {
        model.__name__: {
            "name": model.__name__,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
            "contentType": "application/json",
            "payload": refs[(model, "validation")],
        }
        for model in models
    }
    channel_messages = {name: {"$ref": f"#/components/messages/{name}"} for name in messages}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "LiveOps console stream",
            "version": "1.0.0",
            "description": (
                "One show streamed to one console: a snapshot, then positioned publications "
                "(epoch, offset). Resume with ?epoch=E&offset=N. Authentication: "
                "`Authorization: Bearer <token>` on the handshake, or the browser session "
                "cookie from the same origin. Each text frame holds one message, or, when "
                "the console offers the `liveops.ndjson` subprotocol, one or more messages "
                "separated by newlines. " + _CLOSE_CODES + " Prose: docs/protocol.md."
            ),
        },
        "servers": {
            "local": {"host": "127.0.0.1:8000", "protocol": "ws", "pathname": "/"},
        },
        "channels": {
            "live": {
                "address": "/api/v1/shows/{showId}/live",
                "parameters": {"showId": {"description": "the show's id"}},
                "messages": channel_messages,
                # A specification extension: AsyncAPI has no field for close codes.
                "x-close-codes": close_codes(),
            }
        },
        "operations": {
            "receiveFromServer": {
                "action": "receive",
                "channel": {"$ref": "#/channels/live"},
                "messages": [
                    {"$ref": f"#/channels/live/messages/{m.__name__}"} for m in SERVER_MESSAGES
                ],
            },
            "sendToServer": {
                "action": "send",
                "channel": {"$ref": "#/channels/live"},
                "messages": [
                    {"$ref": f"#/channels/live/messages/{m.__name__}"} for m in CLIENT_MESSAGES
                ],
            },
        },
        "components": {"messages": messages, "schemas": schema.get("$defs", {})},
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")  # noqa: T201
