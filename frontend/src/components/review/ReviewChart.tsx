import { memo, useMemo, useState, type MouseEvent } from "react";
import { formatCount, formatCountShort, formatHourMinute, formatMoney, formatMoneyShort } from "../../lib/format";
import { useElementWidth } from "../../lib/hooks";
import type { MinuteRow, TimelineMarker } from "../../lib/review";
import { niceMax } from "../TrendChart";

const MINUTE = 60_000;
const LANE_H = 14;
const LANES: readonly TimelineMarker["kind"][] = ["segment", "action", "alert"];
const MARGIN = { top: 8 + LANES.length * LANE_H, right: 58, bottom: 24, left: 50 };
const HEIGHT = 250;
const GLYPH: Record<TimelineMarker["kind"], string> = { segment: "▼", action: "◆", alert: "!" };

interface Slot {
  t: number;
  row: MinuteRow | undefined;
}

/**
 * The whole show minute by minute: online viewers (line, left axis), paid GMV (bars, right
 * axis), and above the plot three lanes of markers (segment starts, actions that move sales,
 * alerts). The axis runs from the show's first minute to its last, nothing beyond.
 */
export const ReviewChart = memo(function ReviewChart({
  minutes,
  markers,
  endedAt,
}: {
  minutes: readonly MinuteRow[];
  markers: readonly TimelineMarker[];
  endedAt: number | null;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);

  const slots = useMemo<Slot[]>(() => {
    if (minutes.length === 0) return [];
    const byMinute = new Map(minutes.map((m) => [Math.floor(m.at / MINUTE) * MINUTE, m]));
    const times = [...byMinute.keys()];
    const first = Math.min(...times);
    const last = Math.max(...times, endedAt !== null ? Math.floor(endedAt / MINUTE) * MINUTE : -Infinity);
    const n = Math.round((last - first) / MINUTE) + 1;
    return Array.from({ length: n }, (_, i) => ({ t: first + i * MINUTE, row: byMinute.get(first + i * MINUTE) }));
  }, [minutes, endedAt]);

  const plotW = Math.max(0, width - MARGIN.left - MARGIN.right);
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slotW = slots.length > 0 ? plotW / slots.length : 0;
  const first = slots[0]?.t ?? 0;
  const maxOnline = niceMax(Math.max(10, ...slots.map((s) => s.row?.online ?? 0)));
  const maxGmv = niceMax(Math.max(10_000, ...slots.map((s) => s.row?.gmv ?? 0)));
  const xAt = (t: number) => MARGIN.left + ((t - first) / MINUTE) * slotW;
  const xMid = (i: number) => MARGIN.left + (i + 0.5) * slotW;
  const yOnline = (v: number) => MARGIN.top + plotH - (v / maxOnline) * plotH;
  const yGmv = (v: number) => MARGIN.top + plotH - (v / maxGmv) * plotH;
  const line = slots
    .map((s, i) => (s.row === undefined ? null : `${xMid(i).toFixed(1)},${yOnline(s.row.online).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(" ");
  const labelEvery = Math.max(1, Math.ceil(slots.length / Math.max(1, Math.floor(plotW / 64))));
  const hovered = hover !== null ? slots[hover] : undefined;
  const near =
    hovered !== undefined ? markers.filter((m) => m.at >= hovered.t && m.at < hovered.t + MINUTE).slice(0, 4) : [];

  function onMove(ev: MouseEvent<SVGSVGElement>) {
    if (slotW <= 0) return;
    const rect = ev.currentTarget.getBoundingClientRect();
    const i = Math.floor((ev.clientX - rect.left - MARGIN.left) / slotW);
    setHover(i >= 0 && i < slots.length ? i : null);
  }

  return (
    <div className="rchart" data-testid="review-chart">
      <div className="rchart__legend small">
        <span className="legend legend--online">在线 Online</span>
        <span className="legend legend--gmv">成交额 GMV / min</span>
        <span className="rchart__key rchart__key--segment">▼ 环节</span>
        <span className="rchart__key rchart__key--action">◆ 操作</span>
        <span className="rchart__key rchart__key--alert">! 告警</span>
      </div>
      <div className="rchart__body" ref={ref}>
        {slots.length === 0 ? (
          <div className="trend__empty muted">没有分钟数据 No per-minute data</div>
        ) : (
          width > 0 && (
            <svg
              width={width}
              height={HEIGHT}
              role="img"
              aria-label="每分钟在线人数与成交额"
              onMouseMove={onMove}
              onMouseLeave={() => setHover(null)}
            >
              {[0, 0.5, 1].map((f) => {
                const y = MARGIN.top + plotH - f * plotH;
                return (
                  <g key={f}>
                    <line className="trend__grid" x1={MARGIN.left} x2={MARGIN.left + plotW} y1={y} y2={y} />
                    <text className="trend__axis trend__axis--online" x={MARGIN.left - 6} y={y + 4} textAnchor="end">
                      {formatCountShort(maxOnline * f)}
                    </text>
                    <text className="trend__axis trend__axis--gmv" x={MARGIN.left + plotW + 6} y={y + 4}>
                      {formatMoneyShort(maxGmv * f)}
                    </text>
                  </g>
                );
              })}
              {slots.map((s, i) =>
                s.row !== undefined && s.row.gmv > 0 ? (
                  <rect
                    key={s.t}
                    className="trend__bar"
                    x={MARGIN.left + i * slotW + slotW * 0.15}
                    width={Math.max(1, slotW * 0.7)}
                    y={yGmv(s.row.gmv)}
                    height={MARGIN.top + plotH - yGmv(s.row.gmv)}
                  />
                ) : null,
              )}
              <polyline className="trend__line" points={line} />
              {LANES.map((kind, lane) =>
                markers
                  .filter((m) => m.kind === kind)
                  .map((m, j) => {
                    const x = Math.min(MARGIN.left + plotW, Math.max(MARGIN.left, xAt(m.at)));
                    const y = 8 + lane * LANE_H + LANE_H / 2;
                    return (
                      <g key={`${kind}-${j}`} className={`rchart__mark rchart__mark--${kind}`} data-kind={kind}>
                        <title>{`${formatHourMinute(m.at)} ${m.label}`}</title>
                        {kind === "segment" && (
                          <line className="rchart__tick" x1={x} x2={x} y1={MARGIN.top} y2={MARGIN.top + plotH} />
                        )}
                        <text x={x} y={y + 4} textAnchor="middle">
                          {GLYPH[kind]}
                        </text>
                      </g>
                    );
                  }),
              )}
              {slots.map((s, i) =>
                i % labelEvery === 0 ? (
                  <text key={s.t} className="trend__axis" x={xMid(i)} y={HEIGHT - 6} textAnchor="middle">
                    {formatHourMinute(s.t)}
                  </text>
                ) : null,
              )}
              {hover !== null && (
                <line
                  className="trend__cursor"
                  x1={xMid(hover)}
                  x2={xMid(hover)}
                  y1={MARGIN.top}
                  y2={MARGIN.top + plotH}
                />
              )}
            </svg>
          )
        )}
      </div>
      <div className="rchart__readout small num" data-testid="review-chart-readout">
        {hovered !== undefined ? (
          <>
            {formatHourMinute(hovered.t)} · 在线 {formatCount(hovered.row?.online)} · 成交{" "}
            {formatMoney(hovered.row?.gmv)} · 订单 {formatCount(hovered.row?.orders)}
            {near.map((m, i) => (
              <span key={i} className={`rchart__near rchart__key--${m.kind}`}>
                {" "}
                · {m.label}
              </span>
            ))}
          </>
        ) : (
          <span className="muted">指向图表查看每分钟 Hover for a minute</span>
        )}
      </div>
    </div>
  );
});
