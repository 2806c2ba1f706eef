"""The NDJSON export of a show's events (contract §13). Reads only; streams in constant memory.

Each line is the event exactly as it was accepted (the stored payload: one line per event id,
rejected items are not stored). Comments also carry what the server knows of them: `intent`
(contract §11) and, when moderation hides the comment from consoles, `"hidden": true`
(docs/moderation.md). Posting the lines as events to a new show gives it the same review
summary: `intent` and `hidden` are fields outside the contract there, kept and ignored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.comments.model import intent_of
from liveops.export import repository
from liveops.moderation import service as moderation_service
from liveops.moderation.filter import ModerationState
from liveops.storage.models import Show

CHUNK_BYTES = 64 * 1024  # lines are sent in chunks of about this size


async def event_lines(session: AsyncSession, show: Show) -> AsyncIterator[bytes]:
    """The export in chunks of whole lines."""
    moderation = await moderation_service.export_state(session, show)
    chunk: list[bytes] = []
    size = 0
    async for rows in repository.events(session, show.id):
        for row in rows:
            if row.type == "comment":
                line = comment_line(row, moderation)
            else:
                line = row.payload.encode() + b"\n"
            chunk.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                yield b"".join(chunk)
                chunk, size = [], 0
    if chunk:
        yield b"".join(chunk)


def comment_line(row: Any, moderation: ModerationState) -> bytes:
    """A stored comment with its `intent`, and `"hidden": true` when moderation hides it.

    The stored payload is compact JSON that ends with its object's `}` (ingest writes it with
    orjson), so the two fields are appended to the text as it is, without decoding it, unless
    it may already hold either name, or its text is needed (a room keyword filter, or a comment
    stored before classification)."""
    payload: str = row.payload
    needs_text = row.intent is None or moderation.filters_text
    if needs_text or '"intent"' in payload or '"hidden"' in payload:
        item = orjson.loads(payload)
        text = item.get("text")
        item["intent"] = row.intent or intent_of(text if isinstance(text, str) else "")
        if moderation.hides(row.viewer_id, text, row.ts_us, row.event_id) is not None:
            item["hidden"] = True
        else:
            # A producer's own `hidden` is not ours to repeat: hidden means hidden here.
            item.pop("hidden", None)
        return orjson.dumps(item) + b"\n"
    hidden = moderation.hides(row.viewer_id, None, row.ts_us, row.event_id) is not None
    extra = f',"intent":"{row.intent}"' + (',"hidden":true' if hidden else "")
    return (payload[:-1] + extra + "}\n").encode()
