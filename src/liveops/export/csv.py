"""CSV exports of the review's tables (contract §13), one file per table.

Each table has fixed columns, so the header row is there even when the table is empty. The
file starts with a UTF-8 byte-order mark: Excel then reads the Chinese text as UTF-8. Nested
values (an action's fields, an alert's detail) are compact JSON in one cell. A text cell that a
spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return) gets a
leading `'`; numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from liveops.actions import service as actions_service
from liveops.alerts import service as alerts_service
from liveops.alerts.schemas import AlertRead
from liveops.comments.review import comment_sections
from liveops.events import iso
from liveops.review import service as review_service
from liveops.shows import service as shows_service
from liveops.storage.models import Show

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_MINUTE_COLUMNS = (
    "minute",
    "minute_epoch_seconds",
    "online",
    "joins",
    "comments",
    "likes",
    "orders",
    "gmv",
    "views",
    "shares",
    "new_followers",
    "gift_value",
    "product_clicks",
    "orders_created",
    "orders_paid",
    "orders_refunded",
    "gmv_paid",
    "refund_amount",
    "net_gmv",
)
_ACTION_COLUMNS = (
    "id",
    "type",
    "state",
    "at",
    "by_label",
    "by_role",
    "applies_at",
    "undone_at",
    "undone_by_label",
    "undone_by_role",
    "fields",
    "impact",
)

# The columns of each table, in file order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "minutes": _MINUTE_COLUMNS,
    "products": (
        "sku",
        "name",
        "role",
        "allocated_stock",
        "impressions",
        "clicks",
        "cart_adds",
        "orders",
        "units",
        "paid_orders",
        "paid_units",
        "gmv",
        "refunds",
        "refund_amount",
        "conversion_rate",
        "gmv_share",
        "sell_through",
        "out_of_stock_minutes",
    ),
    "segments": (
        "id",
        "title",
        "sku",
        "planned_seconds",
        "actual_seconds",
        "overrun_seconds",
        "started_at",
        "ended_at",
        "visits",
        "gmv",
        "orders_paid",
        "units",
        "buyers",
        "comments",
        "peak_online",
        "gmv_per_minute",
        "conversion_rate",
    ),
    "channels": (
        "channel",
        "uv",
        "share",
        "avg_watch_seconds",
        "buyers",
        "conversion_rate",
        "gmv",
        "uv_value",
    ),
    "comments": ("intent", "label", "count", "share"),
    "alerts": tuple(AlertRead.model_fields),
    "actions": _ACTION_COLUMNS,
}
TABLES: tuple[str, ...] = tuple(COLUMNS)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cell(value: Any) -> str:
    """One value as the text of a cell. Pure."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = orjson.dumps(value).decode() if isinstance(value, dict | list) else str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def render(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, bom: bool = False) -> str:
    """The whole file: the header row, one line per row (a missing key is an empty cell);
    with `bom`, a UTF-8 byte-order mark first, which Excel needs to read Chinese text right
    (and which a program reading the header would take for part of its first name)."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return out.getvalue()


def minute_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A review minute with its start as ISO time, and as epoch seconds beside it."""
    start = int(row["minute"])
    return {
        **row,
        "minute": iso(datetime.fromtimestamp(start, UTC)),
        "minute_epoch_seconds": start,
    }


def action_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """An action of the review's `actions`: its own fields (the type's) in one JSON cell."""
    common = {"id", "type", "state", "at", "by", "applies_at", "undone_at", "undone_by", "impact"}
    by = record.get("by") or {}
    undone_by = record.get("undone_by") or {}
    return {
        **{key: record.get(key) for key in common - {"by", "undone_by"}},
        "by_label": by.get("label"),
        "by_role": by.get("role"),
        "undone_by_label": undone_by.get("label"),
        "undone_by_role": undone_by.get("role"),
        "fields": {key: value for key, value in record.items() if key not in common},
    }


async def _rows(session: AsyncSession, show: Show, table: str) -> list[dict[str, Any]]:
    if table == "products":
        return await review_service.products(session, show, datetime.now(UTC))
    if table == "comments":
        rows: list[dict[str, Any]] = (await comment_sections(session, show))["comments"]
        return rows
    if table == "alerts":
        items: list[dict[str, Any]] = (await alerts_service.review(session, show.id))["items"]
        return items
    if table == "actions":
        now = datetime.now(UTC)
        return [action_row(a) for a in await actions_service.review(session, show, now)]
    recount = await review_service.recount_of(session, show)
    if table == "minutes":
        return [minute_row(m) for m in await review_service.minutes(session, show, recount)]
    if table == "segments":
        return await review_service.segments(session, show, recount, datetime.now(UTC))
    if table == "channels":
        channels, _ = await review_service.audience(session, show, recount)
        return channels
    raise ValueError(f"no CSV table {table!r}")


async def table_csv(session: AsyncSession, show_id: str, table: str, *, bom: bool = False) -> str:
    """The CSV file of one review table of the show (404 if the show does not exist)."""
    show = await shows_service.get(session, show_id)
    return render(COLUMNS[table], await _rows(session, show, table), bom=bom)
