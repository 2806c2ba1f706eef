"""Playing the show: one time-ordered sweep that turns the shape and the viewers' stays into
events, so that every action is taken by someone in the room at the time, orders follow clicks
on the pinned product, payments follow orders, and stock runs out when it should."""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from liveops.simulate import texts
from liveops.simulate.budget import Budget
from liveops.simulate.lineup import Product
from liveops.simulate.timeline import Session, Shape, Viewer, intensity, sample_times

Raw = tuple[int, str, str, dict[str, Any]]
"""An event before it has an id and a ts: (t_ms, type, source, type fields)."""

# At one instant: arrivals, then actions, then departures, then the platform's readings, so a
# viewer.count equals the presence a recount sees after every event of that ts.
_JOIN, _ACT, _LEAVE, _TICK = 0, 1, 2, 3


@dataclass(slots=True)
class Order:
    """An order placed during the show; paid ones are what the refunds are drawn from."""

    order_id: str
    viewer: int
    product: Product
    qty: int
    amount: int


@dataclass(slots=True)
class _Stock:
    allocated: int
    sold: int = 0
    reserved: int = 0

    @property
    def sellable(self) -> int:
        return self.allocated - self.sold - self.reserved


@dataclass(slots=True)
class Played:
    """The show as played: raw events in time order, and what the refunds are drawn from."""

    events: list[Raw] = field(default_factory=list)
    paid: list[Order] = field(default_factory=list)
    flash_orders: int = 0


class _Sweep:
    def __init__(
        self,
        rng: random.Random,
        seed: int,
        shape: Shape,
        viewers: list[Viewer],
        lineup: tuple[Product, ...],
    ) -> None:
        self.rng = rng
        self.seed = seed
        self.shape = shape
        self.viewers = viewers
        self.lineup = lineup
        self.played = Played()
        self.queue: list[tuple[int, int, int, str, Any]] = []
        self.seq = 0
        self.present: list[int] = []
        self.slot: dict[int, int] = {}
        self.followed: set[int] = set()
        self.flash_buyers: set[int] = set()
        self.interested: dict[str, deque[int]] = {p.sku: deque(maxlen=200) for p in lineup}
        self.recent_buyers: deque[int] = deque(maxlen=50)
        self.stock = {p.sku: _Stock(p.allocated_stock) for p in lineup}
        self.stock_set_at: set[tuple[str, int]] = set()
        self.next_order = 1

    # -- scheduling --------------------------------------------------------------------------

    def at(self, t_ms: int, priority: int, kind: str, data: Any = None) -> None:
        self.seq += 1
        self.queue.append((t_ms, priority, self.seq, kind, data))

    def later(self, t_ms: int, kind: str, data: Any) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (min(t_ms, self.shape.duration_ms), _ACT, self.seq, kind, data))

    def emit(self, t_ms: int, kind: str, fields: dict[str, Any], source: str = "douyin") -> None:
        self.played.events.append((t_ms, kind, source, fields))

    def run(self) -> Played:
        heapq.heapify(self.queue)
        while self.queue:
            t_ms, _, _, kind, data = heapq.heappop(self.queue)
            getattr(self, f"_on_{kind}")(t_ms, data)
        return self.played

    # -- who --------------------------------------------------------------------------------

    def pick(self) -> int | None:
        """Someone in the room; the engaged are likelier to be the one who acts."""
        if not self.present:
            return None
        # Most of the room never types a word (interaction rates run ~30%, seeds 003), so a
        # lurker acts only when no one keener turns up among the candidates.
        best = self.present[self.rng.randrange(len(self.present))]
        for _ in range(8):
            if self.rng.random() < self.viewers[best].engagement:
                return best
            viewer = self.present[self.rng.randrange(len(self.present))]
            if self.viewers[viewer].engagement > self.viewers[best].engagement:
                best = viewer
        return best

    def pick_from(self, pool: deque[int] | None) -> int | None:
        """Preferably someone from ``pool`` still in the room (a clicker ordering, say)."""
        if pool:
            candidates = list(pool)[-20:]
            for _ in range(3):
                viewer = self.rng.choice(candidates)
                if viewer in self.slot:
                    return viewer
        return self.pick()

    def vid(self, viewer: int) -> str:
        return self.viewers[viewer].id

    def product_at(self, t_ms: int, pinned_share: float) -> Product:
        if self.rng.random() < pinned_share:
            return self.shape.segment_at(t_ms).product
        return self.rng.choice(self.lineup)

    # -- presence ---------------------------------------------------------------------------

    def _on_join(self, t_ms: int, session: Session) -> None:
        self.slot[session.viewer] = len(self.present)
        self.present.append(session.viewer)
        self._join_event(t_ms, session)

    def _on_reconnect(self, t_ms: int, session: Session) -> None:
        self._join_event(t_ms, session)

    def _join_event(self, t_ms: int, session: Session) -> None:
        v = self.viewers[session.viewer]
        fields = {"viewer_id": v.id, "channel": session.channel, "region": v.region}
        fields |= {"age_band": v.age_band, "device": v.device, "tier": v.tier}
        self.emit(t_ms, "viewer.join", fields)

    def _on_leave(self, t_ms: int, session: Session) -> None:
        index = self.slot.pop(session.viewer)
        last = self.present.pop()
        if last != session.viewer:
            self.present[index] = last
            self.slot[last] = index
        self.emit(t_ms, "viewer.leave", {"viewer_id": self.vid(session.viewer)})

    def _on_count(self, t_ms: int, _: None) -> None:
        self.emit(t_ms, "viewer.count", {"online": len(self.present)})

    # -- engagement -------------------------------------------------------------------------

    def _on_comment(self, t_ms: int, category: texts.Category | None) -> None:
        product = self.shape.segment_at(t_ms).product
        if category is None:
            category = texts.pick_category(self.rng, product, in_flash=t_ms in self.shape.flash)
        viewer = self.pick_from(self.recent_buyers if category == "intent" else None)
        if viewer is None:
            return
        text = texts.comment_text(self.rng, category, product)
        self.emit(t_ms, "comment", {"viewer_id": self.vid(viewer), "text": text})

    def _on_like(self, t_ms: int, _: None) -> None:
        viewer = self.pick() if self.rng.random() >= 0.15 else None
        if viewer is None:  # the platform's aggregate of likes it does not attribute
            self.emit(t_ms, "like", {"count": self.rng.randrange(20, 301)})
            return
        count = 1 if self.rng.random() < 0.5 else self.rng.randrange(2, 31)
        self.emit(t_ms, "like", {"viewer_id": self.vid(viewer), "count": count})

    def _on_share(self, t_ms: int, _: None) -> None:
        viewer = self.pick()
        if viewer is not None:
            self.emit(t_ms, "share", {"viewer_id": self.vid(viewer)})

    def _on_follow(self, t_ms: int, _: None) -> None:
        for _attempt in range(3):
            viewer = self.pick()
            if viewer is not None and viewer not in self.followed:
                self.followed.add(viewer)
                self.emit(t_ms, "follow", {"viewer_id": self.vid(viewer)})
                return
        self._on_like(t_ms, None)

    def _on_gift(self, t_ms: int, _: None) -> None:
        viewer = self.pick()
        if viewer is not None:
            name, value = texts.gift(self.rng)
            self.emit(t_ms, "gift", {"viewer_id": self.vid(viewer), "gift": name, "value": value})

    # -- the funnel -------------------------------------------------------------------------

    def _on_impression(self, t_ms: int, _: None) -> None:
        product = self.product_at(t_ms, 0.75)
        count = max(1, int(self.rng.lognormvariate(math.log(12), 0.6)))
        self.emit(t_ms, "product.impression", {"sku": product.sku, "count": count})

    def _on_click(self, t_ms: int, _: None) -> None:
        product = self.product_at(t_ms, 0.8)
        viewer = self.pick()
        if viewer is not None:
            self.interested[product.sku].append(viewer)
            self.emit(t_ms, "product.click", {"viewer_id": self.vid(viewer), "sku": product.sku})

    def _on_cart(self, t_ms: int, _: None) -> None:
        product = self.product_at(t_ms, 0.85)
        viewer = self.pick_from(self.interested[product.sku])
        if viewer is not None:
            qty = self.rng.choices((1, 2, 3), weights=(0.8, 0.15, 0.05))[0]
            fields = {"viewer_id": self.vid(viewer), "sku": product.sku, "qty": qty}
            self.emit(t_ms, "cart.add", fields)

    def _on_order(self, t_ms: int, _: None) -> None:
        product = self.product_at(t_ms, 0.85)
        viewer = self.pick_from(self.interested[product.sku])
        if viewer is None:
            return
        qty = self.rng.choices((1, 2, 3), weights=(0.85, 0.12, 0.03))[0]
        amount = qty * product.live_price
        if self.rng.random() < 0.1 and amount > 2_000:
            amount -= self.rng.choice((500, 1_000))  # a shop coupon (店铺券)
        order = self.create(t_ms, viewer, product, qty, amount, "sold_out")
        if order is None:
            return
        roll = self.rng.random()
        if roll < 0.87:
            delay = min(60_000, max(1_000, int(self.rng.lognormvariate(math.log(6_000), 0.7))))
            self.later(t_ms + delay, "paid", order)
        elif roll < 0.93:
            self.later(t_ms + self.rng.randrange(10_000, 60_000), "cancel", order)

    def _on_flash(self, t_ms: int, _: None) -> None:
        product = self.shape.flash_product
        viewer = self.pick()
        for _attempt in range(8):  # 秒杀 is one per person
            if viewer is None or viewer not in self.flash_buyers:
                break
            viewer = self.pick()
        if viewer is None:
            return
        order = self.create(t_ms, viewer, product, 1, product.live_price, "flash_miss")
        if order is None:
            return
        self.flash_buyers.add(viewer)
        self.played.flash_orders += 1
        if self.rng.random() < 0.95:  # an unpaid 秒杀 order is released within seconds
            self.later(t_ms + self.rng.randrange(1_000, 8_000), "paid", order)
        else:
            self.later(t_ms + self.rng.randrange(5_000, 15_000), "cancel", order)

    def create(
        self, t_ms: int, viewer: int, product: Product, qty: int, amount: int, miss: texts.Category
    ) -> Order | None:
        """Place an order if stock allows; otherwise the viewer complains in the comments."""
        stock = self.stock[product.sku]
        if stock.sellable < qty:
            text = texts.comment_text(self.rng, miss, product)
            self.emit(t_ms, "comment", {"viewer_id": self.vid(viewer), "text": text})
            return None
        stock.reserved += qty
        order = Order(f"DD{self.seed}-{self.next_order:07d}", viewer, product, qty, amount)
        self.next_order += 1
        self.recent_buyers.append(viewer)
        fields: dict[str, Any] = {"order_id": order.order_id, "viewer_id": self.vid(viewer)}
        fields |= {"sku": product.sku, "qty": qty, "amount": amount}
        self.emit(t_ms, "order.created", fields)
        return order

    def _on_paid(self, t_ms: int, order: Order) -> None:
        stock = self.stock[order.product.sku]
        stock.reserved -= order.qty
        stock.sold += order.qty
        self.played.paid.append(order)
        self.emit(t_ms, "order.paid", {"order_id": order.order_id, "amount": order.amount})

    def _on_cancel(self, t_ms: int, order: Order) -> None:
        self.stock[order.product.sku].reserved -= order.qty
        self.emit(t_ms, "order.cancelled", {"order_id": order.order_id})

    # -- systems ----------------------------------------------------------------------------

    def _on_stock(self, t_ms: int, product: Product | None) -> None:
        product = product or self.shape.segment_at(t_ms).product
        if (product.sku, t_ms) in self.stock_set_at:  # its ts is its version: one per instant
            return
        self.stock_set_at.add((product.sku, t_ms))
        stock = self.stock[product.sku]
        running_low = stock.sellable < product.allocated_stock // 10
        if running_low and product is not self.shape.flash_product and t_ms > 0:
            stock.allocated += product.allocated_stock  # emergency restock (补货)
        fields = {"sku": product.sku, "available": stock.allocated - stock.sold}
        self.emit(t_ms, "stock.set", fields, source="erp")

    def _on_health(self, t_ms: int, _: None) -> None:
        rng = self.rng
        stall = self.shape.stall
        if t_ms in stall:
            bitrate, latency = rng.randrange(900, 2_000), rng.randrange(3_500, 8_000)
            fps, ratio = rng.choice((12, 15, 18, 20)), round(rng.uniform(0.06, 0.25), 3)
        else:
            bitrate, latency = rng.randrange(4_200, 6_200), rng.randrange(800, 1_900)
            fps = 30 if rng.random() < 0.92 else rng.choice((25, 29))
            ratio = round(rng.uniform(0.0, 0.012), 3)
        line = "cdn-a" if t_ms < stall.end_ms else "cdn-b"  # failover after the stall
        fields: dict[str, Any] = {"bitrate_kbps": bitrate, "fps": fps, "latency_ms": latency}
        fields |= {"stall_ratio": ratio, "line": line}
        self.emit(t_ms, "stream.health", fields)


def play(
    rng: random.Random,
    seed: int,
    shape: Shape,
    viewers: list[Viewer],
    sessions: list[Session],
    budget: Budget,
    lineup: tuple[Product, ...],
) -> Played:
    """Play the whole show (not the refunds that come after it)."""
    sweep = _Sweep(rng, seed, shape, viewers, lineup)
    d = shape.duration_ms
    for s in sessions:
        sweep.at(s.join_ms, _JOIN, "join", s)
        sweep.at(s.leave_ms, _LEAVE, "leave", s)
        if s.reconnect_ms is not None:
            sweep.at(s.reconnect_ms, _ACT, "reconnect", s)
    for t in range(budget.count_every_ms, d, budget.count_every_ms):
        sweep.at(t, _TICK, "count")
    sweep.at(d, _TICK, "count")  # the room closes: the platform's last reading
    for t in range(budget.health_every_ms // 2, d + 1, budget.health_every_ms):
        sweep.at(t, _TICK, "health")
    for product in lineup:
        sweep.at(0, _TICK, "stock", product)
    for t in range(budget.stock_every_ms, d + 1, budget.stock_every_ms):
        sweep.at(t, _TICK, "stock")
    if shape.flash.end_ms + 500 <= d:
        sweep.at(shape.flash.end_ms + 500, _TICK, "stock", shape.flash_product)

    weights = intensity(shape, sessions)
    plan = (
        ("comment", weights.talk, budget.comments),
        ("like", weights.cheer, budget.likes),
        ("share", weights.talk, budget.shares),
        ("follow", weights.talk, budget.follows),
        ("gift", weights.cheer, budget.gifts),
        ("impression", weights.talk, budget.impressions),
        ("click", weights.talk, budget.clicks),
        ("cart", weights.talk, budget.cart_adds),
        ("order", weights.buy, budget.orders),
    )
    for kind, cumulative, n in plan:
        for t in sample_times(rng, cumulative, n, shape):
            sweep.at(t, _ACT, kind)
    flash = shape.flash
    for _ in range(budget.flash_orders):
        # Front-loaded: most of a 秒杀 sells in its first second.
        offset = int((flash.end_ms - flash.start_ms) * rng.betavariate(1.0, 3.0))
        sweep.at(min(d, flash.start_ms + offset), _ACT, "flash")
    return sweep.run()
