"""SQL-first read models over the `event` table. Identical text on PostgreSQL and SQLite.

Presence is derived with window functions: a viewer's state after each join/leave is set by
that event alone (join → 1, leave → 0), so the change it makes is its state minus the state
after the viewer's previous event (LAG), joins ordered before leaves at an equal ts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.metrics.formulas import BaseCounts

_TOTALS = text(
    """
    SELECT
      COUNT(DISTINCT CASE WHEN type = 'viewer.join' THEN viewer_id END) AS uv,
      COALESCE(SUM(CASE WHEN type = 'viewer.join' THEN 1 ELSE 0 END), 0) AS views,
      COALESCE(SUM(CASE WHEN type = 'comment' THEN 1 ELSE 0 END), 0) AS comments,
      COALESCE(SUM(CASE WHEN type = 'like' THEN quantity ELSE 0 END), 0) AS likes,
      COALESCE(SUM(CASE WHEN type = 'share' THEN 1 ELSE 0 END), 0) AS shares,
      COALESCE(SUM(CASE WHEN type = 'follow' THEN 1 ELSE 0 END), 0) AS new_followers,
      COALESCE(SUM(CASE WHEN type = 'gift' THEN amount ELSE 0 END), 0) AS gift_value,
      COUNT(DISTINCT CASE WHEN type IN ('comment', 'like', 'share', 'follow', 'gift')
                          THEN viewer_id END) AS interacting_viewers,
      COALESCE(SUM(CASE WHEN type = 'product.click' THEN 1 ELSE 0 END), 0) AS product_clicks,
      COUNT(DISTINCT CASE WHEN type = 'product.click' THEN viewer_id END) AS click_viewers,
      COUNT(DISTINCT CASE WHEN type = 'order.created' THEN order_id END) AS orders_created,
      COUNT(DISTINCT CASE WHEN type = 'order.paid' THEN order_id END) AS orders_paid,
      COALESCE(SUM(CASE WHEN type = 'order.paid' THEN amount ELSE 0 END), 0) AS gmv_paid,
      COUNT(DISTINCT CASE WHEN type = 'order.refunded' THEN order_id END) AS orders_refunded,
      COALESCE(SUM(CASE WHEN type = 'order.refunded' THEN amount ELSE 0 END), 0) AS refund_amount,
      COALESCE(SUM(CASE WHEN type = 'viewer.count' THEN 1 ELSE 0 END), 0) AS counts_sent,
      COALESCE(MAX(CASE WHEN type = 'viewer.count' THEN online END), 0) AS count_peak,
      MAX(ts_us) AS latest_ts_us,
      COUNT(*) AS events
    FROM event WHERE show_id = :show_id
    """
)

_BUYERS = text(
    """
    SELECT COUNT(DISTINCT c.viewer_id) FROM event c
    WHERE c.show_id = :show_id AND c.type = 'order.created'
      AND EXISTS (SELECT 1 FROM event p WHERE p.show_id = :show_id AND p.type = 'order.paid'
                  AND p.order_id = c.order_id)
    """
)

_LATEST_COUNT = text(
    """
    SELECT online FROM event WHERE show_id = :show_id AND type = 'viewer.count'
    ORDER BY ts_us DESC, online DESC LIMIT 1
    """
)

_PRESENCE_CTE = """
    WITH p AS (
      SELECT viewer_id, ts_us, CASE WHEN type = 'viewer.join' THEN 1 ELSE 0 END AS state
      FROM event WHERE show_id = :show_id AND type IN ('viewer.join', 'viewer.leave')
    ),
    d AS (
      SELECT viewer_id, ts_us, state - COALESCE(LAG(state) OVER (
               PARTITION BY viewer_id ORDER BY ts_us, state DESC), 0) AS delta
      FROM p
    ),
    g AS (SELECT ts_us, SUM(delta) AS delta FROM d GROUP BY ts_us),
    r AS (
      SELECT ts_us, SUM(delta) OVER (ORDER BY ts_us ROWS BETWEEN UNBOUNDED PRECEDING
                                     AND CURRENT ROW) AS running
      FROM g
    )
"""

_OPEN_WATCH = text(
    _PRESENCE_CTE
    + """
    , v AS (
      SELECT SUM(delta) AS present, MAX(CASE WHEN delta = 1 THEN ts_us END) AS opened
      FROM d GROUP BY viewer_id
    )
    SELECT COALESCE(SUM(CASE WHEN opened < :end_us THEN :end_us - opened ELSE 0 END), 0)
    FROM v WHERE present = 1
    """
)

_PRESENCE = text(
    _PRESENCE_CTE
    + """
    , v AS (
      SELECT SUM(-delta * ts_us) AS changes, SUM(delta) AS present,
             MAX(CASE WHEN delta = 1 THEN ts_us END) AS opened
      FROM d GROUP BY viewer_id
    )
    SELECT
      (SELECT COALESCE(SUM(present), 0) FROM v) AS present,
      (SELECT COALESCE(SUM(changes + CASE WHEN present = 1 THEN opened ELSE 0 END), 0)
         FROM v) AS closed_watch,
      (SELECT COALESCE(MAX(running), 0) FROM r) AS peak
    """
)

_PRESENCE_MINUTES = text(
    _PRESENCE_CTE
    + "SELECT ts_us / 60000000 AS minute, MAX(running) AS online FROM r GROUP BY ts_us / 60000000"
)

_MINUTES = text(
    """
    SELECT ts_us / 60000000 AS minute,
      COALESCE(SUM(CASE WHEN type = 'viewer.join' THEN 1 ELSE 0 END), 0) AS joins,
      COALESCE(SUM(CASE WHEN type = 'comment' THEN 1 ELSE 0 END), 0) AS comments,
      COALESCE(SUM(CASE WHEN type = 'like' THEN quantity ELSE 0 END), 0) AS likes,
      COALESCE(SUM(CASE WHEN type = 'order.created' THEN 1 ELSE 0 END), 0) AS orders,
      COALESCE(SUM(CASE WHEN type = 'order.paid' THEN amount ELSE 0 END), 0) AS gmv,
      MAX(CASE WHEN type = 'viewer.count' THEN online END) AS count_online
    FROM event WHERE show_id = :show_id
      AND type IN ('viewer.join', 'viewer.leave', 'viewer.count', 'comment', 'like',
                   'order.created', 'order.paid')
    GROUP BY ts_us / 60000000 ORDER BY minute
    """
)

_PRODUCTS = text(
    """
    WITH paid AS (
      SELECT order_id, SUM(amount) AS amount FROM event
      WHERE show_id = :show_id AND type = 'order.paid' GROUP BY order_id
    ),
    created AS (
      SELECT sku, order_id, quantity FROM event WHERE show_id = :show_id AND type = 'order.created'
    ),
    skus AS (
      SELECT DISTINCT sku FROM event WHERE show_id = :show_id AND sku IS NOT NULL
    )
    SELECT s.sku,
      (SELECT COALESCE(SUM(quantity), 0) FROM event
        WHERE show_id = :show_id AND type = 'product.impression' AND sku = s.sku) AS impressions,
      (SELECT COUNT(*) FROM event
        WHERE show_id = :show_id AND type = 'product.click' AND sku = s.sku) AS clicks,
      (SELECT COALESCE(SUM(quantity), 0) FROM event
        WHERE show_id = :show_id AND type = 'cart.add' AND sku = s.sku) AS cart_adds,
      (SELECT COUNT(DISTINCT order_id) FROM created WHERE sku = s.sku) AS orders,
      (SELECT COALESCE(SUM(quantity), 0) FROM created WHERE sku = s.sku) AS units,
      (SELECT COUNT(DISTINCT c.order_id) FROM created c JOIN paid USING (order_id)
        WHERE c.sku = s.sku) AS paid_orders,
      (SELECT COALESCE(SUM(c.quantity), 0) FROM created c
        WHERE c.sku = s.sku AND c.order_id IN (SELECT order_id FROM paid)) AS paid_units,
      (SELECT COALESCE(SUM(paid.amount), 0) FROM (SELECT DISTINCT order_id FROM created
        WHERE sku = s.sku) o JOIN paid USING (order_id)) AS gmv
    FROM skus s ORDER BY s.sku
    """
)


@dataclass(frozen=True, slots=True)
class Recount:
    counts: BaseCounts
    latest_ts_us: int | None
    events: int
    count_mode: bool  # the source sent viewer.count events: online comes from them


async def recount(session: AsyncSession, show_id: str, *, ended_at_us: int | None) -> Recount:
    params = {"show_id": show_id}
    totals = (await session.execute(_TOTALS, params)).mappings().one()
    buyers = int((await session.execute(_BUYERS, params)).scalar_one())
    presence = (await session.execute(_PRESENCE, params)).mappings().one()
    latest = totals["latest_ts_us"]
    end_us = ended_at_us if ended_at_us is not None else int(latest or 0)
    present = int(presence["present"])
    # An interval still open runs to the end; one opened after the end counts zero.
    open_watch = int(
        (await session.execute(_OPEN_WATCH, {**params, "end_us": end_us})).scalar_one()
    )
    if totals["counts_sent"]:
        online = int((await session.execute(_LATEST_COUNT, params)).scalar_one())
        peak = int(totals["count_peak"])
    else:
        online, peak = present, int(presence["peak"])
    counts = BaseCounts(
        online=online,
        peak_online=peak,
        uv=int(totals["uv"]),
        views=int(totals["views"]),
        total_watch_us=int(presence["closed_watch"]) + open_watch,
        comments=int(totals["comments"]),
        likes=int(totals["likes"]),
        shares=int(totals["shares"]),
        new_followers=int(totals["new_followers"]),
        gift_value=int(totals["gift_value"]),
        interacting_viewers=int(totals["interacting_viewers"]),
        product_clicks=int(totals["product_clicks"]),
        click_viewers=int(totals["click_viewers"]),
        orders_created=int(totals["orders_created"]),
        orders_paid=int(totals["orders_paid"]),
        gmv_paid=int(totals["gmv_paid"]),
        buyers=buyers,
        orders_refunded=int(totals["orders_refunded"]),
        refund_amount=int(totals["refund_amount"]),
    )
    return Recount(
        counts,
        None if latest is None else int(latest),
        int(totals["events"]),
        count_mode=bool(totals["counts_sent"]),
    )


async def minutes(session: AsyncSession, show_id: str, *, count_mode: bool) -> list[dict[str, int]]:
    params = {"show_id": show_id}
    presence_peaks: dict[int, int] = {}
    if not count_mode:
        rows = (await session.execute(_PRESENCE_MINUTES, params)).all()
        presence_peaks = {int(m): int(online) for m, online in rows}
    points = []
    for row in (await session.execute(_MINUTES, params)).mappings():
        minute = int(row["minute"])
        online = (row["count_online"] or 0) if count_mode else presence_peaks.get(minute, 0)
        points.append(
            {
                "minute": minute * 60,
                "online": int(online),
                "joins": int(row["joins"]),
                "comments": int(row["comments"]),
                "likes": int(row["likes"]),
                "orders": int(row["orders"]),
                "gmv": int(row["gmv"]),
            }
        )
    return points


async def products(session: AsyncSession, show_id: str) -> list[dict[str, Any]]:
    rows = (await session.execute(_PRODUCTS, {"show_id": show_id})).mappings()
    return [{k: (v if k == "sku" else int(v)) for k, v in row.items()} for row in rows]
