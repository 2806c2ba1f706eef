"""The review's and the comparison's response models (contract §5, §13): /openapi.json documents
every key. The service builds plain dicts; these models validate them without renaming or
dropping a key (tests/integration/test_review_tables.py checks the round trip). Parts owned by
other packages whose rows carry optional keys (stock, questions, an action's own fields) allow
extra keys rather than inventing nulls."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liveops.alerts.schemas import AlertRead
from liveops.shows.schemas import ShowRead


class Summary(BaseModel):
    """Every contract §4 metric for the whole show (docs/metrics.md has the formulas)."""

    online: int
    peak_online: int
    uv: int
    views: int
    avg_watch_seconds: float
    comments: int
    shares: int
    new_followers: int
    likes: int
    gift_value: int
    interacting_viewers: int
    interaction_rate: float
    product_clicks: int
    click_viewers: int
    click_rate: float
    orders_created: int
    orders_paid: int
    gmv_paid: int
    buyers: int
    conversion_rate: float
    click_to_pay_rate: float
    aov: float
    uv_value: float
    gpm: float
    orders_refunded: int
    refund_amount: int
    refund_rate: float
    net_gmv: int


class TargetProgress(BaseModel):
    target: int | float
    actual: int | float
    progress: float = Field(description="actual ÷ target (0 when the target is 0)")


class ProductRow(BaseModel):
    sku: str
    impressions: int
    clicks: int
    cart_adds: int
    orders: int = Field(description="distinct orders created")
    units: int = Field(description="units of every order created")
    paid_orders: int
    paid_units: int
    gmv: int = Field(description="paid amount of the SKU's orders")
    refunds: int = Field(description="distinct refunded orders of the SKU")
    refund_amount: int
    name: str | None = Field(description="from the lineup; null when the SKU is not in it")
    role: str | None
    allocated_stock: int | None
    conversion_rate: float = Field(description="paid orders ÷ clicks (0 without clicks)")
    gmv_share: float = Field(description="of the products' GMV")
    sell_through: float | None = Field(
        description="paid units ÷ allocated stock; null without an allocation"
    )
    out_of_stock_minutes: float = Field(
        description="from its sell-out to the show's end, when still sold out then"
    )


class Concentration(BaseModel):
    """How much of the GMV the best sellers made (TOP10 集中度)."""

    skus_with_sales: int
    top1_gmv_share: float
    top3_gmv_share: float
    top10_gmv_share: float


class ResponseTimes(BaseModel):
    median_seconds: float | None
    max_seconds: float | None


class CueResponses(ResponseTimes):
    sent: int
    acked: int


class PriceResponses(ResponseTimes):
    """From a `price.set` request to it applying (后台改价响应速度)."""

    requested: int
    applied: int
    undone: int


class Responses(BaseModel):
    """How fast the team answered, beside the alerts' times (`alerts.overall`)."""

    cues: CueResponses
    price_changes: PriceResponses


class MinuteRow(BaseModel):
    """One minute with events. The additive columns sum to the summary's keys of that name."""

    minute: int = Field(description="the minute's start, epoch seconds")
    online: int = Field(description="the largest online count seen in the minute")
    joins: int
    comments: int
    likes: int
    orders: int = Field(description="order.created events")
    gmv: int = Field(description="paid amount (order.paid events of the minute)")
    views: int = Field(description="= joins")
    shares: int
    new_followers: int
    gift_value: int
    product_clicks: int
    orders_created: int = Field(description="orders whose first order.created is in the minute")
    orders_paid: int = Field(description="orders whose first order.paid is in the minute")
    orders_refunded: int = Field(description="orders whose first order.refunded is in it")
    gmv_paid: int = Field(description="= gmv")
    refund_amount: int
    net_gmv: int = Field(description="gmv_paid − refund_amount")


class SegmentRow(BaseModel):
    """A run-sheet segment, planned against actual, and what happened while it was on air."""

    id: str
    title: str
    sku: str | None
    planned_seconds: int
    actual_seconds: float = Field(description="total time on air over every visit")
    overrun_seconds: float = Field(description="actual − planned; 0 when never on air")
    started_at: str | None = Field(description="the first visit's start")
    ended_at: str | None = Field(description="the last visit's end; null while on air")
    visits: int = Field(description="times the segment was put on air")
    gmv: int = Field(description="paid amount of orders created while on air")
    orders_paid: int
    units: int = Field(description="units of those paid orders")
    buyers: int
    comments: int
    peak_online: int
    gmv_per_minute: float
    conversion_rate: float = Field(description="buyers ÷ distinct viewers seen while on air")


class ChannelRow(BaseModel):
    channel: str = Field(description="traffic source of the viewer's first join, or unknown")
    uv: int
    share: float = Field(description="uv ÷ the show's uv")
    avg_watch_seconds: float
    buyers: int
    conversion_rate: float
    gmv: int
    uv_value: float


class AudienceRow(BaseModel):
    value: str = Field(description="the first join's value of the field, or unknown")
    uv: int
    share: float
    avg_watch_seconds: float
    buyers: int
    conversion_rate: float
    gmv: int
    uv_value: float


class Audience(BaseModel):
    region: list[AudienceRow]
    age_band: list[AudienceRow]
    device: list[AudienceRow]
    tier: list[AudienceRow]


class FunnelStep(BaseModel):
    step: str = Field(description="entered, interacted, clicked, carted, ordered, paid")
    label: str
    viewers: int
    rate_from_previous: float = Field(description="may exceed 1: steps are counted on their own")
    rate_from_top: float
    drop_off: int = Field(description="previous step's viewers − these (may be negative)")


class StockReview(BaseModel):
    model_config = ConfigDict(extra="allow")

    ledger: list[dict[str, Any]]
    moments: list[dict[str, Any]]
    reconciliation: dict[str, Any]


class AlertRuleRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    count: int
    open: int
    acknowledged: int
    resolved: int
    resolved_by_itself: int
    median_ack_seconds: float | None
    max_ack_seconds: float | None
    median_resolve_seconds: float | None
    max_resolve_seconds: float | None


class AlertsReview(BaseModel):
    items: list[AlertRead]
    by_rule: list[AlertRuleRow] = Field(description="one row per rule that fired, with `rule`")
    overall: AlertRuleRow


class ActorRef(BaseModel):
    label: str
    role: str


class ActionRecord(BaseModel):
    """An action of the audit log; its type's own fields, `applies_at`, `undone_at`,
    `undone_by` (when set) and a measured action's `impact` are further keys."""

    model_config = ConfigDict(extra="allow")

    id: int
    type: str
    by: ActorRef
    at: str
    state: str


class IntentRow(BaseModel):
    intent: str
    label: str
    count: int
    share: float


class QuestionsReview(BaseModel):
    model_config = ConfigDict(extra="allow")

    clusters: int
    asked: int
    open_at_end: int
    answered: int
    dismissed: int
    answer_seconds_median: float | None
    answer_seconds_max: float | None
    top: list[dict[str, Any]]


class Review(BaseModel):
    """The post-show review (docs/review.md defines every key)."""

    show: ShowRead
    summary: Summary
    targets: dict[str, TargetProgress]
    products: list[ProductRow]
    concentration: Concentration
    series: list[MinuteRow] = Field(description="the same rows as `minutes` (its older name)")
    minutes: list[MinuteRow]
    segments: list[SegmentRow]
    channels: list[ChannelRow]
    audience: Audience
    funnel: list[FunnelStep]
    events: int = Field(description="stored events of the show")
    stock: StockReview
    alerts: AlertsReview
    actions: list[ActionRecord]
    responses: Responses
    comments: list[IntentRow]
    comment_minutes: list[dict[str, int]] = Field(
        description="per minute (`minute`, epoch seconds) the comments of each intent"
    )
    questions: QuestionsReview
    updated_at: str = Field(description="when this review was computed")
    last_event_at: str | None = Field(description="when the newest stored event arrived")


class ComparedShow(BaseModel):
    show: ShowRead
    summary: Summary
    events: int


class Comparison(BaseModel):
    shows: list[ComparedShow]
