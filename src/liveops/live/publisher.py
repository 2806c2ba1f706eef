"""One show's live side in this process: reducer, stream and the pace of its publications.

Pacing rule: a burst of events must not become a burst of frames. Metric changes are published
at most once per `metrics_interval` (the latest values win); comments and orders are batched
into `feed` frames at most once per `feed_interval`, never dropped. When the show has been quiet,
the first change goes out on the next loop turn, so an idle console sees it at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from liveops.alerts.board import Event
from liveops.compliance.engine import Violation
from liveops.compliance.speech import speech_alert
from liveops.events import EventRecord, ms_from_iso
from liveops.live.changes import (
    ActionTaken,
    AllocationChanged,
    ShowChange,
    ShowEdited,
    StockChanged,
)
from liveops.live.channels import Audience, audience_of
from liveops.live.projection import EVERYTHING, FEED, Moved, Projection
from liveops.live.protocol import control, feed_item, freshness_json, now_ms
from liveops.live.stock import StockBoard
from liveops.live.stream import ShowStream
from liveops.metrics.formulas import Metrics
from liveops.metrics.state import ShowState


class ShowLive:
    def __init__(
        self,
        *,
        show_id: str,
        show: dict[str, Any],
        state: ShowState,
        deliver: Callable[[int, str, Audience], None],
        history_size: int,
        stream: ShowStream | None = None,
        after_metrics: Callable[[ShowLive], None] | None = None,
        metrics_interval: float,
        feed_interval: float,
        feed_max_items: int,
        feed_recent: int,
        stock: StockBoard,
        check_speech: Callable[[str], Sequence[Violation]] | None = None,
    ) -> None:
        self.show_id = show_id
        self.show = show
        self.state = state
        self.stream = stream or ShowStream(history_size)
        self._deliver = deliver
        self._after_metrics = after_metrics  # e.g. the Redis aggregator stores a snapshot
        self._metrics_interval = metrics_interval
        self._feed_interval = feed_interval
        self._feed_max_items = feed_max_items
        self._recent_feed: deque[dict[str, Any]] = deque(maxlen=feed_recent)
        self.stock = stock
        self._check_speech = check_speech
        self.projections: list[Projection] = []
        # Where event alerts go (the alerts projection, alerts/live.py; set by make_live).
        self.raise_event: Callable[[Event], None] = lambda event: None
        # Why a feed item is withheld from consoles, or None to show it (the moderation
        # projection, moderation/live.py; set by make_live). Asked as items are published, so
        # a hide or a ban that lands before the next feed frame already holds for it.
        self.feed_filter: Callable[[dict[str, Any]], str | None] = lambda item: None
        # Who reads each new comment that consoles may see (the question queue,
        # comments/live.py; set by make_live), and what it adds to the live values.
        self.on_comments: Callable[[list[EventRecord]], None] = lambda records: None
        self.comment_values: Callable[[], dict[str, Any]] = dict
        self._pending_feed: list[dict[str, Any]] = []
        # Feed items published so far, in the order they were queued: the Redis aggregator
        # maps this count back to events-stream positions (its feed mark).
        self.feed_published = 0
        self._sent_metrics: Metrics = {}
        self._last_metrics_flush = 0.0
        self._last_feed_flush = 0.0
        self._metrics_timer: asyncio.TimerHandle | asyncio.Handle | None = None
        self._feed_timer: asyncio.TimerHandle | asyncio.Handle | None = None

    # ---- input ---------------------------------------------------------------------------

    def replay_feed(self, records: Iterable[EventRecord]) -> None:
        """Fill the recent feed at load time without publishing anything."""
        for record in records:
            item = feed_item(record)
            if item is not None and self.feed_filter(item) is None:
                self._recent_feed.append(item)

    def continue_feed(self, items: Iterable[dict[str, Any]]) -> None:
        """Start the recent feed from items consoles were already sent: a handover continues
        the stream, so its snapshots must hold what was published, not what storage holds
        (less what moderation hid since)."""
        self._recent_feed.clear()
        self._recent_feed.extend(item for item in items if self.feed_filter(item) is None)

    def drop_hidden(self) -> None:
        """Moderation changed: drop what it now hides from the recent feed, so that no later
        snapshot holds it (consoles showing it already drop a hidden comment themselves, on
        the comment.hide `action` message)."""
        kept = [item for item in self._recent_feed if self.feed_filter(item) is None]
        if len(kept) == len(self._recent_feed):
            return
        self._recent_feed.clear()
        self._recent_feed.extend(kept)
        if self._after_metrics is not None:
            self._after_metrics(self)  # the Redis aggregator's stored snapshot, likewise

    def rebase(self) -> None:
        """Forget pending changes after a replay: the first snapshot already holds them."""
        self.state.take_changes()
        self._sent_metrics = self.state.metrics()

    def apply(self, records: Iterable[EventRecord]) -> None:
        """Fold newly stored events in and schedule their publications."""
        fed = False
        comments: list[EventRecord] = []
        for record in records:
            self.state.apply(record)
            item = feed_item(record)
            if item is not None:
                self._pending_feed.append(item)
                fed = True
                if record.type == "comment" and self.feed_filter(item) is None:
                    comments.append(record)
            elif record.type == "transcript" and record.text and self._check_speech:
                violations = self._check_speech(record.text)
                if violations:
                    self.raise_event(speech_alert(record.event_id, record.text, violations))
        if comments:
            self.on_comments(comments)
        if fed:
            self._schedule_feed()
        self._schedule_metrics()

    def feed(self, records: Iterable[EventRecord]) -> None:
        """Schedule the feed items of events that are folded in already (a replay from storage
        counted them) but were never published."""
        queued = len(self._pending_feed)
        for record in records:
            item = feed_item(record)
            if item is not None:
                self._pending_feed.append(item)
        if len(self._pending_feed) > queued:
            self._schedule_feed()

    def replace_state(self, state: ShowState) -> None:
        """Swap in a state rebuilt from storage. Its changes are still pending (everything the
        replay touched), so the next metrics frame carries every difference to consoles."""
        self.state = state
        self._schedule_metrics()

    def apply_change(self, change: ShowChange) -> None:
        """A committed change (live/changes.py): the one entry point for everything but
        events, in the order the changes were made."""
        match change:
            case ShowEdited():
                self.update_show(change.show, change.ended_at_us)
            case AllocationChanged():
                self.update_allocation(change.allocated)
            case StockChanged():
                self.update_stock(change.rows)
            case ActionTaken():
                self.publish_message({"type": "action", "action": change.action})
            case _:
                pass  # the rest reach consoles through the projections
        for projection in self.projections:
            projection.apply_change(change)

    def update_show(self, show: dict[str, Any], ended_at_us: int | None) -> None:
        self.show = show
        self.state.ended_at_us = ended_at_us
        self._publish(control("show", server_time=now_ms(), show=show))
        self._schedule_metrics()  # avg watch time depends on the end

    def update_stock(self, rows: list[dict[str, Any]]) -> None:
        """Newer ledger rows: levels go out with the next metrics frame, and the alerts
        projection reads the stock rules after it."""
        self.stock.update(rows, time.monotonic())
        self._schedule_metrics()

    def update_allocation(self, allocated: dict[str, int]) -> None:
        self.state.set_allocated(allocated)
        self._schedule_metrics()

    def publish_message(self, message: dict[str, Any]) -> None:
        """Publish a projection's message at once (stamped with the server time)."""
        self._publish({**message, "server_time": now_ms()})
        if self._after_metrics is not None:
            # The Redis aggregator stores a snapshot for new consoles: keep it this fresh, so
            # that one joining a quiet show does not start from long ago and a long gap.
            self._after_metrics(self)

    def live_values(self) -> dict[str, Any]:
        """What the projections read of the live state: the stock rows, viewers online (under
        `metrics`, as in a snapshot), the recent feed, the newest stream-health report, since
        when the show is live and when its newest event arrived (ms; None when not), and what
        the GMV pace needs."""
        show = self.show
        started = show.get("started_at") if show.get("status") == "live" else None
        received = [received for _, received in self.state.freshness.values()]
        return {
            "stock": self.stock.all(time.monotonic()),
            "metrics": {"online": self.state.online()},
            "feed": list(self._recent_feed),
            "stream_health": self.state.stream_health,
            "live_since_ms": None if started is None else ms_from_iso(started),
            "last_event_ms": max(received) // 1000 if received else None,
            # `gmv_pace` (alerts/signals.py): paid GMV against the target's straight line.
            "pace": {
                "target_gmv": (show.get("targets") or {}).get("gmv"),
                "planned_minutes": show.get("planned_minutes"),
                "gmv_paid": self.state.gmv_paid,
            },
            # `questions` (the top open clusters, how long the oldest has waited) and
            # `complaint_times_ms`, from the question queue.
            **self.comment_values(),
        }

    # ---- pacing --------------------------------------------------------------------------

    def _schedule_feed(self) -> None:
        if self._feed_timer is None:
            self._feed_timer = _call_after(
                self._feed_interval - (time.monotonic() - self._last_feed_flush), self.flush_feed
            )

    def _schedule_metrics(self) -> None:
        if self._metrics_timer is None:
            self._metrics_timer = _call_after(
                self._metrics_interval - (time.monotonic() - self._last_metrics_flush),
                self.flush_metrics,
            )

    def flush_feed(self) -> None:
        self._feed_timer = None
        self._last_feed_flush = time.monotonic()
        pending, self._pending_feed = self._pending_feed, []
        # An item moderation hides is never sent, but it counts as published with the items
        # around it, in order: the Redis aggregator's feed mark counts every fed event
        # (FeedLedger), and a mark that waited for a hidden item would never move again.
        shown: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        taken = 0  # items of `pending` since the last frame, hidden ones included
        for item in pending:
            taken += 1
            if self.feed_filter(item) is not None:
                continue
            items.append(item)
            if len(items) == self._feed_max_items:
                self._publish_feed(items, taken)
                shown += items
                items, taken = [], 0
        if items:
            self._publish_feed(items, taken)
            shown += items
        else:
            self.feed_published += taken  # hidden after the last frame: the next one's mark
        self._recent_feed.extend(shown)
        if shown:
            self._refresh_projections(FEED)

    def _publish_feed(self, items: list[dict[str, Any]], taken: int) -> None:
        self.feed_published += taken  # counted before delivery, which reads it
        self._publish(control("feed", server_time=now_ms(), items=items))

    def flush_metrics(self) -> None:
        self._metrics_timer = None
        self._last_metrics_flush = time.monotonic()
        changes = self.state.take_changes()
        metrics = self.state.metrics()
        changed = {k: v for k, v in metrics.items() if self._sent_metrics.get(k) != v}
        metrics_at = self.state.latest_ts_us
        stock = self.stock.take_changed(time.monotonic())
        if stock:
            self._publish(control("stock", server_time=now_ms(), items=stock))
        # A product's stock is the ledger's: its row goes out again when the ledger moves.
        skus = changes.skus | {row["sku"] for row in stock if row["sku"] in self.state.products}
        if not (changed or skus or changes.minutes or changes.families):
            if stock:
                self._refresh_projections(frozenset({"stock"}))
                if self._after_metrics is not None:
                    self._after_metrics(self)
            return
        self._sent_metrics = metrics
        message = control(
            "metrics",
            server_time=now_ms(),
            metrics=changed,
            metrics_at=None if metrics_at is None else metrics_at // 1000,
            products=self.product_rows(skus),
            series=self.state.series(changes.minutes),
            feeds=freshness_json({f: self.state.freshness[f] for f in changes.families}),
        )
        if "stream" in changes.families:
            message["stream_health"] = self.state.stream_health
        self._publish(message)
        self._refresh_projections(EVERYTHING if stock else frozenset({"metrics"}))
        if self._after_metrics is not None:
            self._after_metrics(self)

    def product_rows(self, skus: set[str] | None = None) -> list[dict[str, Any]]:
        """The products' figures, with one stock number everywhere: a SKU the stock ledger
        holds shows the ledger's `available` (what the stock panel and the prompter show), not
        the estimate from events."""
        rows: list[dict[str, Any]] = self.state.product_rows(skus)
        for row in rows:
            ledger = self.stock.rows.get(str(row["sku"]))
            if ledger is not None:
                row["stock_left"] = int(ledger["available"])
        return rows

    def _refresh_projections(self, moved: Moved) -> None:
        for projection in self.projections:
            projection.refresh(moved)

    def _publish(self, message: dict[str, Any]) -> None:
        audience = audience_of(message)
        frame = self.stream.publish(message, audience)
        self._deliver(self.stream.offset, frame, audience)

    def flush_now(self) -> None:
        """Publish everything pending at once (used before a snapshot and at shutdown)."""
        for timer in (self._feed_timer, self._metrics_timer):
            if timer is not None:
                timer.cancel()
        self.flush_feed()
        self.flush_metrics()

    def close(self) -> None:
        for timer in (self._feed_timer, self._metrics_timer):
            if timer is not None:
                timer.cancel()
        self._feed_timer = self._metrics_timer = None
        for projection in self.projections:
            projection.close()

    # ---- reading -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The full picture at the current position. Pending changes are flushed first, so
        the publications that follow the snapshot are exactly those after its offset."""
        self.flush_now()
        return self.current_snapshot()

    def current_snapshot(self) -> dict[str, Any]:
        """The snapshot at the current offset, without flushing what is pending."""
        latest = self.state.latest_ts_us
        snapshot = {
            "type": "snapshot",
            "epoch": self.stream.epoch,
            "offset": self.stream.offset,
            "server_time": now_ms(),
            "show": self.show,
            "metrics": self.state.metrics(),
            "metrics_at": None if latest is None else latest // 1000,
            "products": self.product_rows(),
            "series": self.state.series(),
            "feed": list(self._recent_feed),
            "feeds": freshness_json(self.state.freshness),
            "stream_health": self.state.stream_health,
            "stock": self.stock.all(time.monotonic()),
            "alerts": [],
            "prompter": None,
            "cues": [],
        }
        for projection in self.projections:
            snapshot.update(projection.snapshot_part())
        return snapshot


def _call_after(delay: float, callback: Any) -> asyncio.TimerHandle | asyncio.Handle:
    loop = asyncio.get_running_loop()
    if delay <= 0:
        return loop.call_soon(callback)
    return loop.call_later(delay, callback)
