"""Playing the show: one time-ordered sweep that turns the shape and the viewers' stays into
events, so that every action is taken by someone in the room at the time, orders follow clicks
on the pinned product, payments follow orders, and stock runs out when it should.

Stock is kept by the server's ledger rules (docs/stock.md): an order holds its units from its
creation (the storefront reserves them), a payment sells them, a cancellation gives them back,
and the 秒杀 refuses orders between its announcement and its start and sells at most its cap.
The plan's orders are then the ones the server's reservations take, but for the timing of a
few at a sell-out edge, which the runner settles with the server's answer."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from liveops.comments.intents import Intent
from liveops.simulate import scripts, texts
from liveops.simulate.budget import Budget
from liveops.simulate.lineup import Product
from liveops.simulate.scripts import CueKind, PlannedCue, PlannedSegment
from liveops.simulate.timeline import Session, Shape, Viewer, intensity, sample_times

Raw = tuple[int, str, str, dict[str, Any]]
"""An event before it has an id and a ts: (t_ms, type, source, type fields)."""

# At one instant: arrivals, then actions, then departures, then the platform's readings, so a
# viewer.count equals the presence a recount sees after every event of that ts. A flash sale's
# start and stop come first: the server's clock decides them before any order of that instant.
_SALE, _JOIN, _ACT, _LEAVE, _TICK = -1, 0, 1, 2, 3


@dataclass(slots=True)
class Order:
    """An order placed during the show; paid ones are what the refunds are drawn from."""

    order_id: str
    viewer: int
    product: Product
    qty: int
    amount: int
    in_sale: bool = False  # taken from the running 秒杀's cap


@dataclass(slots=True)
class _Stock:
    """One SKU of the ledger as the server keeps it: ``sellable`` is its ``available``."""

    allocated: int
    sold: int = 0
    reserved: int = 0
    sale_left: int | None = None  # the announced 秒杀's cap not yet taken; None: no sale

    @property
    def sellable(self) -> int:
        return self.allocated - self.sold - self.reserved

    def buyable(self, *, sale_running: bool) -> int:
        """What one more order can get: a running sale's cap bounds it too."""
        if sale_running and self.sale_left is not None:
            return min(self.sellable, self.sale_left)
        return self.sellable


@dataclass(slots=True)
class Played:
    """The show as played: raw events in time order, and what the refunds are drawn from."""

    events: list[Raw] = field(default_factory=list)
    paid: list[Order] = field(default_factory=list)
    flash_orders: int = 0
    flash_cap: int = 0  # the units the 秒杀 offers, fixed when it is announced
    cues: list[PlannedCue] = field(default_factory=list)
    lines: int = 0  # transcript lines
    slips: int = 0  # of which break the compliance rules
    intents: dict[int, Intent] = field(default_factory=dict)  # comment's index in events


class _Sweep:
    def __init__(
        self,
        rng: random.Random,
        seed: int,
        shape: Shape,
        viewers: list[Viewer],
        lineup: tuple[Product, ...],
        rundown: tuple[PlannedSegment, ...],
    ) -> None:
        self.rng = rng
        self.seed = seed
        self.shape = shape
        self.viewers = viewers
        self.lineup = lineup
        self.rundown = rundown
        self.rundown_starts = [s.window.start_ms for s in rundown]
        # A short show is a compressed long one: the anchor reads a cue in proportion.
        self.compress = min(1.0, shape.duration_ms / 120_000)
        self.cued: set[tuple[str, CueKind]] = set()
        # Field control points at the comments in about half the product segments.
        self.ask = {s.id for s in rundown if s.product is not None and rng.random() < 0.5}
        self.last_question: str | None = None
        self.said: dict[tuple[str, str], int] = {}
        self.slip_lines: set[int] = set()
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
        self.restocking: set[str] = set()  # SKUs whose 补货 is on its way
        self.restock_lead_ms = 0  # how long the warehouse takes to send more
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
        if category is None and t_ms in self.shape.warmup and self.rng.random() < 0.4:
            category = "greeting"  # the room fills up and says hello before the first pitch
        if category is None:
            category = texts.pick_category(self.rng, product, in_flash=t_ms in self.shape.flash)
        viewer = self.pick_from(self.recent_buyers if category == "intent" else None)
        if viewer is None:
            return
        text = self.comment(t_ms, viewer, category, product)
        if texts.asks(category):  # a question the anchor may quote
            self.last_question = text
            segment = self.segment_on_air(t_ms)
            if segment.id in self.ask and segment.stage_at(t_ms) in ("push", "welfare"):
                self.cue(t_ms, "question")

    def comment(self, t_ms: int, viewer: int, category: texts.Category, product: Product) -> str:
        """Say a comment of ``category`` about ``product``, and keep the intent it has."""
        text = texts.comment_text(self.rng, category, product)
        self.played.intents[len(self.played.events)] = texts.INTENT_OF[category]
        self.emit(t_ms, "comment", {"viewer_id": self.vid(viewer), "text": text})
        return text

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
        """Place an order if the storefront would reserve it; otherwise the viewer complains
        in the comments (a 秒杀 link before its start is still closed: not_started)."""
        stock = self.stock[product.sku]
        shape = self.shape
        flash = product is shape.flash_product
        if flash and shape.flash_announced_ms <= t_ms < shape.flash.start_ms:
            miss = "flash_wait"
        in_sale = flash and t_ms in shape.flash
        if miss == "flash_wait" or stock.buyable(sale_running=in_sale) < qty:
            self.comment(t_ms, viewer, miss, product)
            return None
        stock.reserved += qty
        if in_sale and stock.sale_left is not None:
            stock.sale_left -= qty
        if stock.sellable * 2 < stock.allocated and self.segment_on_air(t_ms).product is product:
            self.cue(t_ms, "stock")
        order = Order(
            f"DD{self.seed}-{self.next_order:07d}", viewer, product, qty, amount, in_sale=in_sale
        )
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
        stock = self.stock[order.product.sku]
        stock.reserved -= order.qty
        # Units given back while their sale runs go back into its cap (docs/stock.md).
        if order.in_sale and t_ms in self.shape.flash and stock.sale_left is not None:
            stock.sale_left += order.qty
        self.emit(t_ms, "order.cancelled", {"order_id": order.order_id})

    # -- systems ----------------------------------------------------------------------------

    def _on_announce(self, t_ms: int, _: None) -> None:
        """Field control schedules the 秒杀 with what is on hand as its cap."""
        stock = self.stock[self.shape.flash_product.sku]
        # The API takes a cap of at least one unit.
        stock.sale_left = self.played.flash_cap = max(1, stock.sellable)

    def _on_sale_end(self, t_ms: int, _: None) -> None:
        self.stock[self.shape.flash_product.sku].sale_left = None

    def _on_stock(self, t_ms: int, product: Product | None) -> None:
        """The warehouse looks at the product on air; one running low gets more (补货), which
        arrives a look later, so the consoles see it run low (and maybe out) first. The 福利款
        is the 秒杀's: selling out is its story."""
        product = product or self.shape.segment_at(t_ms).product
        stock = self.stock[product.sku]
        if (
            product is not self.shape.flash_product
            and product.sku not in self.restocking
            and stock.sellable < product.allocated_stock // 10
        ):
            self.restocking.add(product.sku)
            self.later(t_ms + self.restock_lead_ms, "restock", product)

    def _on_restock(self, t_ms: int, product: Product) -> None:
        self.restocking.discard(product.sku)
        self.stock[product.sku].allocated += product.allocated_stock
        self.erp_count(t_ms, product)

    def erp_count(self, t_ms: int, product: Product) -> None:
        """The ERP's count (`stock.set`): every product's at the start, then at each restock.
        It never re-reads the stock during the show: the ledger is the count of record then,
        and a reading would undo the orders in flight."""
        if (product.sku, t_ms) in self.stock_set_at:  # its ts is its version: one per instant
            return
        self.stock_set_at.add((product.sku, t_ms))
        # What is free to sell: the ledger keeps what buyers hold beside it.
        fields = {"sku": product.sku, "available": self.stock[product.sku].sellable}
        self.emit(t_ms, "stock.set", fields, source="erp")

    def _on_erp(self, t_ms: int, product: Product) -> None:
        self.erp_count(t_ms, product)

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

    # -- on air: the run-sheet, the anchor's speech, field control's cues -------------------

    def segment_on_air(self, t_ms: int) -> PlannedSegment:
        index = bisect.bisect_right(self.rundown_starts, t_ms) - 1
        return self.rundown[max(0, index)]

    def cue(self, t_ms: int, kind: CueKind) -> None:
        """Field control sends a cue of ``kind`` (once per segment), the anchor reads it within
        2–8 s (compressed in a short show) and says so on air a moment later."""
        segment = self.segment_on_air(t_ms)
        if (segment.id, kind) in self.cued:
            return
        self.cued.add((segment.id, kind))
        text, reply = scripts.CUES[kind]
        ack_ms = max(50, round(self.rng.uniform(2_000, 8_000) * self.compress))
        self.played.cues.append(PlannedCue(t_ms / 1000, kind, text, ack_ms / 1000, segment.id))
        pause = round(self.rng.uniform(300, 1_500) * self.compress)
        self.later(t_ms + ack_ms + pause, "reply", reply)

    def _on_cue(self, t_ms: int, kind: CueKind) -> None:
        self.cue(t_ms, kind)

    def _on_reply(self, t_ms: int, text: str) -> None:
        self.say(t_ms, scripts.roughen(self.rng, text))

    def say(self, t_ms: int, text: str) -> None:
        self.played.lines += 1
        self.emit(t_ms, "transcript", {"text": text})

    def _on_line(self, t_ms: int, number: int) -> None:
        segment = self.segment_on_air(t_ms)
        if number in self.slip_lines:
            self.played.slips += 1
            text = scripts.slip(self.rng, segment.product)
        elif self.rng.random() < 0.15:
            text = self.rng.choice(scripts.FILLERS)
        else:
            text = self.script_line(t_ms, segment)
        self.say(t_ms, scripts.roughen(self.rng, text))

    def script_line(self, t_ms: int, segment: PlannedSegment) -> str:
        """The next line of the segment's script for the beat on air, read out with what the
        anchor sees now; a line about a question waits until someone has asked one."""
        stage = segment.stage_at(t_ms)
        recap = scripts.RECAP.get(stage, ())
        if recap and self.rng.random() < scripts.RECAP_SHARE:
            stage = self.rng.choice(recap)
        lines = [
            line.text
            for line in segment.lines
            if line.stage == stage and (self.last_question or "{top_question}" not in line.text)
        ]
        if not lines:
            return self.rng.choice(scripts.FILLERS)
        key = (segment.id, stage)
        turn = self.said.get(key, 0)
        self.said[key] = turn + 1
        values = {
            "online": scripts.spoken_count(len(self.present)),
            "countdown": scripts.spoken_duration(segment.window.end_ms - t_ms),
            "top_question": self.last_question or "",
        }
        product = segment.product
        if product is not None:
            stock = self.stock[product.sku]
            values |= {
                "price": scripts.spoken_price(product.list_price),
                "live_price": scripts.spoken_price(product.live_price),
                "stock_left": str(max(0, stock.buyable(sale_running=t_ms in self.shape.flash))),
                "sold": str(stock.sold),
            }
        return scripts.speak(lines[turn % len(lines)], values)


def play(
    rng: random.Random,
    seed: int,
    shape: Shape,
    viewers: list[Viewer],
    sessions: list[Session],
    budget: Budget,
    lineup: tuple[Product, ...],
    rundown: tuple[PlannedSegment, ...],
) -> Played:
    """Play the whole show (not the refunds that come after it), on air by ``rundown``."""
    sweep = _Sweep(rng, seed, shape, viewers, lineup, rundown)
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
        sweep.at(0, _TICK, "erp", product)
    sweep.restock_lead_ms = budget.stock_every_ms
    for t in range(budget.stock_every_ms, d + 1, budget.stock_every_ms):
        sweep.at(t, _TICK, "stock")
    sweep.at(shape.flash_announced_ms, _SALE, "announce")
    sweep.at(shape.flash.end_ms, _SALE, "sale_end")
    _speech_and_cues(rng, sweep, shape, budget)

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


def _speech_and_cues(rng: random.Random, sweep: _Sweep, shape: Shape, budget: Budget) -> None:
    """Schedule the anchor's lines, which of them slip (about 1 in 40), and the cues field
    control sends at set moments; the stock and question cues come from the sweep itself."""
    every = budget.line_every_ms
    for number in range(budget.lines):
        t = (number + 1) * every - rng.randrange(max(1, every // 3))
        sweep.at(t, _ACT, "line", number)
    if budget.lines >= 20:
        # At least one, so that every demo of some length shows a compliance alert.
        slips = max(1, round(budget.lines / 40))
        sweep.slip_lines = set(rng.sample(range(budget.lines), slips))
    warmup, closing, flash, stall = shape.warmup, shape.closing, shape.flash, shape.stall
    sweep.at(warmup.start_ms + (warmup.end_ms - warmup.start_ms) * 2 // 5, _ACT, "cue", "lucky_bag")
    flash_segment = sweep.segment_on_air(flash.start_ms).window
    lead = min(5_000, (flash.start_ms - flash_segment.start_ms) // 3)
    sweep.at(flash.start_ms - lead, _ACT, "cue", "flash")
    sweep.at(
        stall.start_ms + min(1_500, (stall.end_ms - stall.start_ms) // 3), _ACT, "cue", "stall"
    )
    sweep.at(closing.start_ms + (closing.end_ms - closing.start_ms) // 5, _ACT, "cue", "closing")
