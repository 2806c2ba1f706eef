"""SQL-first read models over the `event` table. Identical text on PostgreSQL and SQLite.

Presence is derived with window functions: a viewer's state after each join/leave is set by
that event alone (join → 1, leave → 0), so the change it makes is its state minus the state
after the viewer's previous event (LAG), joins ordered before leaves at an equal ts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.metrics.formulas import BaseCounts
from liveops.storage.models import ShowAction

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
      MAX(received_at_us) AS last_received_us,
      COUNT(*) AS events
    FROM event WHERE show_id = :show_id
    """
)

_BUYERS = text(
    """
    SELECT COUNT(DISTINCT viewer_id) FROM event
    WHERE show_id = :show_id AND type = 'order.created'
      AND order_id IN (SELECT order_id FROM event WHERE show_id = :show_id AND type = 'order.paid')
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

# What the live series does not count, per minute, so that the review's minute rows hold every
# additive §4 key (service.minutes adds these to the rows of `minutes`).
_MINUTE_ADDITIONS = text(
    """
    SELECT ts_us / 60000000 AS minute,
      COALESCE(SUM(CASE WHEN type = 'share' THEN 1 ELSE 0 END), 0) AS shares,
      COALESCE(SUM(CASE WHEN type = 'follow' THEN 1 ELSE 0 END), 0) AS new_followers,
      COALESCE(SUM(CASE WHEN type = 'gift' THEN amount ELSE 0 END), 0) AS gift_value,
      COALESCE(SUM(CASE WHEN type = 'product.click' THEN 1 ELSE 0 END), 0) AS product_clicks,
      COALESCE(SUM(CASE WHEN type = 'order.refunded' THEN amount ELSE 0 END), 0)
        AS refund_amount
    FROM event WHERE show_id = :show_id
      AND type IN ('share', 'follow', 'gift', 'product.click', 'order.refunded')
    GROUP BY ts_us / 60000000
    """
)

# Each order once per kind, in the minute of its first event of that kind: the minutes' sums
# are then the summary's distinct counts.
_ORDER_MINUTES = text(
    """
    WITH firsts AS (
      SELECT type, MIN(ts_us) AS ts_us FROM event
      WHERE show_id = :show_id AND type IN ('order.created', 'order.paid', 'order.refunded')
        AND order_id IS NOT NULL
      GROUP BY type, order_id
    )
    SELECT ts_us / 60000000 AS minute,
      SUM(CASE WHEN type = 'order.created' THEN 1 ELSE 0 END) AS orders_created,
      SUM(CASE WHEN type = 'order.paid' THEN 1 ELSE 0 END) AS orders_paid,
      SUM(CASE WHEN type = 'order.refunded' THEN 1 ELSE 0 END) AS orders_refunded
    FROM firsts GROUP BY ts_us / 60000000
    """
)

# Per SKU in one pass over the show's events with a SKU (a subquery per SKU and figure read
# the table again for each: 20 SKUs × 8 figures). An order belongs to the SKU(s) its
# `order.created` rows name; paid orders are those with an `order.paid`. Paid is asked with
# `IN`, not a join: SQLite joins two CTEs by scanning one for each row of the other.
_PRODUCTS = text(
    """
    WITH paid AS (
      SELECT order_id, SUM(amount) AS amount FROM event
      WHERE show_id = :show_id AND type = 'order.paid' GROUP BY order_id
    ),
    created AS (
      SELECT sku, order_id, quantity FROM event WHERE show_id = :show_id AND type = 'order.created'
    ),
    funnel AS (
      SELECT sku,
        COALESCE(SUM(CASE WHEN type = 'product.impression' THEN quantity ELSE 0 END), 0)
          AS impressions,
        COALESCE(SUM(CASE WHEN type = 'product.click' THEN 1 ELSE 0 END), 0) AS clicks,
        COALESCE(SUM(CASE WHEN type = 'cart.add' THEN quantity ELSE 0 END), 0) AS cart_adds
      FROM event WHERE show_id = :show_id AND sku IS NOT NULL GROUP BY sku
    ),
    orders AS (
      SELECT c.sku,
        COUNT(DISTINCT c.order_id) AS orders,
        COALESCE(SUM(c.quantity), 0) AS units,
        COUNT(DISTINCT CASE WHEN c.is_paid = 1 THEN c.order_id END) AS paid_orders,
        COALESCE(SUM(CASE WHEN c.is_paid = 1 THEN c.quantity ELSE 0 END), 0) AS paid_units
      FROM (SELECT sku, order_id, quantity,
                   CASE WHEN order_id IN (SELECT order_id FROM paid) THEN 1 ELSE 0 END AS is_paid
            FROM created) c
      GROUP BY c.sku
    ),
    gmv AS (
      SELECT o.sku, SUM(p.amount) AS gmv
      FROM (SELECT DISTINCT sku, order_id FROM created) o JOIN paid p ON p.order_id = o.order_id
      GROUP BY o.sku
    )
    SELECT f.sku, f.impressions, f.clicks, f.cart_adds,
      COALESCE(o.orders, 0) AS orders, COALESCE(o.units, 0) AS units,
      COALESCE(o.paid_orders, 0) AS paid_orders, COALESCE(o.paid_units, 0) AS paid_units,
      COALESCE(g.gmv, 0) AS gmv
    FROM funnel f LEFT JOIN orders o ON o.sku = f.sku LEFT JOIN gmv g ON g.sku = f.sku
    ORDER BY f.sku
    """
)

# Per SKU (its orders are those its `order.created` rows name): refunded orders and amount.
_PRODUCT_REFUNDS = text(
    """
    SELECT c.sku, COUNT(*) AS refunds, COALESCE(SUM(r.amount), 0) AS refund_amount
    FROM (SELECT DISTINCT sku, order_id FROM event
          WHERE show_id = :show_id AND type = 'order.created') c
    JOIN (SELECT order_id, SUM(amount) AS amount FROM event
          WHERE show_id = :show_id AND type = 'order.refunded' GROUP BY order_id) r
      ON r.order_id = c.order_id
    GROUP BY c.sku
    """
)


# Memory a PostgreSQL sort or hash of the review may use before spilling to disk. The server's
# default (4 MB) sends the presence windows and the (segment, viewer) sets of a long show to
# temporary files; the review is one reader at a time, after the show.
REVIEW_WORK_MEM = "64MB"


async def analytic_memory(session: AsyncSession) -> None:
    """Let this transaction's sorts stay in memory (PostgreSQL; SQLite has no such limit)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SET LOCAL work_mem = '{REVIEW_WORK_MEM}'"))


@dataclass(frozen=True, slots=True)
class Recount:
    counts: BaseCounts
    latest_ts_us: int | None
    events: int
    count_mode: bool  # the source sent viewer.count events: online comes from them
    last_received_us: int | None = None  # when the newest stored event arrived


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
        last_received_us=None
        if totals["last_received_us"] is None
        else int(totals["last_received_us"]),
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


async def minute_additions(session: AsyncSession, show_id: str) -> dict[int, dict[str, int]]:
    """Per minute (epoch minutes), the additive §4 counts the live series has no column for:
    shares, new_followers, gift_value, product_clicks, refund_amount, and orders_created,
    orders_paid and orders_refunded (each order once, in the minute of its first such event,
    so that the minutes add up to the summary's distinct counts). A minute with none of
    those events is left out."""
    params = {"show_id": show_id}
    found: dict[int, dict[str, int]] = {}
    for query in (_MINUTE_ADDITIONS, _ORDER_MINUTES):
        for row in (await session.execute(query, params)).mappings():
            into = found.setdefault(int(row["minute"]), {})
            into.update({k: int(v) for k, v in row.items() if k != "minute"})
    return found


async def products(session: AsyncSession, show_id: str) -> list[dict[str, Any]]:
    rows = (await session.execute(_PRODUCTS, {"show_id": show_id})).mappings()
    return [{k: (v if k == "sku" else int(v)) for k, v in row.items()} for row in rows]


async def product_refunds(session: AsyncSession, show_id: str) -> dict[str, tuple[int, int]]:
    """Per SKU with a refund: (distinct refunded orders, refunded amount)."""
    rows = (await session.execute(_PRODUCT_REFUNDS, {"show_id": show_id})).all()
    return {str(sku): (int(refunds), int(amount)) for sku, refunds, amount in rows}


# ---- helpers shared by the tables below ----------------------------------------------------

# Far past any real time: the end of a visit still under way (the show has not ended).
OPEN_END_US = 2**62


def json_text(session: AsyncSession, column: str, key: str) -> str:
    """SQL for the text of `column`'s JSON object at `key` (null when absent): the one place
    where the dialects differ. `column` and `key` come from this module, never from a request."""
    if not key.isidentifier():
        raise ValueError(f"not a JSON key this module reads: {key!r}")
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return f"(CAST({column} AS JSON) ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


# Each viewer's presence intervals, [opened, closed): a join that changed the state opens one,
# the leave that changed it back closes it (closed is null while the viewer is still there).
_INTERVALS_CTE = (
    _PRESENCE_CTE
    + """
    , iv AS (
      SELECT viewer_id, ts_us AS opened, closed FROM (
        SELECT viewer_id, ts_us, delta, LEAD(ts_us) OVER (
                 PARTITION BY viewer_id ORDER BY ts_us, delta DESC) AS closed
        FROM d WHERE delta <> 0
      ) changes WHERE delta = 1
    )
    """
)

# Each order once: its first `order.created` names its viewer, quantity and time; `amount` is
# its paid amount and `paid` 1 when it has an `order.paid`. Grouped from a UNION ALL rather
# than joined: SQLite joins two CTEs by scanning one for each row of the other.
_ORDERS = """
    fc AS (
      SELECT order_id, viewer_id, quantity, ts_us FROM (
        SELECT order_id, viewer_id, quantity, ts_us, ROW_NUMBER() OVER (
                 PARTITION BY order_id ORDER BY ts_us, id) AS n
        FROM event WHERE show_id = :show_id AND type = 'order.created'
      ) created WHERE n = 1
    ),
    orders AS (
      SELECT order_id, MAX(viewer_id) AS viewer_id, MAX(quantity) AS quantity,
        MAX(ts_us) AS created_us, SUM(paid_amount) AS amount, MAX(is_paid) AS paid
      FROM (
        SELECT order_id, viewer_id, quantity, ts_us, 0 AS paid_amount, 0 AS is_paid FROM fc
        UNION ALL
        SELECT order_id, NULL, NULL, NULL, amount, 1 FROM event
        WHERE show_id = :show_id AND type = 'order.paid'
      ) parts GROUP BY order_id
    )
"""


def _windows_cte(windows: list[tuple[str, int, int]]) -> tuple[str, dict[str, Any]]:
    """`w(segment_id, start_us, end_us)` as SQL with bound values (one row a visit)."""
    selects = []
    params: dict[str, Any] = {}
    for i, (segment_id, start_us, end_us) in enumerate(windows):
        selects.append(
            f"SELECT CAST(:ws{i} AS VARCHAR(64)) AS segment_id, CAST(:wa{i} AS BIGINT) AS start_us,"
            f" CAST(:wb{i} AS BIGINT) AS end_us"
        )
        params |= {f"ws{i}": segment_id, f"wa{i}": start_us, f"wb{i}": end_us}
    return "w AS (" + " UNION ALL ".join(selects) + ")", params


def _acting_viewers(windows: list[tuple[str, int, int]]) -> str:
    """SQL of (segment_id, viewer_id) for every event with a viewer inside a visit (the
    `_windows_cte` parameters). Visits follow one another, so each event falls in at most one:
    a CASE over the visits then finds it in the one pass over the show's events, where a join
    would compare every event with every visit."""
    ordered = sorted(windows, key=lambda w: w[1])
    disjoint = all(a[2] <= b[1] for a, b in itertools.pairwise(ordered))
    if not disjoint:
        return """
          SELECT w.segment_id, e.viewer_id FROM w JOIN event e ON e.show_id = :show_id
            AND e.ts_us >= w.start_us AND e.ts_us < w.end_us AND e.viewer_id IS NOT NULL
        """
    branches = " ".join(
        f"WHEN e.ts_us >= :wa{i} AND e.ts_us < :wb{i} THEN CAST(:ws{i} AS VARCHAR(64))"
        for i in range(len(windows))
    )
    return f"""
          SELECT segment_id, viewer_id FROM (
            SELECT CASE {branches} END AS segment_id, e.viewer_id FROM event e
            WHERE e.show_id = :show_id AND e.viewer_id IS NOT NULL
              AND e.ts_us >= :lo AND e.ts_us < :hi
          ) acting WHERE segment_id IS NOT NULL
        """


# ---- segments --------------------------------------------------------------------------------


@dataclass(slots=True)
class SegmentFigures:
    """What the events say about one segment's air time."""

    gmv: int = 0
    orders_paid: int = 0
    units: int = 0
    buyers: int = 0
    comments: int = 0
    peak_online: int = 0
    viewers: int = 0


async def segment_figures(
    session: AsyncSession,
    show_id: str,
    windows: list[tuple[str, int, int]],
    *,
    count_mode: bool,
) -> dict[str, SegmentFigures]:
    """Per segment id, the figures of the events whose `ts` falls in one of its windows
    `[start_us, end_us)`. Windows of one segment never overlap (they are visits)."""
    figures: dict[str, SegmentFigures] = {}
    if not windows:
        return figures
    w, params = _windows_cte(windows)
    params["show_id"] = show_id
    for segment_id, *_ in windows:
        figures.setdefault(segment_id, SegmentFigures())

    orders = text(
        f"WITH {_ORDERS}, {w}"
        """
        SELECT w.segment_id, COALESCE(SUM(o.amount), 0) AS gmv, COUNT(*) AS orders_paid,
          COALESCE(SUM(o.quantity), 0) AS units, COUNT(DISTINCT o.viewer_id) AS buyers
        FROM orders o JOIN w ON o.created_us >= w.start_us AND o.created_us < w.end_us
        WHERE o.paid = 1
        GROUP BY w.segment_id
        """
    )
    for row in (await session.execute(orders, params)).mappings():
        found = figures[row["segment_id"]]
        found.gmv, found.orders_paid = int(row["gmv"]), int(row["orders_paid"])
        found.units, found.buyers = int(row["units"]), int(row["buyers"])

    comments = text(
        f"WITH {w}"
        """
        SELECT w.segment_id, COUNT(*) AS comments FROM w JOIN event e
          ON e.show_id = :show_id AND e.type = 'comment'
         AND e.ts_us >= w.start_us AND e.ts_us < w.end_us
        GROUP BY w.segment_id
        """
    )
    for segment_id, count in (await session.execute(comments, params)).all():
        figures[segment_id].comments = int(count)

    # Who was seen on air: present at some moment of a visit, or acting during it.
    seen = text(
        _INTERVALS_CTE
        + f", {w}"
        + """
        , seen AS (
          SELECT w.segment_id, iv.viewer_id FROM iv JOIN w ON iv.opened < w.end_us
            AND (iv.closed IS NULL OR iv.closed > w.start_us OR iv.opened >= w.start_us)
          UNION ALL
        """
        + _acting_viewers(windows)
        + """
        )
        SELECT segment_id, COUNT(DISTINCT viewer_id) FROM seen GROUP BY segment_id
        """
    )
    params |= {"lo": min(start for _, start, _ in windows), "hi": max(e for *_, e in windows)}
    for segment_id, count in (await session.execute(seen, params)).all():
        figures[segment_id].viewers = int(count)

    # The peak: the online count carried into a visit, or any reached during it.
    if count_mode:
        readings = (
            f"WITH {w}, r AS (SELECT ts_us, online AS running FROM event"
            " WHERE show_id = :show_id AND type = 'viewer.count')"
        )
    else:
        readings = _PRESENCE_CTE + f", {w}"
    peaks = text(
        readings
        + """
        SELECT w.segment_id,
          (SELECT MAX(running) FROM r WHERE r.ts_us >= w.start_us AND r.ts_us < w.end_us)
            AS inside,
          (SELECT running FROM r WHERE r.ts_us < w.start_us ORDER BY r.ts_us DESC, running DESC
            LIMIT 1) AS carried
        FROM w
        """
    )
    for segment_id, inside, carried in (await session.execute(peaks, params)).all():
        found = figures[segment_id]
        found.peak_online = max(found.peak_online, int(inside or 0), int(carried or 0))
    return figures


# ---- channels and audience -------------------------------------------------------------------

# The viewer.join fields a viewer is broken down by (contract §3), read from the FIRST join.
AUDIENCE_FIELDS: tuple[str, ...] = ("channel", "region", "age_band", "device", "tier")


async def audience_groups(
    session: AsyncSession, show_id: str, *, end_us: int
) -> list[dict[str, Any]]:
    """Joined viewers grouped by the AUDIENCE_FIELDS of their first `viewer.join` (null when
    absent), one row per combination met: those values, `uv`, `watch_us`, `buyers`, `gmv`.
    Watch time is recount's (open intervals run to `end_us`), so the groups' watch adds up to
    the summary's total. A viewer's GMV is the paid amount of the orders created in their name.
    """
    fields = ", ".join(AUDIENCE_FIELDS)
    values = ", ".join(f"{json_text(session, 'payload', f)} AS {f}" for f in AUDIENCE_FIELDS)
    nulls = ", ".join("NULL" for _ in AUDIENCE_FIELDS)
    maxima = ", ".join(f"MAX({f}) AS {f}" for f in AUDIENCE_FIELDS)
    query = text(
        _INTERVALS_CTE
        + f"""
        , {_ORDERS},
        fj AS (
          SELECT viewer_id, {fields} FROM (
            SELECT viewer_id, {values}, ROW_NUMBER() OVER (
                     PARTITION BY viewer_id ORDER BY ts_us, id) AS n
            FROM event WHERE show_id = :show_id AND type = 'viewer.join'
          ) joins WHERE n = 1
        ),
        per_viewer AS (
          SELECT viewer_id, MAX(joined) AS joined, {maxima}, SUM(watch_us) AS watch_us,
            SUM(gmv) AS gmv, MAX(bought) AS bought
          FROM (
            SELECT viewer_id, 1 AS joined, {fields}, 0 AS watch_us, 0 AS gmv, 0 AS bought
            FROM fj
            UNION ALL
            SELECT viewer_id, 0, {nulls},
              CASE WHEN closed IS NOT NULL THEN closed - opened
                   WHEN opened < :end_us THEN :end_us - opened ELSE 0 END, 0, 0
            FROM iv
            UNION ALL
            SELECT viewer_id, 0, {nulls}, 0, amount, 1 FROM orders
            WHERE paid = 1 AND viewer_id IS NOT NULL
          ) parts GROUP BY viewer_id
        )
        SELECT {fields}, COUNT(*) AS uv, COALESCE(SUM(watch_us), 0) AS watch_us,
          COALESCE(SUM(bought), 0) AS buyers, COALESCE(SUM(gmv), 0) AS gmv
        FROM per_viewer WHERE joined = 1 GROUP BY {fields}
        """
    )
    rows = (await session.execute(query, {"show_id": show_id, "end_us": end_us})).mappings()
    return [
        {
            **{f: None if row[f] is None else str(row[f]) for f in AUDIENCE_FIELDS},
            **{key: int(row[key]) for key in ("uv", "watch_us", "buyers", "gmv")},
        }
        for row in rows
    ]


# ---- funnel and freshness --------------------------------------------------------------------

_FUNNEL_VIEWERS = text(
    """
    SELECT
      COUNT(DISTINCT CASE WHEN type = 'cart.add' THEN viewer_id END) AS cart_viewers,
      COUNT(DISTINCT CASE WHEN type = 'order.created' THEN viewer_id END) AS order_viewers
    FROM event WHERE show_id = :show_id AND type IN ('cart.add', 'order.created')
    """
)


async def funnel_viewers(session: AsyncSession, show_id: str) -> dict[str, int]:
    """The funnel steps the summary has no count for: viewers who added to cart, who ordered."""
    row = (await session.execute(_FUNNEL_VIEWERS, {"show_id": show_id})).mappings().one()
    return {key: int(row[key]) for key in ("cart_viewers", "order_viewers")}


async def gotos(session: AsyncSession, show_id: str) -> list[tuple[datetime, str]]:
    """Every applied `segment.goto` of the show (its time and segment id), in log order."""
    query = (
        select(ShowAction.at, ShowAction.fields)
        .where(
            ShowAction.show_id == show_id,
            ShowAction.type == "segment.goto",
            ShowAction.state == "applied",
        )
        .order_by(ShowAction.id)
    )
    found = []
    for at, fields in (await session.execute(query)).all():
        segment_id = fields.get("segment_id") if isinstance(fields, dict) else None
        if isinstance(segment_id, str):
            found.append((at, segment_id))
    return found
