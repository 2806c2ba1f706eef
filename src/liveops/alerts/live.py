"""A show's alerts on the live websocket (contract §12): a projection (live/projection.py).

The board (alerts/board.py) decides; this module feeds it and carries out what it decides:
- readings of every signal rule once a second, and of the stock rules after every stock
  change (so `low_stock` fires within a metrics interval of the ledger moving);
- event alerts raised by the other projections and by ingest (`raise_event`);
- operators' acknowledgements and resolutions (`AlertChanged`) and new rules
  (`AlertRulesChanged`, read again from storage);
- every alert that fires or resolves is stored (one writer task, in order, off the hot path)
  and published at once as an `alert` message to the roles in its `roles`.

An alert message carries the alert as the API shows it, plus the fields consoles built before
contract §12 read (`kind`, `text`, `ts`, `available`, and the detail's `line`, `violations`,
`cue_id`, `segment_id`), so that both read the same message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from liveops.alerts import repository as alerts_repository, service
from liveops.alerts.board import Alert, AlertBoard, Change, Event
from liveops.alerts.rules import Rule
from liveops.alerts.signals import (
    OnlineHistory,
    Reading,
    complaint_reading,
    pace_reading,
    stale_reading,
    stock_readings,
    stream_reading,
    unanswered_reading,
)
from liveops.config import Settings
from liveops.events import ms_from_iso, parse_iso, utc_now
from liveops.live.changes import AlertChanged, AlertRulesChanged, ShowChange
from liveops.live.projection import Moved
from liveops.storage.db import Transaction

log = logging.getLogger("liveops.alerts")

TICK_SECONDS = 1.0
WRITES_MAX = 1_000  # alerts waiting to be stored; past it, the newest is dropped (and logged)
_LEGACY_DETAIL = ("line", "violations", "cue_id", "segment_id", "available")


def alert_on_wire(alert: Alert) -> dict[str, Any]:
    """An alert as consoles get it, in a snapshot's `alerts` and in `alert` messages."""
    detail = alert["detail"]
    shown: dict[str, Any] = {
        **alert,
        "kind": alert["rule"],
        "text": alert["message"],
        "ts": ms_from_iso(alert["fired_at"]),
    }
    for name in _LEGACY_DETAIL:
        shown[name] = detail.get(name)
    return shown


def alert_message(alert: Alert) -> dict[str, Any]:
    """The `alert` message of an alert (without position and server time)."""
    return {"type": "alert", **alert_on_wire(alert)}


def readings(
    rules: Mapping[str, Rule],
    values: Mapping[str, Any],
    online: OnlineHistory,
    now_ms: int,
    clock: float,
) -> list[Reading]:
    """Every signal rule's reading from the live values (see ShowLive.live_values)."""
    found = stock_readings(values.get("stock") or [])
    stream = rules.get("stream_unhealthy")
    if stream is not None:
        reading = stream_reading(values.get("stream_health"), now_ms, stream.window_seconds)
        if reading is not None:
            found.append(reading)
    stale = stale_reading(values.get("live_since_ms"), values.get("last_event_ms"), now_ms)
    if stale is not None:
        found.append(stale)
    viewers = (values.get("metrics") or {}).get("online")
    if values.get("live_since_ms") is not None and viewers is not None:
        online.add(clock, int(viewers))
        drop = online.reading()
        if drop is not None:
            found.append(drop)
    complaints = rules.get("complaint_spike")
    if complaints is not None:
        found.append(
            complaint_reading(
                values.get("complaint_times_ms") or (), now_ms, complaints.window_seconds
            )
        )
    if "question_unanswered" in rules and "questions" in values:
        found.append(unanswered_reading(values["questions"].get("oldest_open_seconds")))
    pace = values.get("pace") or {}
    behind = pace_reading(
        pace.get("target_gmv"),
        pace.get("planned_minutes"),
        values.get("live_since_ms"),
        now_ms,
        int(pace.get("gmv_paid") or 0),
    )
    if behind is not None:
        found.append(behind)
    return found


async def show_rules(session: AsyncSession, show_id: str, settings: Settings) -> dict[str, Rule]:
    """The show's rules: the shipped defaults, under the deployment's settings
    (`low_stock_ratio`, `cue_escalate_seconds`), under the show's own overrides."""
    base: dict[str, dict[str, Any]] = {
        "low_stock": {"threshold": settings.low_stock_ratio},
        "cue_unacked": {"threshold": settings.cue_escalate_seconds},
    }
    stored = await alerts_repository.rules(session, show_id)
    for name, fields in (stored.overrides if stored is not None else {}).items():
        base[name] = {**base.get(name, {}), **fields}
    return service.rules_of_overrides(base, show_id)


class AlertWriter:
    """Stores what the board decides, in order, one transaction each, off the hot path."""

    def __init__(self, write: Transaction, show_id: str) -> None:
        self._write_through = write
        self._show_id = show_id
        self._queue: asyncio.Queue[Change] = asyncio.Queue(WRITES_MAX)
        self._task: asyncio.Task[None] | None = None
        self._stored_as: dict[str, str] = {}  # our id → the stored alert's, where they differ

    def put(self, change: Change) -> None:
        if change.what == "updated":
            return  # an operator's change is stored already; an escalation is not kept
        try:
            self._queue.put_nowait(change)
        except asyncio.QueueFull:
            log.error("show %s: alert %s not stored (writer behind)", self._show_id, change.alert)
            return
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while not self._queue.empty():
            change = self._queue.get_nowait()
            for attempt in range(3):
                try:
                    await self._store(change)
                    break
                except Exception:
                    log.exception(
                        "show %s: storing alert %s failed (attempt %d of 3)",
                        self._show_id,
                        change.alert["id"],
                        attempt + 1,
                    )
                    await asyncio.sleep(0.5 * 2**attempt)

    async def _store(self, change: Change) -> None:
        alert = change.alert
        async with self._write_through() as session:
            if change.what == "fired":
                stored = await service.fire(session, self._show_id, new_alert(alert))
                if stored.id != alert["id"]:
                    # Storage held an open alert of that rule and subject already (fired by
                    # a process that had the show before): resolving ours resolves that one.
                    self._stored_as[alert["id"]] = stored.id
            else:
                resolved_at = parse_iso(alert["resolved_at"])
                alert_id = self._stored_as.pop(alert["id"], alert["id"])
                await service.resolve_auto(session, self._show_id, alert_id, resolved_at)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()


def new_alert(alert: Alert) -> service.NewAlert:
    return service.NewAlert(
        id=alert["id"],
        rule=alert["rule"],
        severity=alert["severity"],
        roles=alert["roles"],
        message=alert["message"],
        fired_at=parse_iso(alert["fired_at"]),
        subject=alert["subject"],
        value=alert["value"],
        threshold=alert["threshold"],
        sku=alert["sku"],
        detail=alert["detail"],
    )


class AlertsProjection:
    keys = ("alerts",)

    def __init__(
        self,
        *,
        show_id: str,
        board: AlertBoard,
        values: Callable[[], Mapping[str, Any]],
        publish: Callable[[dict[str, Any]], None],
        store: Callable[[Change], None],
        load_rules: Callable[[], Awaitable[dict[str, Rule]]],
        close: Callable[[], None] = lambda: None,
        now: Callable[[], datetime] = utc_now,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.show_id = show_id
        self.board = board
        self._values = values
        self._publish = publish
        self._store = store
        self._load_rules = load_rules
        self._on_close = close
        self._now = now
        self._clock = clock
        online = board.rules.get("online_drop")
        self._online = OnlineHistory(online.window_seconds if online else 60)
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    # ---- the projection ------------------------------------------------------------------

    def start(self) -> None:
        self._tick_later()

    def apply_change(self, change: ShowChange) -> None:
        if isinstance(change, AlertChanged):
            self._carry_out([self.board.changed(change.alert)])
        elif isinstance(change, AlertRulesChanged):
            task = asyncio.get_running_loop().create_task(self._reload_rules())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def refresh(self, moved: Moved) -> None:
        """The stock moved: the stock rules read again at once (the others once a second)."""
        if self._closed or "stock" not in moved:
            return
        values = self._values()
        found = stock_readings(values.get("stock") or [])
        self._carry_out(self.board.observe(found, self._now(), self._clock(), service.new_alert_id))

    def snapshot_part(self) -> dict[str, Any]:
        return {"alerts": [alert_on_wire(a) for a in self.board.alerts()]}

    def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        for task in self._tasks:
            task.cancel()
        self._on_close()

    # ---- raising -------------------------------------------------------------------------

    def raise_event(self, event: Event) -> None:
        """An event rule's alert (compliance, cue_unacked, segment_overrun)."""
        change = self.board.event(
            event.rule,
            event.subject,
            event.message,
            self._now(),
            service.new_alert_id(),
            value=event.value,
            detail=event.detail,
        )
        if change is not None:
            self._carry_out([change])

    def event_threshold(self, rule: str, default: float) -> float:
        """An event rule's threshold for this show (how long a cue may stay open)."""
        found = self.board.rules.get(rule)
        return default if found is None or found.threshold is None else found.threshold

    # ---- inner workings ------------------------------------------------------------------

    def _carry_out(self, changes: list[Change]) -> None:
        for change in changes:
            self._store(change)
            self._publish(alert_message(change.alert))

    async def _reload_rules(self) -> None:
        try:
            rules = await self._load_rules()
        except Exception:
            log.exception("show %s: reading the alert rules failed", self.show_id)
            return
        if not self._closed:
            self._carry_out(self.board.set_rules(rules, self._now()))
            drop = rules.get("online_drop")
            if drop is not None and drop.window_seconds != self._online.window_seconds:
                self._online = OnlineHistory(drop.window_seconds)  # a new window: start over

    def _tick_later(self) -> None:
        if not self._closed:
            self._timer = asyncio.get_running_loop().call_later(TICK_SECONDS, self._tick)

    def _tick(self) -> None:
        try:
            now = self._now()
            now_ms = int(now.timestamp() * 1000)
            clock = self._clock()
            found = readings(self.board.rules, self._values(), self._online, now_ms, clock)
            changes = self.board.observe(found, now, clock, service.new_alert_id)
            self._carry_out(changes + self.board.escalate(now))
        except Exception:  # a bug here must not stop the alerts for every later second
            log.exception("show %s: the alerts' second failed", self.show_id)
        finally:
            self._tick_later()
