/**
 * The actions API (contract §10), for every console that acts (the assistant's 助播台 and field
 * control's 场控台): perform an action, preview a money-moving one (`price.set`,
 * `coupon.issue`) and send it with the preview's undo window, undo it, read the commerce state,
 * the audit log and the run-sheet, and start or stop a flash sale (contract §7). Errors are
 * HttpError with the server's `detail`, shown in place (`errorText`). Answers are read
 * leniently: a field the console does not know is dropped, so a newer server never blanks a panel.
 *
 * Also the pure helpers the page is made of: yuan typed → fen, a held action's window.
 */
import {
  parseAction,
  parseCommerce,
  parseStockLevels,
  type ActionRecord,
  type CommerceState,
  type StockLevels,
} from "../live/protocol";
import { detailOf, HttpError } from "./api";
import { formatMoney } from "./format";
import type { BanScope } from "./moderationApi";

// --- the bodies ---------------------------------------------------------------------------

/** An action's body, `{type, …fields}`; amounts in fen. */
export type ActionBody =
  | { type: "product.pin" | "product.unpin"; sku: string }
  | { type: "price.set"; sku: string; live_price: number }
  | { type: "coupon.issue"; coupon_id: string; amount_off: number; threshold?: number; quantity: number }
  | { type: "coupon.stop"; coupon_id: string }
  | {
      type: "lucky_bag.start";
      bag_id: string;
      prize: string;
      winners: number;
      condition: "comment" | "follow";
      entries_from?: "show" | "start";
    }
  | { type: "lucky_bag.draw"; bag_id: string; seed?: number }
  | { type: "announcement.set"; text: string }
  | { type: "cue"; text: string }
  | { type: "segment.goto"; segment_id: string }
  | { type: "comment.hide"; event_id: string }
  | { type: "viewer.ban" | "viewer.unban"; viewer_id: string; scope: BanScope };

export type MoneyBody = Extract<ActionBody, { type: "price.set" | "coupon.issue" }>;

/** What `POST …/actions/preview` answers: nothing is stored. */
export interface ActionPreview {
  type: string;
  /** Send this with the action: it is held this long, undoable. 0: it applies at once. */
  undo_seconds: number;
  /** One line for a person: "爆款T恤：¥99 → ¥79". */
  summary: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** What to check before sending (a price above the list price…): shown in red. */
  warnings: string[];
}

// --- HTTP -----------------------------------------------------------------------------------

/** `/api/v1/shows/{showId}/{rest}`; without `rest`, the show itself. */
export function showApi(showId: string, rest = ""): string {
  const base = `/api/v1/shows/${encodeURIComponent(showId)}`;
  return rest === "" ? base : `${base}/${rest}`;
}

/** A JSON call on the session's cookie; an error answer throws HttpError with the server's `detail`. */
export async function call(path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(path, {
    credentials: "same-origin",
    ...init,
    headers: { Accept: "application/json", ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}) },
  });
  let body: unknown = null;
  const text = await res.text();
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) throw new HttpError(res.status, detailOf(body, `${res.status} ${res.statusText}`));
  return body;
}

function actionOrThrow(body: unknown): ActionRecord {
  const action = parseAction(body);
  if (action === null) throw new HttpError(500, "服务器的回答无法读取 / unreadable answer");
  return action;
}

/** Perform an action (`POST …/actions`); answers the stored record. */
export async function performAction(showId: string, body: ActionBody, undoSeconds?: number): Promise<ActionRecord> {
  const payload = undoSeconds === undefined ? body : { ...body, undo_seconds: undoSeconds };
  return actionOrThrow(await call(showApi(showId, "actions"), { method: "POST", body: JSON.stringify(payload) }));
}

/** What a money-moving action would do (`POST …/actions/preview`); nothing is stored. */
export async function previewAction(showId: string, body: MoneyBody): Promise<ActionPreview> {
  const raw = await call(showApi(showId, "actions/preview"), { method: "POST", body: JSON.stringify(body) });
  const preview = parsePreview(raw);
  if (preview === null) throw new HttpError(500, "预览无法读取 / unreadable preview");
  return preview;
}

/** Undo a held action within its window (`POST …/actions/{id}/undo`); 409 after it. */
export async function undoAction(showId: string, actionId: number): Promise<ActionRecord> {
  return actionOrThrow(await call(showApi(showId, `actions/${actionId}/undo`), { method: "POST" }));
}

/** What the room's viewers see now (`GET …/commerce`), parsed as the live `commerce` message is; null if malformed. */
export async function getCommerce(showId: string): Promise<CommerceState | null> {
  return parseCommerce(await call(showApi(showId, "commerce")));
}

/**
 * The newest `limit` actions of the audit log (at most 500), oldest first, as the live state
 * holds them (the server answers newest first).
 */
export async function recentActions(showId: string, limit = 200): Promise<ActionRecord[]> {
  const body = await call(showApi(showId, `actions?limit=${limit}`));
  const list = typeof body === "object" && body !== null ? (body as { actions?: unknown }).actions : undefined;
  if (!Array.isArray(list)) return [];
  const out: ActionRecord[] = [];
  for (const item of list) {
    const a = parseAction(item);
    if (a !== null) out.push(a);
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * One segment of the run-sheet, as the consoles need it: the assistant's product queue (its
 * product, in run-sheet order) and field control's segment list (what to put on air).
 */
export interface RunsheetSegment {
  id: string;
  /** The segment's id when the answer has no title. */
  title: string;
  /** The product it presents, or null. */
  sku: string | null;
  planned_seconds: number;
}

export interface Runsheet {
  current_segment_id: string | null;
  segments: RunsheetSegment[];
}

/** `GET …/runsheet`; segments without an id are left out. */
export function parseRunsheet(v: unknown): Runsheet {
  const o = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  const segments: RunsheetSegment[] = [];
  if (Array.isArray(o.segments)) {
    for (const s of o.segments) {
      if (typeof s !== "object" || s === null) continue;
      const seg = s as Record<string, unknown>;
      if (typeof seg.id !== "string" || seg.id === "") continue;
      segments.push({
        id: seg.id,
        title: typeof seg.title === "string" && seg.title !== "" ? seg.title : seg.id,
        sku: typeof seg.sku === "string" && seg.sku !== "" ? seg.sku : null,
        planned_seconds:
          typeof seg.planned_seconds === "number" && Number.isFinite(seg.planned_seconds) ? seg.planned_seconds : 0,
      });
    }
  }
  return {
    current_segment_id: typeof o.current_segment_id === "string" ? o.current_segment_id : null,
    segments,
  };
}

export async function getRunsheet(showId: string): Promise<Runsheet> {
  return parseRunsheet(await call(showApi(showId, "runsheet")));
}

/** Start a flash sale (秒杀) of at most `cap` units now; answers the SKU's stock row. */
export async function startFlashSale(showId: string, sku: string, cap: number): Promise<StockLevels | null> {
  const path = showApi(showId, `stock/${encodeURIComponent(sku)}/flash-sale`);
  return parseStockLevels(await call(path, { method: "POST", body: JSON.stringify({ cap }) }));
}

/** Stop the running flash sale; the SKU sells on without a cap. */
export async function stopFlashSale(showId: string, sku: string): Promise<StockLevels | null> {
  const path = showApi(showId, `stock/${encodeURIComponent(sku)}/flash-sale`);
  return parseStockLevels(await call(path, { method: "DELETE" }));
}

/** The person-readable reason a call failed: the server's `detail`, with what its status means. */
export function errorText(err: unknown): string {
  if (err instanceof HttpError) {
    if (err.status === 403) return `无权操作 / not allowed: ${err.detail}`;
    if (err.status === 401) return "会话已过期，请重新登录 / signed out";
    return err.detail;
  }
  if (err instanceof Error) return `网络错误 / network: ${err.message}`;
  return String(err);
}

// --- pure helpers ---------------------------------------------------------------------------

export function parsePreview(v: unknown): ActionPreview | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.summary !== "string" || typeof o.undo_seconds !== "number" || !Number.isInteger(o.undo_seconds)) {
    return null;
  }
  const obj = (x: unknown): Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
  return {
    type: typeof o.type === "string" ? o.type : "",
    undo_seconds: Math.max(0, o.undo_seconds),
    summary: o.summary,
    before: obj(o.before),
    after: obj(o.after),
    warnings: Array.isArray(o.warnings) ? o.warnings.filter((w): w is string => typeof w === "string") : [],
  };
}

export type Parsed = { ok: true; fen: number } | { ok: false; error: string };

/** Yuan as typed ("79", "79.9", "¥1,299.00", "７９") → fen. At most two decimals, not negative. */
export function parseYuan(text: string): Parsed {
  const t = text
    .normalize("NFKC")
    .trim()
    .replace(/^[¥￥]/, "")
    .replace(/,/g, "")
    .trim();
  if (t === "") return { ok: false, error: "请输入金额 / enter an amount" };
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return { ok: false, error: "金额格式：79 或 79.90 / amount like 79 or 79.90" };
  const [whole = "0", frac = ""] = t.split(".");
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  if (!Number.isSafeInteger(fen)) return { ok: false, error: "金额太大 / too large" };
  return { ok: true, fen };
}

/** A whole count typed ("100") → number; at least `min`. */
export function parseWhole(text: string, min = 1): { ok: true; n: number } | { ok: false; error: string } {
  const t = text.normalize("NFKC").trim();
  if (!/^\d+$/.test(t)) return { ok: false, error: "请输入整数 / enter a whole number" };
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n < min) return { ok: false, error: `至少 ${min} / at least ${min}` };
  return { ok: true, n };
}

/** Where an action stands: `applied` when the record has no state (actions before held ones). */
export type ActionState = "applied" | "held" | "undone" | "failed";

export function actionState(a: ActionRecord): ActionState {
  const s = a.fields.state;
  return s === "held" || s === "undone" || s === "failed" ? s : "applied";
}

export interface HeldWindow {
  /** Epoch ms the action applies at. */
  appliesAt: number;
  /** Ms left in the window (0 when over). */
  leftMs: number;
  /** 0–1: how much of the window is left (for the countdown bar). */
  fraction: number;
}

/** A held action's undo window as of `serverNow` (epoch ms), or null without `applies_at`. */
export function heldWindow(a: ActionRecord, serverNow: number): HeldWindow | null {
  const raw = a.fields.applies_at;
  if (typeof raw !== "string") return null;
  const appliesAt = Date.parse(raw);
  const at = Date.parse(a.at);
  if (Number.isNaN(appliesAt)) return null;
  const total = Number.isNaN(at) ? 10_000 : Math.max(1, appliesAt - at);
  const leftMs = Math.max(0, appliesAt - serverNow);
  return { appliesAt, leftMs, fraction: Math.min(1, leftMs / total) };
}

/**
 * The actions to show in the undo bar: every held action of the commerce state (it survives a
 * reload and shows on every console), and held answers this console got first, minus those
 * whose newer record (in `actions`) says they were undone, applied or failed.
 */
export function heldActions(commerceHeld: readonly ActionRecord[], actions: readonly ActionRecord[]): ActionRecord[] {
  const newest = new Map<number, ActionRecord>();
  for (const a of actions) newest.set(a.id, a);
  const out = new Map<number, ActionRecord>();
  for (const a of [...commerceHeld, ...actions]) {
    if (actionState(newest.get(a.id) ?? a) !== "held" || actionState(a) !== "held") continue;
    out.set(a.id, a);
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}

/** A fresh id for a coupon or lucky bag: a prefix and the time, short enough to read out. */
export function newPromoId(prefix: string, now = Date.now()): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${prefix}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * A draw's seed that a browser shows exactly: below 2^53. (The server's own random seed goes
 * up to 2^63 − 1, which JSON numbers lose digits of in a browser.)
 */
export function drawSeed(random: () => number = Math.random): number {
  return Math.floor(random() * Number.MAX_SAFE_INTEGER);
}

/** One line of a preview's detail: a label, what it was (if it says), what it will be. */
export interface PreviewRow {
  label: string;
  before: string | null;
  after: string;
  /** Worth a second look (a price above the list price). */
  warn?: boolean;
}

function fen(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function signedMoney(v: number): string {
  return `${v > 0 ? "+" : v < 0 ? "−" : "±"}${formatMoney(Math.abs(v))}`;
}

function percent(v: number): string {
  return `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v * 100).toFixed(1)}%`;
}

/**
 * A preview's before/after as lines a person reads in a second, per type (the keys of
 * `POST …/actions/preview`, src/liveops/actions/preview.py); keys it does not know are left out
 * (the summary and warnings still say what matters).
 */
export function previewRows(p: ActionPreview): PreviewRow[] {
  const rows: PreviewRow[] = [];
  if (p.type === "price.set") {
    const was = fen(p.before.live_price);
    const now = fen(p.after.live_price);
    const list = fen(p.before.list_price);
    if (now !== null)
      rows.push({ label: "直播价", before: was === null ? null : formatMoney(was), after: formatMoney(now) });
    const change = fen(p.after.change);
    const ratio = fen(p.after.change_ratio);
    if (change !== null) {
      rows.push({
        label: "变动",
        before: null,
        after: signedMoney(change) + (ratio === null ? "" : `（${percent(ratio)}）`),
      });
    }
    if (list !== null) {
      const off = fen(p.after.discount_from_list);
      const vs =
        off === null
          ? ""
          : off < 0
            ? `（高于原价 ${percent(-off).slice(1)}）`
            : `（比原价低 ${percent(off).slice(1)}）`;
      rows.push({ label: "原价", before: null, after: formatMoney(list) + vs, warn: off !== null && off < 0 });
    }
  } else if (p.type === "coupon.issue") {
    if (typeof p.after.coupon_id === "string") rows.push({ label: "券号", before: null, after: p.after.coupon_id });
    const cost = fen(p.after.max_cost);
    if (cost !== null) rows.push({ label: "最多让利", before: null, after: formatMoney(cost) });
    const products = Array.isArray(p.after.products) ? p.after.products : [];
    for (const item of products.slice(0, 6)) {
      if (typeof item !== "object" || item === null) continue;
      const o = item as Record<string, unknown>;
      const live = fen(o.live_price);
      const withCoupon = fen(o.with_coupon);
      if (withCoupon === null) continue;
      const name = typeof o.name === "string" && o.name !== "" ? o.name : String(o.sku ?? "");
      rows.push({
        label: `用券 ${name}`,
        before: live === null ? null : formatMoney(live),
        after: formatMoney(withCoupon),
        warn: withCoupon === 0,
      });
    }
    if (products.length > 6) rows.push({ label: "…", before: null, after: `另 ${products.length - 6} 个商品` });
  }
  return rows;
}
