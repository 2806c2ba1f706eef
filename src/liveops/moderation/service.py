"""Moderation: hiding comments, banning viewers, a room's keyword filter, the user card and
what an export marks hidden. Flushes, never commits; stages `ModerationChanged` for the live
side of every show a change touches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions.log import Actor
from liveops.errors import Conflict, NotFound
from liveops.events import iso, iso_from_micros, to_micros
from liveops.live.changes import ModerationChanged, stage
from liveops.moderation import repository
from liveops.moderation.filter import Ban, ModerationState, Reason
from liveops.moderation.schemas import (
    BanRead,
    CardBans,
    CardComment,
    CardOrder,
    OrderCounts,
    RoomKeywordsIn,
    RoomModerationRead,
    ViewerCard,
)
from liveops.shows import repository as shows_repository
from liveops.storage.models import HiddenComment, RoomModeration, Show, ViewerBan

Scope = Literal["show", "room"]

# What the live side loads per show: a room that has banned more viewers than this keeps the
# newest bans in force on its consoles (the export and the user card still read them all).
BANS_LOADED_MAX = 10_000
HIDDEN_LOADED_MAX = 10_000
ROOM_BANS_LISTED = 1_000
EXCERPT_CHARS = 40  # of a hidden comment's text, in the audit log
CARD_COMMENTS = 50
CARD_ORDERS = 1_000  # counted
CARD_RECENT_ORDERS = 10  # listed
CARD_MOVES = 1_000  # joins and leaves read for the watch time
CARD_BANS = 50


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def ban_of(row: ViewerBan) -> Ban:
    lifted = None if row.lifted_at is None else to_micros(row.lifted_at)
    return Ban(row.id, row.viewer_id, to_micros(row.banned_at), lifted)


def ban_read(row: ViewerBan) -> BanRead:
    return BanRead(
        id=row.id,
        viewer_id=row.viewer_id,
        scope="room" if row.scope == "room" else "show",
        show_id=row.show_id,
        room=row.room,
        banned_at=iso(row.banned_at),
        by=row.banned_by_label,
        lifted_at=None if row.lifted_at is None else iso(row.lifted_at),
        lifted_by=row.lifted_by_label,
        active=row.lifted_at is None,
    )


async def _targets(session: AsyncSession, show: Show, scope: Scope) -> list[str]:
    """The shows whose live side a ban of `scope` made on `show` concerns: the show itself, and
    for a room ban every live show of the room. A scheduled show of the room reads its state
    when it is loaded or started (the live side reloads on every show change), so it needs no
    change now; staging one for each would load every scheduled show of the room."""
    shows = [show.id]
    if scope == "room" and show.room is not None:
        shows += [
            s for s in await repository.live_shows_of_room(session, show.room) if s != show.id
        ]
    return shows


def _comment_text(payload: str) -> str:
    text = orjson.loads(payload).get("text")
    return text if isinstance(text, str) else ""


# ---- the actions (contract §10), called by actions/service.py --------------------------------


async def hide_comment(
    session: AsyncSession, show: Show, actor: Actor, event_id: str, now: datetime, action_id: int
) -> dict[str, Any]:
    """Hide one comment of the show from consoles (and mark it in exports). Answers what was
    hidden, for the audit log: the comment's `viewer_id` and a `text` excerpt; hiding it again
    changes nothing and says `already_hidden`."""
    event = await repository.comment_event(session, show.id, event_id)
    if event is None:
        raise NotFound(f"show {show.id} has no comment with event id {event_id!r}")
    before: dict[str, Any] = {
        "viewer_id": event.viewer_id,
        "text": excerpt(_comment_text(event.payload)),
    }
    row = HiddenComment(
        show_id=show.id,
        event_id=event_id,
        hidden_at=now,
        by_label=actor.label,
        action_id=action_id,
    )
    existing = await repository.hidden_comment(session, show.id, event_id)
    if existing is not None or not await repository.insert_hidden(session, row):
        return {**before, "already_hidden": True}
    stage(session, ModerationChanged(show.id, hidden=[event_id]))
    return before


def _in_effect(show: Show, scope: Scope) -> tuple[Scope, dict[str, Any]]:
    """The scope a ban or unban takes, and what the record says of it. A show with no room is
    a room of its own: a `room` ban there holds for the show (there is no other show of its
    room to remember it for), and the record says `scope_applied: "show"`."""
    if scope == "room" and show.room is None:
        return "show", {"scope_applied": "show"}
    return scope, {}


async def ban_viewer(
    session: AsyncSession,
    show: Show,
    actor: Actor,
    viewer_id: str,
    scope: Literal["show", "room"],
    now: datetime,
    action_id: int,
) -> dict[str, Any]:
    """Ban a viewer from `now` on: for this show, or for every show of its room (remembered
    for the room's later shows). Their comments from then on are stored but not shown. A ban
    already in force (for the show, or for the room, which covers the show) changes nothing
    and answers `already_banned` with its ids."""
    scope, said = _in_effect(show, scope)
    in_force = list(await repository.active_bans(session, viewer_id, show.id, show.room, "room"))
    if scope == "show":
        in_force += await repository.active_bans(session, viewer_id, show.id, show.room, "show")
    if in_force:
        return {
            "room": show.room,
            "already_banned": True,
            "ban_ids": [b.id for b in in_force],
            **said,
        }
    row = await repository.add_ban(
        session,
        ViewerBan(
            show_id=show.id,
            room=show.room,
            viewer_id=viewer_id,
            scope=scope,
            banned_at=now,
            banned_by_label=actor.label,
            action_id=action_id,
        ),
    )
    for target in await _targets(session, show, scope):
        stage(session, ModerationChanged(target, bans=[ban_of(row).to_json()]))
    return {"room": show.room, "ban_id": row.id, **said}


async def unban_viewer(
    session: AsyncSession,
    show: Show,
    actor: Actor,
    viewer_id: str,
    scope: Literal["show", "room"],
    now: datetime,
    action_id: int,
) -> dict[str, Any]:
    """Lift the viewer's bans of `scope` in force (the rows stay, for the user card). Their
    comments from `now` on are shown again; those written while banned stay hidden. Answers
    the ids `lifted` (empty, with `not_banned`, when there was none). 409 when only a ban of
    the other scope holds them, which this would not lift."""
    scope, said = _in_effect(show, scope)
    rows = await repository.active_bans(session, viewer_id, show.id, show.room, scope)
    if not rows:
        other: Scope = "show" if scope == "room" else "room"
        if (other == "show" or show.room is not None) and await repository.active_bans(
            session, viewer_id, show.id, show.room, other
        ):
            where = "the whole room" if other == "room" else "this show"
            raise Conflict(
                f"viewer {viewer_id} is banned for {where}, not with scope {scope!r}: "
                f"unban with scope {other!r}"
            )
        return {"room": show.room, "lifted": [], "not_banned": True, **said}
    for row in rows:
        row.lifted_at = now
        row.lifted_by_label = actor.label
    await session.flush()
    lifted = [ban_of(row).to_json() for row in rows]
    for target in await _targets(session, show, scope):
        stage(session, ModerationChanged(target, bans=lifted))
    return {"room": show.room, "lifted": [row.id for row in rows], **said}


# ---- the live side's state -----------------------------------------------------------------


async def state_of(session: AsyncSession, show: Show) -> ModerationState:
    """The show's moderation as the live side holds it (bounded: see BANS_LOADED_MAX)."""
    keywords: list[str] = []
    if show.room is not None:
        room = await repository.room_moderation(session, show.room)
        keywords = list(room.keywords) if room is not None else []
    bans = await repository.bans_for_show(session, show.id, show.room, BANS_LOADED_MAX)
    hidden = await repository.hidden_ids(session, show.id, HIDDEN_LOADED_MAX)
    return ModerationState(hidden=hidden, bans=[ban_of(b) for b in bans], keywords=keywords)


async def load_state(session: AsyncSession, show_id: str) -> ModerationState | None:
    """`state_of` by show id; None when there is no such show (deleted meanwhile)."""
    show = await shows_repository.get(session, show_id)
    return None if show is None else await state_of(session, show)


# ---- exports (contract §13) -----------------------------------------------------------------


async def export_state(session: AsyncSession, show: Show) -> ModerationState:
    """The state an export marks comments by: every ban and hidden comment of the show, not
    only the newest the live side keeps. Ask it `hides(viewer_id, text, ts_us, event_id)` per
    comment line while streaming the events: no second pass over them."""
    keywords: list[str] = []
    if show.room is not None:
        room = await repository.room_moderation(session, show.room)
        keywords = list(room.keywords) if room is not None else []
    bans = await repository.bans_for_show(session, show.id, show.room, 2**31)
    hidden = await repository.hidden_ids(session, show.id, 2**31)
    return ModerationState(hidden=hidden, bans=[ban_of(b) for b in bans], keywords=keywords)


async def hidden_comments(session: AsyncSession, show: Show) -> AsyncIterator[tuple[str, Reason]]:
    """Every hidden comment of the show, in storage order, with why: one streamed pass."""
    state = await export_state(session, show)
    result = await repository.comments(session, show.id)
    async for event_id, viewer_id, ts_us, payload in result:
        reason = state.hides(viewer_id, _comment_text(payload), ts_us, event_id)
        if reason is not None:
            yield event_id, reason


# ---- a room's keyword filter ---------------------------------------------------------------


def _room_read(
    room: str, row: RoomModeration | None, bans: Iterable[ViewerBan]
) -> RoomModerationRead:
    return RoomModerationRead(
        room=room,
        keywords=list(row.keywords) if row is not None else [],
        version=row.version if row is not None else 0,
        updated_at=iso(row.updated_at) if row is not None else None,
        updated_by=row.updated_by_label if row is not None else None,
        banned=[ban_read(b) for b in bans],
    )


async def read_room(session: AsyncSession, room: str) -> RoomModerationRead:
    row = await repository.room_moderation(session, room)
    bans = await repository.room_bans_in_force(session, room, ROOM_BANS_LISTED)
    return _room_read(room, row, bans)


async def save_keywords(
    session: AsyncSession, room: str, body: RoomKeywordsIn, label: str, now: datetime
) -> RoomModerationRead:
    """Replace the room's keywords; every live show of the room filters by them at once."""
    row = await repository.room_moderation(session, room, lock=True)
    version = 0 if row is None else row.version
    if body.base_version is not None and body.base_version != version:
        raise Conflict(
            f"the keyword filter of room {room!r} is at version {version}, not "
            f"{body.base_version}: someone saved it meanwhile; reload it and save again"
        )
    if row is None:
        row = RoomModeration(
            room=room, keywords=body.keywords, version=1, updated_at=now, updated_by_label=label
        )
        if not await repository.insert_room(session, row):
            raise Conflict(f"the keyword filter of room {room!r} was created meanwhile: save again")
    else:
        row.keywords = body.keywords
        row.version += 1
        row.updated_at = now
        row.updated_by_label = label
        await session.flush()
    for show_id in await repository.live_shows_of_room(session, room):
        stage(session, ModerationChanged(show_id, keywords=list(body.keywords)))
    bans = await repository.room_bans_in_force(session, room, ROOM_BANS_LISTED)
    return _room_read(room, row, bans)


# ---- the user card -------------------------------------------------------------------------


def watch_seconds(moves: Sequence[tuple[int, str]], end_us: int) -> float | None:
    """Seconds between each join and the next leave, oldest first; a join with no leave counts
    until `end_us`. `moves` are (ts_us, `viewer.join` | `viewer.leave`). None without a join.
    Pure."""
    total = 0
    opened: int | None = None
    joined = False
    for ts_us, kind in sorted(moves):
        if kind == "viewer.join":
            joined = True
            if opened is None:
                opened = ts_us
        elif opened is not None:
            total += max(0, ts_us - opened)
            opened = None
    if opened is not None:
        total += max(0, end_us - opened)
    return round(total / 1e6, 3) if joined else None


_STATE_RANK = {"created": 0, "paid": 1, "cancelled": 2, "refunded": 3}
_OUTCOME_STATE = {
    "order.paid": "paid",
    "order.cancelled": "cancelled",
    "order.refunded": "refunded",
}


def order_states(outcomes: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Per order id, every outcome it reached (`paid`, `cancelled`, `refunded`). Pure."""
    reached: dict[str, set[str]] = {}
    for order_id, event_type in outcomes:
        reached.setdefault(order_id, set()).add(_OUTCOME_STATE[event_type])
    return reached


def _state(reached: set[str]) -> Literal["created", "paid", "cancelled", "refunded"]:
    best = max(reached, key=_STATE_RANK.__getitem__, default="created")
    if best == "refunded":
        return "refunded"
    if best == "cancelled":
        return "cancelled"
    return "paid" if best == "paid" else "created"


async def viewer_card(
    session: AsyncSession, show: Show, viewer_id: str, now: datetime
) -> ViewerCard:
    """The user card: the viewer's comments (hidden or not, and why), orders, tier, channel,
    watch time and bans, in this show (bans: in its room). Bounded (docs/moderation.md)."""
    state = await export_state(session, show)
    comments = await repository.viewer_events(
        session, show.id, viewer_id, ["comment"], CARD_COMMENTS
    )
    card_comments = []
    for event in comments:
        text = _comment_text(event.payload)
        reason = state.hides(viewer_id, text, event.ts_us, event.event_id)
        card_comments.append(
            CardComment(
                id=event.event_id,
                ts=iso_from_micros(event.ts_us),
                text=text,
                hidden=reason is not None,
                reason=reason,
            )
        )
    moves = await repository.viewer_events(
        session, show.id, viewer_id, ["viewer.join", "viewer.leave"], CARD_MOVES
    )
    joins = [m for m in moves if m.type == "viewer.join"]
    newest_join = orjson.loads(joins[0].payload) if joins else {}
    end_us = to_micros(show.ended_at) if show.ended_at is not None else to_micros(now)
    created = await repository.viewer_events(
        session, show.id, viewer_id, ["order.created"], CARD_ORDERS
    )
    order_ids = [e.order_id for e in created if e.order_id is not None]
    outcomes = await repository.order_outcomes(session, show.id, order_ids)
    reached = order_states((e.order_id, e.type) for e in outcomes if e.order_id is not None)
    counts = OrderCounts(
        created=len(order_ids),
        paid=sum(
            "paid" in reached.get(o, ()) or "refunded" in reached.get(o, ()) for o in order_ids
        ),
        cancelled=sum("cancelled" in reached.get(o, ()) for o in order_ids),
        refunded=sum("refunded" in reached.get(o, ()) for o in order_ids),
    )
    recent = [
        CardOrder(
            order_id=e.order_id or "",
            sku=e.sku,
            qty=e.quantity,
            amount=e.amount,
            created_at=iso_from_micros(e.ts_us),
            state=_state(reached.get(e.order_id or "", set())),
        )
        for e in created[:CARD_RECENT_ORDERS]
    ]
    bans = await repository.viewer_bans(session, viewer_id, show.id, show.room, CARD_BANS)
    in_force = [b for b in bans if b.lifted_at is None]
    return ViewerCard(
        viewer_id=viewer_id,
        show_id=show.id,
        room=show.room,
        tier=_text_or_none(newest_join.get("tier")),
        channel=_text_or_none(newest_join.get("channel")),
        joins=len(joins),
        watch_seconds=watch_seconds([(m.ts_us, m.type) for m in moves], end_us),
        comments=card_comments,
        comments_hidden=sum(c.hidden for c in card_comments),
        orders=counts,
        recent_orders=recent,
        bans=CardBans(
            show=any(b.scope == "show" and b.show_id == show.id for b in in_force),
            room=any(b.scope == "room" for b in in_force),
            history=[ban_read(b) for b in bans],
        ),
    )


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def show_or_404(session: AsyncSession, show_id: str) -> Show:
    show = await shows_repository.get(session, show_id)
    if show is None:
        raise NotFound(f"no show with id {show_id!r}")
    return show
