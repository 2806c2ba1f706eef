"""Event times for tests: recent ones, since an event must lie within its show's window
(contract §3 "Ranges": at most 7 days before the show was created)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The top of the hour an hour ago: minute buckets fall as they would on a fixed date.
BASE = (datetime.now(UTC) - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def at(seconds: float) -> str:
    """RFC 3339 UTC, `seconds` after BASE, with milliseconds."""
    moment = BASE + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
