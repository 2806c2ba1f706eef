import type { MouseEvent } from "react";
import { formatCountShort, formatHourMinute, formatMoneyShort } from "../../lib/format";

/** What one minute slot plots: online viewers (line, left axis) and paid GMV in fen (bars, right axis). */
export interface MinuteValue {
  online: number;
  gmv: number;
}

export interface MinuteSlot {
  /** The minute's start (ms): the bar's key. */
  t: number;
  /** Undefined for a minute without data: no bar, no point of the line. */
  value: MinuteValue | undefined;
}

/** The plot's rectangle inside the SVG, in pixels. */
export interface PlotBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A slot's width and the x of a slot's middle, for a plot of `slots` minutes. */
export function slotScale(box: PlotBox, slots: number) {
  const slotW = slots > 0 ? box.width / slots : 0;
  return { slotW, xMid: (i: number) => box.left + (i + 0.5) * slotW };
}

/** The slot under the mouse on the chart's `<svg>`, or null left or right of the slots. */
export function slotAt(ev: MouseEvent<SVGSVGElement>, box: PlotBox, slots: number): number | null {
  const rect = ev.currentTarget.getBoundingClientRect();
  const i = Math.floor((ev.clientX - rect.left - box.left) / slotScale(box, slots).slotW);
  return i >= 0 && i < slots ? i : null;
}

/** With the slots' x, the y of an online count and of a GMV, given the two axes' maxima. */
export function minuteScales(box: PlotBox, slots: number, maxOnline: number, maxGmv: number) {
  const bottom = box.top + box.height;
  return {
    ...slotScale(box, slots),
    yOnline: (v: number) => bottom - (v / maxOnline) * box.height,
    yGmv: (v: number) => bottom - (v / maxGmv) * box.height,
  };
}

/**
 * The per-minute plot the live trend chart and the review chart share, as SVG elements for
 * their `<svg>`: grid lines at `ticks` (fractions of the axes) with the online (left) and GMV
 * (right) labels, a GMV bar per minute with sales, and the online polyline.
 */
export function MinutePlot({
  box,
  slots,
  maxOnline,
  maxGmv,
  ticks,
  gmvAnchor,
}: {
  box: PlotBox;
  slots: readonly MinuteSlot[];
  maxOnline: number;
  maxGmv: number;
  ticks: readonly number[];
  /** The GMV labels' text-anchor attribute, if any. */
  gmvAnchor?: "start";
}) {
  const { slotW, xMid, yOnline, yGmv } = minuteScales(box, slots.length, maxOnline, maxGmv);
  const bottom = box.top + box.height;
  const line = slots
    .map((s, i) => (s.value === undefined ? null : `${xMid(i).toFixed(1)},${yOnline(s.value.online).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(" ");
  return (
    <>
      {ticks.map((f) => {
        const y = bottom - f * box.height;
        return (
          <g key={f}>
            <line className="trend__grid" x1={box.left} x2={box.left + box.width} y1={y} y2={y} />
            <text className="trend__axis trend__axis--online" x={box.left - 6} y={y + 4} textAnchor="end">
              {formatCountShort(maxOnline * f)}
            </text>
            <text
              className="trend__axis trend__axis--gmv"
              x={box.left + box.width + 6}
              y={y + 4}
              textAnchor={gmvAnchor}
            >
              {formatMoneyShort(maxGmv * f)}
            </text>
          </g>
        );
      })}
      {slots.map((s, i) =>
        s.value !== undefined && s.value.gmv > 0 ? (
          <rect
            key={s.t}
            className="trend__bar"
            x={box.left + i * slotW + slotW * 0.15}
            width={Math.max(1, slotW * 0.7)}
            y={yGmv(s.value.gmv)}
            height={bottom - yGmv(s.value.gmv)}
          />
        ) : null,
      )}
      <polyline className="trend__line" points={line} />
    </>
  );
}

/**
 * Under the plot, the minute of every `labelEvery`th slot (at `labelY`), and the hover cursor
 * through the hovered slot's middle: the part of both charts drawn over their own marks.
 */
export function MinuteAxis({
  box,
  slots,
  labelEvery,
  labelY,
  hover,
}: {
  box: PlotBox;
  slots: readonly { t: number }[];
  labelEvery: number;
  labelY: number;
  hover: number | null;
}) {
  const { xMid } = slotScale(box, slots.length);
  return (
    <>
      {slots.map((s, i) =>
        i % labelEvery === 0 ? (
          <text key={s.t} className="trend__axis" x={xMid(i)} y={labelY} textAnchor="middle">
            {formatHourMinute(s.t)}
          </text>
        ) : null,
      )}
      {hover !== null && (
        <line className="trend__cursor" x1={xMid(hover)} x2={xMid(hover)} y1={box.top} y2={box.top + box.height} />
      )}
    </>
  );
}
