"""Charts as inline SVG strings: no script, no font, no image, nothing fetched.

Every string drawn comes from data and is escaped here. Sizes are in viewBox units; the page's
CSS scales each chart to its box, so the units are chosen to read well at phone width.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from liveops.report import format as fmt

GMV_COLOUR = "#e8833a"
ONLINE_COLOUR = "#2f6fd6"
SEGMENT_COLOUR = "#6b7280"
ACTION_COLOUR = "#1a9b61"
ALERT_COLOUR = "#d23c3c"
BAR_COLOUR = "#2f6fd6"

MarkerKind = Literal["segment", "action", "alert"]


@dataclass(frozen=True, slots=True)
class Marker:
    at: float  # seconds since the epoch
    kind: MarkerKind
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the reader sees it
    colour: str | None = None  # the chart's colour unless set


def _text_width(text: str, size: float) -> float:
    """Rough width of a line of text: wide (CJK) characters a full em, others about half."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.56 for c in text)


def fit(text: str, width: float, size: float) -> str:
    """The text cut with … so that it fits `width` at font `size`."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _compact_yuan(fen: float) -> str:
    """An axis label: whole yuan, 万 above ten thousand."""
    yuan = fen / 100
    if yuan >= 10_000:
        return f"¥{yuan / 10_000:.1f}万"
    return f"¥{yuan:,.0f}"


def _svg(width: float, height: float, label: str, body: str) -> str:
    return (
        f'<svg viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-label="{escape(label)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


_TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120)


def tick_minutes(span_seconds: float, most: int = 7) -> int:
    """The smallest round step in minutes that puts at most `most` ticks on the time axis."""
    minutes = span_seconds / 60
    return next((step for step in _TICK_STEPS if minutes / step <= most), _TICK_STEPS[-1])


def timeline(minutes: Sequence[dict[str, float]], markers: Sequence[Marker], label: str) -> str:
    """GMV per minute as bars (left scale), online viewers as a line (right scale), and
    markers above the plot: segment starts as dashed lines, actions and alerts as dots."""
    width, height = 640.0, 250.0
    left, right, top, bottom = 52.0, 44.0, 34.0, 28.0
    plot_w, plot_h = width - left - right, height - top - bottom
    if not minutes:
        return _svg(width, 60, label, '<text x="8" y="34" font-size="13">—</text>')
    first = float(minutes[0]["minute"])
    last = float(minutes[-1]["minute"]) + 60
    span = max(last - first, 60.0)
    gmv_max = max(max(float(m.get("gmv", 0)) for m in minutes), 1.0)
    online_max = max(max(float(m.get("online", 0)) for m in minutes), 1.0)

    def x(at: float) -> float:
        return left + (at - first) / span * plot_w

    def y_gmv(value: float) -> float:
        return top + plot_h - value / gmv_max * plot_h

    def y_online(value: float) -> float:
        return top + plot_h - value / online_max * plot_h

    parts = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#d0d4da"/>'
    ]
    for share in (0.5, 1.0):
        y = top + plot_h - share * plot_h
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ea"/>'
        )
    parts.append(
        f'<text x="{left - 4}" y="{top + 4:.1f}" font-size="11" text-anchor="end" '
        f'fill="{GMV_COLOUR}">{escape(_compact_yuan(gmv_max))}</text>'
        f'<text x="{left - 4}" y="{top + plot_h:.1f}" font-size="11" text-anchor="end" '
        f'fill="#555">0</text>'
        f'<text x="{left + plot_w + 4}" y="{top + 4:.1f}" font-size="11" '
        f'fill="{ONLINE_COLOUR}">{fmt.count(online_max)}</text>'
    )
    bar_w = max(plot_w * 60 / span - 1, 0.6)
    for m in minutes:
        value = float(m.get("gmv", 0))
        if value <= 0:
            continue
        y = y_gmv(value)
        parts.append(
            f'<rect x="{x(float(m["minute"])) + 0.5:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
            f'height="{top + plot_h - y:.1f}" fill="{GMV_COLOUR}" opacity="0.85">'
            f"<title>{fmt.clock(float(m['minute']))} GMV {escape(fmt.money(value))}</title></rect>"
        )
    points = " ".join(
        f"{x(float(m['minute']) + 30):.1f},{y_online(float(m.get('online', 0))):.1f}"
        for m in minutes
    )
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{ONLINE_COLOUR}" stroke-width="2" '
        'stroke-linejoin="round"/>'
    )
    step = tick_minutes(span) * 60
    at = first
    while at <= last + 0.5:
        parts.append(
            f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{top + plot_h}" '
            f'y2="{top + plot_h + 4}" stroke="#999"/>'
            f'<text x="{x(at):.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
            f'fill="#555">{fmt.clock(at)}</text>'
        )
        at += step
    rows = {"segment": top - 22, "action": top - 14, "alert": top - 5}
    for marker in markers:
        if not first <= marker.at <= last:
            continue  # dated outside the events' minutes (a compressed replay, a late note)
        mx = x(marker.at)
        tip = f"<title>{fmt.clock_seconds(marker.at)} {escape(marker.label)}</title>"
        if marker.kind == "segment":
            parts.append(
                f'<g><line x1="{mx:.1f}" x2="{mx:.1f}" y1="{rows["segment"]}" '
                f'y2="{top + plot_h}" stroke="{SEGMENT_COLOUR}" stroke-dasharray="3 3"/>'
                f'<path d="M{mx:.1f} {rows["segment"] - 5} l5 5 -5 5z" '
                f'fill="{SEGMENT_COLOUR}"/>{tip}</g>'
            )
        else:
            colour = ACTION_COLOUR if marker.kind == "action" else ALERT_COLOUR
            parts.append(
                f'<circle cx="{mx:.1f}" cy="{rows[marker.kind]}" r="3.2" fill="{colour}">'
                f"{tip}</circle>"
            )
    return _svg(width, height, label, "".join(parts))


def bars(rows: Sequence[Bar], label: str, colour: str = BAR_COLOUR) -> str:
    """Horizontal bars, one row each in the order given, scaled to the largest; the values
    in a right-hand column as wide as the widest of them."""
    width, row_h, label_w, size = 360.0, 26.0, 112.0, 12.0
    if not rows:
        return _svg(width, 30, label, f'<text x="4" y="20" font-size="{size:g}">—</text>')
    top = max(max(row.value for row in rows), 1e-9)
    value_w = max(_text_width(row.shown, size) for row in rows) + 8
    bar_space = max(width - label_w - value_w, 40.0)
    parts = []
    for i, row in enumerate(rows):
        y = i * row_h
        length = max(row.value / top * bar_space, 0.0) if row.value > 0 else 0.0
        parts.append(
            f"<g><title>{escape(row.label)}: {escape(row.shown)}</title>"
            f'<text x="0" y="{y + 17}" font-size="{size:g}" fill="#222">'
            f"{escape(fit(row.label, label_w - 6, size))}</text>"
            f'<rect x="{label_w}" y="{y + 6}" width="{length:.1f}" height="14" rx="2" '
            f'fill="{row.colour or colour}"/>'
            f'<text x="{width - 2}" y="{y + 17}" font-size="{size:g}" text-anchor="end" '
            f'fill="#222">{escape(row.shown)}</text></g>'
        )
    return _svg(width, len(rows) * row_h + 4, label, "".join(parts))
