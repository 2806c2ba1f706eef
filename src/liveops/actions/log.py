"""Writing and reading the action log (contract §10): who did what, when. Flushes, never
commits; stages each stored action as `ActionTaken` for the live side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import repository
from liveops.auth.principal import Principal
from liveops.auth.service import opened_with
from liveops.events import iso
from liveops.live.changes import ActionTaken, stage
from liveops.storage.models import ShowAction

ADMIN_TOKEN_LABEL = "admin token"  # the configured LIVEOPS_ADMIN_TOKEN has no stored label


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the token's label and role, as the record's `by` shows them."""

    label: str
    role: str
    token_id: int | None = None

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "role": self.role}


# For what LiveOps does by itself (a show started by a command rather than a request).
SYSTEM = Actor("liveops", "admin")


async def actor_of(session: AsyncSession, principal: Principal) -> Actor:
    """Who acts, by the label a person recognises: a browser session goes by the token it was
    opened with (that token's label: 场控小王), not by the session's own bookkeeping label."""
    if principal.token_id is None:
        return Actor(ADMIN_TOKEN_LABEL, principal.role.value)
    label = await repository.token_label(session, principal.token_id)
    origin = None if label is None else opened_with(label)
    if origin == "admin":
        label = ADMIN_TOKEN_LABEL
    elif isinstance(origin, int):
        label = await repository.token_label(session, origin) or label
    return Actor(label or f"token {principal.token_id}", principal.role.value, principal.token_id)


def action_json(row: ShowAction) -> dict[str, Any]:
    """The stored action as the API and the live side show it: `{id, type, by, at, …fields}`,
    and its `state`: `applied`, or for an action sent with an undo window `held` (until
    `applies_at`), `undone` (`undone_at`, `undone_by`) or `failed` (`error`)."""
    record: dict[str, Any] = {
        **row.fields,
        "id": row.id,
        "type": row.type,
        "by": {"label": row.by_label, "role": row.by_role},
        "at": iso(row.at),
        "state": row.state or "applied",
    }
    if row.applies_at is not None:
        record["applies_at"] = iso(row.applies_at)
    if row.undone_at is not None:
        record["undone_at"] = iso(row.undone_at)
        record["undone_by"] = {"label": row.undone_by_label, "role": row.undone_by_role}
    return record


def publish(session: AsyncSession, row: ShowAction) -> None:
    """Stage the action's record (as it stands) for the consoles, after the commit."""
    stage(session, ActionTaken(row.show_id, action_json(row)))


async def record(
    session: AsyncSession,
    show_id: str,
    actor: Actor,
    type_: str,
    fields: dict[str, Any],
    now: datetime,
    *,
    publish: bool = True,
    applies_at: datetime | None = None,
) -> ShowAction:
    """Store one action and stage it for the consoles (after the commit). `publish=False`
    keeps it in the log only, for a record whose news reaches consoles another way (an
    alert's acknowledgement goes, as the alert, only to the roles the alert is for).
    `applies_at`: the action is held, undoable, until then."""
    row = await repository.add(
        session,
        ShowAction(
            show_id=show_id,
            type=type_,
            at=now,
            by_label=actor.label,
            by_role=actor.role,
            token_id=actor.token_id,
            fields=fields,
            state="applied" if applies_at is None else "held",
            applies_at=applies_at,
        ),
    )
    if publish:
        stage(session, ActionTaken(show_id, action_json(row)))
    return row
