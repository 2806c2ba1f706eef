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
  // Units are chosen on the rounded figure: 999,999.6 is "100.00万", never "1,000,000".
  if (abs >= YI || Number(compact2.format(abs / WAN).replace(/,/g, "")) >= WAN) return `${compact2.format(v / YI)}亿`;
  if (Math.round(abs) >= 1_000_000) return `${compact2.format(v / WAN)}万`;
  return grouped0.format(Math.round(v));
}

/** Fen → yuan: ¥1,234.50 · ¥123,457 · ¥123.46万 · ¥1.23亿 */
export function formatMoney(fen: number | null | undefined): string {
  if (!valid(fen)) return EMPTY;
  const yuan = fen / 100;
  const abs = Math.abs(yuan);
  const sign = yuan < 0 ? "-" : "";
  // Units are chosen on the rounded figure: ¥999,999.99 is "¥100.00万", never "¥1,000,000".
  if (abs >= YI || Number(compact2.format(abs / WAN).replace(/,/g, "")) >= WAN) {
    return `${sign}¥${compact2.format(abs / YI)}亿`;
  }
  if (Math.round(abs) >= 1_000_000) return `${sign}¥${compact2.format(abs / WAN)}万`;
  if (abs >= 10_000) return `${sign}¥${grouped0.format(Math.round(abs))}`;
  return `${sign}¥${grouped2.format(abs)}`;
}

/** Exact amount for tooltips: ¥1,234,567.89 */
export function formatMoneyExact(fen: number | null | undefined): string {
  if (!valid(fen)) return EMPTY;
  const sign = fen < 0 ? "-" : "";
  return `${sign}¥${grouped2.format(Math.abs(fen) / 100)}`;
}

/** 0.1234 → 12.34% (`decimals` 1 → 12.3%) */
export function formatRate(v: number | null | undefined, decimals = 2): string {
  if (!valid(v)) return EMPTY;
  return `${(v * 100).toFixed(decimals)}%`;
}

/*
 * Short forms, for where space is short (a KPI tile on a phone, a chart axis): at most
 * `digits` significant digits after the unit, trailing zeros dropped, no grouping in front
 * of a unit. The exact figure belongs in a title beside them.
 */

/** "1.20" → "1.2", "3.00" → "3", "100" stays. */
function trimZeros(fixed: string): string {
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/** `abs` ≥ 1万 in 万 or 亿 with at most `digits` significant digits: 1.2万 · 988万 · 3.4亿. */
function shortUnits(abs: number, digits: number): string {
  for (const [size, unit] of [
    [WAN, "万"],
    [YI, "亿"],
  ] as const) {
    const scaled = abs / size;
    const whole = Math.max(1, Math.floor(Math.log10(scaled)) + 1);
    const decimals = Math.max(0, digits - whole);
    const rounded = Number(scaled.toFixed(decimals));
    // 9,999.6万 rounds to 1亿: take the next unit instead.
    if (unit === "万" && rounded >= WAN) continue;
    return `${trimZeros(rounded.toFixed(decimals))}${unit}`;
  }
  return String(abs); // not reached: the loop returns at 亿
}

/** 9,876 · 1.23万 (digits 3) · 1.2万 (digits 2) · 9877万 · 3.4亿 */
export function formatCountShort(v: number | null | undefined, digits = 3): string {
  if (!valid(v)) return EMPTY;
  const sign = v < 0 ? "-" : "";
  const abs = Math.round(Math.abs(v));
  if (abs < WAN) return grouped0.format(Math.round(v));
  return `${sign}${shortUnits(abs, digits)}`;
}

/** Fen → yuan, short: ¥99.9 · ¥1,235 · ¥98.8万 (digits 3) · ¥99万 (digits 2) · ¥3.4亿 */
export function formatMoneyShort(fen: number | null | undefined, digits = 3): string {
  if (!valid(fen)) return EMPTY;
  const sign = fen < 0 ? "-" : "";
  const yuan = Math.abs(fen) / 100;
  if (Math.round(yuan) < WAN) {
    const whole = Math.max(1, Math.floor(Math.log10(Math.max(yuan, 1))) + 1);
    const decimals = Math.max(0, Math.min(2, digits - whole));
    const text = decimals > 0 ? trimZeros(yuan.toFixed(decimals)) : grouped0.format(Math.round(yuan));
    return `${sign}¥${text}`;
  }
  return `${sign}¥${shortUnits(yuan, digits)}`;
}

/**
 * The texts a KPI value may take, from the most exact to the shortest: the tile shows the
 * first that fits its width (components/FitText.tsx). Duplicates are dropped.
 */
export function countTexts(v: number | null | undefined): string[] {
  return unique([formatCount(v), formatCountShort(v, 3), formatCountShort(v, 2)]);
}

export function moneyTexts(fen: number | null | undefined): string[] {
  return unique([formatMoney(fen), formatMoneyShort(fen, 3), formatMoneyShort(fen, 2)]);
}

export function rateTexts(v: number | null | undefined): string[] {
  return unique([formatRate(v), formatRate(v, 1), formatRate(v, 0)]);
}

function unique(texts: string[]): string[] {
  return texts.filter((t, i) => texts.indexOf(t) === i);
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
