/**
 * Stock as field control (场控) and the assistant (助播) read it: what buyers can still get,
 * whether that is low or gone, when it will be gone at the current pace, and where a flash
 * sale (秒杀) stands. Pure functions of a ledger row and the server clock.
 */
import type { Alert, FlashSale, StockLevels } from "../live/protocol";

/**
 * The server's default `LIVEOPS_LOW_STOCK_RATIO`: a SKU is low at this share of its
 * allocation (or of the flash sale's cap). The server does not send its setting, so a
 * deployment that changes it sees its alerts at the new level but this highlight at 10%.
 */
export const LOW_STOCK_RATIO = 0.1;

/**
 * The forecast is a one-minute velocity computed when the row was sent. The server sends a
 * row again only when it changes, so after a minute without one the velocity it implies is
 * out of date (nothing sold for a minute): the forecast is then not shown.
 */
export const FORECAST_STALE_MS = 60_000;

/** What a buyer can still get: a flash sale's remaining, else what is available. */
export function sellable(row: Pick<StockLevels, "available" | "flash_sale">): number {
  return row.flash_sale !== null ? row.flash_sale.remaining : row.available;
}

/** Units at or below which a SKU is low: a share of the allocation (or cap), at least one. */
export function lowStockThreshold(basis: number, ratio = LOW_STOCK_RATIO): number {
  return Math.max(1, Math.floor(basis * ratio));
}

export type StockLevel = "ok" | "low" | "out";

/** The same rule as the server's alerts (liveops.inventory.ledger.stock_alert). */
export function stockLevel(
  row: Pick<StockLevels, "available" | "allocated" | "flash_sale">,
  ratio = LOW_STOCK_RATIO,
): StockLevel {
  const left = sellable(row);
  if (left <= 0) return "out";
  const basis = row.flash_sale !== null ? row.flash_sale.cap : row.allocated;
  return left <= lowStockThreshold(basis, ratio) ? "low" : "ok";
}

export interface Bilingual {
  zh: string;
  en: string;
}

/**
 * The sell-out forecast: 约 3 分 20 秒售罄 / sells out in ~3m20s. Seconds are shown while
 * they matter (under ten minutes); null when there is no forecast (nothing is selling) or
 * nothing is left (the sold-out state says that better).
 */
export function formatSellOut(seconds: number | null): Bilingual | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return null;
  const s = Math.max(1, Math.round(seconds));
  let zh: string;
  let en: string;
  if (s < 60) {
    zh = `${s} 秒`;
    en = `${s}s`;
  } else if (s < 600) {
    const m = Math.floor(s / 60);
    const r = s % 60;
    zh = r === 0 ? `${m} 分钟` : `${m} 分 ${r} 秒`;
    en = `${m}m${String(r).padStart(2, "0")}s`;
  } else if (s < 3600) {
    const m = Math.round(s / 60);
    zh = `${m} 分钟`;
    en = `${m}m`;
  } else {
    const totalMinutes = Math.round(s / 60);
    const h = Math.floor(totalMinutes / 60);
    const m = totalMinutes % 60;
    zh = m === 0 ? `${h} 小时` : `${h} 小时 ${m} 分`;
    en = `${h}h${String(m).padStart(2, "0")}m`;
  }
  return { zh: `约 ${zh}售罄`, en: `sells out in ~${en}` };
}

/** The forecast to show for a row held since `receivedAt` (server ms), or null. */
export function currentForecast(
  row: Pick<StockLevels, "sell_out_in_seconds">,
  receivedAt: number,
  serverNow: number,
): Bilingual | null {
  if (serverNow - receivedAt > FORECAST_STALE_MS) return null;
  return formatSellOut(row.sell_out_in_seconds);
}

/** Units per minute, one decimal below ten: "12 件/分", "0.5 件/分". */
export function formatRatePerMinute(unitsPerMinute: number): string {
  if (!Number.isFinite(unitsPerMinute) || unitsPerMinute <= 0) return "0";
  return unitsPerMinute < 10 ? String(Math.round(unitsPerMinute * 10) / 10) : String(Math.round(unitsPerMinute));
}

/** A countdown: 45 → "00:45", 200 → "03:20", 3725 → "1:02:05". Whole seconds, rounded up. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export type FlashPhase =
  | { phase: "countdown"; ms: number; cap: number }
  | { phase: "running"; remaining: number; cap: number }
  | { phase: "sold_out"; cap: number };

/**
 * Where a flash sale stands at `serverNow` (the server's clock: the console's clock shifted
 * by the offset it tracks). Sold out wins over everything; before `starts_at` it counts down.
 */
export function flashPhase(sale: FlashSale, serverNow: number): FlashPhase {
  if (sale.state === "sold_out" || sale.remaining <= 0) return { phase: "sold_out", cap: sale.cap };
  const ms = sale.starts_at - serverNow;
  if (ms > 0) return { phase: "countdown", ms, cap: sale.cap };
  return { phase: "running", remaining: sale.remaining, cap: sale.cap };
}

export function formatFlash(p: FlashPhase): Bilingual {
  switch (p.phase) {
    case "countdown":
      return { zh: `距开抢 ${formatCountdown(p.ms)}`, en: `starts in ${formatCountdown(p.ms)}` };
    case "running":
      return { zh: `进行中 · 剩 ${p.remaining} / ${p.cap}`, en: `running · ${p.remaining} of ${p.cap} left` };
    case "sold_out":
      return { zh: "已抢光", en: `sold out · ${p.cap} gone` };
  }
}

// --- alerts -------------------------------------------------------------------------------

export const ROLE_LABEL: Readonly<Record<string, Bilingual>> = {
  field_control: { zh: "场控", en: "field control" },
  assistant: { zh: "助播", en: "assistant" },
  anchor: { zh: "主播", en: "anchor" },
  operations: { zh: "运营", en: "operations" },
  admin: { zh: "管理员", en: "admin" },
  integrator: { zh: "对接", en: "integrator" },
};

export function roleLabel(role: string): string {
  return ROLE_LABEL[role]?.zh ?? role;
}

/** Roles that alerts are addressed to; any other console (admin) sees every alert. */
const ALERT_ROLES: ReadonlySet<string> = new Set(["field_control", "assistant", "anchor", "operations"]);

export interface AlertView {
  /** Newest first. */
  alerts: Alert[];
  /** True when the console's role is not one alerts are addressed to: all are shown, labelled. */
  showingAll: boolean;
}

/**
 * The alerts this console should show, newest first: those addressed to its role. A
 * console whose role no alert is ever addressed to (admin, or an unknown role) sees them
 * all, each labelled with the roles it is for.
 */
export function alertsFor(alerts: readonly Alert[], role: string | null): AlertView {
  const showingAll = role === null || !ALERT_ROLES.has(role);
  const chosen = showingAll ? alerts.slice() : alerts.filter((a) => a.roles.includes(role));
  // Stable: alerts arrive in stream order, which ties on `ts` keep.
  const ordered = chosen.map((a, i) => ({ a, i })).sort((x, y) => y.a.ts - x.a.ts || y.i - x.i);
  return { alerts: ordered.map((x) => x.a), showingAll };
}

/**
 * A stable identity for an alert, for React keys and "seen" marks: its id and severity (an
 * escalation is news again; an acknowledgement or resolution is not), or, from a server
 * that sends no id, what it says.
 */
export function alertKey(a: Alert): string {
  if (a.id !== null) return `${a.id}:${a.severity}`;
  switch (a.kind) {
    case "low_stock":
    case "sold_out":
      return `${a.ts}:${a.kind}:${a.sku}:${a.available}`;
    case "compliance":
      return `${a.ts}:${a.kind}:${a.line}`;
    case "cue_unacked":
      return `${a.ts}:${a.kind}:${a.cue_id}`;
    case "segment_overrun":
      return `${a.ts}:${a.kind}:${a.segment_id}`;
    case "other":
      return `${a.ts}:${a.server_kind}:${a.text}`;
  }
}
