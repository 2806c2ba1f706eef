/**
 * Pure helpers for the prompter (docs/runsheet.md, "The prompter"): the script cut into plain
 * text and live values, and the segment clock between two server messages.
 */
import type { Actor, Beat, Metrics, PrompterPart, PrompterView } from "../live/protocol";
import { EMPTY, formatCount, formatMoneyExact, formatMoneyShort } from "./format";
import { roleLabel } from "./stock";

export type ScriptPiece = { text: string; part: null } | { text: string; part: PrompterPart };

/**
 * The script as pieces: plain text, and the spans `parts` name as live values. Offsets are
 * Unicode code points (an emoji is one), so the text is indexed as `Array.from(text)`. Parts
 * out of order, overlapping an earlier one, or past the end are clipped or left out: the
 * text itself is always shown whole.
 */
export function scriptPieces(text: string, parts: readonly PrompterPart[]): ScriptPiece[] {
  const chars = Array.from(text);
  const sorted = [...parts].sort((a, b) => a.start - b.start || a.end - b.end);
  const pieces: ScriptPiece[] = [];
  let at = 0;
  for (const part of sorted) {
    const start = Math.max(part.start, at);
    const end = Math.min(part.end, chars.length);
    if (end <= start) continue;
    if (start > at) pieces.push({ text: chars.slice(at, start).join(""), part: null });
    pieces.push({ text: chars.slice(start, end).join(""), part });
    at = end;
  }
  if (at < chars.length) pieces.push({ text: chars.slice(at).join(""), part: null });
  return pieces;
}

export interface SegmentClock {
  /** Whole seconds on air now. */
  elapsed: number;
  /** Seconds left by the plan (0 once past it). */
  remaining: number;
  /** Whole seconds past the plan (0 within it). */
  overrun: number;
}

/**
 * The segment's clock at `nowMs`, from a view that was true at `atMs` (both server-clock
 * epoch ms). The server sends a new view every second while the segment is on air; between
 * views, and while the connection is down, the clock keeps running here. It stops when the
 * show is not running (ended: the server's clock stopped at the end too). Null before a
 * segment is on air.
 *
 * The view's `elapsed_seconds` is whole seconds (rounded down) and its `remaining_seconds`
 * the plan minus that, so counting whole seconds on from `elapsed_seconds` agrees with the
 * server's next view.
 */
export function segmentClock(
  view: PrompterView,
  atMs: number | null,
  nowMs: number,
  running: boolean,
): SegmentClock | null {
  const seg = view.segment;
  if (seg === null) return null;
  const drift = running && atMs !== null ? Math.max(0, nowMs - atMs) / 1000 : 0;
  const elapsed = Math.floor(seg.elapsed_seconds + drift);
  if (drift < 1 && view.remaining_seconds !== null && view.overrun_seconds !== null) {
    // Within the second the view was sent: its own figures, exactly as the server gave them.
    return { elapsed: seg.elapsed_seconds, remaining: view.remaining_seconds, overrun: view.overrun_seconds };
  }
  return {
    elapsed,
    remaining: Math.max(0, seg.planned_seconds - elapsed),
    overrun: Math.max(0, elapsed - seg.planned_seconds),
  };
}

/** Seconds as m:ss, minutes unbounded (75:00), never negative. */
export function formatMinSec(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** How the countdown should look: calm, nearly out (last 30 s), or over time. */
export function clockTone(clock: SegmentClock, warnAt = 30): "calm" | "warn" | "over" {
  if (clock.overrun > 0) return "over";
  if (clock.remaining <= warnAt) return "warn";
  return "calm";
}

/** Labels the server gives credentials it made itself: they name a token, not a person. */
const MACHINE_LABEL = /^(|admin token|login link|browser session of .*)$/i;

/** Who sent a cue, for a person: the token's label when someone named it, else the role. */
export function senderName(by: Actor): string {
  return MACHINE_LABEL.test(by.label.trim()) ? roleLabel(by.role) : by.label;
}

/** What a beat is called on the anchor's clock; "other" and none have no label. */
const BEAT_LABEL: Readonly<Record<Exclude<Beat, "other">, string>> = {
  hook: "钩子",
  push: "强推",
  welfare: "福利",
  warmup: "暖场",
  interaction: "互动",
};

export function beatLabel(beat: Beat | null | undefined): string | null {
  return beat === null || beat === undefined || beat === "other" ? null : BEAT_LABEL[beat];
}

export interface Headline {
  key: "online" | "gmv" | "stock";
  label: string;
  /** The forms the value may take, from the most exact to the shortest (components/FitText). */
  texts: string[];
  /** The exact figure, for a tooltip. */
  title: string;
  /** "none": not known (a dash); "out": sold out. */
  state: "ok" | "out" | "none";
}

/**
 * The anchor's three headline numbers (issue #10): the room (the `online` metric, grouped,
 * shortened as the script says it when the box is narrow, so that the two never disagree),
 * the paid GMV (fen, as yuan in 万 past ten thousand: ¥12.3万) and what is left of the
 * product on air (the prompter's `stock_left`: 已售罄 at 0, a dash without a product).
 */
export function headlines(metrics: Metrics, view: PrompterView | null): [Headline, Headline, Headline] {
  const values = view?.values ?? {};
  const online = metrics.online;
  const spoken = values.online ?? null;
  const onlineTexts = online !== undefined ? [formatCount(online)] : [];
  if (spoken !== null && !onlineTexts.includes(spoken)) onlineTexts.push(spoken);

  const gmv = metrics.gmv_paid;
  const gmvTexts = gmv === undefined ? [EMPTY] : [...new Set([formatMoneyShort(gmv, 3), formatMoneyShort(gmv, 2)])];

  // The server writes stock as a plain integer; anything else is shown as it came.
  const stock = view?.segment?.sku != null ? (values.stock_left ?? null) : null;
  const units = stock !== null && /^\d+$/.test(stock) ? Number(stock) : null;
  const stockText = stock === null ? EMPTY : units === 0 ? "已售罄" : units !== null ? formatCount(units) : stock;
  return [
    {
      key: "online",
      label: "在线",
      texts: onlineTexts.length > 0 ? onlineTexts : [EMPTY],
      title: online !== undefined ? `在线 ${online} 人 online` : "在线人数 暂无 online: not known",
      state: onlineTexts.length > 0 ? "ok" : "none",
    },
    {
      key: "gmv",
      label: "成交额",
      texts: gmvTexts,
      title: gmv !== undefined ? `成交额 ${formatMoneyExact(gmv)} paid GMV` : "成交额 暂无 paid GMV: not known",
      state: gmv !== undefined ? "ok" : "none",
    },
    {
      key: "stock",
      label: "库存",
      texts: [stockText],
      title:
        stock === null
          ? "本段商品库存 暂无 stock left: not known"
          : units === 0
            ? "已售罄 sold out"
            : `剩余库存 ${stock} 件 stock left`,
      state: stock === null ? "none" : units === 0 ? "out" : "ok",
    },
  ];
}
