"""Comment intelligence for the API: classification, the question queue, reply templates.
Flushes, never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import repository as actions_repository, service as actions_service
from liveops.actions.commerce import state as commerce_state
from liveops.actions.schemas import (
    AnnouncementSetAction,
    QuestionAnswerAction,
    QuestionDismissAction,
)
from liveops.auth.principal import Principal
from liveops.comments.intents import Intent
from liveops.comments.live import PIN_ACTIONS, QUESTION_ACTIONS, LoggedAction
from liveops.comments.model import Classification, shipped
from liveops.comments.replies import product_values, replies
from liveops.errors import NotFound
from liveops.events import iso, to_micros
from liveops.platforms.base import Platform
from liveops.shows import service as shows_service

# Every question and pin action of a show is replayed into its board; a show with more than
# this many is beyond any real one (one a second for 27 hours).
LOGGED_ACTIONS_MAX = 100_000


def classify_texts(texts: Sequence[str]) -> list[Classification]:
    return shipped().classify_many(texts)


async def question_actions(session: AsyncSession, show_id: str) -> list[LoggedAction]:
    """The show's question and pin actions, as its question board's replay merges them in."""
    rows = await actions_repository.applied_of_types(
        session, show_id, QUESTION_ACTIONS + PIN_ACTIONS, LOGGED_ACTIONS_MAX
    )
    return [
        LoggedAction(to_micros(row.at) // 1000, row.type, dict(row.fields), row.by_label)
        for row in rows
    ]


def clusters_of(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every cluster a live snapshot holds: the open ones most pressing first, then the
    closed ones newest first."""
    view = snapshot.get("questions") or {}
    return [*view.get("clusters", []), *view.get("closed", [])]


def find_cluster(snapshot: Mapping[str, Any], cluster_id: str) -> dict[str, Any]:
    for cluster in clusters_of(snapshot):
        if cluster["id"] == cluster_id:
            return cluster
    raise NotFound(f"no question cluster {cluster_id!r} in this show")


async def close_cluster(
    session: AsyncSession,
    show_id: str,
    principal: Principal,
    cluster: dict[str, Any],
    *,
    dismiss: bool,
    reply: str | None,
    announce: bool,
    now: datetime,
    platform: Platform,
) -> dict[str, Any]:
    """Answer or dismiss a cluster (and with `announce`, set the reply as the announcement,
    in the same transaction). Returns the cluster as it stands after."""
    body: QuestionAnswerAction | QuestionDismissAction
    if dismiss:
        body = QuestionDismissAction(type="question.dismiss", cluster_id=cluster["id"])
    else:
        body = QuestionAnswerAction(type="question.answer", cluster_id=cluster["id"], reply=reply)
    if announce and reply:
        actions_service.check_may(principal, "announcement.set", show_id)
    row = await actions_service.perform(session, show_id, principal, body, now, platform)
    if announce and reply:
        announcement = AnnouncementSetAction(type="announcement.set", text=reply)
        await actions_service.perform(session, show_id, principal, announcement, now, platform)
    return {
        **cluster,
        "status": "dismissed" if dismiss else "answered",
        "answered_at": iso(row.at),
    }


async def reply_options(
    session: AsyncSession,
    show_id: str,
    snapshot: Mapping[str, Any],
    *,
    intent: Intent | None,
    topic: str | None,
    sku: str | None,
) -> list[dict[str, str]]:
    """The reply templates for a question about `sku` (the pinned product when None), filled
    with its live price, the ledger's stock and the newest live coupon."""
    show = await shows_service.get(session, show_id)
    state = await commerce_state(session, show)
    sku = sku or state.get("pinned_sku")
    product = next((p for p in state.get("prices", []) if p["sku"] == sku), None)
    stock = next((r for r in snapshot.get("stock") or [] if r.get("sku") == sku), None)
    coupons = [c for c in state.get("coupons", []) if c.get("state") == "issued"]
    values = product_values(
        product,
        None if stock is None else int(stock["available"]),
        coupons[-1] if coupons else None,
    )
    return replies(intent, topic, values)
