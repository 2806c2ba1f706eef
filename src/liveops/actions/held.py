"""Held actions: a money-moving action sent with an undo window waits, undoable, then applies.

`undo` takes it back within the window (it stays in the audit log as `undone`, never
`applied`). `HeldActionApplier` applies what is due, in every serving process: a row lock
(skipping rows another process holds) keeps an action from applying twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import effects, log, repository
from liveops.actions.schemas import ActionBody, ActionIn
from liveops.actions.service import PERMISSION, check_may
from liveops.auth.principal import Principal
from liveops.errors import Conflict, LiveOpsError, NotFound
from liveops.events import iso
from liveops.platforms.base import Platform
from liveops.shows import service as shows_service
from liveops.storage.db import Transaction
from liveops.storage.models import ShowAction

log_ = logging.getLogger("liveops.actions")
_BODY: TypeAdapter[ActionBody] = TypeAdapter(ActionIn)


async def undo(
    session: AsyncSession, show_id: str, action_id: int, principal: Principal, now: datetime
) -> ShowAction:
    await shows_service.get(session, show_id)
    row = await repository.get(session, show_id, action_id, lock=True)
    if row is None:
        raise NotFound(f"show {show_id} has no action {action_id}")
    if row.type not in PERMISSION:
        # The audit log also records what is not an action of contract §10 (an alert
        # acknowledged, a show started): never held, so never undone.
        raise Conflict(f"entry {action_id} of the log is {row.type!r}, not an action to undo")
    check_may(principal, row.type, show_id)
    if row.state != "held":
        raise Conflict(f"action {action_id} is {row.state}: only a held action can be undone")
    if row.applies_at is not None and now >= row.applies_at:
        raise Conflict(
            f"the undo window of action {action_id} ended at {iso(row.applies_at)}: "
            "it applies now; send a new action to change it back"
        )
    actor = await log.actor_of(session, principal)
    row.state = "undone"
    row.undone_at = now
    row.undone_by_label = actor.label
    row.undone_by_role = actor.role
    await session.flush()
    log.publish(session, row)
    return row


async def apply_due(session: AsyncSession, now: datetime, platform: Platform, limit: int) -> int:
    """Apply the held actions due by `now`; answers how many it took (applied or failed). One
    that cannot apply any more (its SKU left the lineup, the platform refused) is `failed`,
    with the reason in `error`, and the others still apply."""
    rows = await repository.held_due(session, now, limit)
    for row in rows:
        body = _BODY.validate_python({**row.fields, "type": row.type})
        show = await shows_service.get(session, row.show_id)
        actor = log.Actor(row.by_label, row.by_role, row.token_id)
        try:
            async with session.begin_nested():
                acting = effects.Acting(session, show, actor, now, platform, row.id)
                extra = await effects.apply(acting, body)
        except LiveOpsError as exc:  # PlatformError among them
            row.state = "failed"
            row.fields = {**row.fields, "error": str(exc)}
        else:
            row.state = "applied"
            row.fields = {**row.fields, **extra}
        await session.flush()
        log.publish(session, row)
    return len(rows)


class HeldActionApplier:
    """Applies held actions when their window ends: polls storage every `interval` seconds
    (the latency a held action may add on top of its window)."""

    def __init__(
        self,
        transaction: Transaction,
        read: Transaction,
        platform: Platform,
        *,
        interval: float,
        batch: int = 100,
    ) -> None:
        self._transaction = transaction
        self._read = read
        self._platform = platform
        self._interval = interval
        self._batch = batch
        self._task: asyncio.Task[None] | None = None
        self.applied = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="held-actions")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def apply(self) -> int:
        """Apply everything due now; answers how many actions it took."""
        total = 0
        while True:
            now = datetime.now(UTC)
            async with self._read() as session:
                if not await repository.any_held_due(session, now):
                    return total
            async with self._transaction() as session:
                count = await apply_due(session, now, self._platform, self._batch)
            if count == 0:
                return total  # due rows held by another process: it applies them
            total += count
            self.applied += count

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.apply()
            except Exception as exc:
                log_.warning("applying held actions failed, will retry: %s", exc)
