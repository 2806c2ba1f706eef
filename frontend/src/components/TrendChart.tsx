import { memo, useMemo, useState, type MouseEvent } from "react";
import { formatClock, formatCount, formatMoney } from "../lib/format";
import { useElementWidth } from "../lib/hooks";
import { markerLine, placeMarkers, type MarkerNames } from "../lib/markers";
import type { ActionRecord, SeriesPoint } from "../live/protocol";
import { MinuteAxis, MinutePlot, minuteScales, slotAt } from "./chart/MinutePlot";

const HEIGHT = 200;
/** The top margin holds the action markers (issue #11): a row of small badges above the plot. */
const MARGIN = { top: 26, right: 64, bottom: 24, left: 56 };
const MARKER_R = 9;
const NO_ACTIONS: readonly ActionRecord[] = [];
const MINUTE = 60_000;
/** Show at most the last hour; a control room looks at now, the review looks at the rest. */
const WINDOW_MINUTES = 60;
/**
 * Never fewer slots than this, so one early minute does not become one huge bar; a young
 * show fills the chart from the left, the empty slots lie ahead of it.
 */
const MIN_SLOTS = 15;
/** Smallest axis maxima: a quiet start should not look like a dramatic curve. */
const MIN_ONLINE_AXIS = 10;
const MIN_GMV_AXIS = 10_000; // ¥100
const TICKS = [0, 0.25, 0.5, 0.75, 1];

/** Round up to 1, 2, 2.5 or 5 times a power of ten, for readable axis maxima. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= v) return m * mag;
  return 10 * mag;
}

interface Slot {
  t: number;
  point: SeriesPoint | undefined;
}

/**
 * Online viewers (line, left axis) and paid GMV (bars, right axis) per minute. Plain SVG,
 * no animation: it redraws on every metrics frame and must never lag or ease. Above the plot,
 * a marker at each minute in which an action that moves sales happened (pin, price, coupon,
 * lucky bag, announcement, segment): its tooltip and the line under the chart say what, and who.
 */
// memo: the page re-renders every second for the age clocks; this only needs new data.
export const TrendChart = memo(function TrendChart({
  series,
  actions = NO_ACTIONS,
  names,
  endedAt = null,
}: {
  series: readonly SeriesPoint[];
  actions?: readonly ActionRecord[];
  names?: MarkerNames;
  /** When the show ended (RFC 3339): the axis stops at its minute, no empty slots ahead. */
  endedAt?: string | null;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);

  const slots = useMemo<Slot[]>(() => {
    const byMinute = new Map<number, SeriesPoint>();
    for (const p of series) {
      const t = Date.parse(p.minute);
      if (!Number.isNaN(t)) byMinute.set(Math.floor(t / MINUTE) * MINUTE, p);
    }
    const end = endedAt !== null ? Date.parse(endedAt) : NaN;
    const endMinute = Number.isNaN(end) ? null : Math.floor(end / MINUTE) * MINUTE;
    if (endMinute !== null) for (const t of [...byMinute.keys()]) if (t > endMinute) byMinute.delete(t);
    if (byMinute.size === 0) return [];
    const times = [...byMinute.keys()];
    const last = endMinute ?? Math.max(...times);
    const first = Math.max(Math.min(...times), last - (WINDOW_MINUTES - 1) * MINUTE);
    // An ended show has nothing ahead of it: its axis ends with it.
    const n = Math.max(endMinute !== null ? 1 : MIN_SLOTS, Math.round((last - first) / MINUTE) + 1);
    return Array.from({ length: n }, (_, i) => {
      const t = first + i * MINUTE;
      return { t, point: byMinute.get(t) };
    });
  }, [series, endedAt]);

  const markers = useMemo(
    () => (slots.length === 0 ? [] : placeMarkers(actions, slots[0]?.t ?? 0, slots.length)),
    [actions, slots],
  );

  const plotW = Math.max(0, width - MARGIN.left - MARGIN.right);
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxOnline = niceMax(Math.max(MIN_ONLINE_AXIS, ...slots.map((s) => s.point?.online ?? 0)));
  const maxGmv = niceMax(Math.max(MIN_GMV_AXIS, ...slots.map((s) => s.point?.gmv ?? 0)));
  const box = { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH };
  const { slotW, xMid, yOnline } = minuteScales(box, slots.length, maxOnline, maxGmv);
  const plotSlots = useMemo(() => slots.map((s) => ({ t: s.t, value: s.point })), [slots]);
  const labelEvery = Math.max(1, Math.ceil(slots.length / Math.max(1, Math.floor(plotW / 70))));
  const hovered = hover !== null ? slots[hover] : undefined;
  const latest = [...slots].reverse().find((s) => s.point !== undefined);
  const shown = hovered ?? latest;
  // The markers' words: those of the hovered minute, else the newest marked minute's.
  const markerShown = hover !== null ? markers.find((m) => m.slot === hover) : markers[markers.length - 1];

  function onMove(ev: MouseEvent<SVGSVGElement>) {
    if (slotW <= 0) return;
    setHover(slotAt(ev, box, slots.length));
  }

  return (
    <section className="panel trend" data-testid="trend-chart">
      <div className="panel__head">
        <h2>
          分钟趋势 <span className="en">Per minute</span>
        </h2>
        <div className="trend__legend small">
          <span className="legend legend--online">在线人数 Online</span>
          <span className="legend legend--gmv">成交额 GMV / min</span>
          {shown !== undefined && shown.point !== undefined && (
            <span className="trend__readout num">
              {formatClock(shown.t).slice(0, 5)} · 在线 {formatCount(shown.point.online)} · 成交{" "}
              {formatMoney(shown.point.gmv)} · 订单 {formatCount(shown.point.orders)}
            </span>
          )}
        </div>
      </div>
      <div className="trend__body" ref={ref}>
        {slots.length === 0 ? (
          <div className="trend__empty muted">暂无分钟数据 No per-minute data yet</div>
        ) : (
          width > 0 && (
            <svg
              width={width}
              height={HEIGHT}
              role="img"
              aria-label="在线人数与每分钟成交额"
              onMouseMove={onMove}
              onMouseLeave={() => setHover(null)}
            >
              <MinutePlot
                box={box}
                slots={plotSlots}
                maxOnline={maxOnline}
                maxGmv={maxGmv}
                ticks={TICKS}
                gmvAnchor="start"
              />
              {latest !== undefined && latest.point !== undefined && (
                <circle
                  className="trend__dot"
                  cx={xMid(slots.indexOf(latest))}
                  cy={yOnline(latest.point.online)}
                  r={3.5}
                />
              )}
              <MinuteAxis box={box} slots={slots} labelEvery={labelEvery} labelY={HEIGHT - 6} hover={hover} />
              {markers.map((m) => {
                const x = xMid(m.slot);
                const lines = m.actions.map((a) => markerLine(a, names));
                return (
                  <g
                    key={m.slot}
                    className={`trend__marker${hover === m.slot ? " trend__marker--on" : ""}`}
                    data-testid="trend-marker"
                    data-types={m.actions.map((a) => a.type).join(" ")}
                    onClick={() => setHover(m.slot)}
                  >
                    <title>{lines.join("\n")}</title>
                    <line className="trend__marker-line" x1={x} x2={x} y1={MARGIN.top} y2={MARGIN.top + plotH} />
                    <circle cx={x} cy={MARGIN.top - MARKER_R - 2} r={MARKER_R} />
                    <text x={x} y={MARGIN.top - MARKER_R + 2} textAnchor="middle">
                      {m.glyph}
                    </text>
                    {m.actions.length > 1 && (
                      <text className="trend__marker-count" x={x + MARKER_R + 1} y={MARGIN.top - MARKER_R - 4}>
                        {m.actions.length}
                      </text>
                    )}
                  </g>
                );
              })}
            </svg>
          )
        )}
      </div>
      {markerShown !== undefined && (
        <ol className="trend__actions small" data-testid="trend-marker-label">
          {markerShown.actions.slice(-3).map((a) => (
            <li key={a.id}>{markerLine(a, names)}</li>
          ))}
        </ol>
      )}
    </section>
  );
});
