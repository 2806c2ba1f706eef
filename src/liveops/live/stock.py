"""A show's stock as its consoles see it: the newest ledger row of each SKU and its sell-out
forecast. Pure: the caller gives the clock. (Stock alerts are the alert rules', alerts/.)"""

from __future__ import annotations

from typing import Any

from liveops.inventory.ledger import SellOutForecast


class StockBoard:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self._forecasts: dict[str, SellOutForecast] = {}
        self.changed: set[str] = set()

    def load(self, rows: list[dict[str, Any]], now: float) -> None:
        """The ledger as stored, at load time: nothing to publish."""
        for row in rows:
            self.rows[row["sku"]] = row
            self._forecast(row["sku"]).observe(now, row["reserved"] + row["sold"])

    def update(self, rows: list[dict[str, Any]], now: float) -> None:
        """Take newer rows in (older revisions are ignored)."""
        for row in rows:
            sku = row["sku"]
            previous = self.rows.get(sku)
            if previous is not None and row["rev"] < previous["rev"]:
                continue  # a notification that arrived after a newer one
            self.rows[sku] = row
            self._forecast(sku).observe(now, row["reserved"] + row["sold"])
            self.changed.add(sku)

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
