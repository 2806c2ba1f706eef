"""The stock ledger's pure rules (liveops.inventory.ledger, liveops.live.stock), as tables."""

from __future__ import annotations

from typing import Any

import pytest

from liveops.inventory.ledger import (
    Levels,
    SellOutForecast,
    refusal,
    sellable,
)
from liveops.live.stock import StockBoard


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


def test_the_board_keeps_the_newest_revision() -> None:
    board = StockBoard()
    board.load([_row(50, rev=1)], now=0.0)
    board.update([_row(9, rev=3)], now=1.0)
    board.update([_row(30, rev=2)], now=1.1)  # late, older: ignored
    assert board.rows["A"]["available"] == 9
    board.update([_row(0, rev=4)], now=2.0)
    (view,) = board.take_changed(now=2.0)
    assert view["sell_out_in_seconds"] == 0.0
    assert board.take_changed(now=2.0) == []
