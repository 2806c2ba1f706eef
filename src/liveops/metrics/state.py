"""The live state of one show: a pure, synchronous reducer over accepted events.

`ShowState.apply(record)` folds one stored (never duplicate) event in; reading methods return
the contract §4 metrics, per-product figures and per-minute series. The result depends only on
the set of events applied, not on their order (docs/metrics.md), which is what lets the live
numbers equal the review's SQL recount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liveops.events import EventRecord
from liveops.metrics.formulas import BaseCounts, Metrics, derive
from liveops.metrics.presence import JOIN, LEAVE, MINUTE_US, PresenceTracker

# Which freshness family each event type feeds: the console shows the age of each family.
FAMILY_OF_TYPE: dict[str, str] = {
    "viewer.join": "viewers",
    "viewer.leave": "viewers",
    "viewer.count": "viewers",
    "comment": "comments",
    "like": "engagement",
    "share": "engagement",
    "follow": "engagement",
    "gift": "engagement",
    "product.impression": "products",
    "product.click": "products",
    "cart.add": "products",
    "order.created": "orders",
    "order.paid": "orders",
    "order.cancelled": "orders",
    "order.refunded": "orders",
    "stock.set": "stock",
    "stream.health": "stream",
    # The anchor's speech as the platform's recognizer heard it: it arrives with the stream.
    "transcript": "stream",
}

_INTERACTIONS = frozenset({"comment", "like", "share", "follow", "gift"})


@dataclass(slots=True)
class _Product:
    impressions: int = 0
    clicks: int = 0
    cart_adds: int = 0
    orders: set[str] = field(default_factory=set)
    units: int = 0
    # (created ts, qty) of each order.created naming this SKU, by order id
    created: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    stock_set: tuple[int, int] | None = None  # (ts, available) of the newest stock.set


@dataclass(slots=True)
class _Minute:
    joins: int = 0
    comments: int = 0
    likes: int = 0
    orders: int = 0
    gmv: int = 0
    online_count_mode: int | None = None


@dataclass(slots=True)
class Changes:
    """What changed since the last `take_changes()`: the publisher sends only these."""

    skus: set[str]
    minutes: set[int]
    families: set[str]


class ShowState:
    def __init__(self, *, allocated: dict[str, int] | None = None) -> None:
        self.allocated: dict[str, int] = dict(allocated or {})
        self.ended_at_us: int | None = None
        self.latest_ts_us: int | None = None
        self.presence = PresenceTracker()
        self.uv_viewers: set[str] = set()
        self.views = 0
        self.comments = 0
        self.likes = 0
        self.shares = 0
        self.follows = 0
        self.gift_value = 0
        self.interacting: set[str] = set()
        self.product_clicks = 0
        self.click_viewers: set[str] = set()
        self.created_orders: set[str] = set()
        self.order_viewers: dict[str, set[str]] = {}
        self.order_skus: dict[str, set[str]] = {}
        self.paid_amount: dict[str, int] = {}  # order id -> sum of its order.paid amounts
        self.gmv_paid = 0
        self.viewer_paid_orders: dict[str, int] = {}  # viewer -> paid orders created by them
        self.refunded_orders: set[str] = set()
        self.refund_amount = 0
        self.count_latest: tuple[int, int] | None = None  # (ts, online) of the newest viewer.count
        self.count_peak = 0
        self.products: dict[str, _Product] = {sku: _Product() for sku in self.allocated}
        self.minutes: dict[int, _Minute] = {}
        self.stream_health: dict[str, object] | None = None
        self._health_ts = -1
        # family -> (newest source ts, newest received-at), both microseconds
        self.freshness: dict[str, tuple[int, int]] = {}
        self._changes = Changes(set(self.allocated), set(), set())

    # ---- writing -------------------------------------------------------------------------

    def apply(self, e: EventRecord) -> None:
        """Fold one accepted event in. Never call it twice for one event id."""
        if self.latest_ts_us is None or e.ts_us > self.latest_ts_us:
            self.latest_ts_us = e.ts_us
        family = FAMILY_OF_TYPE[e.type]
        fresh = self.freshness.get(family)
        if fresh is None or e.ts_us > fresh[0] or e.received_at_us > fresh[1]:
            old_ts, old_rx = fresh or (e.ts_us, e.received_at_us)
            self.freshness[family] = (max(old_ts, e.ts_us), max(old_rx, e.received_at_us))
            self._changes.families.add(family)
        if e.type in _INTERACTIONS and e.viewer_id is not None:
            self.interacting.add(e.viewer_id)
        handler = _HANDLERS.get(e.type)
        if handler is not None:
            handler(self, e)

    def set_allocated(self, allocated: dict[str, int]) -> None:
        self.allocated = dict(allocated)
        for sku in allocated:
            self._product(sku)

    def _product(self, sku: str) -> _Product:
        product = self.products.get(sku)
        if product is None:
            product = self.products[sku] = _Product()
        self._changes.skus.add(sku)
        return product

    def _minute(self, ts_us: int) -> _Minute:
        key = ts_us // MINUTE_US
        self._changes.minutes.add(key)
        minute = self.minutes.get(key)
        if minute is None:
            minute = self.minutes[key] = _Minute()
        return minute

    def _on_join(self, e: EventRecord) -> None:
        assert e.viewer_id is not None
        self.views += 1
        self.uv_viewers.add(e.viewer_id)
        self._minute(e.ts_us).joins += 1
        self.presence.apply(e.viewer_id, e.ts_us, JOIN)

    def _on_leave(self, e: EventRecord) -> None:
        assert e.viewer_id is not None
        self._minute(e.ts_us)
        self.presence.apply(e.viewer_id, e.ts_us, LEAVE)

    def _on_count(self, e: EventRecord) -> None:
        assert e.online is not None
        candidate = (e.ts_us, e.online)
        if self.count_latest is None or candidate > self.count_latest:
            self.count_latest = candidate
        self.count_peak = max(self.count_peak, e.online)
        minute = self._minute(e.ts_us)
        minute.online_count_mode = max(minute.online_count_mode or 0, e.online)

    def _on_comment(self, e: EventRecord) -> None:
        self.comments += 1
        self._minute(e.ts_us).comments += 1

    def _on_like(self, e: EventRecord) -> None:
        assert e.quantity is not None
        self.likes += e.quantity
        self._minute(e.ts_us).likes += e.quantity

    def _on_share(self, e: EventRecord) -> None:
        self.shares += 1

    def _on_follow(self, e: EventRecord) -> None:
        self.follows += 1

    def _on_gift(self, e: EventRecord) -> None:
        assert e.amount is not None
        self.gift_value += e.amount

    def _on_impression(self, e: EventRecord) -> None:
        assert e.sku is not None
        assert e.quantity is not None
        self._product(e.sku).impressions += e.quantity

    def _on_click(self, e: EventRecord) -> None:
        assert e.sku is not None
        assert e.viewer_id is not None
        self.product_clicks += 1
        self.click_viewers.add(e.viewer_id)
        self._product(e.sku).clicks += 1

    def _on_cart(self, e: EventRecord) -> None:
        assert e.sku is not None
        assert e.quantity is not None
        self._product(e.sku).cart_adds += e.quantity

    def _on_created(self, e: EventRecord) -> None:
        assert e.order_id is not None
        assert e.viewer_id is not None
        assert e.sku is not None
        assert e.quantity is not None
        order = e.order_id
        self.created_orders.add(order)
        self._minute(e.ts_us).orders += 1
        viewers = self.order_viewers.setdefault(order, set())
        if e.viewer_id not in viewers:
            viewers.add(e.viewer_id)
            if order in self.paid_amount:
                self._count_buyer(e.viewer_id)
        product = self._product(e.sku)
        product.orders.add(order)
        product.units += e.quantity
        product.created.setdefault(order, []).append((e.ts_us, e.quantity))
        self.order_skus.setdefault(order, set()).add(e.sku)

    def _on_paid(self, e: EventRecord) -> None:
        assert e.order_id is not None
        assert e.amount is not None
        order = e.order_id
        self.gmv_paid += e.amount
        self._minute(e.ts_us).gmv += e.amount
        first_payment = order not in self.paid_amount
        self.paid_amount[order] = self.paid_amount.get(order, 0) + e.amount
        if first_payment:
            for viewer in self.order_viewers.get(order, ()):
                self._count_buyer(viewer)
        for sku in self.order_skus.get(order, ()):
            self._changes.skus.add(sku)

    def _count_buyer(self, viewer: str) -> None:
        self.viewer_paid_orders[viewer] = self.viewer_paid_orders.get(viewer, 0) + 1

    def _on_cancelled(self, e: EventRecord) -> None:
        assert e.order_id is not None
        for sku in self.order_skus.get(e.order_id, ()):
            self._changes.skus.add(sku)

    def _on_refunded(self, e: EventRecord) -> None:
        assert e.order_id is not None
        assert e.amount is not None
        self.refunded_orders.add(e.order_id)
        self.refund_amount += e.amount

    def _on_stock(self, e: EventRecord) -> None:
        assert e.sku is not None
        assert e.quantity is not None
        product = self._product(e.sku)
        candidate = (e.ts_us, e.quantity)
        if product.stock_set is None or candidate > product.stock_set:
            product.stock_set = candidate

    def _on_health(self, e: EventRecord) -> None:
        if e.ts_us >= self._health_ts and e.detail is not None:
            self._health_ts = e.ts_us
            self.stream_health = {"ts": e.ts_us // 1000, **e.detail}  # ms, like every wire time

    # ---- reading -------------------------------------------------------------------------

    def online(self) -> int:
        """Viewers online now: the platform's newest count, else the viewers present."""
        return self.count_latest[1] if self.count_latest else self.presence.present_count

    def base_counts(self) -> BaseCounts:
        count_mode = self.count_latest is not None
        end_us = self.ended_at_us if self.ended_at_us is not None else (self.latest_ts_us or 0)
        return BaseCounts(
            online=self.online(),
            peak_online=self.count_peak if count_mode else self.presence.peak(),
            uv=len(self.uv_viewers),
            views=self.views,
            total_watch_us=self.presence.total_watch_us(end_us),
            comments=self.comments,
            likes=self.likes,
            shares=self.shares,
            new_followers=self.follows,
            gift_value=self.gift_value,
            interacting_viewers=len(self.interacting),
            product_clicks=self.product_clicks,
            click_viewers=len(self.click_viewers),
            orders_created=len(self.created_orders),
            orders_paid=len(self.paid_amount),
            gmv_paid=self.gmv_paid,
            buyers=len(self.viewer_paid_orders),
            orders_refunded=len(self.refunded_orders),
            refund_amount=self.refund_amount,
        )

    def metrics(self) -> Metrics:
        return derive(self.base_counts())

    def product_row(self, sku: str) -> dict[str, int | str | None]:
        p = self.products[sku]
        paid_orders = [order for order in p.orders if order in self.paid_amount]
        paid_units = sum(qty for order in paid_orders for _, qty in p.created[order])
        if p.stock_set is not None:
            set_ts, available = p.stock_set
            sold_since = sum(
                qty for order in paid_orders for ts, qty in p.created[order] if ts > set_ts
            )
            stock_left: int | None = max(0, available - sold_since)
        elif sku in self.allocated:
            stock_left = max(0, self.allocated[sku] - paid_units)
        else:
            stock_left = None
        return {
            "sku": sku,
            "impressions": p.impressions,
            "clicks": p.clicks,
            "cart_adds": p.cart_adds,
            "orders": len(p.orders),
            "units": p.units,
            "paid_orders": len(paid_orders),
            "paid_units": paid_units,
            "gmv": sum(self.paid_amount[order] for order in paid_orders),
            "stock_left": stock_left,
        }

    def product_rows(self, skus: set[str] | None = None) -> list[dict[str, int | str | None]]:
        chosen = sorted(self.products if skus is None else skus & self.products.keys())
        return [self.product_row(sku) for sku in chosen]

    def series(self, minutes: set[int] | None = None) -> list[dict[str, int]]:
        count_mode = self.count_latest is not None
        chosen = sorted(self.minutes if minutes is None else minutes & self.minutes.keys())
        presence_peaks = {} if count_mode else self.presence.minute_peaks(set(chosen))
        points = []
        for key in chosen:
            m = self.minutes[key]
            online = (m.online_count_mode or 0) if count_mode else presence_peaks.get(key, 0)
            points.append(
                {
                    "minute": key * 60,
                    "online": online,
                    "joins": m.joins,
                    "comments": m.comments,
                    "likes": m.likes,
                    "orders": m.orders,
                    "gmv": m.gmv,
                }
            )
        return points

    def take_changes(self) -> Changes:
        self.presence.refresh()
        changes = self._changes
        changes.minutes |= self.presence.changed_minutes
        self.presence.changed_minutes = set()
        self._changes = Changes(set(), set(), set())
        return changes


_HANDLERS = {
    "viewer.join": ShowState._on_join,
    "viewer.leave": ShowState._on_leave,
    "viewer.count": ShowState._on_count,
    "comment": ShowState._on_comment,
    "like": ShowState._on_like,
    "share": ShowState._on_share,
    "follow": ShowState._on_follow,
    "gift": ShowState._on_gift,
    "product.impression": ShowState._on_impression,
    "product.click": ShowState._on_click,
    "cart.add": ShowState._on_cart,
    "order.created": ShowState._on_created,
    "order.paid": ShowState._on_paid,
    "order.cancelled": ShowState._on_cancelled,
    "order.refunded": ShowState._on_refunded,
    "stock.set": ShowState._on_stock,
    "stream.health": ShowState._on_health,
}
