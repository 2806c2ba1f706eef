"""A show's stock as its consoles see it: the newest ledger row of each SKU, its sell-out
forecast, and the alerts that level changes cross into. Pure: the caller gives the clock and
publishes what comes back."""

from __future__ import annotations

from collections import deque
from typing import Any

from liveops.inventory.ledger import SellOutForecast, stock_alert

# Who can act on a stock alert: field control paces the show, the assistant tells viewers.
STOCK_ALERT_ROLES = ["field_control", "assistant"]
_SEVERITY = {"sold_out": "critical", "low_stock": "warning"}
_TEXT = {
    "sold_out": "{sku} 已售罄 / sold out",
    "low_stock": "{sku} 库存紧张：剩 {available} 件 / low stock: {available} left",
}


class StockBoard:
    def __init__(self, low_stock_ratio: float, recent_alerts: int = 50) -> None:
        self._ratio = low_stock_ratio
        self.rows: dict[str, dict[str, Any]] = {}
        self._forecasts: dict[str, SellOutForecast] = {}
        self.alerts: deque[dict[str, Any]] = deque(maxlen=recent_alerts)
        self.changed: set[str] = set()

    def load(self, rows: list[dict[str, Any]], now: float) -> None:
        """The ledger as stored, at load time: no alerts, nothing to publish."""
        for row in rows:
            self.rows[row["sku"]] = row
            self._forecast(row["sku"]).observe(now, row["reserved"] + row["sold"])

    def update(self, rows: list[dict[str, Any]], now: float, now_ms: int) -> list[dict[str, Any]]:
        """Take newer rows in (older revisions are ignored); returns the alerts to publish."""
        alerts: list[dict[str, Any]] = []
        for row in rows:
            sku = row["sku"]
            previous = self.rows.get(sku)
            if previous is not None and row["rev"] < previous["rev"]:
                continue  # a notification that arrived after a newer one
            kind = stock_alert(
                None if previous is None else _left(previous),
                _left(row),
                _basis(row),
                self._ratio,
            )
            self.rows[sku] = row
            self._forecast(sku).observe(now, row["reserved"] + row["sold"])
            self.changed.add(sku)
            if kind is not None:
                alert = {
                    "kind": kind,
                    "severity": _SEVERITY[kind],
                    "roles": STOCK_ALERT_ROLES,
                    "sku": sku,
                    "available": _left(row),
                    "text": _TEXT[kind].format(sku=sku, available=_left(row)),
                    "ts": now_ms,
                }
                self.alerts.append(alert)
                alerts.append(alert)
        return alerts

    def take_changed(self, now: float) -> list[dict[str, Any]]:
        changed, self.changed = self.changed, set()
        return [self.view(sku, now) for sku in sorted(changed) if sku in self.rows]

    def view(self, sku: str, now: float) -> dict[str, Any]:
        row = self.rows[sku]
        forecast = self._forecast(sku)
        seconds = forecast.seconds_to_zero(_left(row), now)
        return row | {
            "units_per_minute": round(forecast.units_per_second(now) * 60, 2),
            "sell_out_in_seconds": None if seconds is None else round(seconds, 1),
        }

    def all(self, now: float) -> list[dict[str, Any]]:
        return [self.view(sku, now) for sku in sorted(self.rows)]

    def _forecast(self, sku: str) -> SellOutForecast:
        forecast = self._forecasts.get(sku)
        if forecast is None:
            forecast = self._forecasts[sku] = SellOutForecast()
        return forecast


def _left(row: dict[str, Any]) -> int:
    """What buyers can still get: a running flash sale's remaining, else what is available."""
    sale = row.get("flash_sale")
    return int(sale["remaining"]) if sale else int(row["available"])


def _basis(row: dict[str, Any]) -> int:
    """What 'low' is a share of: the flash sale's cap, else the allocation."""
    sale = row.get("flash_sale")
    return int(sale["cap"]) if sale else int(row["allocated"])
