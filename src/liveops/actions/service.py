"""Performing operator actions (contract §10). Flushes, never commits.

An action is stored, then applied (actions/effects.py), in one transaction: a refusal (a SKU
outside the lineup, the platform saying no) stores nothing. A money-moving action sent with an
undo window is stored `held` and applied later by the held-action applier (actions/held.py),
unless undone first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import effects, impact, log, repository
from liveops.actions.schemas import ActionBody, CouponIssueAction, PriceSetAction
from liveops.auth.principal import Action, Principal, allowed
from liveops.errors import Conflict, Forbidden
from liveops.platforms.base import Platform
from liveops.shows import service as shows_service
from liveops.storage.models import Show, ShowAction

# Which permission each action type needs (auth/principal.py says who holds it).
PERMISSION: dict[str, Action] = {
    "cue": Action.ACT_CUE,
    "segment.goto": Action.ACT_SEGMENT_GOTO,
    "product.pin": Action.ACT_PRODUCT,
    "product.unpin": Action.ACT_PRODUCT,
    "price.set": Action.ACT_PRICE,
    "coupon.issue": Action.ACT_COUPON,
    "coupon.stop": Action.ACT_COUPON,
    "lucky_bag.start": Action.ACT_LUCKY_BAG,
    "lucky_bag.draw": Action.ACT_LUCKY_BAG,
    "comment.hide": Action.ACT_COMMENT_HIDE,
    "viewer.ban": Action.ACT_VIEWER_BAN,
    "viewer.unban": Action.ACT_VIEWER_BAN,
    "announcement.set": Action.ACT_ANNOUNCE,
    "question.answer": Action.ACT_QUESTION,
    "question.dismiss": Action.ACT_QUESTION,
}


def may_act(principal: Principal, show_id: str) -> bool:
    """Whether the principal may perform some action on the show: the anchor and the
    integrator may perform none, whatever the type (contract §10)."""
    return any(allowed(principal, needed, show_id) for needed in PERMISSION.values())


def check_may_act(principal: Principal, show_id: str) -> None:
    if not may_act(principal, show_id):
        raise Forbidden(
            f"the {principal.role.value} role may not perform actions on show {show_id}"
        )


def check_may(principal: Principal, type_: str, show_id: str) -> None:
    if not allowed(principal, PERMISSION[type_], show_id):
        raise Forbidden(f"the {principal.role.value} role may not perform {type_!r} actions")


def fields_of(body: ActionBody) -> dict[str, Any]:
    """The type's own fields as sent (optional ones only when given)."""
    return body.model_dump(exclude={"type", "undo_seconds"}, exclude_none=True)


async def perform(
    session: AsyncSession,
    show_id: str,
    principal: Principal,
    body: ActionBody,
    now: datetime,
    platform: Platform,
) -> ShowAction:
    check_may(principal, body.type, show_id)
    show = await shows_service.get(session, show_id)
    actor = await log.actor_of(session, principal)
    fields = fields_of(body)
    hold_seconds = getattr(body, "undo_seconds", None) or 0
    if hold_seconds > 0:
        await check_holdable(session, show, body)
        applies_at = now + timedelta(seconds=hold_seconds)
        return await log.record(
            session, show_id, actor, body.type, fields, now, applies_at=applies_at
        )
    row = await log.record(session, show_id, actor, body.type, fields, now, publish=False)
    acting = effects.Acting(session, show, actor, now, platform, row.id)
    row.fields = {**fields, **await effects.apply(acting, body)}
    await session.flush()
    log.publish(session, row)
    return row


async def check_holdable(session: AsyncSession, show: Show, body: ActionBody) -> None:
    """Refuse now what would be refused when the window ends, so that a console does not show
    a countdown for an action that cannot apply."""
    if isinstance(body, PriceSetAction):
        await effects.product_in_lineup(session, show.id, body.sku)
    elif isinstance(body, CouponIssueAction):
        if await repository.coupon(session, show.id, body.coupon_id) is not None:
            raise Conflict(
                f"coupon {body.coupon_id!r} was already issued in this show: use a new id"
            )
        for waiting in await repository.held(session, show.id):
            if waiting.type == body.type and waiting.fields.get("coupon_id") == body.coupon_id:
                raise Conflict(f"coupon {body.coupon_id!r} is already waiting to be issued")


IMPACT_ACTIONS_MAX = 500


async def impacts(
    session: AsyncSession, show: Show, window_minutes: int, now: datetime
) -> list[dict[str, Any]]:
    """Each applied pin, price change, coupon and lucky bag with its impact (actions/impact.py),
    oldest first. The after window stops at the show's end, or now while it runs."""
    until = show.ended_at or now
    until_us = int(until.timestamp() * 1_000_000)
    out = []
    rows = await repository.applied_of_types(session, show.id, impact.MEASURED, IMPACT_ACTIONS_MAX)
    for row in rows:
        pivot = row.applies_at or row.at
        before, after = impact.windows(int(pivot.timestamp() * 1_000_000), window_minutes, until_us)
        sku = row.fields.get("sku")
        counted = []
        for start, end in (before, after):
            counts = await repository.window_counts(session, show.id, start, end, sku)
            counted.append(impact.WindowCounts(minutes=(end - start) / impact.MINUTE_US, **counts))
        out.append(
            {
                "action": log.action_json(row),
                **impact.impact(counted[0], counted[1], window_minutes),
            }
        )
    return out


REVIEW_ACTIONS_MAX = 5000


async def review(session: AsyncSession, show: Show, now: datetime) -> list[dict[str, Any]]:
    """The review's `actions` table: every action, oldest first, a measured one (a pin, a
    price, a coupon, a lucky bag) with its `impact` over 5 minutes."""
    measured = {row["action"]["id"]: row for row in await impacts(session, show, 5, now)}
    rows = await repository.oldest_first(session, show.id, limit=REVIEW_ACTIONS_MAX)
    out = []
    for row in rows:
        record = log.action_json(row)
        found = measured.get(row.id)
        if found is not None:
            record["impact"] = {k: v for k, v in found.items() if k != "action"}
        out.append(record)
    return out
