"""The stock ledger's pure rules (liveops.inventory.ledger, liveops.live.stock), as tables."""

from __future__ import annotations

from typing import Any

import pytest

from liveops.inventory.ledger import (
    Levels,
    SellOutForecast,
    low_stock_threshold,
    refusal,
    sellable,
    stock_alert,
)
from liveops.live.stock import StockBoard


@pytest.mark.parametrize(
    ("before", "after", "allocated", "expected"),
    [
        (None, 0, 100, None),  # a fresh load never alerts
        (50, 20, 100, None),  # still above 10 %
        (11, 10, 100, "low_stock"),  # crosses into low
        (10, 9, 100, None),  # already low: no repeat
        (9, 0, 100, "sold_out"),
        (50, 0, 100, "sold_out"),  # straight through low to out: the worse one
        (0, 0, 100, None),
        (3, 5, 100, None),  # restocking is not an alert
        (2, 1, 5, "low_stock"),  # small stock: at least one unit is "low"
    ],
)
def test_only_crossings_alert(
    before: int | None, after: int, allocated: int, expected: str | None
) -> None:
    assert stock_alert(before, after, allocated, 0.1) == expected


@pytest.mark.parametrize(
    ("allocated", "ratio", "threshold"),
    [(100, 0.1, 10), (5, 0.1, 1), (0, 0.1, 1), (1000, 0.05, 50)],
)
def test_low_stock_threshold(allocated: int, ratio: float, threshold: int) -> None:
    assert low_stock_threshold(allocated, ratio) == threshold


@pytest.mark.parametrize(
    ("kwargs", "outcome"),
    [
        (dict(qty=1, sellable_now=5, held=0, limit_per_viewer=None, started=False), "not_started"),
        (dict(qty=6, sellable_now=5, held=0, limit_per_viewer=None, started=True), "sold_out"),
        (dict(qty=1, sellable_now=5, held=2, limit_per_viewer=2, started=True), "limit_exceeded"),
        (dict(qty=9, sellable_now=5, held=2, limit_per_viewer=2, started=True), "sold_out"),
        (dict(qty=1, sellable_now=5, held=0, limit_per_viewer=None, started=True), "sold_out"),
    ],
)
def test_a_refusal_names_its_reason(kwargs: dict[str, Any], outcome: str) -> None:
    assert refusal(**kwargs) == outcome


def test_sellable_is_capped_by_a_running_sale() -> None:
    assert sellable(100, None) == 100
    assert sellable(100, 7) == 7
    assert sellable(3, 7) == 3


def test_levels_balance() -> None:
    assert Levels(10, 3, 2, 5).balanced()
    assert not Levels(10, 3, 2, 4).balanced()
    assert not Levels(10, 12, 0, -2).balanced()


def test_forecast_is_time_to_zero_at_the_pace_of_the_last_minute() -> None:
    forecast = SellOutForecast(window_seconds=60)
    assert forecast.seconds_to_zero(50, now=0) is None  # nothing seen yet
    forecast.observe(0.0, 0)
    forecast.observe(10.0, 20)  # 2 units a second
    assert forecast.units_per_second(10.0) == pytest.approx(2.0)
    assert forecast.seconds_to_zero(50, now=10.0) == pytest.approx(25.0)
    assert forecast.seconds_to_zero(0, now=10.0) == 0.0
    forecast.observe(100.0, 20)  # a quiet minute later: the old samples leave the window
    assert forecast.seconds_to_zero(50, now=100.0) is None


def test_a_burst_in_one_instant_is_not_read_as_thousands_a_second() -> None:
    forecast = SellOutForecast()
    forecast.observe(5.0, 0)
    forecast.observe(5.001, 10)
    assert forecast.units_per_second(5.001) == pytest.approx(10.0)  # over at least a second


def _row(available: int, rev: int, **extra: Any) -> dict[str, Any]:
    row = {"sku": "A", "allocated": 100, "reserved": 100 - available, "sold": 0}
    return row | {"available": available, "rev": rev, "flash_sale": None} | extra


def test_the_board_keeps_the_newest_revision_and_alerts_once() -> None:
    board = StockBoard(low_stock_ratio=0.1)
    board.load([_row(50, rev=1)], now=0.0)
    assert board.update([_row(9, rev=3)], now=1.0, now_ms=1000) != []  # low stock
    assert board.update([_row(30, rev=2)], now=1.1, now_ms=1100) == []  # late, older: ignored
    assert board.rows["A"]["available"] == 9
    (alert,) = board.update([_row(0, rev=4)], now=2.0, now_ms=2000)
    assert alert["kind"] == "sold_out"
    assert alert["severity"] == "critical"
    assert alert["roles"] == ["field_control", "assistant"]
    assert [a["kind"] for a in board.alerts] == ["low_stock", "sold_out"]
    (view,) = board.take_changed(now=2.0)
    assert view["sell_out_in_seconds"] == 0.0
    assert board.take_changed(now=2.0) == []


def test_during_a_flash_sale_low_means_low_within_its_cap() -> None:
    board = StockBoard(low_stock_ratio=0.1)
    sale = {"cap": 20, "remaining": 5, "starts_at": 0, "state": "running"}
    board.load([_row(500, rev=1, flash_sale=sale)], now=0.0)
    (alert,) = board.update(
        [_row(498, rev=2, flash_sale=sale | {"remaining": 2})], now=1.0, now_ms=1
    )
    assert (alert["kind"], alert["available"]) == ("low_stock", 2)
