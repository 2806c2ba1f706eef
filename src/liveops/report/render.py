"""The report page: one HTML document with its CSS and SVG charts inline.

`page(review, computed_at)` is pure. Every string that comes from data goes through `escape`
(titles, product names, comments, alert messages), so whatever a show is called, it stays text.
Sections whose keys the review lacks are left out rather than shown empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any

from liveops.report import charts, format as fmt
from liveops.report.findings import (
    Finding,
    action_summary,
    air_seconds,
    findings,
    product_conversion,
)
from liveops.report.values import number, rows_of

# Long lists (alerts, actions) are cut here: the review JSON and the CSV exports hold them all.
MAX_TABLE_ROWS = 60
TOP_PRODUCTS = 10

_PLATFORMS = {
    "douyin": "抖音 Douyin",
    "taobao": "淘宝直播 Taobao Live",
    "kuaishou": "快手 Kuaishou",
}
_STATES = {"firing": "未处理 firing", "acknowledged": "已确认 acked", "resolved": "已解决 resolved"}
_AUDIENCE = {
    "region": "地域 Region",
    "age_band": "年龄 Age band",
    "device": "设备 Device",
    "tier": "用户层级 Tier",
}

CSS = """
:root { color-scheme: light; --ink: #1d232b; --muted: #5b6470; --line: #dfe3e8;
  --good: #1a7f52; --bad: #c0392b; --accent: #2f6fd6; --paper: #fff; --band: #f4f6f8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--band); color: var(--ink); line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB",
  "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 16px 12px 32px; }
header.title { background: var(--paper); border-top: 4px solid var(--accent); padding: 16px;
  border-radius: 6px; margin-bottom: 14px; }
h1 { font-size: 1.45rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 0 0 10px; }
h3 { font-size: 0.98rem; margin: 14px 0 6px; }
.sub { color: var(--muted); margin: 0 0 10px; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 160px), 1fr));
  gap: 6px 16px; margin: 0; }
dl.meta div { min-width: 0; }
dl.meta dt { color: var(--muted); font-size: 0.8rem; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
section { background: var(--paper); border-radius: 6px; padding: 14px 16px; margin: 0 0 14px;
  min-width: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
  gap: 14px; margin-bottom: 14px; }
.grid > section { margin: 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; min-width: 0; }
.kpi .label { color: var(--muted); font-size: 0.78rem; }
.kpi .value { font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums;
  overflow-wrap: anywhere; }
.kpi.lead { border-color: var(--accent); }
.target { display: grid; grid-template-columns: minmax(110px, 1fr) 3fr; gap: 4px 12px;
  align-items: center; padding: 6px 0; border-bottom: 1px solid var(--line); }
.target:last-child { border-bottom: 0; }
.target .numbers { font-variant-numeric: tabular-nums; }
.progress { grid-column: 1 / -1; height: 10px; background: #e9edf1; border-radius: 5px;
  overflow: hidden; }
.progress span { display: block; height: 100%; background: var(--bad); }
.progress span.met { background: var(--good); }
.findings { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 400px), 1fr));
  gap: 14px; }
.findings ul { list-style: none; padding: 0; margin: 0; }
.findings li { border-left: 4px solid var(--line); padding: 6px 10px; margin: 0 0 8px;
  background: var(--band); border-radius: 0 4px 4px 0; overflow-wrap: anywhere; }
.findings .worked li { border-left-color: var(--good); }
.findings .did_not_work li { border-left-color: var(--bad); }
.findings b { display: block; font-size: 0.85rem; }
.worked h3 { color: var(--good); }
.did_not_work h3 { color: var(--bad); }
.chart svg { display: block; width: 100%; height: auto; max-width: 560px; }
.chart.wide { overflow-x: auto; }
.chart.wide svg { max-width: 860px; min-width: 560px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--muted);
  font-size: 0.8rem; margin: 6px 0 0; padding: 0; list-style: none; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: -1px; border-radius: 2px; }
.table-wrap { overflow-x: auto; }
@media (max-width: 760px) {
  /* A shadow on the side that has more to scroll to: the table goes on past the edge. */
  .table-wrap { background:
      linear-gradient(to right, #fff 30%, rgba(255, 255, 255, 0)),
      linear-gradient(to left, #fff 30%, rgba(255, 255, 255, 0)) 100% 0,
      radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, 0.2), rgba(0, 0, 0, 0)),
      radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, 0.2), rgba(0, 0, 0, 0)) 100% 0;
    background-repeat: no-repeat; background-size: 28px 100%, 28px 100%, 12px 100%, 12px 100%;
    background-attachment: local, local, scroll, scroll; }
}
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: var(--band); font-weight: 600; white-space: nowrap; line-height: 1.25; }
th small { font-weight: 400; color: var(--muted); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.text { white-space: nowrap; }
td.wide { white-space: normal; min-width: 10em; overflow-wrap: break-word; }
td.bad { color: var(--bad); font-weight: 600; }
.note { color: var(--muted); font-size: 0.8rem; margin: 6px 0 0; }
footer { color: var(--muted); font-size: 0.8rem; text-align: center; }
@media (max-width: 520px) {
  main { padding: 8px 6px 24px; }
  section, header.title { padding: 12px 10px; }
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  section, header.title { border: 1px solid var(--line); break-inside: avoid; }
  .table-wrap, .chart.wide { overflow: visible; }
  .chart.wide svg { min-width: 0; }
  .progress, .progress span, .kpi, th { print-color-adjust: exact;
    -webkit-print-color-adjust: exact; }
  section.long { break-inside: auto; }
  tr { break-inside: avoid; }
}
"""


def _ratio(part: object, whole: object) -> float | None:
    numerator, denominator = number(part), number(whole)
    if numerator is None or not denominator:
        return None
    return numerator / denominator


class Cell:
    """A table cell: text (escaped on output), right-aligned when numeric, flagged when bad,
    kept from getting narrow when wide (names, messages)."""

    __slots__ = ("bad", "numeric", "text", "wide")

    def __init__(
        self, text: object, *, numeric: bool = False, bad: bool = False, wide: bool = False
    ) -> None:
        self.text = fmt.DASH if text is None or text == "" else str(text)
        self.numeric = numeric
        self.bad = bad
        self.wide = wide

    def html(self) -> str:
        classes = " ".join(
            name
            for name, on in (
                ("n", self.numeric),
                ("bad", self.bad),
                ("text", not self.numeric),
                ("wide", self.wide),
            )
            if on
        )
        return f'<td class="{classes}">{escape(self.text)}</td>'


def num(text: object, *, bad: bool = False) -> Cell:
    return Cell(text, numeric=True, bad=bad)


def _two_lines(label: str) -> str:
    """A bilingual heading ("曝光 Impr.") as Chinese over English, to keep columns narrow."""
    chinese, _, english = label.partition(" ")
    if not english or not any(ord(c) > 0x2E7F for c in chinese):
        return escape(label)
    return f"{escape(chinese)}<br><small>{escape(english)}</small>"


def _table(head: Sequence[tuple[str, bool]], body: Iterable[Sequence[Cell]]) -> str:
    """`head` is (label, numeric) per column."""
    cells = "".join(
        (f'<th class="n">{_two_lines(label)}</th>' if numeric else f"<th>{_two_lines(label)}</th>")
        for label, numeric in head
    )
    rows = "".join("<tr>" + "".join(cell.html() for cell in row) + "</tr>" for row in body)
    return (
        f'<div class="table-wrap"><table><thead><tr>{cells}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _cut_note(shown: int, total: int, what: str) -> str:
    if shown >= total:
        return ""
    return (
        f'<p class="note">仅显示前 {shown} 条 / first {shown} of {total} {escape(what)}; '
        "the review and its CSV export hold them all.</p>"
    )


def _section(title: str, body: str, *, anchor: str, long: bool = False) -> str:
    classes = ' class="long"' if long else ""
    return f'<section id="{anchor}"{classes}><h2>{escape(title)}</h2>{body}</section>'


# --- title block -------------------------------------------------------------------------


def _span(began: datetime | None, ended: datetime | None) -> str:
    """start → end (duration) in Beijing time, the end's date left out when it is the same."""
    if began is None:
        return fmt.DASH
    start = fmt.when(began).removesuffix(" (UTC+8)")
    if ended is None:
        return f"{start} → … (UTC+8)"
    end = fmt.when(ended).removesuffix(" (UTC+8)")
    if end[:10] == start[:10]:
        end = end[11:]
    return f"{start} → {end} (UTC+8), {fmt.duration((ended - began).total_seconds())}"


def _planned(show: Mapping[str, Any]) -> str:
    start = fmt.instant(show.get("planned_start_at"))
    minutes = number(show.get("planned_minutes"))
    if start is None:
        return fmt.duration(minutes * 60) if minutes else fmt.DASH
    if not minutes:
        return fmt.when(start)
    return _span(start, start + timedelta(minutes=minutes))


def _newest_event(review: Mapping[str, Any]) -> str:
    latest = review.get("last_event_at")
    if isinstance(latest, str):
        return fmt.when(latest)
    minutes = rows_of(review, "minutes") or rows_of(review, "series")
    if not minutes:
        return fmt.DASH
    return f"{fmt.clock(float(minutes[-1]['minute']))} 分钟内 (in that minute)"


def title_block(review: Mapping[str, Any], computed_at: datetime) -> str:
    show: Mapping[str, Any] = review.get("show") or {}
    platform = str(show.get("platform") or "")
    anchors = show.get("anchors") or []
    facts = [
        ("直播间 Room", show.get("room") or fmt.DASH),
        ("平台 Platform", _PLATFORMS.get(platform, platform or fmt.DASH)),
        ("主播 Anchors", "、".join(str(a) for a in anchors) if anchors else fmt.DASH),
        ("状态 Status", show.get("status") or fmt.DASH),
        ("计划 Planned", _planned(show)),
        (
            "实际 Actual",
            _span(fmt.instant(show.get("started_at")), fmt.instant(show.get("ended_at"))),
        ),
        ("事件数 Events", fmt.count(number(review.get("events")))),
        ("最新事件 Newest event received (late refunds move it)", _newest_event(review)),
        ("生成于 Computed at", fmt.when(computed_at)),
    ]
    items = "".join(
        f"<div><dt>{escape(label)}</dt><dd>{escape(str(value))}</dd></div>"
        for label, value in facts
    )
    return (
        '<header class="title">'
        f'<p class="sub">直播复盘报告 · Post-show review · {escape(str(show.get("id", "")))}</p>'
        f"<h1>{escape(str(show.get('title') or fmt.DASH))}</h1>"
        f'<dl class="meta">{items}</dl></header>'
    )


# --- targets and KPIs --------------------------------------------------------------------

_TARGETS: dict[str, tuple[str, Callable[[float | None], str]]] = {
    "gmv": ("成交额 GMV", fmt.money),
    "uv": ("观看人数 UV", fmt.count),
    "conversion_rate": ("转化率 Conversion", fmt.percent),
    "aov": ("客单价 AOV", fmt.money),
}


def targets_section(review: Mapping[str, Any]) -> str:
    targets = review.get("targets")
    rows = []
    if isinstance(targets, dict):
        for key, (label, show) in _TARGETS.items():
            result = targets.get(key)
            if not isinstance(result, dict) or number(result.get("target")) is None:
                continue
            progress = number(result.get("progress")) or 0.0
            met = progress >= 1
            width = min(progress, 1.0) * 100
            rows.append(
                '<div class="target">'
                f"<div>{escape(label)}</div>"
                f'<div class="numbers">{escape(show(number(result.get("actual"))))} / '
                f"{escape(show(number(result.get('target'))))} · "
                f"<b>{escape(fmt.percent(progress, 0))}</b> "
                f"{'达成 met' if met else '未达 missed'}</div>"
                f'<div class="progress"><span class="{"met" if met else "missed"}" '
                f'style="width:{width:.1f}%"></span></div></div>'
            )
    body = "".join(rows) or '<p class="note">未设目标 No targets were set for this show.</p>'
    return _section("目标达成 Results vs targets", body, anchor="targets")


def kpi_section(review: Mapping[str, Any]) -> str:
    s: Mapping[str, Any] = review.get("summary") or {}

    def n(key: str) -> float | None:
        return number(s.get(key))

    tiles = [
        ("净成交额 Net GMV", fmt.money(n("net_gmv")), True),
        ("成交额 GMV (paid)", fmt.money(n("gmv_paid")), True),
        ("支付订单 Paid orders", fmt.count(n("orders_paid")), False),
        ("购买人数 Buyers", fmt.count(n("buyers")), False),
        ("观看人数 UV", fmt.count(n("uv")), False),
        ("最高在线 Peak online", fmt.count(n("peak_online")), False),
        ("人均观看 Avg watch", fmt.duration(n("avg_watch_seconds")), False),
        ("转化率 Conversion", fmt.percent(n("conversion_rate")), False),
        ("UV价值 UV value", fmt.money(n("uv_value")), False),
        ("客单价 AOV", fmt.money(n("aov")), False),
        ("退款率 Refund rate", fmt.percent(n("refund_rate")), False),
        ("互动率 Interaction rate", fmt.percent(n("interaction_rate")), False),
    ]
    body = "".join(
        f'<div class="kpi{" lead" if lead else ""}"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div></div>'
        for label, value, lead in tiles
    )
    refunds = (
        f"退款 Refunds: {fmt.count(n('orders_refunded'))} orders, "
        f"{fmt.money(n('refund_amount'))} · 点击率 Click rate {fmt.percent(n('click_rate'))} · "
        f"GPM {fmt.money(n('gpm'))}"
    )
    return _section(
        "核心指标 Headline KPIs",
        f'<div class="kpis">{body}</div><p class="note">{escape(refunds)}</p>',
        anchor="kpis",
    )


def findings_section(found: Sequence[Finding]) -> str:
    def group(verdict: str, title: str, empty: str) -> str:
        items = "".join(
            f"<li><b>{escape(f.label)}</b>{escape(f.text)}</li>"
            for f in found
            if f.verdict == verdict
        )
        return (
            f'<div class="{verdict}"><h3>{escape(title)}</h3>'
            f"<ul>{items or f'<li>{escape(empty)}</li>'}</ul></div>"
        )

    return _section(
        "复盘结论 Findings",
        '<div class="findings">'
        + group("worked", "做得好 What worked", "Nothing stood out.")
        + group("did_not_work", "待改进 What did not", "Nothing fell short by these rules.")
        + "</div>",
        anchor="findings",
    )


# --- charts ------------------------------------------------------------------------------


def markers(review: Mapping[str, Any]) -> list[charts.Marker]:
    """Segment starts, actions and alerts as points in time for the timeline."""
    found: list[charts.Marker] = []
    segments = rows_of(review, "segments")
    for segment in segments:
        at = fmt.epoch(segment.get("started_at"))
        if at is not None:
            title = str(segment.get("title") or segment.get("id"))
            found.append(charts.Marker(at, "segment", f"环节 {title}"))
    for row in rows_of(review, "actions"):
        at = fmt.epoch(row.get("at"))
        if at is None or row.get("state", "applied") != "applied":
            continue
        if row.get("type") == "segment.goto":
            if not segments:  # the segment rows, when there, already mark their starts
                found.append(charts.Marker(at, "segment", f"环节 {row.get('segment_id')}"))
            continue
        found.append(charts.Marker(at, "action", action_summary(row)))
    alerts = review.get("alerts")
    for item in alerts.get("items", []) if isinstance(alerts, dict) else []:
        at = fmt.epoch(item.get("fired_at")) if isinstance(item, dict) else None
        if at is not None:
            found.append(charts.Marker(at, "alert", str(item.get("message") or item.get("rule"))))
    return found


def timeline_section(review: Mapping[str, Any]) -> str:
    minutes = rows_of(review, "minutes") or rows_of(review, "series")
    svg = charts.timeline(minutes, markers(review), "每分钟在线与成交 Online and GMV per minute")
    legend = (
        '<ul class="legend">'
        f'<li><i style="background:{charts.GMV_COLOUR}"></i>成交额 GMV / min</li>'
        f'<li><i style="background:{charts.ONLINE_COLOUR}"></i>在线 Online</li>'
        f'<li><i style="background:{charts.SEGMENT_COLOUR}"></i>环节开始 Segment start</li>'
        f'<li><i style="background:{charts.ACTION_COLOUR}"></i>操作 Action</li>'
        f'<li><i style="background:{charts.ALERT_COLOUR}"></i>告警 Alert</li>'
        '</ul><p class="note">时间为北京时间 Times in Beijing time (UTC+8).</p>'
    )
    return _section(
        "分钟走势 Minute by minute",
        f'<div class="chart wide">{svg}</div>{legend}',
        anchor="timeline",
    )


def _chart_section(title: str, rows: Sequence[charts.Bar], anchor: str, note: str = "") -> str:
    extra = f'<p class="note">{escape(note)}</p>' if note else ""
    return _section(
        title, f'<div class="chart">{charts.bars(rows, title)}</div>{extra}', anchor=anchor
    )


def _intent_colour(intent: str) -> str:
    """Complaints red, questions amber, spam grey, the rest the charts' blue."""
    if intent.startswith("complaint"):
        return charts.ALERT_COLOUR
    if intent.startswith("question"):
        return charts.GMV_COLOUR
    if intent == "spam":
        return charts.SEGMENT_COLOUR
    return charts.BAR_COLOUR


def chart_sections(review: Mapping[str, Any]) -> str:
    parts = []
    funnel = rows_of(review, "funnel")
    if funnel:
        rows = [
            charts.Bar(
                str(step.get("label") or step.get("step")),
                number(step.get("viewers")) or 0.0,
                f"{fmt.count(number(step.get('viewers')))} · "
                f"{fmt.percent(number(step.get('rate_from_top')))}",
            )
            for step in funnel
        ]
        parts.append(
            _chart_section("转化漏斗 Funnel", rows, "funnel-chart", "viewers · share of the top")
        )
    products = sorted(rows_of(review, "products"), key=lambda r: -(number(r.get("gmv")) or 0.0))
    if products:
        rows = [
            charts.Bar(
                str(p.get("name") or p.get("sku")),
                number(p.get("gmv")) or 0.0,
                fmt.money(number(p.get("gmv"))),
            )
            for p in products[:TOP_PRODUCTS]
        ]
        parts.append(
            _chart_section(
                "商品成交 Products by GMV", rows, "products-chart", f"top {TOP_PRODUCTS}"
            )
        )
    comments = rows_of(review, "comments")
    if comments:
        rows = [
            charts.Bar(
                f"{c.get('label') or c.get('intent')}",
                number(c.get("count")) or 0.0,
                f"{fmt.count(number(c.get('count')))} · {fmt.percent(number(c.get('share')))}",
                _intent_colour(str(c.get("intent", ""))),
            )
            for c in comments
        ]
        parts.append(_chart_section("评论意图 Comments by intent", rows, "comments-chart"))
    channels = rows_of(review, "channels")
    if channels:
        rows = [
            charts.Bar(
                str(c.get("channel")),
                number(c.get("share")) or 0.0,
                f"{fmt.percent(number(c.get('share')))} · "
                f"{fmt.money(number(c.get('uv_value')))}/UV",
            )
            for c in channels
        ]
        parts.append(
            _chart_section(
                "流量来源 Traffic sources", rows, "channels-chart", "share of UV · UV value"
            )
        )
    return f'<div class="grid">{"".join(parts)}</div>' if parts else ""


# --- tables ------------------------------------------------------------------------------


def products_table(review: Mapping[str, Any]) -> str:
    products = sorted(rows_of(review, "products"), key=lambda r: -(number(r.get("gmv")) or 0.0))
    if not products:
        return ""
    stock = review.get("stock")
    ledger = stock.get("ledger", []) if isinstance(stock, dict) else []
    sold_out = {
        row["sku"]: row["sold_out_at"]
        for row in ledger
        if isinstance(row, dict) and number(row.get("sold_out_at"))
    }
    air = air_seconds(review)
    head = [
        ("商品 Product", False),
        ("角色 Role", False),
        ("曝光 Impr.", True),
        ("点击 Clicks", True),
        ("订单 Orders", True),
        ("支付件数 Units paid", True),
        ("成交额 GMV", True),
        ("转化 Paid/click", True),
        ("退款 Refunds", True),
        ("售出率 Sell-through", True),
        ("每分钟 GMV/min on air", True),
        ("售罄 Sold out", True),
    ]
    body = []
    for p in products:
        refunds = p.get("orders_refunded", p.get("refunds"))
        refund_amount = number(p.get("refund_amount"))
        refund_text = fmt.count(number(refunds)) if refunds is not None else fmt.DASH
        if refund_amount is not None:
            refund_text += f" · {fmt.money(refund_amount)}"
        units = number(p.get("paid_units", p.get("units")))
        seconds = air.get(str(p.get("sku")))
        gmv = number(p.get("gmv"))
        sold_out_ms = sold_out.get(p.get("sku"))
        body.append(
            [
                Cell(f"{p.get('name') or ''} {p.get('sku')}".strip(), wide=True),
                Cell(p.get("role")),
                num(fmt.count(number(p.get("impressions")))),
                num(fmt.count(number(p.get("clicks")))),
                num(fmt.count(number(p.get("orders")))),
                num(fmt.count(units)),
                num(fmt.money(gmv)),
                num(fmt.percent(product_conversion(p))),
                num(refund_text),
                num(fmt.percent(_ratio(units, p.get("allocated_stock")))),
                num(fmt.money(gmv / (seconds / 60)) if seconds and gmv is not None else fmt.DASH),
                num(fmt.clock(float(sold_out_ms) / 1000) if sold_out_ms else fmt.DASH),
            ]
        )
    return _section("商品明细 Products", _table(head, body), anchor="products")


def segments_table(review: Mapping[str, Any]) -> str:
    segments = rows_of(review, "segments")
    if not segments:
        return ""
    head = [
        ("环节 Segment", False),
        ("SKU", False),
        ("计划 Planned", True),
        ("实际 Actual", True),
        ("超时 Overrun", True),
        ("成交额 GMV", True),
        ("每分钟 GMV/min", True),
        ("支付订单 Orders", True),
        ("转化 Conversion", True),
        ("最高在线 Peak", True),
    ]
    body = []
    for s in segments:
        planned, actual = number(s.get("planned_seconds")), number(s.get("actual_seconds"))
        overrun = number(s.get("overrun_seconds"))
        if overrun is None and planned is not None and actual is not None:
            overrun = actual - planned
        share = _ratio(overrun, planned)
        over_text = fmt.duration(overrun) if overrun is not None else fmt.DASH
        if share is not None:
            over_text += f" ({'+' if share >= 0 else ''}{fmt.percent(share, 0)})"
        body.append(
            [
                Cell(s.get("title") or s.get("id"), wide=True),
                Cell(s.get("sku")),
                num(fmt.duration(planned)),
                num(fmt.duration(actual)),
                num(over_text, bad=share is not None and share > 0.2),
                num(fmt.money(number(s.get("gmv")))),
                num(fmt.money(number(s.get("gmv_per_minute")))),
                num(fmt.count(number(s.get("orders_paid")))),
                num(fmt.percent(number(s.get("conversion_rate")))),
                num(fmt.count(number(s.get("peak_online")))),
            ]
        )
    return _section(
        "环节 计划 vs 实际 Segments, planned vs actual", _table(head, body), anchor="segments"
    )


def _source_rows(rows: Sequence[Mapping[str, Any]], key: str) -> list[list[Cell]]:
    return [
        [
            Cell(r.get(key)),
            num(fmt.count(number(r.get("uv")))),
            num(fmt.percent(number(r.get("share")))),
            num(fmt.duration(number(r.get("avg_watch_seconds")))),
            num(fmt.count(number(r.get("buyers")))),
            num(fmt.percent(number(r.get("conversion_rate")))),
            num(fmt.money(number(r.get("gmv")))),
            num(fmt.money(number(r.get("uv_value")))),
        ]
        for r in rows
    ]


_SOURCE_HEAD = [
    ("UV", True),
    ("占比 Share", True),
    ("人均观看 Avg watch", True),
    ("购买人数 Buyers", True),
    ("转化 Conversion", True),
    ("成交额 GMV", True),
    ("UV价值 UV value", True),
]


def channels_table(review: Mapping[str, Any]) -> str:
    channels = rows_of(review, "channels")
    if not channels:
        return ""
    return _section(
        "流量来源 Traffic sources",
        _table([("来源 Channel", False), *_SOURCE_HEAD], _source_rows(channels, "channel")),
        anchor="channels",
    )


def audience_tables(review: Mapping[str, Any]) -> str:
    audience = review.get("audience")
    if not isinstance(audience, dict):
        return ""
    parts = []
    for key, label in _AUDIENCE.items():
        rows = audience.get(key)
        if isinstance(rows, list) and rows:
            good = [r for r in rows if isinstance(r, dict)]
            parts.append(
                f"<h3>{escape(label)}</h3>"
                + _table([(label, False), *_SOURCE_HEAD], _source_rows(good, "value"))
            )
    if not parts:
        return ""
    return _section("观众画像 Audience", "".join(parts), anchor="audience")


def alerts_tables(review: Mapping[str, Any]) -> str:
    alerts = review.get("alerts")
    if not isinstance(alerts, dict):
        return ""
    items = [i for i in alerts.get("items", []) if isinstance(i, dict)]
    by_rule = [r for r in alerts.get("by_rule", []) if isinstance(r, dict)]
    if not items:
        return _section(
            "告警 Alerts", '<p class="note">无告警 No alerts fired.</p>', anchor="alerts"
        )
    summary = _table(
        [
            ("规则 Rule", False),
            ("次数 Fired", True),
            ("未关闭 Open", True),
            ("确认中位 Median ack", True),
            ("解决中位 Median resolve", True),
            ("最长解决 Longest resolve", True),
        ],
        [
            [
                Cell(r.get("rule")),
                num(fmt.count(number(r.get("count")))),
                num(fmt.count(number(r.get("open"))), bad=bool(r.get("open"))),
                num(fmt.duration(number(r.get("median_ack_seconds")))),
                num(fmt.duration(number(r.get("median_resolve_seconds")))),
                num(fmt.duration(number(r.get("max_resolve_seconds")))),
            ]
            for r in by_rule
            if r.get("count")
        ],
    )
    shown = items[:MAX_TABLE_ROWS]
    detail = _table(
        [
            ("触发 Fired", True),
            ("规则 Rule", False),
            ("级别 Severity", False),
            ("状态 State", False),
            ("确认用时 To ack", True),
            ("解决用时 To resolve", True),
            ("内容 Message", False),
        ],
        [
            [
                num(fmt.when(i.get("fired_at"))[11:19]),
                Cell(f"{i.get('rule')} {_short(str(i.get('subject') or ''))}".strip()),
                Cell(i.get("severity")),
                Cell(_STATES.get(str(i.get("state")), i.get("state"))),
                num(fmt.duration(number(i.get("ack_seconds")))),
                num(fmt.duration(number(i.get("resolve_seconds")))),
                Cell(i.get("message"), wide=True),
            ]
            for i in shown
        ],
    )
    return _section(
        "告警处理 Alerts",
        summary
        + "<h3>明细 Every alert</h3>"
        + detail
        + _cut_note(len(shown), len(items), "alerts"),
        anchor="alerts",
        long=True,
    )


def _short(text: str, most: int = 24) -> str:
    """A long identifier cut for a table cell (the review JSON has it whole)."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _impact(row: Mapping[str, Any]) -> str:
    impact = row.get("impact")
    change = impact.get("change") if isinstance(impact, dict) else None
    if not isinstance(change, dict):
        return fmt.DASH
    parts = []
    for key, label in (("conversion", "conv."), ("click_rate", "click"), ("entry_rate", "entries")):
        value = number(change.get(key))
        if value is not None:
            parts.append(f"{label} {'+' if value >= 0 else ''}{fmt.percent(value, 0)}")
    if not parts:
        return fmt.DASH
    partial = " (partial)" if isinstance(impact, dict) and impact.get("partial") else ""
    return ", ".join(parts) + partial


def actions_table(review: Mapping[str, Any]) -> str:
    actions = rows_of(review, "actions")
    if not actions:
        return ""
    shown = actions[:MAX_TABLE_ROWS]
    body = [
        [
            num(fmt.when(a.get("at"))[11:19]),
            Cell(a.get("type")),
            Cell(action_summary(a).removeprefix(str(a.get("type"))).strip(), wide=True),
            Cell(
                f"{by.get('label')} ({by.get('role')})"
                if isinstance(by := a.get("by"), dict)
                else None
            ),
            Cell(a.get("state")),
            num(_impact(a)),
        ]
        for a in shown
    ]
    head = [
        ("时间 At", True),
        ("操作 Action", False),
        ("对象 About", False),
        ("操作人 By", False),
        ("状态 State", False),
        ("影响 Change after", True),
    ]
    return _section(
        "操作记录 Actions",
        _table(head, body) + _cut_note(len(shown), len(actions), "actions"),
        anchor="actions",
        long=True,
    )


def questions_table(review: Mapping[str, Any]) -> str:
    questions = review.get("questions")
    if not isinstance(questions, dict):
        return ""
    top = [q for q in questions.get("top", []) if isinstance(q, dict)]
    summary = (
        f"问题簇 Clusters {fmt.count(number(questions.get('clusters')))} · "
        f"提问 Asked {fmt.count(number(questions.get('asked')))} · "
        f"已答 Answered {fmt.count(number(questions.get('answered')))} · "
        f"已忽略 Dismissed {fmt.count(number(questions.get('dismissed')))} · "
        f"结束时未答 Open at end {fmt.count(number(questions.get('open_at_end')))} · "
        f"等待中位 Median wait {fmt.duration(number(questions.get('answer_seconds_median')))} · "
        f"最长 Longest {fmt.duration(number(questions.get('answer_seconds_max')))}"
    )
    body = [
        [
            Cell(q.get("representative"), wide=True),
            Cell(q.get("label") or q.get("intent")),
            Cell(q.get("sku")),
            num(fmt.count(number(q.get("total", q.get("count"))))),
            num(fmt.count(number(q.get("viewers")))),
            Cell(q.get("status"), bad=q.get("status") == "open"),
            num(fmt.when(q.get("answered_at"))[11:19] if q.get("answered_at") else fmt.DASH),
        ]
        for q in top
    ]
    head = [
        ("问题 Question", False),
        ("类别 Kind", False),
        ("SKU", False),
        ("提问数 Asked", True),
        ("人数 Viewers", True),
        ("状态 Status", False),
        ("回答于 Answered", True),
    ]
    table = _table(head, body) if top else ""
    return _section(
        "高频问题 Top questions", f'<p class="sub">{escape(summary)}</p>{table}', anchor="questions"
    )


def page(review: Mapping[str, Any], computed_at: datetime) -> str:
    """The whole report as one HTML document."""
    show: Mapping[str, Any] = review.get("show") or {}
    title = f"复盘 Review · {show.get('title') or show.get('id') or ''}"
    body = "".join(
        [
            title_block(review, computed_at),
            targets_section(review),
            kpi_section(review),
            findings_section(findings(review)),
            timeline_section(review),
            chart_sections(review),
            products_table(review),
            segments_table(review),
            channels_table(review),
            audience_tables(review),
            alerts_tables(review),
            actions_table(review),
            questions_table(review),
            f"<footer>LiveOps · {escape(str(show.get('id', '')))} · "
            f"{escape(fmt.when(computed_at))}</footer>",
        ]
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
