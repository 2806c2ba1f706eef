"""Reading the review dict defensively: a section may be absent or of another shape (a newer
or older review), and the report then leaves it out instead of failing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def number(value: object) -> float | None:
    """A JSON number as a float; anything else (null, text, a bool) as None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def rows_of(review: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The review's list under `key`, objects only; [] when absent."""
    value = review.get(key)
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
