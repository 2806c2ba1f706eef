"""Run-sheet rules: saving, moving the current segment, the start gate. Services flush, never
commit: the caller owns the transaction. Cues are in `cues.py`, what the prompter shows in
`view.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import log as action_log
from liveops.actions.log import Actor
from liveops.errors import Conflict, NotFound
from liveops.live.changes import RunsheetChanged, stage
from liveops.rundown import repository
from liveops.rundown.findings import findings
from liveops.rundown.schemas import (
    Finding,
    RunsheetIn,
    RunsheetRead,
    SegmentRead,
)
from liveops.shows import repository as shows_repository
from liveops.storage.models import Runsheet, RunsheetSegment, Show


async def show_or_404(session: AsyncSession, show_id: str, *, lock: bool = False) -> Show:
    show = await (
        repository.lock_show(session, show_id) if lock else shows_repository.get(session, show_id)
    )
    if show is None:
        raise NotFound(f"no show with id {show_id!r}")
    return show


# ---- the run-sheet -------------------------------------------------------------------------


def seconds(delta: timedelta) -> float:
    return delta.total_seconds()


def _actual_seconds(row: RunsheetSegment, now: datetime) -> float:
    spent = row.spent_us / 1_000_000
    if row.entered_at is not None:
        spent += max(0.0, seconds(now - row.entered_at))
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
    show = await show_or_404(session, show_id)
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
    show = await show_or_404(session, show_id, lock=True)
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
    await show_or_404(session, show_id, lock=True)
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
        leaving.spent_us += max(0, int(seconds(now - leaving.entered_at) * 1_000_000))
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
