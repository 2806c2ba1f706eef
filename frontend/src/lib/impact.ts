/**
 * The action impact (issue #11 item 2; docs/actions.md "Action impact") as the assistant
 * console shows it: `GET …/actions/impact?window_minutes=5` lists each applied pin, price
 * change, coupon and lucky bag with entry rate, click rate and conversion in the window before
 * it and after it, and the change (after ÷ before − 1, null when unknown).
 *
 * The fetch, and the pure helpers the panel is made of (what an action was, its time, the
 * rates and changes as text, newest first, when to fetch again). These are before/after
 * comparisons, not experiments: the panel says so.
 */
import { parseAction, type ActionRecord } from "../live/protocol";
import { actionState, call, showApi } from "./actionsApi";
import { EMPTY, formatHourMinute } from "./format";

export type RateKey = "entry_rate" | "click_rate" | "conversion";
export const RATE_KEYS: readonly RateKey[] = ["entry_rate", "click_rate", "conversion"];

/** Entry rate: joins a minute; click rate, conversion: 0–1. Null when unknown. */
export type Rates = Record<RateKey, number | null>;

export interface ActionImpact {
  action: ActionRecord;
  before: Rates;
  after: Rates;
  /** after ÷ before − 1 per rate; null when either is unknown or before is 0. */
  change: Rates;
  /** How much of the after window has passed (minutes). */
  after_minutes: number;
  /** The after window is not complete yet: not a final figure. */
  partial: boolean;
}

export interface ActionImpacts {
  window_minutes: number;
  actions: ActionImpact[];
}

/** The action types the server measures (src/liveops/actions/impact.py `MEASURED`). */
export const MEASURED: ReadonlySet<string> = new Set([
  "product.pin",
  "price.set",
  "coupon.issue",
  "lucky_bag.start",
  "lucky_bag.draw",
]);

// --- parsing --------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function rateOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function parseRates(v: unknown): Rates | null {
  if (!isObject(v)) return null;
  return {
    entry_rate: rateOrNull(v.entry_rate),
    click_rate: rateOrNull(v.click_rate),
    conversion: rateOrNull(v.conversion),
  };
}

/** One row of the answer, or null when it cannot be read (the row is left out). */
export function parseImpact(v: unknown): ActionImpact | null {
  if (!isObject(v)) return null;
  const action = parseAction(v.action);
  const before = parseRates(v.before);
  const after = parseRates(v.after);
  const change = parseRates(v.change);
  if (action === null || before === null || after === null || change === null) return null;
  const minutes = rateOrNull(v.after_minutes);
  return {
    action,
    before,
    after,
    change,
    after_minutes: minutes !== null && minutes >= 0 ? minutes : 0,
    partial: v.partial === true,
  };
}

export function parseImpacts(v: unknown, windowMinutes: number): ActionImpacts {
  const o = isObject(v) ? v : {};
  const w = o.window_minutes;
  const rows = Array.isArray(o.actions) ? o.actions : [];
  const actions: ActionImpact[] = [];
  for (const r of rows) {
    const row = parseImpact(r);
    if (row !== null) actions.push(row);
  }
  return { window_minutes: typeof w === "number" && w > 0 ? w : windowMinutes, actions };
}

// --- HTTP -----------------------------------------------------------------------------------

/** `GET …/actions/impact`; an error answer throws HttpError with the server's `detail`. */
export async function getImpacts(showId: string, windowMinutes = 5, signal?: AbortSignal): Promise<ActionImpacts> {
  const body = await call(showApi(showId, `actions/impact?window_minutes=${windowMinutes}`), { signal });
  return parseImpacts(body, windowMinutes);
}

// --- what, when -----------------------------------------------------------------------------

/** Fen → yuan without trailing zeros: 6900 → "69", 6990 → "69.9", 6999 → "69.99". */
export function shortYuan(fen: unknown): string {
  if (typeof fen !== "number" || !Number.isFinite(fen)) return "?";
  return String(Math.round(fen) / 100);
}

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** What the action was, for one line: label (挂车, 改价, 券, 福袋) and the detail after it. */
export function describeAction(a: ActionRecord): { label: string; detail: string } {
  const f = a.fields;
  switch (a.type) {
    case "product.pin":
      return { label: "挂车", detail: text(f.sku) };
    case "price.set": {
      const was = f.live_price_before;
      const price =
        typeof was === "number" ? `¥${shortYuan(was)}→¥${shortYuan(f.live_price)}` : `→¥${shortYuan(f.live_price)}`;
      return { label: "改价", detail: `${price} ${text(f.sku)}`.trim() };
    }
    case "coupon.issue": {
      const off = shortYuan(f.amount_off);
      const threshold = f.threshold;
      return {
        label: "券",
        detail: typeof threshold === "number" && threshold > 0 ? `满${shortYuan(threshold)}减${off}` : `无门槛减${off}`,
      };
    }
    case "lucky_bag.start":
      return { label: "福袋", detail: text(f.prize) };
    case "lucky_bag.draw":
      return { label: "福袋开奖", detail: "" };
    default:
      return { label: a.type, detail: "" };
  }
}

/** Epoch ms the action took effect: a held action's `applies_at`, else its `at`. */
export function effectiveAt(a: ActionRecord): number {
  const applies = a.fields.applies_at;
  const ms = Date.parse(typeof applies === "string" ? applies : a.at);
  return Number.isNaN(ms) ? 0 : ms;
}

/** HH:MM (local) the action took effect. */
export function actionTime(a: ActionRecord): string {
  const ms = effectiveAt(a);
  return ms === 0 ? EMPTY : formatHourMinute(ms);
}

/** Newest first: by the time it took effect, then by id. */
export function newestFirst(rows: readonly ActionImpact[]): ActionImpact[] {
  return [...rows].sort((x, y) => effectiveAt(y.action) - effectiveAt(x.action) || y.action.id - x.action.id);
}

// --- figures --------------------------------------------------------------------------------

/** A rate as text: entry rate "12.5" (a minute), the others "3.4%". Unknown: "—". */
export function formatImpactRate(key: RateKey, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return EMPTY;
  if (key === "entry_rate") return v >= 100 ? String(Math.round(v)) : v.toFixed(1);
  const pct = v * 100;
  return `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export type Direction = "up" | "down" | "flat" | "unknown";

export interface ChangeView {
  direction: Direction;
  /** "↑ +25%", "↓ −8.3%", "= 0%", "—". */
  text: string;
}

/** A change (after ÷ before − 1) as an arrow and a signed percentage. */
export function formatChange(change: number | null): ChangeView {
  if (change === null || !Number.isFinite(change)) return { direction: "unknown", text: EMPTY };
  const pct = change * 100;
  const abs = Math.abs(pct);
  const shown = abs >= 10 ? abs.toFixed(0) : abs.toFixed(1);
  if (shown === "0.0") return { direction: "flat", text: "= 0%" };
  return pct > 0 ? { direction: "up", text: `↑ +${shown}%` } : { direction: "down", text: `↓ −${shown}%` };
}

/** "进行中 (2.3/5 分钟)" while the after window runs; null when it is complete. */
export function partialText(
  row: Pick<ActionImpact, "partial" | "after_minutes">,
  windowMinutes: number,
): string | null {
  if (!row.partial) return null;
  const done = Math.min(row.after_minutes, windowMinutes);
  return `进行中 (${Number(done.toFixed(1))}/${windowMinutes} 分钟)`;
}

/**
 * The applied measured actions of the live state, as one key: it changes when a new one
 * arrives (or a held one applies), and the panel fetches again.
 */
export function measuredKey(actions: readonly ActionRecord[]): string {
  return actions
    .filter((a) => MEASURED.has(a.type) && actionState(a) === "applied")
    .map((a) => a.id)
    .join(",");
}
