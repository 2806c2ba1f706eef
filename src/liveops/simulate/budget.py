"""How many of each kind of event a show of a given size gets."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Budget:
    """How many of each thing to schedule so the show comes to about the target event count."""

    sessions: int
    comments: int
    likes: int
    shares: int
    follows: int
    gifts: int
    impressions: int
    clicks: int
    cart_adds: int
    orders: int
    flash_orders: int
    count_every_ms: int
    health_every_ms: int
    stock_every_ms: int
    lines: int  # transcript lines: the anchor's speech as the platform's recognizer hears it
    line_every_ms: int


def make_budget(unique: int, duration_ms: int, rate: float, products: int) -> Budget:
    """Split ``unique`` valid events over the kinds of event, fixed-cadence readings first."""
    # Readings take a small, bounded share even at low rates.
    count_every = max(1_000, math.ceil(50_000 / rate))
    health_every = max(3_000, math.ceil(100_000 / rate))
    # How often the ERP looks at the product on air, to send more when it runs low (补货).
    stock_every = max(5_000, duration_ms // 40)
    # A recognizer writes a line every few seconds; a short show gets a dozen or so, and speech
    # never takes more than a tenth of a small budget.
    line_every = max(
        300, min(4_500, duration_ms // 12), math.ceil(duration_ms / max(1, unique // 10))
    )
    lines = duration_ms // line_every
    fixed = (
        duration_ms // count_every
        + 1
        + duration_ms // health_every
        + products  # the ERP's counts at the start; a restock or two is not worth counting
        + lines
    )
    rest = max(0, unique - fixed)
    # Orders are 3% of the rest; with payments, cancels and refunds they make ~6%.
    orders = round(0.03 * rest)
    flash = round(0.3 * orders)
    return Budget(
        sessions=round(0.125 * rest),
        comments=round(0.2 * rest),
        likes=round(0.235 * rest),
        shares=round(0.025 * rest),
        follows=round(0.02 * rest),
        gifts=round(0.02 * rest),
        impressions=round(0.05 * rest),
        clicks=round(0.09 * rest),
        cart_adds=round(0.04 * rest),
        orders=orders - flash,
        flash_orders=flash,
        count_every_ms=count_every,
        health_every_ms=health_every,
        stock_every_ms=stock_every,
        lines=lines,
        line_every_ms=line_every,
    )
