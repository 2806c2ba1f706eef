"""Every SQL statement about moderation: hidden comments, bans, a room's keywords, and the
events a user card reads. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.storage.db import insert_unless_taken
from liveops.storage.models import Event, HiddenComment, RoomModeration, Show, ViewerBan

ORDER_OUTCOMES = ("order.paid", "order.cancelled", "order.refunded")


async def comment_event(session: AsyncSession, show_id: str, event_id: str) -> Event | None:
    query = select(Event).where(
        Event.show_id == show_id, Event.event_id == event_id, Event.type == "comment"
    )
    return (await session.scalars(query)).one_or_none()


async def hidden_comment(
    session: AsyncSession, show_id: str, event_id: str
) -> HiddenComment | None:
    return await session.get(HiddenComment, (show_id, event_id))


async def insert_hidden(session: AsyncSession, row: HiddenComment) -> bool:
    """Insert `row`; False when the comment was hidden meanwhile (nothing else is lost)."""
    return await insert_unless_taken(session, row)


async def hidden_ids(session: AsyncSession, show_id: str, limit: int) -> Sequence[str]:
    query = (
        select(HiddenComment.event_id)
        .where(HiddenComment.show_id == show_id)
        .order_by(HiddenComment.hidden_at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


def _applying_to(show_id: str, room: str | None) -> Any:
    """The bans that apply to a show: its own show bans, and its room's room bans."""
    own = and_(ViewerBan.show_id == show_id, ViewerBan.scope == "show")
    if room is None:
        return own
    return or_(own, and_(ViewerBan.room == room, ViewerBan.scope == "room"))


async def bans_for_show(
    session: AsyncSession, show_id: str, room: str | None, limit: int
) -> Sequence[ViewerBan]:
    """Every ban that applies to the show, lifted ones too, newest first."""
    query = (
        select(ViewerBan)
        .where(_applying_to(show_id, room))
        .order_by(ViewerBan.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def active_bans(
    session: AsyncSession, viewer_id: str, show_id: str, room: str | None, scope: str
) -> Sequence[ViewerBan]:
    """The viewer's bans in force of `scope`: on this show, or (`room`) in the show's room."""
    where = (
        and_(ViewerBan.show_id == show_id, ViewerBan.scope == "show")
        if scope == "show"
        else and_(ViewerBan.room == room, ViewerBan.scope == "room")
    )
    query = (
        select(ViewerBan)
        .where(where, ViewerBan.viewer_id == viewer_id, ViewerBan.lifted_at.is_(None))
        .order_by(ViewerBan.id)
    )
    return (await session.scalars(query)).all()


async def add_ban(session: AsyncSession, row: ViewerBan) -> ViewerBan:
    session.add(row)
    await session.flush()
    return row


async def room_bans_in_force(session: AsyncSession, room: str, limit: int) -> Sequence[ViewerBan]:
    """Bans in force in the room, of either scope (a show ban names its show's room), newest
    first."""
    query = (
        select(ViewerBan)
        .where(ViewerBan.room == room, ViewerBan.lifted_at.is_(None))
        .order_by(ViewerBan.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def viewer_bans(
    session: AsyncSession, viewer_id: str, show_id: str, room: str | None, limit: int
) -> Sequence[ViewerBan]:
    """The viewer's bans in the show's room (every show of it), or in the show alone when it
    has no room; lifted ones too, newest first."""
    where = ViewerBan.show_id == show_id if room is None else ViewerBan.room == room
    query = (
        select(ViewerBan)
        .where(where, ViewerBan.viewer_id == viewer_id)
        .order_by(ViewerBan.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def room_moderation(
    session: AsyncSession, room: str, *, lock: bool = False
) -> RoomModeration | None:
    query = select(RoomModeration).where(RoomModeration.room == room)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def insert_room(session: AsyncSession, row: RoomModeration) -> bool:
    """Insert `row`; False when another request created the room's row meanwhile."""
    return await insert_unless_taken(session, row)


async def live_shows_of_room(session: AsyncSession, room: str) -> Sequence[str]:
    query = select(Show.id).where(Show.room == room, Show.status == "live").order_by(Show.id)
    return (await session.scalars(query)).all()


async def room_has_show(session: AsyncSession, room: str) -> bool:
    query = select(Show.id).where(Show.room == room).limit(1)
    return (await session.scalar(query)) is not None


async def viewer_events(
    session: AsyncSession, show_id: str, viewer_id: str, types: Sequence[str], limit: int
) -> Sequence[Event]:
    """The viewer's newest events of `types` in the show, newest first."""
    query = (
        select(Event)
        .where(Event.show_id == show_id, Event.type.in_(types), Event.viewer_id == viewer_id)
        .order_by(Event.ts_us.desc(), Event.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def order_outcomes(
    session: AsyncSession, show_id: str, order_ids: Sequence[str]
) -> Sequence[Event]:
    """The paid, cancelled and refunded events of these orders (which carry no viewer id)."""
    found: list[Event] = []
    for start in range(0, len(order_ids), 500):  # bounded IN lists
        chunk = order_ids[start : start + 500]
        query = select(Event).where(
            Event.show_id == show_id,
            Event.type.in_(ORDER_OUTCOMES),
            Event.order_id.in_(chunk),
        )
        found += (await session.scalars(query)).all()
    return found


async def comments(session: AsyncSession, show_id: str) -> Any:
    """Every comment of the show in storage order, streamed: (event_id, viewer_id, ts_us,
    payload)."""
    return await session.stream(
        select(Event.event_id, Event.viewer_id, Event.ts_us, Event.payload)
        .where(Event.show_id == show_id, Event.type == "comment")
        .order_by(Event.id),
        execution_options={"yield_per": 5_000},
    )
