"""What a committed transaction tells the live side: one typed union of show changes.

A service never publishes anything itself. It stages the changes its work makes on the session
(`stage(session, change)`); the transaction boundary (`Runtime.transaction`) hands them to the
live backend once, after the commit succeeds, in the order they were staged. A rolled-back
transaction publishes nothing, and no call site writes its own publish-after-commit.

Every change names its show and encodes to plain JSON (`to_json` / `from_json`), so that the
Redis backend can carry it to the process that aggregates the show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

_STAGED = "liveops.live.changes"


@dataclass(frozen=True, slots=True)
class ShowEdited:
    """The show was created, started, ended or edited."""

    kind: ClassVar[str] = "show"
    show_id: str
    show: dict[str, Any]
    ended_at_us: int | None


@dataclass(frozen=True, slots=True)
class AllocationChanged:
    """The lineup's allocated stock changed."""

    kind: ClassVar[str] = "allocation"
    show_id: str
    allocated: dict[str, int]


@dataclass(frozen=True, slots=True)
class StockChanged:
    """Ledger rows changed; each row carries its `rev`, so the newest reading wins."""

    kind: ClassVar[str] = "stock"
    show_id: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class RunsheetChanged:
    """The run-sheet was replaced, or the current segment moved (`segment.goto`)."""

    kind: ClassVar[str] = "runsheet"
    show_id: str


@dataclass(frozen=True, slots=True)
class ActionTaken:
    """An operator action was stored (contract §10): `action` is its stored record."""

    kind: ClassVar[str] = "action"
    show_id: str
    action: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CueAcknowledged:
    """An anchor acknowledged a cue: `cue` is its record with `acked_at` and `ack_seconds`."""

    kind: ClassVar[str] = "cue_ack"
    show_id: str
    cue: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AlertChanged:
    """An operator acknowledged or resolved an alert (contract §12): `alert` is its record as
    the API answers it (alerts/schemas.py `AlertRead`)."""

    kind: ClassVar[str] = "alert"
    show_id: str
    alert: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AlertRulesChanged:
    """The show's alert rules were replaced (`PUT …/alert-rules`): read them again."""

    kind: ClassVar[str] = "alert_rules"
    show_id: str


@dataclass(frozen=True, slots=True)
class ModerationChanged:
    """Moderation moved for the show (moderation/service.py): comments hidden by hand, a viewer
    banned or unbanned (for the show, or for its room: one change per live show of the room),
    or the room's keyword filter replaced. What it carries takes effect at once, in order with
    the show's events (a comment ingested after the ban's commit is never shown); the live side
    then reads the show's whole moderation state again from storage, which stays the truth.

    `bans` are new or lifted bans as `{id, viewer_id, since_us, until_us}` (`until_us` null
    while in force); `keywords` is the room's new list, None when it did not change."""

    kind: ClassVar[str] = "moderation"
    show_id: str
    hidden: list[str] = field(default_factory=list)
    bans: list[dict[str, Any]] = field(default_factory=list)
    keywords: list[str] | None = None


ShowChange = (
    ShowEdited
    | AllocationChanged
    | StockChanged
    | RunsheetChanged
    | ActionTaken
    | CueAcknowledged
    | AlertChanged
    | AlertRulesChanged
    | ModerationChanged
)

_KINDS: dict[str, type[Any]] = {
    c.kind: c
    for c in (
        ShowEdited,
        AllocationChanged,
        StockChanged,
        RunsheetChanged,
        ActionTaken,
        CueAcknowledged,
        AlertChanged,
        AlertRulesChanged,
        ModerationChanged,
    )
}


def stage(session: AsyncSession, change: ShowChange) -> None:
    """Publish `change` to the live side once the session's transaction commits."""
    session.info.setdefault(_STAGED, []).append(change)


def staged(session: AsyncSession) -> list[ShowChange]:
    """The changes staged on `session`, taken (so that they are published once)."""
    changes: list[ShowChange] = session.info.pop(_STAGED, [])
    return changes


def to_json(change: ShowChange) -> dict[str, Any]:
    return {"kind": change.kind, **asdict(change)}


def from_json(data: dict[str, Any]) -> ShowChange:
    fields = dict(data)
    change: ShowChange = _KINDS[fields.pop("kind")](**fields)
    return change


@dataclass(slots=True)
class ChangeBatch:
    """Changes grouped by show, in staging order within each show."""

    by_show: dict[str, list[ShowChange]] = field(default_factory=dict)

    @classmethod
    def of(cls, changes: Sequence[ShowChange]) -> ChangeBatch:
        batch = cls()
        for change in changes:
            batch.by_show.setdefault(change.show_id, []).append(change)
        return batch
