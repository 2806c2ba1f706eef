"""What each action type does (contract §10), once it applies.

An effect changes the show's state, calls the platform where viewers see the change, and
answers the fields it adds to the stored record: the value before (`live_price_before`,
`previous_sku`…), and what it decided (a draw's seed and winners). A reference to something
the show does not have (a SKU outside the lineup, an unknown coupon) is a `Conflict`, as for
`segment.goto`. Effects flush, never commit; a `PlatformError` rolls the whole action back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import lucky_bag, repository
from liveops.actions.log import Actor
from liveops.actions.schemas import (
    ActionBody,
    AnnouncementSetAction,
    CommentHideAction,
    CouponIssueAction,
    CouponStopAction,
    CueAction,
    LuckyBagDrawAction,
    LuckyBagStartAction,
    PriceSetAction,
    ProductPinAction,
    ProductUnpinAction,
    SegmentGotoAction,
    ViewerBanAction,
    ViewerUnbanAction,
)
from liveops.errors import Conflict
from liveops.moderation import service as moderation
from liveops.platforms.base import Platform, Room
from liveops.rundown import service as rundown
from liveops.storage.models import Coupon, LineupProduct, LuckyBag, Show


@dataclass(frozen=True, slots=True)
class Acting:
    """One action being applied: where, by whom, when, as which stored record."""

    session: AsyncSession
    show: Show
    actor: Actor
    now: datetime
    platform: Platform
    action_id: int

    async def on_platform(self, operation: str, detail: dict[str, Any]) -> None:
        show = self.show
        await self.platform.call(Room(show.platform, show.room, show.id), operation, detail)


Effect = Callable[[Acting, Any], Awaitable[dict[str, Any]]]


async def product_in_lineup(
    session: AsyncSession, show_id: str, sku: str, *, lock: bool = False
) -> LineupProduct:
    product = await repository.lineup_product(session, show_id, sku, lock=lock)
    if product is None:
        raise Conflict(f"the show's lineup has no product {sku!r}")
    return product


async def _cue(acting: Acting, body: CueAction) -> dict[str, Any]:
    return {}


async def _segment_goto(acting: Acting, body: SegmentGotoAction) -> dict[str, Any]:
    previous = await rundown.goto(acting.session, acting.show.id, body.segment_id, acting.now)
    return {"from_segment_id": previous}


async def _pin(acting: Acting, body: ProductPinAction) -> dict[str, Any]:
    await product_in_lineup(acting.session, acting.show.id, body.sku)
    previous = acting.show.pinned_sku
    acting.show.pinned_sku = body.sku
    await acting.on_platform("product.pin", {"sku": body.sku})
    return {"previous_sku": previous}


async def _unpin(acting: Acting, body: ProductUnpinAction) -> dict[str, Any]:
    await product_in_lineup(acting.session, acting.show.id, body.sku)
    was_pinned = acting.show.pinned_sku == body.sku
    if was_pinned:
        acting.show.pinned_sku = None
        await acting.on_platform("product.unpin", {"sku": body.sku})
    return {"was_pinned": was_pinned}


async def _price(acting: Acting, body: PriceSetAction) -> dict[str, Any]:
    product = await product_in_lineup(acting.session, acting.show.id, body.sku, lock=True)
    before = product.live_price
    product.live_price = body.live_price
    await acting.on_platform("price.set", {"sku": body.sku, "live_price": body.live_price})
    return {"live_price_before": before, "list_price": product.list_price}


async def _coupon_issue(acting: Acting, body: CouponIssueAction) -> dict[str, Any]:
    session, show = acting.session, acting.show
    if await repository.coupon(session, show.id, body.coupon_id) is not None:
        raise Conflict(f"coupon {body.coupon_id!r} was already issued in this show: use a new id")
    session.add(
        Coupon(
            show_id=show.id,
            coupon_id=body.coupon_id,
            amount_off=body.amount_off,
            threshold=body.threshold,
            quantity=body.quantity,
            state="issued",
            issued_at=acting.now,
        )
    )
    await session.flush()
    detail = body.model_dump(include={"coupon_id", "amount_off", "threshold", "quantity"})
    await acting.on_platform("coupon.issue", detail)
    return {}


async def _coupon_stop(acting: Acting, body: CouponStopAction) -> dict[str, Any]:
    coupon = await repository.coupon(acting.session, acting.show.id, body.coupon_id, lock=True)
    if coupon is None:
        raise Conflict(f"no coupon {body.coupon_id!r} was issued in this show")
    if coupon.state == "stopped":
        raise Conflict(f"coupon {body.coupon_id!r} was already stopped")
    coupon.state = "stopped"
    coupon.stopped_at = acting.now
    await acting.on_platform("coupon.stop", {"coupon_id": body.coupon_id})
    return {"issued_at": coupon.issued_at.isoformat()}


async def _bag_start(acting: Acting, body: LuckyBagStartAction) -> dict[str, Any]:
    session, show = acting.session, acting.show
    if await repository.lucky_bag(session, show.id, body.bag_id) is not None:
        raise Conflict(f"lucky bag {body.bag_id!r} was already started in this show")
    session.add(
        LuckyBag(
            show_id=show.id,
            bag_id=body.bag_id,
            prize=body.prize,
            winners=body.winners,
            condition=body.condition,
            entries_from=body.entries_from,
            state="running",
            started_at=acting.now,
            winner_ids=[],
        )
    )
    await session.flush()
    detail = body.model_dump(include={"bag_id", "prize", "winners", "condition", "entries_from"})
    await acting.on_platform("lucky_bag.start", detail)
    return {}


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


async def _bag_draw(acting: Acting, body: LuckyBagDrawAction) -> dict[str, Any]:
    session, show = acting.session, acting.show
    bag = await repository.lucky_bag(session, show.id, body.bag_id, lock=True)
    if bag is None:
        raise Conflict(f"no lucky bag {body.bag_id!r} was started in this show")
    if bag.state == "drawn":
        raise Conflict(f"lucky bag {body.bag_id!r} was already drawn at {bag.drawn_at}")
    since_us = _us(bag.started_at) if bag.entries_from == "start" else 0
    met = await repository.viewers_with(session, show.id, bag.condition, since_us, _us(acting.now))
    banned = await repository.banned_viewers(session, show)
    result = lucky_bag.draw([v for v in met if v not in banned], bag.winners, body.seed)
    bag.state = "drawn"
    bag.drawn_at = acting.now
    bag.seed = result.seed
    bag.candidates = result.candidates
    bag.winner_ids = result.winner_ids
    await acting.on_platform("lucky_bag.draw", {"bag_id": bag.bag_id, "winners": result.winner_ids})
    return {
        "seed": result.seed,
        "candidates": result.candidates,
        "candidate_count": result.candidates,  # contract §10's words for the same number
        "candidates_sha256": result.candidates_sha256,
        "winner_ids": result.winner_ids,
        "winners": result.winner_ids,  # the drawn viewers (lucky_bag.start's is how many)
        "condition": bag.condition,
        "entries_from": bag.entries_from,
        "started_at": bag.started_at.isoformat(),
        "prize": bag.prize,
    }


async def _announce(acting: Acting, body: AnnouncementSetAction) -> dict[str, Any]:
    previous = acting.show.announcement
    acting.show.announcement = body.text or None
    await acting.on_platform("announcement.set", {"text": body.text})
    return {"previous_text": previous}


async def _hide(acting: Acting, body: CommentHideAction) -> dict[str, Any]:
    return await moderation.hide_comment(
        acting.session, acting.show, acting.actor, body.event_id, acting.now, acting.action_id
    )


async def _ban(acting: Acting, body: ViewerBanAction) -> dict[str, Any]:
    return await moderation.ban_viewer(
        acting.session,
        acting.show,
        acting.actor,
        body.viewer_id,
        body.scope,
        acting.now,
        acting.action_id,
    )


async def _unban(acting: Acting, body: ViewerUnbanAction) -> dict[str, Any]:
    return await moderation.unban_viewer(
        acting.session,
        acting.show,
        acting.actor,
        body.viewer_id,
        body.scope,
        acting.now,
        acting.action_id,
    )


async def _nothing(acting: Acting, body: ActionBody) -> dict[str, Any]:
    return {}


EFFECTS: dict[str, Effect] = {
    "cue": _cue,
    "segment.goto": _segment_goto,
    "product.pin": _pin,
    "product.unpin": _unpin,
    "price.set": _price,
    "coupon.issue": _coupon_issue,
    "coupon.stop": _coupon_stop,
    "lucky_bag.start": _bag_start,
    "lucky_bag.draw": _bag_draw,
    "comment.hide": _hide,
    "viewer.ban": _ban,
    "viewer.unban": _unban,
    "announcement.set": _announce,
    # The question queue lives in the show's live state (comments/live.py), which reads these
    # from the action log: nothing else to apply.
    "question.answer": _nothing,
    "question.dismiss": _nothing,
}


async def apply(acting: Acting, body: ActionBody) -> dict[str, Any]:
    return await EFFECTS[body.type](acting, body)
