"""Contract §4 ratios from base counts: one function for the live state and the review alike."""

from __future__ import annotations

from dataclasses import dataclass

Metrics = dict[str, int | float]

# The contract §4 keys, in the contract's order.
METRIC_KEYS: tuple[str, ...] = (
    "online",
    "peak_online",
    "uv",
    "views",
    "avg_watch_seconds",
    "comments",
    "shares",
    "new_followers",
    "likes",
    "gift_value",
    "interacting_viewers",
    "interaction_rate",
    "product_clicks",
    "click_viewers",
    "click_rate",
    "orders_created",
    "orders_paid",
    "gmv_paid",
    "buyers",
    "conversion_rate",
    "click_to_pay_rate",
    "aov",
    "uv_value",
    "gpm",
    "orders_refunded",
    "refund_amount",
    "refund_rate",
    "net_gmv",
)


@dataclass(frozen=True, slots=True)
class BaseCounts:
    """The integer facts every §4 metric is derived from."""

    online: int = 0
    peak_online: int = 0
    uv: int = 0
    views: int = 0
    total_watch_us: int = 0
    comments: int = 0
    likes: int = 0
    shares: int = 0
    new_followers: int = 0
    gift_value: int = 0
    interacting_viewers: int = 0
    product_clicks: int = 0
    click_viewers: int = 0
    orders_created: int = 0
    orders_paid: int = 0
    gmv_paid: int = 0
    buyers: int = 0
    orders_refunded: int = 0
    refund_amount: int = 0


def ratio(numerator: int | float, denominator: int | float) -> float:
    """numerator / denominator, and 0.0 rather than an error when nothing was counted yet."""
    return numerator / denominator if denominator else 0.0


def derive(c: BaseCounts) -> Metrics:
    """Every contract §4 key, in METRIC_KEYS order. Exact formulas: docs/metrics.md."""
    return {
        "online": c.online,
        "peak_online": c.peak_online,
        "uv": c.uv,
        "views": c.views,
        "avg_watch_seconds": ratio(c.total_watch_us, c.uv * 1_000_000),
        "comments": c.comments,
        "shares": c.shares,
        "new_followers": c.new_followers,
        "likes": c.likes,
        "gift_value": c.gift_value,
        "interacting_viewers": c.interacting_viewers,
        "interaction_rate": ratio(c.interacting_viewers, c.uv),
        "product_clicks": c.product_clicks,
        "click_viewers": c.click_viewers,
        "click_rate": ratio(c.click_viewers, c.uv),
        "orders_created": c.orders_created,
        "orders_paid": c.orders_paid,
        "gmv_paid": c.gmv_paid,
        "buyers": c.buyers,
        "conversion_rate": ratio(c.buyers, c.uv),
        "click_to_pay_rate": ratio(c.buyers, c.click_viewers),
        "aov": ratio(c.gmv_paid, c.buyers),
        "uv_value": ratio(c.gmv_paid, c.uv),
        "gpm": ratio(c.gmv_paid * 1000, c.views),
        "orders_refunded": c.orders_refunded,
        "refund_amount": c.refund_amount,
        "refund_rate": ratio(c.orders_refunded, c.orders_paid),
        "net_gmv": c.gmv_paid - c.refund_amount,
    }
