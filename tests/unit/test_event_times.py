"""Times as the API writes and reads them (liveops.events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from liveops.events import iso, ms_from_iso, parse_iso


@pytest.mark.parametrize(
    ("moment", "text", "ms"),
    [
        (datetime(2026, 12, 4, 12, 0, tzinfo=UTC), "2026-12-04T12:00:00Z", 1_796_385_600_000),
        (
            datetime(2026, 12, 4, 20, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8))),
            "2026-12-04T12:00:00.123456Z",
            1_796_385_600_123,
        ),
    ],
)
def test_a_time_written_and_read_back(moment: datetime, text: str, ms: int) -> None:
    assert iso(moment) == text
    assert parse_iso(text) == moment
    assert ms_from_iso(text) == ms
    assert ms_from_iso("2026-12-04T20:00:00+08:00") == 1_796_385_600_000
