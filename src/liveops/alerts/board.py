"""A show's alerts on the live side: which are out, and what each reading or event does to them.
Pure: the caller gives the clock, stores what fires and resolves, and publishes the alerts.

Every method returns the alerts that changed, as the API shows them (alerts/schemas.py
`AlertRead`, as JSON), each tagged with what happened: `fired` (store it), `resolved` (its
condition cleared: store that), `updated` (an operator acknowledged or resolved it, or it
escalated: already stored, or not stored at all for an escalation). One open alert per rule and
subject, as storage keeps it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from liveops.alerts.evaluate import Key, evaluate
from liveops.alerts.machine import Phase, Transition, Watch
from liveops.alerts.rules import Rule
from liveops.alerts.signals import Reading
from liveops.events import iso, parse_iso

Alert = dict[str, Any]
_UP = {"info": "warning", "warning": "critical", "critical": "critical"}


@dataclass(frozen=True, slots=True)
class Event:
    """What an event rule's alert says: raised by the live side when its event happens."""

    rule: str
    subject: str  # one open alert per rule and subject (the cue, the segment, the line)
    message: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Change:
    what: Literal["fired", "resolved", "updated"]
    alert: Alert


def _seconds(later: datetime, since: str) -> float:
    return round(max(0.0, (later - parse_iso(since)).total_seconds()), 3)


def message_for(rule: Rule, subject: str, value: float, detail: Mapping[str, Any]) -> str:
    """What a signal rule's alert says, Chinese then English."""
    window = f"{rule.window_seconds:.0f}"
    match rule.name:
        case "low_stock":
            left = detail.get("available", "?")
            return f"{subject} 库存紧张：剩 {left} 件 / low stock: {left} left"
        case "sold_out":
            return f"{subject} 已售罄 / sold out"
        case "stream_unhealthy":
            return f"推流卡顿率 {value:.0%} / the stream stalls {value:.0%} of the time"
        case "stale_feed":
            return f"{value:.0f} 秒没有收到任何事件 / no events for {value:.0f} s"
        case "online_drop":
            return (
                f"在线人数 {window} 秒内下降 {value:.0%} / viewers down {value:.0%} in {window} s"
            )
        case "complaint_spike":
            return (
                f"{window} 秒内 {value:.0f} 条投诉类评论 / {value:.0f} complaint-like comments "
                f"in {window} s"
            )
        case "gmv_pace":
            return f"成交落后目标进度 {value:.0%} / paid GMV {value:.0%} behind the target's pace"
        case _:
            return f"{rule.name}: {value:g}"


class AlertBoard:
    def __init__(
        self, rules: Mapping[str, Rule], open_alerts: Iterable[Alert], *, recent: int = 50
    ) -> None:
        self.rules = dict(rules)
        self._open: dict[Key, Alert] = {}
        self._resolved: deque[Alert] = deque(maxlen=recent)
        self._watches: dict[Key, Watch] = {}
        self._escalated: set[str] = set()
        for alert in open_alerts:
            key = (alert["rule"], alert["subject"])
            self._open[key] = dict(alert)
            # Out already: its watch starts firing, so that it resolves when its condition
            # clears rather than firing a second time.
            self._watches[key] = Watch(Phase.FIRING, 0.0)

    # ---- what happens --------------------------------------------------------------------

    def observe(
        self,
        readings: Iterable[Reading],
        now: datetime,
        clock: float,
        new_id: Callable[[], str],
    ) -> list[Change]:
        """One round of readings (`clock`: monotonic seconds for the pending and recovery
        periods; `new_id()` names a new alert)."""
        readings = list(readings)
        details = {(r.rule, r.subject): r.detail or {} for r in readings}
        changes: list[Change] = []
        for outcome in evaluate(self.rules, readings, self._watches, clock):
            rule, subject = outcome.rule, outcome.subject
            key = (rule.name, subject)
            if outcome.transition is Transition.FIRE:
                detail = dict(details.get(key, {}))
                message = message_for(rule, subject, outcome.value, detail)
                sku = sku_of(rule, subject)
                fired = self._fire(
                    rule, subject, message, now, new_id(), outcome.value, detail, sku
                )
                if fired is not None:
                    changes.append(fired)
            else:
                resolved = self._resolve(key, now)
                if resolved is not None:
                    changes.append(resolved)
        return changes

    def event(
        self,
        rule_name: str,
        subject: str,
        message: str,
        now: datetime,
        new_id: str,
        *,
        value: float | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> Change | None:
        """An event rule's alert (compliance, cue_unacked, segment_overrun): fired unless the
        rule is off or the same subject's alert is out already."""
        rule = self.rules.get(rule_name)
        if rule is None or not rule.enabled:
            return None
        return self._fire(rule, subject, message, now, new_id, value, dict(detail or {}), None)

    def changed(self, alert: Alert) -> Change:
        """An operator acknowledged or resolved it (the stored record). What only this side
        knows stays: that it resolved by itself (its write may still be on the way, so the
        stored record can say `acknowledged`), and that it escalated (never stored)."""
        key = (alert["rule"], alert["subject"])
        known = self._open.get(key)
        if known is not None and known["id"] != alert["id"]:
            known = None
        resolved_here = next((a for a in self._resolved if a["id"] == alert["id"]), None)
        merged = dict(alert)
        held = known or resolved_here
        if held is not None and held["detail"].get("escalated"):
            merged.update(severity=held["severity"], roles=held["roles"], detail=held["detail"])
        if resolved_here is not None and merged["state"] != "resolved":
            for name in ("state", "resolved_at", "resolved_by", "resolve_seconds"):
                merged[name] = resolved_here[name]
        if merged["state"] == "resolved":
            if known is not None:
                del self._open[key]
            self._resolved = deque(
                [a for a in self._resolved if a["id"] != alert["id"]], self._resolved.maxlen
            )
            self._resolved.append(merged)
        else:
            self._open[key] = merged
        return Change("updated", dict(merged))

    def escalate(self, now: datetime) -> list[Change]:
        """Alerts left unacknowledged past their rule's `escalate_after_seconds` go one level
        up and to operations too, once."""
        changes: list[Change] = []
        for key, alert in self._open.items():
            rule = self.rules.get(key[0])
            after = None if rule is None else rule.escalate_after_seconds
            if (
                after is None
                or alert["state"] != "firing"
                or alert["id"] in self._escalated
                or _seconds(now, alert["fired_at"]) < after
            ):
                continue
            self._escalated.add(alert["id"])
            alert["severity"] = _UP[alert["severity"]]
            if "operations" not in alert["roles"]:
                alert["roles"] = [*alert["roles"], "operations"]
            alert["detail"] = {**alert["detail"], "escalated": True}
            changes.append(Change("updated", dict(alert)))
        return changes

    def set_rules(self, rules: Mapping[str, Rule], now: datetime) -> list[Change]:
        """New rules for the show. A rule switched off takes its open alert with it (resolved,
        as if its condition cleared) and forgets its watches."""
        self.rules = dict(rules)
        changes: list[Change] = []
        for key in [k for k in self._open if not self._on(k[0])]:
            resolved = self._resolve(key, now)
            if resolved is not None:
                changes.append(resolved)
        for key in [k for k in self._watches if not self._on(k[0])]:
            del self._watches[key]
        return changes

    # ---- reading -------------------------------------------------------------------------

    def alerts(self) -> list[Alert]:
        """The open alerts and the recently resolved ones, oldest first."""
        every = [*self._resolved, *self._open.values()]
        return sorted(every, key=lambda alert: alert["fired_at"])

    def open(self) -> list[Alert]:
        return list(self._open.values())

    # ---- inner workings ------------------------------------------------------------------

    def _on(self, rule_name: str) -> bool:
        rule = self.rules.get(rule_name)
        return rule is not None and rule.enabled

    def _fire(
        self,
        rule: Rule,
        subject: str,
        message: str,
        now: datetime,
        alert_id: str,
        value: float | None,
        detail: dict[str, Any],
        sku: str | None,
    ) -> Change | None:
        key = (rule.name, subject)
        if key in self._open:
            return None
        alert: Alert = {
            "id": alert_id,
            "rule": rule.name,
            "subject": subject,
            "severity": rule.severity,
            "state": "firing",
            "roles": list(rule.roles),
            "message": message,
            "value": value,
            "threshold": rule.threshold,
            "sku": sku,
            "fired_at": iso(now),
            "acked_at": None,
            "resolved_at": None,
            "acked_by": None,
            "resolved_by": None,
            "ack_seconds": None,
            "resolve_seconds": None,
            "detail": detail,
        }
        self._open[key] = alert
        return Change("fired", dict(alert))

    def _resolve(self, key: Key, now: datetime) -> Change | None:
        alert = self._open.pop(key, None)
        if alert is None:
            return None  # resolved by hand already: nothing more to say
        alert["state"] = "resolved"
        alert["resolved_at"] = iso(now)
        alert["resolve_seconds"] = _seconds(now, alert["fired_at"])
        self._resolved.append(alert)
        return Change("resolved", dict(alert))


def sku_of(rule: Rule, subject: str) -> str | None:
    return subject if rule.name in ("low_stock", "sold_out") else None
