"""The normalized form of an accepted event, shared by ingest, storage, metrics and the feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Exact integer microseconds since the Unix epoch (no float rounding)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`, as every time the API and the websocket answer."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """A time as `iso` writes it (or any RFC 3339 time with an offset) back."""
    return datetime.fromisoformat(text)


def ms_from_iso(text: str) -> int:
    """Milliseconds since the epoch of an RFC 3339 time."""
    return to_micros(parse_iso(text)) // 1000


def from_micros(micros: int) -> datetime:
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)


def iso_from_micros(micros: int) -> str:
    return from_micros(micros).isoformat().replace("+00:00", "Z")


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which doubles the
# cost of building one per ingested event. Treat instances as immutable all the same.
@dataclass(slots=True)
class EventRecord:
    """One event as stored.

    `amount` is money (order amounts, gift value); `quantity` a count (like and impression
    counts, cart and order quantities, the `available` of a stock.set); `online` the
    platform's viewer count; `text` a comment's text; `detail` the readings of a stream.health.
    """

    event_id: str
    type: str
    ts_us: int
    received_at_us: int
    source: str | None = None
    viewer_id: str | None = None
    order_id: str | None = None
    sku: str | None = None
    amount: int | None = None
    quantity: int | None = None
    online: int | None = None
    text: str | None = None
    detail: dict[str, object] | None = None
    intent: str | None = None  # a comment's (contract §11), classified at ingest

    def values(self) -> list[object]:
        """Every field in declaration order: `EventRecord(*record.values())` rebuilds it."""
        return [getattr(self, name) for name in self.__slots__]
