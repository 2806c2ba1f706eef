/**
 * How old each number is. "Honest numbers" (BRIEF.md): a figure whose feed stopped must
 * look different from one that is current, even if its value did not change.
 */
import type { Feeds } from "../live/protocol";
import { formatAge, formatClock } from "./format";

export const STALE_WARN_MS = 10_000;
export const STALE_BAD_MS = 30_000;

export type Staleness = "fresh" | "warn" | "bad" | "none" | "ended";

function parse(t: string | null | undefined): number | null {
  if (t === null || t === undefined || t === "") return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * When the family's newest event happened: its source time, else the time the server
 * received it. The source time is what the number is "as of"; the receive time covers
 * sources that send no usable timestamp.
 */
export function familyTime(feeds: Feeds, family: string): number | null {
  const info = feeds[family];
  if (info === undefined) return null;
  return parse(info.ts) ?? parse(info.received_at);
}

/**
 * The time a metric's data is "as of" (see KpiDef.sources). Groups that never saw an
 * event are skipped: no refunds yet does not make the refund rate stale. Without any
 * `feeds` information the show-wide `metrics_at` is used.
 */
export function dataTime(
  sources: readonly (readonly string[])[],
  feeds: Feeds,
  metricsAt: string | null,
): number | null {
  if (Object.keys(feeds).length === 0 || sources.length === 0) return parse(metricsAt);
  let oldest: number | null = null;
  for (const group of sources) {
    let newest: number | null = null;
    for (const family of group) {
      const t = familyTime(feeds, family);
      if (t !== null && (newest === null || t > newest)) newest = t;
    }
    if (newest !== null && (oldest === null || newest < oldest)) oldest = newest;
  }
  return oldest;
}

export function staleness(ageMs: number | null, showEnded: boolean): Staleness {
  if (ageMs === null) return "none";
  // After the show the feeds stop on purpose; ageing numbers are not an alarm then.
  if (showEnded) return "ended";
  if (ageMs > STALE_BAD_MS) return "bad";
  if (ageMs > STALE_WARN_MS) return "warn";
  return "fresh";
}

export interface Age {
  ms: number | null;
  level: Staleness;
  label: string;
  /** Tooltip: when the data is from. */
  detail: string;
}

export function ageOf(time: number | null, serverNow: number, showEnded: boolean): Age {
  if (time === null) return { ms: null, level: "none", label: formatAge(null), detail: "尚未收到事件 / no events yet" };
  const ms = Math.max(0, serverNow - time);
  return {
    ms,
    level: staleness(ms, showEnded),
    label: formatAge(ms),
    detail: `数据时间 data as of ${formatClock(time)}`,
  };
}
