import { memo, useMemo, useState, type MouseEvent } from "react";
import { formatCount, formatHourMinute, formatMoney } from "../../lib/format";
import { useElementWidth } from "../../lib/hooks";
import type { MinuteRow, TimelineMarker } from "../../lib/review";
import { MinuteAxis, MinutePlot, slotAt, slotScale } from "../chart/MinutePlot";
import { niceMax } from "../TrendChart";

const MINUTE = 60_000;
const LANE_H = 14;
const LANES: readonly TimelineMarker["kind"][] = ["segment", "action", "alert"];
const MARGIN = { top: 8 + LANES.length * LANE_H, right: 58, bottom: 24, left: 50 };
const HEIGHT = 250;
const TICKS = [0, 0.5, 1];
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
  const first = slots[0]?.t ?? 0;
  const maxOnline = niceMax(Math.max(10, ...slots.map((s) => s.row?.online ?? 0)));
  const maxGmv = niceMax(Math.max(10_000, ...slots.map((s) => s.row?.gmv ?? 0)));
  const box = { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH };
  const { slotW } = slotScale(box, slots.length);
  const xAt = (t: number) => MARGIN.left + ((t - first) / MINUTE) * slotW;
  const plotSlots = useMemo(() => slots.map((s) => ({ t: s.t, value: s.row })), [slots]);
  const labelEvery = Math.max(1, Math.ceil(slots.length / Math.max(1, Math.floor(plotW / 64))));
  const hovered = hover !== null ? slots[hover] : undefined;
  const near =
    hovered !== undefined ? markers.filter((m) => m.at >= hovered.t && m.at < hovered.t + MINUTE).slice(0, 4) : [];

  function onMove(ev: MouseEvent<SVGSVGElement>) {
    if (slotW <= 0) return;
    setHover(slotAt(ev, box, slots.length));
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
              <MinutePlot box={box} slots={plotSlots} maxOnline={maxOnline} maxGmv={maxGmv} ticks={TICKS} />
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
              <MinuteAxis box={box} slots={slots} labelEvery={labelEvery} labelY={HEIGHT - 6} hover={hover} />
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
