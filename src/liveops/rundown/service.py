"""Run-sheet rules: saving, moving the current segment, the start gate, and what the prompter
reads. Services flush, never commit: the caller owns the transaction. The prompter's picture
is `prompter_view`, a pure function of `prompter_inputs` and the live snapshot, so that the
HTTP read and the live side's push to anchor consoles show the same thing."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import log as action_log, repository as actions_repository
from liveops.actions.log import Actor
from liveops.errors import Conflict, NotFound
from liveops.inventory import service as inventory_service
from liveops.live.changes import CueAcknowledged, RunsheetChanged, stage
from liveops.rundown import repository
from liveops.rundown.findings import findings
from liveops.rundown.prompter import (
    Rendered,
    ScriptError,
    clock,
    is_question,
    render,
    yuan,
)
from liveops.rundown.schemas import (
    CueList,
    CueRead,
    Finding,
    RunsheetIn,
    RunsheetRead,
    SegmentRead,
)
from liveops.shows import repository as shows_repository
from liveops.storage.models import Runsheet, RunsheetSegment, Show, ShowAction

OPEN_CUES_MAX = 50  # the prompter shows at most this many open cues, oldest first
TOP_QUESTION_MAX_CHARS = 100
QUESTIONS_SHOWN = 3  # the prompter's `questions`: the newest question-like comments


async def _show(session: AsyncSession, show_id: str, *, lock: bool = False) -> Show:
    show = await (
        repository.lock_show(session, show_id) if lock else shows_repository.get(session, show_id)
    )
    if show is None:
        raise NotFound(f"no show with id {show_id!r}")
    return show


# ---- the run-sheet -------------------------------------------------------------------------


def _seconds(delta: timedelta) -> float:
    return delta.total_seconds()


def _actual_seconds(row: RunsheetSegment, now: datetime) -> float:
    spent = row.spent_us / 1_000_000
    if row.entered_at is not None:
        spent += max(0.0, _seconds(now - row.entered_at))
    return round(spent, 3)


def _view(
    show: Show,
    sheet: Runsheet | None,
    rows: Sequence[RunsheetSegment],
    found: list[Finding],
    now: datetime,
) -> RunsheetRead:
    origin = show.started_at or show.planned_start_at
    # The segment on air when the show ended stops counting at the end.
    if show.ended_at is not None:
        now = min(now, show.ended_at)
    offset = 0
    segments: list[SegmentRead] = []
    current = sheet.current_segment_id if sheet else None
    for row in rows:
        segments.append(
            SegmentRead(
                id=row.segment_id,
                title=row.title,
                sku=row.sku,
                planned_seconds=row.planned_seconds,
                script=row.script,
                beat=row.beat,
                fabe=row.fabe,
                planned_offset_seconds=offset,
                planned_start_at=None if origin is None else origin + timedelta(seconds=offset),
                planned_end_at=None
                if origin is None
                else origin + timedelta(seconds=offset + row.planned_seconds),
                started_at=row.started_at,
                ended_at=row.ended_at,
                actual_seconds=_actual_seconds(row, now),
                current=row.segment_id == current,
            )
        )
        offset += row.planned_seconds
    return RunsheetRead(
        show_id=show.id,
        version=sheet.version if sheet else 0,
        updated_at=sheet.updated_at if sheet else None,
        current_segment_id=current,
        segments=segments,
        findings=found,
    )


async def read(
    session: AsyncSession, show_id: str, now: datetime, *, rules: Path | None = None
) -> RunsheetRead:
    show = await _show(session, show_id)
    rows = await repository.segments(session, show_id)
    sheet = await repository.runsheet(session, show_id)
    return _view(show, sheet, rows, findings(rows, rules), now)


async def save(
    session: AsyncSession,
    show_id: str,
    body: RunsheetIn,
    now: datetime,
    *,
    rules: Path | None = None,
) -> RunsheetRead:
    """Replace the run-sheet. Segments that keep their id keep their actual times; the
    segment on air cannot be removed (move off it first)."""
    show = await _show(session, show_id, lock=True)
    ids = [s.id for s in body.segments]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        raise Conflict(f"each segment id may appear once in a run-sheet; repeated: {repeated}")
    sheet = await repository.runsheet(session, show_id)
    if body.base_version is not None and body.base_version != (sheet.version if sheet else 0):
        raise Conflict(
            f"the run-sheet is at version {sheet.version if sheet else 0}, not "
            f"{body.base_version}: reload it and apply your changes again"
        )
    if sheet is not None and sheet.current_segment_id not in (None, *ids):
        raise Conflict(
            f"segment {sheet.current_segment_id!r} is on air: move to another segment "
            "(segment.goto) before removing it"
        )
    existing = {row.segment_id: row for row in await repository.segments(session, show_id)}
    await repository.delete_segments(session, show_id, [i for i in existing if i not in ids])
    rows: list[RunsheetSegment] = []
    for position, segment in enumerate(body.segments):
        row = existing.get(segment.id)
        if row is None:
            row = RunsheetSegment(show_id=show_id, segment_id=segment.id, spent_us=0)
            session.add(row)
        row.position = position
        row.title = segment.title
        row.sku = segment.sku
        row.planned_seconds = segment.planned_seconds
        row.script = segment.script
        row.beat = segment.beat
        row.fabe = None if segment.fabe is None else segment.fabe.model_dump()
        rows.append(row)
    if sheet is None:
        sheet = Runsheet(show_id=show_id, version=0, current_segment_id=None, updated_at=now)
        session.add(sheet)
    sheet.version += 1
    sheet.updated_at = now
    await session.flush()
    stage(session, RunsheetChanged(show_id))
    return _view(show, sheet, rows, findings(rows, rules), now)


async def goto(session: AsyncSession, show_id: str, segment_id: str, now: datetime) -> str | None:
    """Make `segment_id` the segment on air; returns the one it replaces. Going to the segment
    already on air changes nothing."""
    await _show(session, show_id, lock=True)
    sheet = await repository.runsheet(session, show_id)
    rows = {row.segment_id: row for row in await repository.segments(session, show_id)}
    target = rows.get(segment_id)
    if sheet is None or target is None:
        known = ", ".join(repr(i) for i in list(rows)[:20]) or "none: save a run-sheet first"
        raise Conflict(f"the run-sheet has no segment {segment_id!r} (segments: {known})")
    previous = sheet.current_segment_id
    if previous == segment_id:
        return previous
    leaving = rows.get(previous) if previous is not None else None
    if leaving is not None and leaving.entered_at is not None:
        leaving.spent_us += max(0, int(_seconds(now - leaving.entered_at) * 1_000_000))
        leaving.entered_at = None
        leaving.ended_at = now
    target.entered_at = now
    target.ended_at = None
    if target.started_at is None:
        target.started_at = now
    sheet.current_segment_id = segment_id
    await session.flush()
    stage(session, RunsheetChanged(show_id))
    return previous


# ---- the start gate ------------------------------------------------------------------------


class ComplianceBlocked(Conflict):
    """The run-sheet has findings and no override was given (contract §9)."""

    code = "compliance_findings"

    def __init__(self, found: list[Finding]) -> None:
        super().__init__(
            f"the run-sheet has {len(found)} unresolved compliance finding(s): fix the scripts, "
            'or start with {"override_reason": "…"} (kept in the audit log)'
        )
        self.findings = found


async def start_gate(
    session: AsyncSession,
    show_id: str,
    actor: Actor,
    override_reason: str | None,
    now: datetime,
    *,
    rules: Path | None = None,
) -> None:
    """Before the show starts: refuse while the run-sheet has findings, unless overridden; an
    override that overrides something is kept as a `compliance.override` action. The rules
    are those of now, not of the save (a rule added since counts)."""
    found = findings(await repository.segments(session, show_id), rules)
    if not found:
        return
    if override_reason is None:
        raise ComplianceBlocked(found)
    await action_log.record(
        session,
        show_id,
        actor,
        "compliance.override",
        {
            "override_reason": override_reason,
            "findings_count": len(found),
            "findings": [f.model_dump() for f in found[:50]],
        },
        now,
    )


async def on_start(session: AsyncSession, show_id: str, actor: Actor, now: datetime) -> None:
    """The show started: its first segment goes on air (a `segment.goto` by whoever started
    it), unless a segment already is."""
    sheet = await repository.runsheet(session, show_id)
    rows = await repository.segments(session, show_id)
    if sheet is None or sheet.current_segment_id is not None or not rows:
        return
    first = rows[0].segment_id
    previous = await goto(session, show_id, first, now)
    await action_log.record(
        session,
        show_id,
        actor,
        "segment.goto",
        {"segment_id": first, "from_segment_id": previous, "via": "show.start"},
        now,
    )


# ---- cues ----------------------------------------------------------------------------------


def cue_read(row: ShowAction, now: datetime) -> CueRead:
    acked = row.acked_at
    return CueRead.model_validate(
        {
            "id": row.id,
            "text": row.fields.get("text", ""),
            "by": {"label": row.by_label, "role": row.by_role},
            "created_at": row.at,
            "acked_at": acked,
            "ack_seconds": None if acked is None else round(_seconds(acked - row.at), 3),
            "acked_by": None
            if acked is None
            else {"label": row.acked_by_label or "", "role": row.acked_by_role or ""},
            "open_seconds": round(max(0.0, _seconds((acked or now) - row.at)), 3),
        }
    )


async def ack_cue(
    session: AsyncSession, show_id: str, cue_id: int, actor: Actor, now: datetime
) -> CueRead:
    """Acknowledge a cue. Acknowledging it again changes nothing: the first one counts."""
    await _show(session, show_id)
    row = await actions_repository.get(session, show_id, cue_id, lock=True)
    if row is None or row.type != "cue":
        raise NotFound(f"show {show_id} has no cue {cue_id}")
    if row.acked_at is None:
        row.acked_at = now
        row.acked_by_label = actor.label
        row.acked_by_role = actor.role
        await session.flush()
        cue = cue_read(row, now)
        stage(session, CueAcknowledged(show_id, cue.model_dump(mode="json")))
        return cue
    return cue_read(row, now)


async def cues(
    session: AsyncSession, show_id: str, *, limit: int, before: int | None, now: datetime
) -> CueList:
    await _show(session, show_id)
    rows = await actions_repository.newest_first(
        session, show_id, limit=limit, before=before, types=["cue"]
    )
    return CueList(
        cues=[cue_read(r, now) for r in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )


# ---- the prompter --------------------------------------------------------------------------


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
    show = await _show(session, show_id)
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
    """The newest question-like comments of the live feed, newest first, each once (until
    question clusters exist, contract §11)."""
    found: list[str] = []
    for item in reversed((live or {}).get("feed") or []):
        if len(found) == limit:
            break
        if item.get("kind") == "comment" and is_question(str(item.get("text", ""))):
            text = str(item["text"]).strip()
            if len(text) > TOP_QUESTION_MAX_CHARS:
                text = text[: TOP_QUESTION_MAX_CHARS - 1] + "…"
            if text not in found:
                found.append(text)
    return found


def top_question(live: Mapping[str, Any] | None) -> str | None:
    """The newest question-like comment of the live feed (until question clusters exist)."""
    newest = questions(live, 1)
    return newest[0] if newest else None


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
        "online": None if online is None else str(online),
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
            update={"open_seconds": round(max(0.0, _seconds(now - cue.created_at)), 3)}
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
    elapsed = 0.0 if inputs.entered_at is None else max(0.0, _seconds(until - inputs.entered_at))
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
