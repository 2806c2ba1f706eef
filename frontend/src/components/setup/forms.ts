/**
 * What the show-management forms hold (the text as typed) and the checks made before sending,
 * pure so that they are tested as tables (forms.test.ts). The server's rules are the truth
 * (src/liveops/shows/schemas.py, fields.py); these catch what a person most often gets wrong,
 * in words that say what to fix, and turn text into the API's units: prices in fen, the
 * conversion target as a 0–1 rate. Error keys are the API's field paths (`products.2.sku`), so
 * that the server's 422s land on the same fields.
 */
import type { LineupProduct } from "../../lib/api";
import type { LineupInput, NewShow, Targets } from "../../lib/showsApi";

export const MONEY_MAX_FEN = 10 ** 12;
export const COUNT_MAX = 10 ** 9;
export const PLANNED_MINUTES_MAX = 24 * 60;
export const MAX_ANCHORS = 20;

/** The lineup roles the API takes (schemas.ProductRole), in the order a planner thinks of them. */
export const PRODUCT_ROLES = ["引流款", "福利款", "利润款", "爆款", "清仓"] as const;

/** Platforms offered in the form (the server takes any name; Badges.tsx names these). */
export const PLATFORMS = [
  { value: "douyin", label: "抖音" },
  { value: "kuaishou", label: "快手" },
  { value: "taobao", label: "淘宝直播" },
  { value: "channels", label: "视频号" },
  { value: "xiaohongshu", label: "小红书" },
  { value: "jd", label: "京东" },
  { value: "pdd", label: "拼多多" },
  { value: "tiktok", label: "TikTok Shop" },
] as const;

export type Errors = Record<string, string>;

// C0 and C1 control characters, as fields.py refuses them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Full-width digits and punctuation (a Chinese input method's) as ASCII; commas, spaces and
 * a currency sign dropped. */
function normalizeNumber(text: string): string {
  return text
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48))
    .replace(/[．。]/g, ".")
    .replace(/[，,\s¥￥元]/g, "");
}

export type Parsed = { ok: true; value: number | null } | { ok: false; error: string };

/** Yuan as typed ("99", "99.9", "¥1,299.00") → fen; "" → null. At most two decimals. */
export function parseYuan(text: string): Parsed {
  const t = normalizeNumber(text);
  if (t === "") return { ok: true, value: null };
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(t);
  if (m === null || m[1] === undefined) {
    if (/^-/.test(t)) return { ok: false, error: "不能为负数" };
    if (/^\d+\.\d{3,}$/.test(t)) return { ok: false, error: "最多两位小数（分）" };
    return { ok: false, error: "请填金额（元），如 99.90" };
  }
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  if (!Number.isSafeInteger(fen) || fen > MONEY_MAX_FEN) return { ok: false, error: "金额太大了" };
  return { ok: true, value: fen };
}

/** A whole number as typed; "" → null. */
export function parseCount(text: string, max = COUNT_MAX): Parsed {
  const t = normalizeNumber(text);
  if (t === "") return { ok: true, value: null };
  if (/^-/.test(t)) return { ok: false, error: "不能为负数" };
  if (!/^\d+$/.test(t)) return { ok: false, error: "请填整数" };
  const n = Number(t);
  if (n > max) return { ok: false, error: `不能大于 ${max.toLocaleString("zh-CN")}` };
  return { ok: true, value: n };
}

/** A percentage as typed ("3.5", "3.5%") → a 0–1 rate; "" → null. */
export function parsePercent(text: string): Parsed {
  const t = normalizeNumber(text).replace(/[%％]$/, "");
  if (t === "") return { ok: true, value: null };
  if (!/^\d+(\.\d+)?$/.test(t)) return { ok: false, error: "请填百分比，如 3.5" };
  const pct = Number(t);
  if (pct > 100) return { ok: false, error: "不能超过 100%" };
  return { ok: true, value: Math.round(pct * 10_000) / 1_000_000 };
}

/** Fen → the yuan text an input shows: 9990 → "99.90", 10000 → "100". */
export function yuanText(fen: number | null): string {
  if (fen === null) return "";
  const whole = Math.floor(fen / 100);
  const cents = fen % 100;
  return cents === 0 ? String(whole) : `${whole}.${String(cents).padStart(2, "0")}`;
}

/** A 0–1 rate → the percentage an input shows: 0.035 → "3.5". */
export function percentText(rate: number | null): string {
  if (rate === null) return "";
  return String(Math.round(rate * 1_000_000) / 10_000);
}

function textProblem(text: string, label: string, max: number, required: boolean): string | null {
  if (text === "") return required ? `请填写${label}` : null;
  if (text.length > max) return `太长了：最多 ${max} 个字（现在 ${text.length}）`;
  if (CONTROL.test(text)) return "不能包含换行、制表符等控制字符";
  return null;
}

/* ---- new show ---- */

export interface NewShowDraft {
  title: string;
  platform: string;
  room: string;
  /** `<input type="datetime-local">`: local wall time, "2025-11-22T20:00" */
  planned_start: string;
  planned_minutes: string;
  /** names separated by commas, 、 or new lines */
  anchors: string;
}

export const EMPTY_NEW_SHOW: NewShowDraft = {
  title: "",
  platform: "douyin",
  room: "",
  planned_start: "",
  planned_minutes: "",
  anchors: "",
};

export const NEW_SHOW_FIELDS = ["title", "platform", "room", "planned_start_at", "planned_minutes", "anchors"];

export function splitAnchors(text: string): string[] {
  return text
    .split(/[,，、;；\n]+/)
    .map((a) => a.trim())
    .filter((a) => a !== "");
}

/** Local wall time from a datetime-local input → RFC 3339 (UTC), or null if unreadable. */
export function localToIso(local: string): string | null {
  if (!/^\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local)) return null;
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** RFC 3339 → the datetime-local text of the same moment (local time). */
export function isoToLocal(iso: string | null): string {
  if (iso === null) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The body to send, or the errors by field (keys as the API names them). */
export function checkNewShow(d: NewShowDraft): { errors: Errors; body: NewShow | null } {
  const errors: Errors = {};
  const title = d.title.trim();
  const platform = d.platform.trim();
  const room = d.room.trim();
  const put = (key: string, problem: string | null) => {
    if (problem !== null) errors[key] = problem;
  };
  put("title", textProblem(title, "直播标题", 200, true));
  put("platform", textProblem(platform, "平台", 40, true));
  put("room", textProblem(room, "直播间", 200, false));

  let planned: string | null = null;
  if (d.planned_start !== "") {
    planned = localToIso(d.planned_start);
    if (planned === null) errors.planned_start_at = "时间格式不对，请用日期时间选择器";
  }
  const minutes = parseCount(d.planned_minutes, PLANNED_MINUTES_MAX);
  if (!minutes.ok) errors.planned_minutes = minutes.error;
  else if (minutes.value === 0) errors.planned_minutes = "至少 1 分钟";

  const anchors = splitAnchors(d.anchors);
  if (anchors.length > MAX_ANCHORS) errors.anchors = `最多 ${MAX_ANCHORS} 位主播（现在 ${anchors.length} 位）`;
  const long = anchors.find((a) => a.length > 100 || CONTROL.test(a));
  if (long !== undefined) errors.anchors = `主播名太长或含控制字符：${long.slice(0, 20)}…`;

  if (Object.keys(errors).length > 0) return { errors, body: null };
  const body: NewShow = { title, platform, anchors };
  if (room !== "") body.room = room;
  if (planned !== null) body.planned_start_at = planned;
  if (minutes.ok && minutes.value !== null) body.planned_minutes = minutes.value;
  return { errors, body };
}

/* ---- lineup ---- */

export interface ProductDraft {
  /** stable for React while rows move; never sent */
  key: string;
  sku: string;
  name: string;
  role: string;
  list_price: string;
  live_price: string;
  allocated_stock: string;
}

export const PRODUCT_FIELDS = ["sku", "name", "role", "list_price", "live_price", "allocated_stock"] as const;

let nextKey = 0;
export function newKey(): string {
  nextKey += 1;
  return `p${nextKey}`;
}

export function emptyProduct(): ProductDraft {
  return { key: newKey(), sku: "", name: "", role: "", list_price: "", live_price: "", allocated_stock: "" };
}

export function draftFromProduct(p: LineupProduct): ProductDraft {
  return {
    key: newKey(),
    sku: p.sku,
    name: p.name,
    role: p.role,
    list_price: yuanText(p.list_price),
    live_price: yuanText(p.live_price),
    allocated_stock: p.allocated_stock === null ? "" : String(p.allocated_stock),
  };
}

/** Whether a row is untouched (a blank row added and left): dropped rather than refused. */
export function isBlank(p: ProductDraft): boolean {
  return [p.sku, p.name, p.role, p.list_price, p.live_price, p.allocated_stock].every((v) => v.trim() === "");
}

export interface LineupCheck {
  errors: Errors;
  /** Not refused, but worth a second look (a live price above the list price). */
  warnings: Errors;
  products: LineupInput[] | null;
}

/**
 * The lineup to send, or what to fix. Keys: `products.{i}.{field}` with `i` the row's index
 * among the rows that are sent (blank rows are dropped, so the caller drops them first).
 */
export function checkLineup(rows: readonly ProductDraft[]): LineupCheck {
  const errors: Errors = {};
  const warnings: Errors = {};
  const products: LineupInput[] = [];
  const roles: readonly string[] = PRODUCT_ROLES;
  const seen = new Map<string, number>();
  if (rows.length > 500) errors.products = `最多 500 个商品（现在 ${rows.length} 个）`;
  rows.forEach((row, i) => {
    const at = (field: string) => `products.${i}.${field}`;
    const put = (field: string, problem: string | null) => {
      if (problem !== null) errors[at(field)] = problem;
    };
    const sku = row.sku.trim();
    const name = row.name.trim();
    put("sku", textProblem(sku, "SKU", 64, true));
    const first = seen.get(sku);
    if (sku !== "" && first !== undefined) {
      put("sku", `SKU 重复：与第 ${first + 1} 个商品相同`);
      errors[`products.${first}.sku`] ??= `SKU 重复：第 ${i + 1} 个商品也是 ${sku}`;
    } else if (sku !== "") seen.set(sku, i);
    put("name", textProblem(name, "商品名称", 200, true));
    if (!roles.includes(row.role)) put("role", "请选择商品角色");
    const list = parseYuan(row.list_price);
    const live = parseYuan(row.live_price);
    const stock = parseCount(row.allocated_stock);
    put("list_price", !list.ok ? list.error : list.value === null ? "请填原价" : null);
    put("live_price", !live.ok ? live.error : live.value === null ? "请填直播价" : null);
    put("allocated_stock", !stock.ok ? stock.error : stock.value === null ? "请填库存数量" : null);
    if (list.ok && live.ok && list.value !== null && live.value !== null) {
      if (live.value > list.value) warnings[at("live_price")] = "直播价高于原价，请确认";
      products.push({
        sku,
        name,
        role: row.role,
        list_price: list.value,
        live_price: live.value,
        allocated_stock: stock.ok && stock.value !== null ? stock.value : 0,
      });
    }
  });
  return { errors, warnings, products: Object.keys(errors).length > 0 ? null : products };
}

/** A move of one row up (-1) or down (+1); the same array when it cannot move. */
export function moveRow<T>(rows: readonly T[], index: number, by: -1 | 1): readonly T[] {
  const to = index + by;
  if (index < 0 || index >= rows.length || to < 0 || to >= rows.length) return rows;
  const out = rows.slice();
  const [row] = out.splice(index, 1);
  out.splice(to, 0, row as T);
  return out;
}

/* ---- targets ---- */

export interface TargetsDraft {
  /** yuan */
  gmv: string;
  uv: string;
  /** percent */
  conversion_rate: string;
  /** yuan */
  aov: string;
}

export const TARGET_FIELDS = ["gmv", "uv", "conversion_rate", "aov"] as const;

export function draftFromTargets(t: Targets): TargetsDraft {
  return {
    gmv: yuanText(t.gmv),
    uv: t.uv === null ? "" : String(t.uv),
    conversion_rate: percentText(t.conversion_rate),
    aov: yuanText(t.aov),
  };
}

export function checkTargets(d: TargetsDraft): { errors: Errors; targets: Targets | null } {
  const errors: Errors = {};
  const gmv = parseYuan(d.gmv);
  const uv = parseCount(d.uv);
  const rate = parsePercent(d.conversion_rate);
  const aov = parseYuan(d.aov);
  if (!gmv.ok) errors.gmv = gmv.error;
  if (!uv.ok) errors.uv = uv.error;
  if (!rate.ok) errors.conversion_rate = rate.error;
  if (!aov.ok) errors.aov = aov.error;
  if (!gmv.ok || !uv.ok || !rate.ok || !aov.ok) return { errors, targets: null };
  return { errors, targets: { gmv: gmv.value, uv: uv.value, conversion_rate: rate.value, aov: aov.value } };
}
