"""Who is asking and what they may do. Pure: the permission table is data, tested as a table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OPERATIONS = "operations"
    FIELD_CONTROL = "field_control"
    ANCHOR = "anchor"
    ASSISTANT = "assistant"
    INTEGRATOR = "integrator"


class Action(StrEnum):
    SHOW_CREATE = "show.create"
    SHOW_READ = "show.read"
    SHOW_CONTROL = "show.control"  # start / end
    SHOW_PLAN = "show.plan"  # lineup, targets
    EVENTS_WRITE = "events.write"
    LIVE_READ = "live.read"
    QUARANTINE_READ = "quarantine.read"
    REVIEW_READ = "review.read"
    TOKEN_MINT = "token.mint"
    STOCK_READ = "stock.read"
    STOCK_WRITE = "stock.write"  # ERP counts
    STOCK_RESERVE = "stock.reserve"  # the storefront's reservations
    SALE_CONTROL = "sale.control"  # flash sales: start, stop
    RUNDOWN_READ = "rundown.read"  # the run-sheet, the prompter, the cues
    RUNSHEET_WRITE = "runsheet.write"
    ACTIONS_READ = "actions.read"  # the audit log of operator actions
    ACT_CUE = "act.cue"  # the `cue` action (contract §10)
    ACT_SEGMENT_GOTO = "act.segment.goto"
    ACT_PRODUCT = "act.product"  # product.pin / product.unpin
    ACT_PRICE = "act.price"  # price.set
    ACT_COUPON = "act.coupon"  # coupon.issue / coupon.stop
    ACT_LUCKY_BAG = "act.lucky_bag"  # lucky_bag.start / lucky_bag.draw
    ACT_COMMENT_HIDE = "act.comment.hide"
    ACT_VIEWER_BAN = "act.viewer.ban"  # viewer.ban / viewer.unban
    ACT_ANNOUNCE = "act.announcement"  # announcement.set
    ACT_QUESTION = "act.question"  # question.answer / question.dismiss (contract §11)
    CUE_ACK = "cue.ack"  # the anchor acknowledges a cue
    # Alerts (contract §12): a show-scoped role reads, acknowledges and resolves only the alerts
    # routed to it (their `roles`); admin and operations every alert.
    ALERTS_READ = "alerts.read"
    ALERT_ACK = "alert.ack"  # acknowledge or resolve
    ALERT_RULES_READ = "alert_rules.read"
    ALERT_RULES_WRITE = "alert_rules.write"
    # Moderation (docs/moderation.md): a room's keyword filter and bans in force, read by the
    # console roles of a show in the room and written by field control; a viewer's card.
    MODERATION_READ = "moderation.read"
    MODERATION_WRITE = "moderation.write"
    VIEWER_READ = "viewer.read"  # the user card: personal data, so not the anchor's


# The actions of contract §10 that field control and the assistant share.
_SHARED_ACTS = {
    Action.ACT_CUE,
    Action.ACT_PRODUCT,
    Action.ACT_PRICE,
    Action.ACT_COUPON,
    Action.ACT_LUCKY_BAG,
    Action.ACT_COMMENT_HIDE,
    Action.ACT_ANNOUNCE,
    Action.ACT_QUESTION,
}

_CONSOLE = {
    Action.SHOW_READ,
    Action.LIVE_READ,
    Action.REVIEW_READ,
    Action.STOCK_READ,
    Action.RUNDOWN_READ,
    Action.ACTIONS_READ,
    Action.ALERTS_READ,
    Action.ALERT_ACK,
    Action.MODERATION_READ,
    Action.VIEWER_READ,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.OPERATIONS: frozenset(set(Action) - {Action.TOKEN_MINT}),
    Role.FIELD_CONTROL: frozenset(
        _CONSOLE
        | {
            Action.SHOW_CONTROL,
            Action.QUARANTINE_READ,
            Action.SALE_CONTROL,
            Action.RUNSHEET_WRITE,
            *_SHARED_ACTS,
            Action.ACT_SEGMENT_GOTO,
            Action.ACT_VIEWER_BAN,
            Action.ALERT_RULES_READ,
            Action.ALERT_RULES_WRITE,
            Action.MODERATION_WRITE,
        }
    ),
    # The anchor reads the prompter and acknowledges cues; it performs no action (§10).
    Role.ANCHOR: frozenset(
        {
            Action.SHOW_READ,
            Action.LIVE_READ,
            Action.STOCK_READ,
            Action.RUNDOWN_READ,
            Action.CUE_ACK,
            Action.ALERTS_READ,
            Action.ALERT_ACK,
        }
    ),
    Role.ASSISTANT: frozenset(_CONSOLE | _SHARED_ACTS | {Action.SALE_CONTROL}),
    Role.INTEGRATOR: frozenset(
        {
            Action.SHOW_READ,
            Action.EVENTS_WRITE,
            Action.QUARANTINE_READ,
            Action.STOCK_READ,
            Action.STOCK_WRITE,
            Action.STOCK_RESERVE,
        }
    ),
}

# Roles whose tokens may span every show; every other role's token names exactly one show.
GLOBAL_ROLES = frozenset({Role.ADMIN, Role.OPERATIONS})


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    show_id: str | None  # None: every show (admin and operations only)
    token_id: int | None = None  # None for the configured admin token

    def covers(self, show_id: str | None) -> bool:
        return self.show_id is None or self.show_id == show_id


def allowed(principal: Principal, action: Action, show_id: str | None = None) -> bool:
    """May `principal` do `action` on `show_id` (None: an action not tied to one show)?"""
    if action not in PERMISSIONS[principal.role]:
        return False
    if show_id is None:
        # Creating shows or minting tokens is for those not bound to a single show.
        return action in {Action.SHOW_READ} or principal.show_id is None
    return principal.covers(show_id)
