"""Persisted alerts and a show's alert rules (contract §12). Flushes, never commits.

Two callers. The live side fires alerts and resolves them when their condition clears
(`fire`, `resolve_auto`, `open_alerts`, `rules_of`), inside its own transaction, and publishes
them itself: these stage nothing. Operators acknowledge and resolve alerts and change a show's
rules over HTTP (`ack`, `resolve`, `save_rules`): each stages a change for the live side
(live/changes.py), and an acknowledgement or resolution that counts is kept in the audit log
as an action (`alert.ack`, `alert.resolve`) — in the log only, not published as an `action`
message (that goes to every console; the alert, only to its roles).
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import log as action_log
from liveops.actions.log import Actor
from liveops.alerts import repository
from liveops.alerts.review import summary
from liveops.alerts.rules import (
    DEFAULT_RULES,
    DEFAULTS,
    OVERRIDABLE,
    RULE_ROLES,
    Rule,
    RuleError,
    effective,
)
from liveops.alerts.schemas import (
    ALERT_ID_PATTERN,
    UNITS,
    AlertList,
    AlertRead,
    AlertRulesIn,
    AlertRulesRead,
    RuleRead,
    StateFilter,
)
from liveops.auth.principal import GLOBAL_ROLES, Principal
from liveops.errors import Conflict, Forbidden, NotFound, PayloadError
from liveops.live.changes import AlertChanged, AlertRulesChanged, stage
from liveops.shows import repository as shows_repository
from liveops.storage.models import Alert, ShowAlertRules

log = logging.getLogger("liveops")

MESSAGE_MAX_CHARS = 500
SUBJECT_MAX_CHARS = 128
SKU_MAX_CHARS = 64
# A compliance line with its violations fits many times over; what does not fit is left out
# (and named under `truncated`) rather than refusing the alert.
DETAIL_MAX_BYTES = 8_192
SEVERITIES = ("info", "warning", "critical")
OPEN_STATES = ("firing", "acknowledged")
_ID_CHARS = frozenset("0123456789abcdef")


def new_alert_id() -> str:
    return "al_" + secrets.token_hex(8)


def is_alert_id(value: str) -> bool:
    return len(value) == 19 and value.startswith("al_") and set(value[3:]) <= _ID_CHARS


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert the live side fires. `id` from `new_alert_id()`; `subject` is what the rule
    watched (the SKU, cue id or segment id; "" for the show)."""

    id: str
    rule: str
    severity: str
    roles: Sequence[str]
    message: str
    fired_at: datetime
    subject: str = ""
    value: float | None = None
    threshold: float | None = None
    sku: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


def check_new(alert: NewAlert) -> None:
    """Raises ValueError naming what is wrong: the live side's mistake, never a client's."""
    problems: list[str] = []
    if not is_alert_id(alert.id):
        problems.append(f"id {alert.id!r} does not match {ALERT_ID_PATTERN}")
    if alert.rule not in DEFAULTS:
        problems.append(f"no alert rule {alert.rule!r}")
    if alert.severity not in SEVERITIES:
        problems.append(f"severity {alert.severity!r} is not one of {', '.join(SEVERITIES)}")
    strangers = sorted(set(alert.roles) - set(RULE_ROLES))
    if strangers:
        problems.append(f"roles {', '.join(strangers)} are not alert roles")
    for name in ("value", "threshold"):
        number = getattr(alert, name)
        if number is not None and not math.isfinite(number):
            problems.append(f"{name} must be a finite number")
    if len(alert.subject) > SUBJECT_MAX_CHARS:
        problems.append(f"subject is over {SUBJECT_MAX_CHARS} characters")
    if alert.sku is not None and len(alert.sku) > SKU_MAX_CHARS:
        problems.append(f"sku is over {SKU_MAX_CHARS} characters")
    if alert.fired_at.tzinfo is None:
        problems.append("fired_at must be timezone-aware")
    if problems:
        raise ValueError(f"alert {alert.rule}: " + "; ".join(problems))


def bounded(detail: Mapping[str, Any], limit: int = DETAIL_MAX_BYTES) -> dict[str, Any]:
    """`detail` within `limit` bytes of JSON: its keys in order while they fit; the keys left
    out are listed under `truncated`."""
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    size = 2  # {}
    for key, value in detail.items():
        item = len(json.dumps({str(key): value}, ensure_ascii=False).encode()) - 1
        if size + item + 64 <= limit:  # room left to name what was dropped
            kept[str(key)] = value
            size += item
        else:
            dropped.append(str(key))
    if dropped:
        kept["truncated"] = dropped[:10]
    return kept


def _seconds(later: datetime | None, fired_at: datetime) -> float | None:
    if later is None:
        return None
    return round(max(0.0, (later - fired_at).total_seconds()), 3)


def _who(label: str | None, role: str | None) -> dict[str, str] | None:
    if label is None and role is None:
        return None
    return {"label": label or "", "role": role or ""}


def alert_read(row: Alert) -> AlertRead:
    return AlertRead.model_validate(
        {
            "id": row.id,
            "rule": row.rule,
            "subject": row.subject,
            "severity": row.severity,
            "state": row.state,
            "roles": row.roles,
            "message": row.message,
            "value": row.value,
            "threshold": row.threshold,
            "sku": row.sku,
            "fired_at": row.fired_at,
            "acked_at": row.acked_at,
            "resolved_at": row.resolved_at,
            "acked_by": _who(row.acked_by_label, row.acked_by_role),
            "resolved_by": _who(row.resolved_by_label, row.resolved_by_role),
            "ack_seconds": _seconds(row.acked_at, row.fired_at),
            "resolve_seconds": _seconds(row.resolved_at, row.fired_at),
            "detail": row.detail,
        }
    )


async def _show_or_404(session: AsyncSession, show_id: str) -> None:
    if await shows_repository.get(session, show_id) is None:
        raise NotFound(f"no show with id {show_id!r}")


# ---- for the live side ---------------------------------------------------------------------


async def fire(session: AsyncSession, show_id: str, new: NewAlert) -> AlertRead:
    """Store a firing alert. When the show already has an open alert of the same rule and
    subject (or one with this id), answers that one, unchanged: one open alert per rule and
    subject. Raises ValueError for an alert that breaks the rules above, NotFound for an
    unknown show."""
    check_new(new)
    await _show_or_404(session, show_id)
    existing = await repository.get(session, show_id, new.id)
    if existing is None:
        existing = await repository.open_for(session, show_id, new.rule, new.subject)
    if existing is not None:
        return alert_read(existing)
    row = Alert(
        id=new.id,
        show_id=show_id,
        rule=new.rule,
        subject=new.subject,
        severity=new.severity,
        roles=list(dict.fromkeys(new.roles)),
        message=new.message[:MESSAGE_MAX_CHARS],
        value=new.value,
        threshold=new.threshold,
        sku=new.sku,
        state="firing",
        fired_at=new.fired_at,
        detail=bounded(new.detail),
    )
    if await repository.insert(session, row):
        return alert_read(row)
    # Fired meanwhile by another transaction (PostgreSQL): that one counts.
    existing = await repository.open_for(session, show_id, new.rule, new.subject)
    if existing is None:
        raise ValueError(f"alert id {new.id} is taken by another show's alert")
    return alert_read(existing)


async def resolve_auto(
    session: AsyncSession, show_id: str, alert_id: str, now: datetime
) -> AlertRead | None:
    """The alert's condition cleared: resolve it, with no one as `resolved_by`. None when
    there is nothing to resolve (no such alert in the show, or already resolved)."""
    row = await repository.get(session, show_id, alert_id, lock=True)
    if row is None or row.state == "resolved":
        return None
    row.state = "resolved"
    row.resolved_at = now
    await session.flush()
    return alert_read(row)


async def open_alerts(session: AsyncSession, show_id: str) -> list[AlertRead]:
    """The show's firing and acknowledged alerts, oldest first."""
    return [alert_read(row) for row in await repository.open_alerts(session, show_id)]


async def rules_of(session: AsyncSession, show_id: str) -> dict[str, Rule]:
    """The show's effective rules. An override stored under an older rule table that no
    longer applies is skipped (and logged), never an error on the live side."""
    row = await repository.rules(session, show_id)
    return rules_of_overrides(row.overrides if row is not None else {}, show_id)


def rules_of_overrides(overrides: Mapping[str, Mapping[str, Any]], show_id: str) -> dict[str, Rule]:
    try:
        return effective(overrides)
    except RuleError:
        pass
    rules = effective({})
    for name, fields in overrides.items():
        try:
            rules[name] = effective({name: fields})[name]
        except (RuleError, TypeError) as problem:
            log.warning("show %s: alert rule override %s skipped: %s", show_id, name, problem)
    return rules


# ---- for operators ---------------------------------------------------------------------------


def _states(state: StateFilter | None) -> Sequence[str] | None:
    if state is None:
        return None
    return OPEN_STATES if state == "open" else (state,)


async def listing(
    session: AsyncSession,
    show_id: str,
    principal: Principal,
    *,
    limit: int,
    state: StateFilter | None = None,
    rule: str | None = None,
    before: str | None = None,
) -> AlertList:
    """A page of the show's alerts, newest first. A show-scoped role lists only the alerts
    routed to it, as its console receives them."""
    await _show_or_404(session, show_id)
    cursor = None
    if before is not None:
        cursor = await repository.get(session, show_id, before)
        if cursor is None:
            raise NotFound(f"show {show_id} has no alert {before} to page from")
    role = None if principal.role in GLOBAL_ROLES else principal.role.value
    rows = await repository.newest_first(
        session, show_id, limit=limit, states=_states(state), rule=rule, role=role, before=cursor
    )
    return AlertList(
        alerts=[alert_read(row) for row in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )


async def _handled(
    session: AsyncSession, show_id: str, alert_id: str, principal: Principal, verb: str
) -> Alert:
    """The alert, locked, if the principal may handle it: admin and operations any alert, the
    other roles those routed to them."""
    await _show_or_404(session, show_id)
    row = await repository.get(session, show_id, alert_id, lock=True)
    if row is None:
        raise NotFound(f"show {show_id} has no alert {alert_id}")
    if principal.role not in GLOBAL_ROLES and principal.role.value not in row.roles:
        raise Forbidden(
            f"alert {alert_id} ({row.rule}) is for {', '.join(row.roles) or 'no console role'}: "
            f"the {principal.role.value} role may not {verb} it"
        )
    return row


async def _record(
    session: AsyncSession, row: Alert, actor: Actor, type_: str, now: datetime
) -> AlertRead:
    await session.flush()
    alert = alert_read(row)
    fields = {"alert_id": row.id, "rule": row.rule, "subject": row.subject}
    # In the audit log, but not as an `action` publication: those reach every console, and an
    # alert (its acknowledgement included) is only for the roles it names. `AlertChanged`
    # carries it to the live side, which routes it as the alert.
    await action_log.record(session, row.show_id, actor, type_, fields, now, publish=False)
    stage(session, AlertChanged(row.show_id, alert.model_dump(mode="json")))
    return alert


async def ack(
    session: AsyncSession, show_id: str, alert_id: str, principal: Principal, now: datetime
) -> AlertRead:
    """Acknowledge: someone is on it. The first acknowledgement counts; acknowledging again
    changes nothing. A resolved alert stays resolved (its `acked_at` is kept, or recorded if
    it had none)."""
    row = await _handled(session, show_id, alert_id, principal, "acknowledge")
    if row.acked_at is not None:
        return alert_read(row)
    actor = await action_log.actor_of(session, principal)
    row.acked_at = now
    row.acked_by_label = actor.label
    row.acked_by_role = actor.role
    if row.state == "firing":
        row.state = "acknowledged"
    return await _record(session, row, actor, "alert.ack", now)


async def resolve(
    session: AsyncSession, show_id: str, alert_id: str, principal: Principal, now: datetime
) -> AlertRead:
    """Resolve by hand: dealt with. The first resolution counts (by hand or by itself);
    resolving again changes nothing."""
    row = await _handled(session, show_id, alert_id, principal, "resolve")
    if row.state == "resolved":
        return alert_read(row)
    actor = await action_log.actor_of(session, principal)
    row.state = "resolved"
    row.resolved_at = now
    row.resolved_by_label = actor.label
    row.resolved_by_role = actor.role
    return await _record(session, row, actor, "alert.resolve", now)


def rules_read(
    show_id: str, overrides: Mapping[str, Mapping[str, Any]], version: int, at: datetime | None
) -> AlertRulesRead:
    rules = rules_of_overrides(overrides, show_id)
    return AlertRulesRead(
        show_id=show_id,
        version=version,
        updated_at=at,
        rules=[
            RuleRead(
                name=rule.name,
                description=rule.description,
                unit=UNITS.get(rule.name) if not rule.on_event else None,
                on_event=rule.on_event,
                enabled=rule.enabled,
                severity=rule.severity,
                roles=list(rule.roles),
                threshold=rule.threshold,
                window_seconds=rule.window_seconds,
                pending_seconds=rule.pending_seconds,
                recovery_seconds=rule.recovery_seconds,
                escalate_after_seconds=rule.escalate_after_seconds,
                overridable=[f for f in OVERRIDABLE if f != "threshold" or not rule.on_event],
                overridden=[f for f in OVERRIDABLE if f in overrides.get(rule.name, {})],
            )
            for rule in rules.values()
        ],
        overrides={name: dict(fields) for name, fields in overrides.items()},
    )


async def read_rules(session: AsyncSession, show_id: str) -> AlertRulesRead:
    await _show_or_404(session, show_id)
    row = await repository.rules(session, show_id)
    if row is None:
        return rules_read(show_id, {}, 0, None)
    return rules_read(show_id, row.overrides, row.version, row.updated_at)


async def save_rules(
    session: AsyncSession, show_id: str, body: AlertRulesIn, now: datetime
) -> AlertRulesRead:
    """Replace the show's overrides; the live side reads the rules again after the commit."""
    if await repository.lock_show(session, show_id) is None:
        raise NotFound(f"no show with id {show_id!r}")
    row = await repository.rules(session, show_id)
    version = row.version if row is not None else 0
    if body.base_version is not None and body.base_version != version:
        raise Conflict(
            f"the show's alert rules are at version {version}, not {body.base_version}: "
            "read them again and apply your change to that"
        )
    overrides = body.rules.overrides()
    try:
        effective(overrides)
    except RuleError as problem:
        raise PayloadError(str(problem)) from None
    if row is None:
        row = ShowAlertRules(show_id=show_id, overrides=overrides, version=1, updated_at=now)
        await repository.add_rules(session, row)
    else:
        row.overrides = overrides
        row.version = version + 1
        row.updated_at = now
        await session.flush()
    stage(session, AlertRulesChanged(show_id))
    return rules_read(show_id, row.overrides, row.version, row.updated_at)


async def review(session: AsyncSession, show_id: str) -> dict[str, Any]:
    """The review's `alerts` section: every alert of the show, oldest first, and the times to
    acknowledge and to resolve, per rule and overall."""
    items = [
        alert_read(row).model_dump(mode="json")
        for row in await repository.oldest_first(session, show_id)
    ]
    by_rule, overall = summary(items, order=[rule.name for rule in DEFAULT_RULES])
    return {"items": items, "by_rule": by_rule, "overall": overall}
