"""Derived product figures, GMV concentration and response times (review/tables.py)."""

from __future__ import annotations

from typing import Any

import pytest

from liveops.review.tables import concentration, product_figures, responses

END_MS = 1_000 * 60_000  # the show's end, minute 1,000


def product(sku: str, gmv: int, **counts: Any) -> dict[str, Any]:
    row = {"sku": sku, "gmv": gmv, "clicks": 0, "paid_orders": 0, "paid_units": 0}
    row["allocated_stock"] = None
    return row | counts


@pytest.mark.parametrize(
    ("row", "sold_out_at", "expected"),
    [
        (
            product("A", 300, clicks=40, paid_orders=10, paid_units=12, allocated_stock=48),
            None,
            {"conversion_rate": 0.25, "gmv_share": 0.75, "sell_through": 0.25},
        ),
        (
            product("A", 300, paid_units=5),  # no clicks, no allocation
            None,
            {"conversion_rate": 0.0, "sell_through": None, "out_of_stock_minutes": 0.0},
        ),
        (
            product("A", 300, paid_units=50, allocated_stock=50),
            END_MS - 12 * 60_000 - 30_000,  # sold out 12.5 minutes before the end
            {"sell_through": 1.0, "out_of_stock_minutes": 12.5},
        ),
        (product("A", 300), END_MS + 60_000, {"out_of_stock_minutes": 0.0}),  # after the end
    ],
)
def test_each_product_gets_its_derived_figures(
    row: dict[str, Any], sold_out_at: int | None, expected: dict[str, Any]
) -> None:
    rows = [row, product("B", 100)]
    product_figures(rows, {"A": sold_out_at}, END_MS)
    assert {key: rows[0][key] for key in expected} == pytest.approx(expected)
    assert rows[1]["gmv_share"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("gmvs", "expected"),
    [
        ([], {"skus_with_sales": 0, "top1_gmv_share": 0.0, "top10_gmv_share": 0.0}),
        ([0, 0], {"skus_with_sales": 0, "top3_gmv_share": 0.0}),
        ([50, 30, 20], {"top1_gmv_share": 0.5, "top3_gmv_share": 1.0, "skus_with_sales": 3}),
        ([10] * 20, {"top1_gmv_share": 0.05, "top3_gmv_share": 0.15, "top10_gmv_share": 0.5}),
    ],
)
def test_concentration_is_the_best_sellers_share(gmvs: list[int], expected: dict[str, Any]) -> None:
    found = concentration([{"gmv": gmv} for gmv in gmvs])
    assert {key: found[key] for key in expected} == pytest.approx(expected)


def test_response_times_of_cues_and_price_changes() -> None:
    cues = [{"ack_seconds": 4.0}, {"ack_seconds": 10.0}, {"ack_seconds": None}, {"ack_seconds": 6}]
    at, later = "2026-12-04T20:00:00+00:00", "2026-12-04T20:00:10+00:00"
    actions = [
        {"type": "price.set", "state": "applied", "at": at},  # at once
        {
            "type": "price.set",
            "state": "applied",
            "at": at,
            "applies_at": later,
        },
        {
            "type": "price.set",
            "state": "undone",
            "at": at,
            "applies_at": later,
        },
        {"type": "cue", "state": "applied", "at": at},
    ]
    found = responses(cues, actions)
    assert found["cues"] == {"sent": 4, "acked": 3, "median_seconds": 6.0, "max_seconds": 10.0}
    assert found["price_changes"] == {
        "requested": 3,
        "applied": 2,
        "undone": 1,
        "median_seconds": 5.0,
        "max_seconds": 10.0,
    }
    assert responses([], [])["cues"]["median_seconds"] is None
