/**
 * Action markers on the per-minute trend chart (issue #11 item 6): one marker per minute that
 * holds actions which move sales (pin, price, coupon, lucky bag, announcement, segment), each
 * with a one-line label a person under pressure can read. Pure: the chart draws what this
 * places.
 */
import type { ActionRecord } from "../live/protocol";
import { formatHourMinute, formatMoney } from "./format";

const MINUTE = 60_000;

/** The action types that move sales, with the one character drawn in the marker. */
export const MARKER_GLYPHS: Readonly<Record<string, string>> = {
  "product.pin": "挂",
  "price.set": "价",
  "coupon.issue": "券",
  "coupon.stop": "券",
  "lucky_bag.start": "袋",
  "lucky_bag.draw": "袋",
  "announcement.set": "公",
  "segment.goto": "环",
};

const TYPE_LABELS: Readonly<Record<string, string>> = {
  "product.pin": "挂车",
  "price.set": "改价",
  "coupon.issue": "发券",
  "coupon.stop": "停券",
  "lucky_bag.start": "福袋",
  "lucky_bag.draw": "福袋开奖",
  "announcement.set": "公告",
  "segment.goto": "切环节",
};

/** Whether an action gets a marker: a sales-moving type that applied (not held, undone, failed). */
export function isMarked(a: ActionRecord): boolean {
  if (!(a.type in MARKER_GLYPHS)) return false;
  const state = a.fields.state;
  return state === undefined || state === "applied";
}

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const money = (v: unknown): string | null => (typeof v === "number" ? formatMoney(v) : null);

function clip(s: string, max = 24): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export interface MarkerNames {
  /** SKU → product name (the lineup). */
  products?: ReadonlyMap<string, string>;
  /** segment id → title (the run-sheet). */
  segments?: ReadonlyMap<string, string>;
}

/** What the action did, in a few words: "挂车 纯棉中筒袜", "改价 爆款T恤 ¥99 → ¥79". */
export function markerWhat(a: ActionRecord, names: MarkerNames = {}): string {
  const f = a.fields;
  const sku = text(f.sku);
  const product = sku !== null ? (names.products?.get(sku) ?? sku) : "";
  const label = TYPE_LABELS[a.type] ?? a.type;
  switch (a.type) {
    case "product.pin":
      return `${label} ${product}`.trim();
    case "price.set": {
      const before = money(f.live_price_before);
      const after = money(f.live_price) ?? "";
      return `${label} ${product} ${before !== null ? `${before} → ` : ""}${after}`.trim();
    }
    case "coupon.issue": {
      const off = money(f.amount_off);
      const at = money(f.threshold);
      return `${label} ${at !== null ? `满${at}` : ""}减${off ?? "?"}`.trim();
    }
    case "coupon.stop":
      return `${label} ${text(f.coupon_id) ?? ""}`.trim();
    case "lucky_bag.start":
      return `${label} ${clip(text(f.prize) ?? text(f.bag_id) ?? "")}`.trim();
    case "lucky_bag.draw":
      return `${label} ${text(f.bag_id) ?? ""}`.trim();
    case "announcement.set": {
      const t = text(f.text);
      return t === null ? "清空公告" : `${label} “${clip(t)}”`;
    }
    case "segment.goto": {
      const id = text(f.segment_id) ?? "";
      return `${label} ${names.segments?.get(id) ?? id}`.trim();
    }
    default:
      return label;
  }
}

/** The tooltip line of one action: "20:14 挂车 纯棉中筒袜 · 场控小王". */
export function markerLine(a: ActionRecord, names: MarkerNames = {}): string {
  const t = Date.parse(a.at);
  const hm = Number.isNaN(t) ? "--:--" : formatHourMinute(t);
  const who = a.by.label !== "" ? a.by.label : a.by.role;
  return `${hm} ${markerWhat(a, names)} · ${who}`;
}

export interface Marker {
  /** The chart slot (minute) it sits in: 0 is the slot starting at `firstMinute`. */
  slot: number;
  /** Oldest first. */
  actions: ActionRecord[];
  /** The glyph of the newest action in the minute. */
  glyph: string;
}

/**
 * Markers for the chart's slots: the marked actions grouped by the minute they happened in,
 * for the minutes `firstMinute` … `firstMinute + (slots - 1) min` (epoch ms, minute-aligned).
 * Actions outside those minutes are left out; each action counts once (by id).
 */
export function placeMarkers(actions: readonly ActionRecord[], firstMinute: number, slots: number): Marker[] {
  const bySlot = new Map<number, ActionRecord[]>();
  const seen = new Set<number>();
  for (const a of actions) {
    if (seen.has(a.id) || !isMarked(a)) continue;
    const t = Date.parse(a.at);
    if (Number.isNaN(t)) continue;
    const slot = Math.floor((t - firstMinute) / MINUTE);
    if (slot < 0 || slot >= slots) continue;
    seen.add(a.id);
    const list = bySlot.get(slot);
    if (list === undefined) bySlot.set(slot, [a]);
    else list.push(a);
  }
  return [...bySlot.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, list]) => {
      list.sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.id - y.id);
      const newest = list[list.length - 1];
      return { slot, actions: list, glyph: newest !== undefined ? (MARKER_GLYPHS[newest.type] ?? "•") : "•" };
    });
}

/**
 * The audit log's history and the live stream's recent actions as one list, oldest first,
 * one record per id (the later one wins: a held action's record is replaced when it applies).
 */
export function mergeActions(history: readonly ActionRecord[], live: readonly ActionRecord[]): ActionRecord[] {
  const byId = new Map<number, ActionRecord>();
  for (const a of history) byId.set(a.id, a);
  for (const a of live) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
