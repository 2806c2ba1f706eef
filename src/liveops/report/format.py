"""How the report writes numbers, money, rates, durations and instants.

Money arrives in minor units (fen) and is shown in yuan with two decimals. Instants are shown
in Beijing time (UTC+8), where the platforms and the teams reading the report are.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "UTC+8")
DASH = "—"  # a value the review does not have (no target, a rate with no denominator)


def money(fen: float | None) -> str:
    """¥ and two decimals from minor units: 123456 → ¥1,234.56; negatives as −¥…"""
    if fen is None:
        return DASH
    cents = round(fen)
    sign = "−" if cents < 0 else ""
    yuan, rest = divmod(abs(cents), 100)
    return f"{sign}¥{yuan:,}.{rest:02d}"


def percent(rate: float | None, digits: int = 1) -> str:
    """A 0–1 rate as a percentage: 0.14076 → 14.1%."""
    if rate is None:
        return DASH
    shown = round(rate * 100, digits)
    return f"{shown or 0.0:.{digits}f}%"  # a rate that rounds to zero is 0%, never -0%


def count(value: float | None) -> str:
    """A whole number with thousands separators; a fraction keeps one decimal."""
    if value is None:
        return DASH
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def duration(seconds: float | None) -> str:
    """A span as h/min/s, the two largest units: 3725 → 1 h 02 min; 125 → 2 min 05 s."""
    if seconds is None:
        return DASH
    total = round(abs(seconds))
    sign = "−" if seconds < 0 and total else ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min {secs:02d} s"
    return f"{sign}{secs} s"


def instant(value: str | None) -> datetime | None:
    """An RFC 3339 instant from the review (…Z or an offset), aware; None stays None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def epoch(value: str | None) -> float | None:
    """An RFC 3339 instant as seconds since the epoch."""
    moment = instant(value)
    return None if moment is None else moment.timestamp()


def clock(seconds: float) -> str:
    """Seconds since the epoch as HH:MM in Beijing time."""
    return datetime.fromtimestamp(seconds, BEIJING).strftime("%H:%M")


def clock_seconds(seconds: float) -> str:
    """Seconds since the epoch as HH:MM:SS in Beijing time."""
    return datetime.fromtimestamp(seconds, BEIJING).strftime("%H:%M:%S")


def when(value: str | datetime | None) -> str:
    """A date and time in Beijing time: 2026-12-05 05:57 (UTC+8)."""
    moment = instant(value) if isinstance(value, str) or value is None else value
    if moment is None:
        return DASH
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") + " (UTC+8)"
