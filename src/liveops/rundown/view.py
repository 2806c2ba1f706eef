"""What the anchor sees (contract §8): `prompter_view`, a pure function of what storage holds
(`prompter_inputs`) and the live values, so that `GET …/prompter` and the live side's push to
the anchor's desk (rundown/live.py) show the same thing."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import repository as actions_repository
from liveops.inventory import service as inventory_service
from liveops.rundown import repository
from liveops.rundown.cues import cue_read
from liveops.rundown.prompter import (
    Rendered,
    ScriptError,
    clock,
    render,
    spoken_count,
    yuan,
)
from liveops.rundown.schemas import CueRead
from liveops.rundown.service import seconds, show_or_404
from liveops.shows import repository as shows_repository

OPEN_CUES_MAX = 50  # the prompter shows at most this many open cues, oldest first
TOP_QUESTION_MAX_CHARS = 100
QUESTIONS_SHOWN = 3  # the prompter's `questions`: the newest question-like comments


@dataclass(frozen=True, slots=True)
class PlannedSegment:
    id: str
    title: str
    sku: str | None
    planned_seconds: int
    script: str
    beat: str | None = None


@dataclass(frozen=True, slots=True)
class PrompterInputs:
    """What the prompter needs from storage. Load again when the run-sheet changes
    (`RunsheetChanged`), a cue is sent or acknowledged (`ActionTaken`, `CueAcknowledged`), the
    lineup changes (`AllocationChanged`) or the show ends (`ShowEdited`); stock, online and
    comments come from the live snapshot at each render."""

    show_id: str
    version: int
    segments: tuple[PlannedSegment, ...]
    current_segment_id: str | None
    entered_at: datetime | None  # when the current segment went on air
    ended_at: datetime | None  # the show's end: the clock stops there
    prices: Mapping[str, tuple[int, int]]  # sku → (list_price, live_price), fen
    stock: Mapping[str, Mapping[str, Any]]  # sku → ledger row (with `rev`) as loaded
    cues: tuple[CueRead, ...]  # open, oldest first


async def prompter_inputs(session: AsyncSession, show_id: str) -> PrompterInputs:
    """Raises NotFound for an unknown show."""
    show = await show_or_404(session, show_id)
    sheet = await repository.runsheet(session, show_id)
    rows = await repository.segments(session, show_id)
    current = sheet.current_segment_id if sheet else None
    entered_at = next((r.entered_at for r in rows if r.segment_id == current), None)
    lineup = await shows_repository.lineup(session, show_id)
    stock = await inventory_service.listing(session, show_id)
    cues = await actions_repository.open_cues(session, show_id, OPEN_CUES_MAX)
    # Cues are stamped by `prompter_view` with its own `now`; this one is replaced there.
    stamp = datetime.now(UTC)
    return PrompterInputs(
        show_id=show_id,
        version=sheet.version if sheet else 0,
        segments=tuple(
            PlannedSegment(r.segment_id, r.title, r.sku, r.planned_seconds, r.script, r.beat)
            for r in rows
        ),
        current_segment_id=current,
        entered_at=entered_at,
        ended_at=show.ended_at,
        prices={p.sku: (p.list_price, p.live_price) for p in lineup},
        stock={row.sku: row.model_dump() for row in stock},
        cues=tuple(cue_read(c, stamp) for c in cues),
    )


def _newest(*rows: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The newest reading of a ledger row: storage's at load time, or the live snapshot's."""
    present = [r for r in rows if r is not None]
    return max(present, key=lambda r: int(r.get("rev", 0))) if present else None


def questions(live: Mapping[str, Any] | None, limit: int = QUESTIONS_SHOWN) -> list[str]:
    """The representatives of the most pressing open question clusters (contract §11), as the
    live values or a snapshot hold them (`questions.clusters`, most pressing first)."""
    board = (live or {}).get("questions") or {}
    found: list[str] = []
    for cluster in board.get("clusters") or []:
        if len(found) == limit:
            break
        if cluster.get("status", "open") != "open":
            continue
        text = str(cluster.get("representative", "")).strip()
        if len(text) > TOP_QUESTION_MAX_CHARS:
            text = text[: TOP_QUESTION_MAX_CHARS - 1] + "…"
        if text and text not in found:
            found.append(text)
    return found


def top_question(live: Mapping[str, Any] | None) -> str | None:
    """The representative of the top open question cluster ({top_question}, contract §8)."""
    top = questions(live, 1)
    return top[0] if top else None


def values_for(
    segment: PlannedSegment,
    inputs: PrompterInputs,
    live: Mapping[str, Any] | None,
    elapsed: float,
) -> dict[str, str | None]:
    """Every placeholder's value for `segment` (None: not known, shown as a dash)."""
    sku = segment.sku
    price = inputs.prices.get(sku) if sku else None
    live_rows = {r.get("sku"): r for r in (live or {}).get("stock") or []}
    row = _newest(inputs.stock.get(sku), live_rows.get(sku)) if sku else None
    online = ((live or {}).get("metrics") or {}).get("online")
    return {
        "price": None if price is None else yuan(price[0]),
        "live_price": None if price is None else yuan(price[1]),
        "stock_left": None if row is None else str(row["available"]),
        "sold": None if row is None else str(row["sold"]),
        "online": None if online is None else spoken_count(int(online)),
        "countdown": clock(segment.planned_seconds - elapsed),
        "top_question": top_question(live),
    }


def prompter_view(
    inputs: PrompterInputs, live: Mapping[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """What the anchor sees now (contract §8), as JSON. Pure: the same inputs, snapshot and
    clock give the same picture, over HTTP and on the live websocket."""
    segments = inputs.segments
    index = next((i for i, s in enumerate(segments) if s.id == inputs.current_segment_id), None)
    following = segments[0] if index is None and segments else None
    if index is not None and index + 1 < len(segments):
        following = segments[index + 1]
    cues = [
        cue.model_copy(
            update={"open_seconds": round(max(0.0, seconds(now - cue.created_at)), 3)}
        ).model_dump(mode="json")
        for cue in inputs.cues
    ]
    view: dict[str, Any] = {
        "segment": None,
        "text": "",
        "next": None
        if following is None
        else {"id": following.id, "title": following.title, "beat": following.beat},
        "cues": cues,
        "parts": [],
        "values": {},
        "remaining_seconds": None,
        "overrun_seconds": None,
        "version": inputs.version,
        "questions": questions(live),
    }
    if index is None:
        return view
    segment = segments[index]
    until = now if inputs.ended_at is None else min(now, inputs.ended_at)
    elapsed = 0.0 if inputs.entered_at is None else max(0.0, seconds(until - inputs.entered_at))
    values = values_for(segment, inputs, live, elapsed)
    try:
        rendered = render(segment.script, values)
    except ScriptError:
        # Saved under an older placeholder list: read it out as written rather than fail.
        rendered = Rendered(segment.script, [])
    view.update(
        segment={
            "id": segment.id,
            "title": segment.title,
            "sku": segment.sku,
            "planned_seconds": segment.planned_seconds,
            "elapsed_seconds": int(elapsed),
            "beat": segment.beat,
        },
        text=rendered.text,
        parts=[p.to_json() for p in rendered.parts],
        values=values,
        remaining_seconds=max(0, math.ceil(segment.planned_seconds - elapsed)),
        overrun_seconds=max(0, int(elapsed) - segment.planned_seconds),
    )
    return view
