/**
 * Display formatting. Amounts arrive as integer fen (CONTRACT.md §3); rates as 0–1 floats.
 * Numbers use grouped digits up to a million so that a changing count stays visibly changing;
 * beyond that Chinese units (万 / 亿) keep the tile readable at a glance.
 */

const grouped0 = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 });
const grouped2 = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact2 = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const WAN = 10_000;
const YI = 100_000_000;

export const EMPTY = "—";

function valid(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** 12,345 · 123.46万 · 1.23亿 */
export function formatCount(v: number | null | undefined): string {
  if (!valid(v)) return EMPTY;
  const abs = Math.abs(v);
  if (abs >= YI) return `${compact2.format(v / YI)}亿`;
  if (abs >= 1_000_000) return `${compact2.format(v / WAN)}万`;
  return grouped0.format(Math.round(v));
}

/** Fen → yuan: ¥1,234.50 · ¥123,457 · ¥123.46万 · ¥1.23亿 */
export function formatMoney(fen: number | null | undefined): string {
  if (!valid(fen)) return EMPTY;
  const yuan = fen / 100;
  const abs = Math.abs(yuan);
  const sign = yuan < 0 ? "-" : "";
  if (abs >= YI) return `${sign}¥${compact2.format(abs / YI)}亿`;
  if (abs >= 1_000_000) return `${sign}¥${compact2.format(abs / WAN)}万`;
  if (abs >= 10_000) return `${sign}¥${grouped0.format(Math.round(abs))}`;
  return `${sign}¥${grouped2.format(abs)}`;
}

/** Exact amount for tooltips: ¥1,234,567.89 */
export function formatMoneyExact(fen: number | null | undefined): string {
  if (!valid(fen)) return EMPTY;
  const sign = fen < 0 ? "-" : "";
  return `${sign}¥${grouped2.format(Math.abs(fen) / 100)}`;
}

/** 0.1234 → 12.34% */
export function formatRate(v: number | null | undefined): string {
  if (!valid(v)) return EMPTY;
  return `${(v * 100).toFixed(2)}%`;
}

/** 125 → 2分05秒 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!valid(seconds)) return EMPTY;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return `${m}分${String(rest).padStart(2, "0")}秒`;
  const h = Math.floor(m / 60);
  return `${h}时${String(m % 60).padStart(2, "0")}分`;
}

/** Age of a datum: 刚刚 · 3 秒前 · 2 分前 · 1 时前 */
export function formatAge(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "暂无";
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 1) return "刚刚";
  if (s < 60) return `${s} 秒前`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} 分前`;
  return `${Math.floor(m / 60)} 时前`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Local wall-clock time HH:MM:SS of an RFC 3339 string or epoch ms. */
export function formatClock(t: string | number | null | undefined): string {
  if (t === null || t === undefined || t === "") return EMPTY;
  const ms = typeof t === "number" ? t : Date.parse(t);
  if (Number.isNaN(ms)) return EMPTY;
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Local HH:MM, for chart axes. */
export function formatHourMinute(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Local date and time for lists: 2025-11-22 20:00 */
export function formatDateTime(t: string | null | undefined): string {
  if (t === null || t === undefined || t === "") return EMPTY;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) return EMPTY;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Long opaque ids (epochs, viewer ids) shortened for display; the full value goes in a title. */
export function shortId(id: string, keep = 8): string {
  return id.length <= keep + 1 ? id : `${id.slice(0, keep)}…`;
}
