"""Every websocket message as a model: the source of docs/asyncapi.json (docs/protocol.md in
prose). The hot path builds frames as plain dicts (live.protocol); tests validate real frames
against these models, so the two cannot drift apart unnoticed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypeAliasType

from liveops.actions.schemas import ActionRead, CommerceState
from liveops.comments.intents import Intent as IntentValue
from liveops.comments.schemas import QuestionsView
from liveops.compliance.schemas import ViolationOut
from liveops.rundown.schemas import Actor, CueRead, Prompter
from liveops.shows.schemas import ShowRead

Intent = TypeAliasType("Intent", IntentValue)

# Named aliases become schemas of their own in docs/asyncapi.json (`MetricKey`, `Family`), so
# that the console's generated types (live.typescript) read the key lists from one place.
MetricKey = TypeAliasType(
    "MetricKey",
    Literal[
        "online", "peak_online", "uv", "views", "avg_watch_seconds", "comments", "shares",
        "new_followers", "likes", "gift_value", "interacting_viewers", "interaction_rate",
        "product_clicks", "click_viewers", "click_rate", "orders_created", "orders_paid",
        "gmv_paid", "buyers", "conversion_rate", "click_to_pay_rate", "aov", "uv_value", "gpm",
        "orders_refunded", "refund_amount", "refund_rate", "net_gmv",
    ],
)  # fmt: skip
Family = TypeAliasType(
    "Family",
    Literal["viewers", "comments", "engagement", "products", "orders", "stock", "stream"],
)
AlertRule = TypeAliasType(
    "AlertRule",
    Literal[
        "low_stock", "sold_out", "stream_unhealthy", "stale_feed", "online_drop", "gmv_pace",
        "complaint_spike", "compliance", "question_unanswered", "cue_unacked",
        "segment_overrun",
    ],
)  # fmt: skip
EpochMs = Annotated[int, Field(description="milliseconds since the Unix epoch (UTC)")]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Positioned(_Message):
    epoch: str = Field(description="names one continuous history of the show's stream")
    offset: int = Field(description="position in the stream; one more per publication")


class Freshness(_Message):
    ts: EpochMs = Field(description="the newest source time seen in this family")
    received_at: EpochMs = Field(description="when the newest event of this family arrived")


class ProductFigures(_Message):
    sku: str
    impressions: int
    clicks: int
    cart_adds: int
    orders: int
    units: int
    paid_orders: int
    paid_units: int
    gmv: int = Field(description="paid amount in minor units (fen)")
    stock_left: int | None = Field(
        description="the stock ledger's `available` when it holds the SKU (the number the "
        "stock rows show); else estimated from the lineup or ERP events; null when neither"
    )


class MinutePoint(_Message):
    minute: int = Field(description="the minute's start, in SECONDS since the Unix epoch")
    online: int
    joins: int
    comments: int
    likes: int
    orders: int
    gmv: int


class StreamHealth(_Message):
    ts: EpochMs
    bitrate_kbps: int
    fps: float
    latency_ms: int
    stall_ratio: float
    line: str | None


class CommentItem(_Message):
    kind: Literal["comment"]
    id: str
    ts: EpochMs
    viewer_id: str
    text: str
    intent: Intent = Field(description="what the comment wants (contract §11)")


class OrderItem(_Message):
    kind: Literal["order"]
    id: str
    ts: EpochMs
    event: Literal["created", "paid", "cancelled", "refunded"]
    order_id: str
    viewer_id: str | None = None
    sku: str | None = None
    qty: int | None = None
    amount: int | None = None


FeedItem = Annotated[CommentItem | OrderItem, Field(discriminator="kind")]


class FlashSaleState(_Message):
    cap: int = Field(description="at most this many units go in the sale")
    remaining: int = Field(description="units a buyer can still get in it")
    starts_at: EpochMs = Field(description="count down to this; `not_started` before it")
    state: Literal["running", "sold_out"]


class StockLevels(_Message):
    """One SKU's ledger (contract §7) with its sell-out forecast."""

    sku: str
    allocated: int
    reserved: int
    sold: int
    available: int = Field(description="reserved + sold + available = allocated; never < 0")
    version: int | None = Field(description="of the newest ERP count applied")
    limit_per_viewer: int | None
    flash_sale: FlashSaleState | None
    sold_out_at: EpochMs | None = Field(description="when it ran out, while it is out")
    rev: int = Field(description="grows with every change: keep the row with the highest")
    units_per_minute: float = Field(description="reserved + sold growth over the last minute")
    sell_out_in_seconds: float | None = Field(
        description="time to zero at that pace; null when nothing is selling"
    )


class Alert(_Message):
    """An alert as the API shows it (contract §12, `GET …/alerts`), with the fields consoles
    built before §12 read (`kind`, `text`, `ts`, `available`, `line`, `violations`, `cue_id`,
    `segment_id`: copies of `rule`, `message`, `fired_at` and the detail's own)."""

    id: str = Field(description="`al_` and 16 hex digits; the same alert again is an update")
    rule: AlertRule
    subject: str = Field(description="what the rule watched: SKU, cue, segment, line, or ''")
    severity: Literal["info", "warning", "critical"]
    state: Literal["firing", "acknowledged", "resolved"]
    roles: list[Literal["field_control", "assistant", "anchor", "operations"]] = Field(
        description="the consoles that should show it: the roles that can act on it"
    )
    message: str = Field(description="ready to show, Chinese then English")
    value: float | None
    threshold: float | None
    sku: str | None
    fired_at: str = Field(description="RFC 3339, UTC")
    acked_at: str | None
    resolved_at: str | None
    acked_by: Actor | None
    resolved_by: Actor | None
    ack_seconds: float | None
    resolve_seconds: float | None
    detail: dict[str, Any]
    kind: AlertRule = Field(description="= `rule`")
    text: str = Field(description="= `message`")
    ts: EpochMs = Field(description="= `fired_at`")
    available: int | None = Field(description="stock rules: units left; null otherwise")
    line: str | None = Field(description="`compliance`: the transcript line flagged")
    violations: list[ViolationOut] | None = Field(
        description="`compliance`: what was found in `line` (contract §9)"
    )
    cue_id: int | None = Field(description="`cue_unacked`: the cue still open")
    segment_id: str | None = Field(description="`segment_overrun`: the segment past its plan")


class SnapshotMessage(_Positioned):
    """The whole picture at `offset`: first frame of a fresh connection, or after `resync`."""

    type: Literal["snapshot"]
    server_time: EpochMs
    show: ShowRead
    metrics: dict[MetricKey, int | float] = Field(description="every contract §4 metric")
    metrics_at: EpochMs | None
    products: list[ProductFigures]
    series: list[MinutePoint]
    feed: list[FeedItem] = Field(description="the most recent feed items, oldest first")
    feeds: dict[Family, Freshness]
    stream_health: StreamHealth | None
    stock: list[StockLevels] = Field(description="every SKU of the show's stock ledger")
    alerts: list[Alert] = Field(description="the most recent alerts, oldest first")
    prompter: Prompter | None = Field(
        description="what the anchor sees (as `GET …/prompter`); null before the run-sheet is "
        "read, and for roles outside the anchor's desk"
    )
    cues: list[CueRead] = Field(
        description="recent cues, oldest first: every open one and the newest acknowledged "
        "(at most 20); empty for roles outside the anchor's desk"
    )
    commerce: CommerceState | None = Field(
        default=None,
        description="what the room's viewers see, as actions left it (as `GET …/commerce`), "
        "read with the show's events",
    )
    questions: QuestionsView | None = Field(
        default=None,
        description="the question queue (contract §11; as `GET …/questions`), rebuilt with the "
        "show's events",
    )


class MetricsMessage(_Positioned):
    """What changed: merge into the snapshot held. At most ~10 a second per show."""

    type: Literal["metrics"]
    server_time: EpochMs
    metrics: dict[MetricKey, int | float] = Field(description="only the keys that changed")
    metrics_at: EpochMs | None
    products: list[ProductFigures] = Field(description="only changed SKUs, whole rows")
    series: list[MinutePoint] = Field(description="only changed minutes, whole points")
    feeds: dict[Family, Freshness] = Field(description="only changed families")
    stream_health: StreamHealth | None = Field(
        default=None, description="present when a new reading arrived"
    )


class FeedMessage(_Positioned):
    """Comments and order events, batched, never dropped."""

    type: Literal["feed"]
    server_time: EpochMs
    items: list[FeedItem]


class StockMessage(_Positioned):
    """Ledger rows that changed, whole; at most ~10 a second per show (latest wins)."""

    type: Literal["stock"]
    server_time: EpochMs
    items: list[StockLevels]


class AlertMessage(Alert, _Positioned):
    """Sent at once, never coalesced, whenever an alert fires, is acknowledged, resolves or
    escalates: replace the alert with that `id`. Only to the roles in `roles` (and admin,
    operations)."""

    type: Literal["alert"]
    server_time: EpochMs


class ShowMessage(_Positioned):
    """The show was started, ended or edited."""

    type: Literal["show"]
    server_time: EpochMs
    show: ShowRead


class PrompterMessage(_Positioned):
    """What the anchor sees changed (a value, the segment, the cues, the second). For the
    anchor, field control and the assistant."""

    type: Literal["prompter"]
    server_time: EpochMs
    prompter: Prompter


class CueMessage(_Positioned):
    """A cue was sent (`acked_at` null), or acknowledged (with `ack_seconds`): replace the cue
    of that `id`. For the anchor, field control and the assistant."""

    type: Literal["cue"]
    server_time: EpochMs
    cue: CueRead


class ActionMessage(_Positioned):
    """An operator action was performed (contract §10): the stored record."""

    type: Literal["action"]
    server_time: EpochMs
    action: ActionRead


class CommerceMessage(_Positioned):
    """The pinned product, prices, coupons, lucky bags, announcement or held actions changed:
    replace the whole `commerce` state held (it is small)."""

    type: Literal["commerce"]
    server_time: EpochMs
    commerce: CommerceState


class QuestionsMessage(_Positioned):
    """The question queue changed (a cluster grew, opened, was answered or dismissed): replace
    the whole `questions` view held. At most two a second."""

    type: Literal["questions"]
    server_time: EpochMs
    questions: QuestionsView


class ReplayMessage(_Positioned):
    """Where a replay stands (only on a websocket opened with `?replay=SPEED`): sent when it
    starts, on every change of state or speed, after a seek, and about once a second while it
    plays. Times are the show's source times: `start_ms` of its first event, `end_ms` of its
    last event on air, `position_ms` of the replay now."""

    type: Literal["replay"]
    server_time: EpochMs
    state: Literal["playing", "paused", "ended"]
    speed: float = Field(ge=1, le=120)
    position_ms: EpochMs
    start_ms: EpochMs
    end_ms: EpochMs


class SkipMessage(_Positioned):
    """A position whose publication is for other roles (an alert routed to field control and
    the assistant, on an anchor's console): take the position, nothing else changes."""

    type: Literal["skip"]


class ResumedMessage(_Positioned):
    """The resume succeeded: exactly the publications after `offset` follow."""

    type: Literal["resumed"]


class ResyncMessage(_Message):
    """The position cannot be resumed: drop state; a fresh snapshot follows."""

    type: Literal["resync"]
    reason: str


class PongMessage(_Message):
    type: Literal["pong"]
    server_time: EpochMs


class ErrorMessage(_Message):
    """A console frame could not be understood; the connection stays open."""

    type: Literal["error"]
    code: Literal["bad_frame", "unknown_type"]
    message: str


class PingMessage(_Message):
    """Console → server liveness check, answered with `pong`."""

    type: Literal["ping"]


class ReplayPlayMessage(_Message):
    """Replay only: play on from the position (a `replay` message answers)."""

    type: Literal["replay.play"]


class ReplayPauseMessage(_Message):
    """Replay only: hold the position; nothing is published until `replay.play`."""

    type: Literal["replay.pause"]


class ReplaySpeedMessage(_Message):
    """Replay only: play on at another speed (1–120 times real time)."""

    type: Literal["replay.speed"]
    speed: float = Field(ge=1, le=120)


class ReplaySeekMessage(_Message):
    """Replay only: jump to a source time (clamped to the show). A fresh `snapshot` at that
    position follows, then a `replay` message; the replay keeps its state (playing/paused)."""

    type: Literal["replay.seek"]
    position_ms: EpochMs


ServerMessage = Annotated[
    SnapshotMessage
    | MetricsMessage
    | FeedMessage
    | StockMessage
    | AlertMessage
    | ShowMessage
    | PrompterMessage
    | CueMessage
    | ActionMessage
    | CommerceMessage
    | QuestionsMessage
    | ReplayMessage
    | SkipMessage
    | ResumedMessage
    | ResyncMessage
    | PongMessage
    | ErrorMessage,
    Field(discriminator="type"),
]
server_message: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)
SERVER_MESSAGES: tuple[type[BaseModel], ...] = (
    SnapshotMessage,
    MetricsMessage,
    FeedMessage,
    StockMessage,
    AlertMessage,
    ShowMessage,
    PrompterMessage,
    CueMessage,
    ActionMessage,
    CommerceMessage,
    QuestionsMessage,
    ReplayMessage,
    SkipMessage,
    ResumedMessage,
    ResyncMessage,
    PongMessage,
    ErrorMessage,
)
CLIENT_MESSAGES: tuple[type[BaseModel], ...] = (
    PingMessage,
    ReplayPlayMessage,
    ReplayPauseMessage,
    ReplaySpeedMessage,
    ReplaySeekMessage,
)
ReplayControl = Annotated[
    ReplayPlayMessage | ReplayPauseMessage | ReplaySpeedMessage | ReplaySeekMessage,
    Field(discriminator="type"),
]
replay_control: TypeAdapter[ReplayControl] = TypeAdapter(ReplayControl)
