"""What an action would do, before it is sent (a console shows this and asks to confirm).

Nothing is stored or changed. The answer names the configured undo window, which the console
then sends as `undo_seconds` with a money-moving action.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import effects, repository
from liveops.actions.schemas import (
    MONEY_MOVING,
    ActionBody,
    ActionPreview,
    CouponIssueAction,
    PriceSetAction,
    ProductPinAction,
)
from liveops.shows import repository as shows_repository
from liveops.storage.models import Show

# A cut deeper than this is most often a typo (an extra zero): the preview says so.
DEEP_CUT = 0.5


def yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}".replace(".00", "")


async def preview(
    session: AsyncSession, show: Show, body: ActionBody, undo_window: int
) -> ActionPreview:
    undo_seconds = undo_window if body.type in MONEY_MOVING else 0
    if isinstance(body, PriceSetAction):
        return await _price(session, show, body, undo_seconds)
    if isinstance(body, CouponIssueAction):
        return await _coupon(session, show, body, undo_seconds)
    before: dict[str, Any] = {}
    if isinstance(body, ProductPinAction):
        await effects.product_in_lineup(session, show.id, body.sku)
        before = {"pinned_sku": show.pinned_sku}
    return ActionPreview(
        type=body.type, undo_seconds=undo_seconds, summary=body.type, before=before, after={}
    )


async def _price(
    session: AsyncSession, show: Show, body: PriceSetAction, undo_seconds: int
) -> ActionPreview:
    product = await effects.product_in_lineup(session, show.id, body.sku)
    before, after = product.live_price, body.live_price
    warnings: list[str] = []
    if after > product.list_price:
        warnings.append(f"高于划线价 {yuan(product.list_price)} / above the list price")
    if after == 0:
        warnings.append("价格为 0 / the price is zero")
    elif before > 0 and after < before * (1 - DEEP_CUT):
        warnings.append(
            f"降价超过 {DEEP_CUT:.0%}：请确认没有多打一个 0 / a cut of more than "
            f"{DEEP_CUT:.0%}: check for a typo"
        )
    if after == before:
        warnings.append("与现价相同 / the same as the current price")
    change = after - before
    return ActionPreview(
        type=body.type,
        undo_seconds=undo_seconds,
        summary=f"{product.name}：{yuan(before)} → {yuan(after)}",
        before={"live_price": before, "list_price": product.list_price},
        after={
            "live_price": after,
            "change": change,
            "change_ratio": None if before == 0 else round(change / before, 4),
            "discount_from_list": None
            if product.list_price == 0
            else round(1 - after / product.list_price, 4),
        },
        warnings=warnings,
    )


async def _coupon(
    session: AsyncSession, show: Show, body: CouponIssueAction, undo_seconds: int
) -> ActionPreview:
    warnings: list[str] = []
    if await repository.coupon(session, show.id, body.coupon_id) is not None:
        warnings.append(f"券 {body.coupon_id} 已发过 / this coupon id was already issued")
    threshold = body.threshold or 0
    if threshold and body.amount_off >= threshold:
        warnings.append("减额不低于门槛：订单可能为 0 元 / the discount reaches the threshold")
    lineup = await shows_repository.lineup(session, show.id)
    # Where a single unit qualifies, what it costs with the coupon.
    per_product = [
        {
            "sku": p.sku,
            "name": p.name,
            "live_price": p.live_price,
            "with_coupon": max(p.live_price - body.amount_off, 0),
        }
        for p in lineup
        if p.live_price >= threshold
    ]
    free = [p.sku for p in lineup if p.live_price >= threshold and p.live_price <= body.amount_off]
    if free:
        warnings.append("这些商品用券后为 0 元 / free with the coupon: " + ", ".join(free))
    rule = (
        f"满 {yuan(threshold)} 减 {yuan(body.amount_off)}"
        if threshold
        else f"立减 {yuan(body.amount_off)}"
    )
    return ActionPreview(
        type=body.type,
        undo_seconds=undo_seconds,
        summary=f"{rule} × {body.quantity:,} 张",
        before={},
        after={
            "coupon_id": body.coupon_id,
            "max_cost": body.amount_off * body.quantity,
            "products": per_product,
        },
        warnings=warnings,
    )
