"""The NDJSON export of a show's events (contract §13). Reads only; streams in constant memory.

Each line is the event exactly as it was accepted (the stored payload: one line per event id,
rejected items are not stored). Comments also carry what the server knows of them: `intent`
(contract §11) and, when moderation hides the comment from consoles, `"hidden": true`
(docs/moderation.md). Posting the lines as events to a new show gives it the same review
summary: `intent` and `hidden` are fields outside the contract there, kept and ignored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.comments.model import intent_of
from liveops.export import repository
from liveops.moderation import service as moderation_service
from liveops.storage.models import Show

CHUNK_BYTES = 64 * 1024  # lines are sent in chunks of about this size


async def event_lines(session: AsyncSession, show: Show) -> AsyncIterator[bytes]:
    """The export in chunks of whole lines."""
    moderation = await moderation_service.export_state(session, show)
    chunk: list[bytes] = []
    size = 0
    async for row in repository.events(session, show.id):
        if row.type == "comment":
            item = orjson.loads(row.payload)
            text = item.get("text")
            item["intent"] = row.intent or intent_of(text if isinstance(text, str) else "")
            if moderation.hides(row.viewer_id, text, row.ts_us, row.event_id) is not None:
                item["hidden"] = True
            else:
                # A producer's own `hidden` is not ours to repeat: hidden means hidden here.
                item.pop("hidden", None)
            line = orjson.dumps(item) + b"\n"
        else:
            line = row.payload.encode() + b"\n"
        chunk.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield b"".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield b"".join(chunk)
