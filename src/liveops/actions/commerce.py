"""What the room's viewers see now, as actions left it: the pinned product, prices, coupons,
lucky bags, the announcement, and the money-moving actions still held in their undo window.
One reader for `GET …/commerce` and the live side's `commerce` message."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import log, repository
from liveops.events import iso
from liveops.shows import repository as shows_repository
from liveops.storage.models import Show


async def state(session: AsyncSession, show: Show) -> dict[str, Any]:
    lineup = await shows_repository.lineup(session, show.id)
    coupons = await repository.coupons(session, show.id)
    bags = await repository.lucky_bags(session, show.id)
    held = await repository.held(session, show.id)
    return {
        "pinned_sku": show.pinned_sku,
        "announcement": show.announcement,
        "prices": [
            {"sku": p.sku, "name": p.name, "list_price": p.list_price, "live_price": p.live_price}
            for p in lineup
        ],
        "coupons": [
            {
                "coupon_id": c.coupon_id,
                "amount_off": c.amount_off,
                "threshold": c.threshold,
                "quantity": c.quantity,
                "state": c.state,
                "issued_at": iso(c.issued_at),
                "stopped_at": None if c.stopped_at is None else iso(c.stopped_at),
            }
            for c in coupons
        ],
        "lucky_bags": [
            {
                "bag_id": b.bag_id,
                "prize": b.prize,
                "winners": b.winners,
                "condition": b.condition,
                "entries_from": b.entries_from,
                "state": b.state,
                "started_at": iso(b.started_at),
                "drawn_at": None if b.drawn_at is None else iso(b.drawn_at),
                "seed": b.seed,
                "candidates": b.candidates,
                "winner_ids": b.winner_ids,
            }
            for b in bags
        ],
        "held": [log.action_json(row) for row in held],
    }


async def state_if_any(session: AsyncSession, show_id: str) -> dict[str, Any] | None:
    """The state, or None when the show is gone (the live side keeps what it shows)."""
    show = await shows_repository.get(session, show_id)
    return None if show is None else await state(session, show)
