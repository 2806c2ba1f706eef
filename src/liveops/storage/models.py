"""Every table. One module so that Alembic, the review and the workers share one registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liveops.storage.base import Base, BigIntId, UTCDateTime


class Show(Base):
    __tablename__ = "show"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(40))
    room: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    planned_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    planned_minutes: Mapped[int | None] = mapped_column(Integer)
    anchors: Mapped[list[str]] = mapped_column(JSON, default=list)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A/B tags (`script`, `set`, `promotion`…: name → value), compared by the roll-ups.
    tags: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What `product.pin` and `announcement.set` (contract §10) last applied.
    pinned_sku: Mapped[str | None] = mapped_column(String(64))
    announcement: Mapped[str | None] = mapped_column(Text)


class LineupProduct(Base):
    __tablename__ = "lineup_product"

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    list_price: Mapped[int] = mapped_column(BigInteger)
    live_price: Mapped[int] = mapped_column(BigInteger)
    allocated_stock: Mapped[int] = mapped_column(BigInteger)


class Event(Base):
    """One accepted event, exactly as the producer sent it, plus the columns the review reads.

    `(show_id, event_id)` is the idempotency key. Times are integer microseconds since the
    epoch so that watch time and minute buckets are exact integer arithmetic in SQL.
    `amount` holds money (order amounts, gift value); `quantity` holds counts (like and
    impression counts, cart and order quantities); `online` the platform's viewer count.
    """

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("show_id", "event_id", name="uq_event_show_id_event_id"),
        Index("ix_event_show_type_ts", "show_id", "type", "ts_us"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    show_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    ts_us: Mapped[int] = mapped_column(BigInteger)
    received_at_us: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(String(64))
    viewer_id: Mapped[str | None] = mapped_column(String(128))
    order_id: Mapped[str | None] = mapped_column(String(128))
    sku: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    online: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    # A comment's intent (contract §11), classified at ingest; None for other events.
    intent: Mapped[str | None] = mapped_column(String(24))


class QuarantinedEvent(Base):
    """An item of an ingest batch that was rejected, kept verbatim for an operator."""

    __tablename__ = "quarantined_event"
    __table_args__ = (Index("ix_quarantined_event_show_received", "show_id", "received_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    show_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    batch_index: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class ApiToken(Base):
    """A credential. Only the SHA-256 of the secret is stored.

    `kind` is `api` (bearer tokens minted by an admin), `session` (a browser sign-in, held in
    an HttpOnly cookie) or `login_code` (a one-time link that becomes a session).
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(24))
    show_id: Mapped[str | None] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StockItem(Base):
    """The show's stock of one SKU: the ledger the storefront sells against (contract §7).

    The CHECK constraints make the invariants the database's job, not only the code's: a bug
    that would oversell fails its transaction instead of committing a negative `available`.
    `sale_*` describe a flash sale: while `sale_remaining` is set, no more than that many
    units may be reserved; before `sale_starts_us` nothing may be.
    """

    __tablename__ = "stock_item"
    __table_args__ = (
        CheckConstraint("available >= 0", name="available_not_negative"),
        CheckConstraint("reserved >= 0 AND sold >= 0", name="counts_not_negative"),
        CheckConstraint("allocated = reserved + sold + available", name="ledger_balances"),
        CheckConstraint("sale_remaining IS NULL OR sale_remaining >= 0", name="sale_not_negative"),
    )

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    allocated: Mapped[int] = mapped_column(BigInteger)
    reserved: Mapped[int] = mapped_column(BigInteger)
    sold: Mapped[int] = mapped_column(BigInteger)
    available: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int | None] = mapped_column(BigInteger)  # of the newest ERP set applied
    limit_per_viewer: Mapped[int | None] = mapped_column(Integer)
    sale_cap: Mapped[int | None] = mapped_column(BigInteger)
    sale_remaining: Mapped[int | None] = mapped_column(BigInteger)
    sale_starts_us: Mapped[int | None] = mapped_column(BigInteger)
    sale_stopped_us: Mapped[int | None] = mapped_column(BigInteger)
    # Numbers the flash sales of this SKU, so that releasing a reservation made in an earlier
    # sale never refills the current one's cap.
    sale_seq: Mapped[int] = mapped_column(Integer, default=0)
    sold_out_us: Mapped[int | None] = mapped_column(BigInteger)
    updated_us: Mapped[int] = mapped_column(BigInteger)
    # Grows with every change of the row: consoles keep the newest reading whatever order
    # the notifications of concurrent changes arrive in.
    rev: Mapped[int] = mapped_column(BigInteger, server_default="0")


class Reservation(Base):
    """One `order_id`'s claim on stock, and the answer it got the first time it asked.

    `(show_id, order_id)` is the idempotency key: a retry reads `outcome` and
    `available_after` back instead of deciding again. `state` moves reserved → sold (paid),
    released (cancelled) or expired (not paid in time); rejected attempts stay `rejected`.
    """

    __tablename__ = "reservation"
    __table_args__ = (
        UniqueConstraint("show_id", "order_id", name="uq_reservation_show_id_order_id"),
        Index("ix_reservation_state_expires", "state", "expires_us"),
        # viewer_id first, so that the order-id probe can only use the unique key (0003).
        Index("ix_reservation_viewer_show_sku", "viewer_id", "show_id", "sku"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    show_id: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(128))
    sku: Mapped[str] = mapped_column(String(64))
    viewer_id: Mapped[str] = mapped_column(String(128))
    qty: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    available_after: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    sale_seq: Mapped[int | None] = mapped_column(Integer)  # the flash sale it was taken in
    created_us: Mapped[int] = mapped_column(BigInteger)
    expires_us: Mapped[int | None] = mapped_column(BigInteger)
    settled_us: Mapped[int | None] = mapped_column(BigInteger)


class StockMoment(Base):
    """A moment of the stock's story worth showing on the timeline and in the review: an ERP
    set, a flash sale starting or stopping, a SKU selling out."""

    __tablename__ = "stock_moment"
    __table_args__ = (Index("ix_stock_moment_show_ts", "show_id", "ts_us"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    show_id: Mapped[str] = mapped_column(String(32))
    sku: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    ts_us: Mapped[int] = mapped_column(BigInteger)
    available: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Runsheet(Base):
    """A show's run-sheet: its version (one more per save) and the segment on air now."""

    __tablename__ = "runsheet"

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    current_segment_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RunsheetSegment(Base):
    """One segment of a run-sheet, with its actual times. A segment may be visited more than
    once (`segment.goto` back to it): `started_at` is the first visit's start, `ended_at` the
    last visit's end, `spent_us` the time of the visits already over, `entered_at` the start
    of the visit under way (null when the segment is not current)."""

    __tablename__ = "runsheet_segment"

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    segment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64))
    planned_seconds: Mapped[int] = mapped_column(Integer)
    beat: Mapped[str | None] = mapped_column(String(16))
    fabe: Mapped[dict[str, str] | None] = mapped_column(JSON)
    script: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    spent_us: Mapped[int] = mapped_column(BigInteger, default=0)


class ShowAction(Base):
    """The audit log of operator actions (contract §10): who did what, when. `fields` holds the
    type's own fields as sent. A `cue` is acknowledged once: `acked_*` keep the first.

    A money-moving action sent with an undo window is `held` until `applies_at`, then
    `applied`; undone within the window it is `undone` (`undone_*`) and never applied.
    """

    __tablename__ = "show_action"
    __table_args__ = (
        Index("ix_show_action_show_id", "show_id", "id"),
        Index("ix_show_action_show_type", "show_id", "type", "id"),
        # Every process polls for held actions whose window ended (actions/held.py): a partial
        # index keeps that a lookup among the few held rows, not a scan of the audit log.
        Index(
            "ix_show_action_held",
            "applies_at",
            sqlite_where=text("state = 'held'"),
            postgresql_where=text("state = 'held'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"))
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_label: Mapped[str] = mapped_column(String(200))
    by_role: Mapped[str] = mapped_column(String(24))
    token_id: Mapped[int | None] = mapped_column(BigInteger)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acked_by_label: Mapped[str | None] = mapped_column(String(200))
    acked_by_role: Mapped[str | None] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(16), default="applied", server_default="applied")
    applies_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_label: Mapped[str | None] = mapped_column(String(200))
    undone_by_role: Mapped[str | None] = mapped_column(String(24))


class Coupon(Base):
    """A live coupon (`coupon.issue` / `coupon.stop`): money off `amount_off` (in fen) on an
    order of at least `threshold`, at most `quantity` of them."""

    __tablename__ = "coupon"
    __table_args__ = (CheckConstraint("state IN ('issued', 'stopped')", name="state_known"),)

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    coupon_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount_off: Mapped[int] = mapped_column(BigInteger)
    threshold: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LuckyBag(Base):
    """A lucky bag (`lucky_bag.start` / `lucky_bag.draw`). A draw keeps its seed, candidate
    count and winners so that anyone can re-run it (actions/lucky_bag.py says how)."""

    __tablename__ = "lucky_bag"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'drawn')", name="state_known"),
        CheckConstraint("condition IN ('comment', 'follow')", name="condition_known"),
        CheckConstraint("entries_from IN ('show', 'start')", name="entries_from_known"),
    )

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    bag_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    prize: Mapped[str] = mapped_column(String(200))
    winners: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(16))
    # Whose condition counts: met anywhere in the show (`show`) or since the bag started.
    entries_from: Mapped[str] = mapped_column(String(16), default="show", server_default="show")
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seed: Mapped[int | None] = mapped_column(BigInteger)
    candidates: Mapped[int | None] = mapped_column(Integer)
    winner_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class ViewerBan(Base):
    """A viewer banned (`viewer.ban`) for one show (`scope` show) or for every show of the
    show's room (`scope` room, remembered across shows). Lifted by `viewer.unban`: the row
    stays, with `lifted_*`, so the user card can show previous bans."""

    __tablename__ = "viewer_ban"
    __table_args__ = (
        CheckConstraint("scope IN ('show', 'room')", name="scope_known"),
        Index("ix_viewer_ban_room_viewer", "room", "viewer_id"),
        Index("ix_viewer_ban_show_viewer", "show_id", "viewer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"))
    room: Mapped[str | None] = mapped_column(String(200))
    viewer_id: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(16))
    banned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    banned_by_label: Mapped[str] = mapped_column(String(200))
    action_id: Mapped[int | None] = mapped_column(BigInteger)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_label: Mapped[str | None] = mapped_column(String(200))


class HiddenComment(Base):
    """A comment hidden by a moderator (`comment.hide`): stored, not shown on consoles, and
    `hidden: true` in exports."""

    __tablename__ = "hidden_comment"

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    hidden_at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_label: Mapped[str] = mapped_column(String(200))
    action_id: Mapped[int | None] = mapped_column(BigInteger)


class RoomModeration(Base):
    """A room's keyword filter (data, editable): comments containing one of `keywords` are
    stored but hidden, in every show of the room."""

    __tablename__ = "room_moderation"

    room: Mapped[str] = mapped_column(String(200), primary_key=True)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_label: Mapped[str | None] = mapped_column(String(200))


# An alert is open (its condition is the live side's to watch) until it is resolved.
_ALERT_OPEN = text("state <> 'resolved'")


class Alert(Base):
    """One alert (contract §12): fired by the live side, acknowledged and resolved by operators
    or resolved by itself when its condition clears.

    `id` is `al_` and 16 hex digits, made by the caller so that the live side knows it before
    the insert. `subject` is what the rule watched (a SKU, a cue id, a segment id, or "" for
    the show): at most one open alert per (show, rule, subject), which the partial unique index
    holds. `resolved_by_*` stay null when the alert resolved by itself. `detail` holds the
    rule's own fields (a compliance line and its violations, a cue id…), bounded in size by
    alerts/service.py.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("state IN ('firing', 'acknowledged', 'resolved')", name="state_known"),
        Index("ix_alerts_show_fired", "show_id", "fired_at", "id"),
        Index(
            "ix_alerts_open_subject",
            "show_id",
            "rule",
            "subject",
            unique=True,
            sqlite_where=_ALERT_OPEN,
            postgresql_where=_ALERT_OPEN,
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"))
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(128), default="")
    severity: Mapped[str] = mapped_column(String(16))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    sku: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acked_by_label: Mapped[str | None] = mapped_column(String(200))
    acked_by_role: Mapped[str | None] = mapped_column(String(24))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_label: Mapped[str | None] = mapped_column(String(200))
    resolved_by_role: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ShowAlertRules(Base):
    """A show's overrides of the alert rules' defaults (alerts/rules.py), as `PUT
    …/alert-rules` stored them: `{rule: {field: value}}`. No row: the defaults, version 0."""

    __tablename__ = "show_alert_rules"

    show_id: Mapped[str] = mapped_column(ForeignKey("show.id"), primary_key=True)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
