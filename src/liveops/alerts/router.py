"""`/api/v1/shows/{show_id}/alerts` and `…/alert-rules` (contract §12, docs/alerts.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from liveops.alerts import service
from liveops.alerts.schemas import (
    ALERT_ID_PATTERN,
    RULE_PATTERN,
    AlertList,
    AlertRead,
    AlertRulesIn,
    AlertRulesRead,
    StateFilter,
)
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.openapi import CONFLICT

router = APIRouter()

AlertId = Annotated[str, Path(pattern=ALERT_ID_PATTERN, description="`al_` and 16 hex digits")]


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/{show_id}/alerts", response_model=AlertList)
async def list_alerts(
    show_id: ShowId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    state: Annotated[
        StateFilter | None, Query(description="`open`: firing or acknowledged")
    ] = None,
    rule: Annotated[str | None, Query(pattern=RULE_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[
        str | None,
        Query(pattern=ALERT_ID_PATTERN, description="an alert id: the alerts fired before it"),
    ] = None,
) -> AlertList:
    """The show's alerts, newest first, with the times to acknowledge and to resolve. Field
    control, the assistant and the anchor see the alerts routed to their role (as their
    consoles receive them); admin and operations every alert. Page with `before`."""
    require(principal, Action.ALERTS_READ, show_id)
    async with rt.read() as session:
        return await service.listing(
            session, show_id, principal, limit=limit, state=state, rule=rule, before=before
        )


@router.post("/{show_id}/alerts/{alert_id}/ack", response_model=AlertRead)
async def ack_alert(
    show_id: ShowId, alert_id: AlertId, principal: PrincipalDep, rt: RuntimeDep
) -> AlertRead:
    """Acknowledge an alert: someone is on it. For the roles in its `roles`, admin and
    operations. The first acknowledgement counts: acknowledging again answers the same; a
    resolved alert stays resolved."""
    require(principal, Action.ALERT_ACK, show_id)
    async with rt.transaction() as session:
        return await service.ack(session, show_id, alert_id, principal, _now())


@router.post("/{show_id}/alerts/{alert_id}/resolve", response_model=AlertRead)
async def resolve_alert(
    show_id: ShowId, alert_id: AlertId, principal: PrincipalDep, rt: RuntimeDep
) -> AlertRead:
    """Resolve an alert by hand. For the roles in its `roles`, admin and operations. The
    first resolution counts (by hand, or by itself when its condition cleared): resolving
    again answers the same."""
    require(principal, Action.ALERT_ACK, show_id)
    async with rt.transaction() as session:
        return await service.resolve(session, show_id, alert_id, principal, _now())


@router.get("/{show_id}/alert-rules", response_model=AlertRulesRead)
async def get_alert_rules(
    show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep
) -> AlertRulesRead:
    """Every alert rule as it applies to the show: the shipped defaults with the show's
    overrides, what each watches, and which fields a show may change."""
    require(principal, Action.ALERT_RULES_READ, show_id)
    async with rt.read() as session:
        return await service.read_rules(session, show_id)


@router.put("/{show_id}/alert-rules", response_model=AlertRulesRead, responses=CONFLICT)
async def put_alert_rules(
    show_id: ShowId, body: AlertRulesIn, principal: PrincipalDep, rt: RuntimeDep
) -> AlertRulesRead:
    """Replace the show's overrides of the alert rules; answers the effective rules with the
    new `version`. 422 names an unknown rule or field, or a value out of its range; 409: a
    `base_version` that is not the stored one."""
    require(principal, Action.ALERT_RULES_WRITE, show_id)
    async with rt.transaction() as session:
        return await service.save_rules(session, show_id, body, _now())
