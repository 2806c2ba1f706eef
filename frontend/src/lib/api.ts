/**
 * The few HTTP calls the console makes. The session lives in the `liveops_session` HttpOnly
 * cookie set by the server; this module never sees, stores or forwards a token except the
 * one the user pastes into the sign-in form, which goes straight into the login body, and a
 * login link's one-time code, which goes straight into the redeem body.
 */
import { parseAction, parseAlert, parseCue, parseShow, type Alert, type Cue, type ShowInfo } from "../live/protocol";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "HttpError";
  }
}

export interface Me {
  role: string;
  show_id: string | null;
}

export interface ShowSummary extends ShowInfo {
  created_at: string | null;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** FastAPI answers `{"detail": "…"}` or, for validation errors, `{"detail": [{"msg": …}]}`. */
export function detailOf(body: unknown, fallback: string): string {
  if (typeof body === "string" && body !== "") return body;
  if (typeof body !== "object" || body === null) return fallback;
  const detail = (body as { detail?: unknown }).detail;
  if (typeof detail === "string" && detail !== "") return detail;
  if (Array.isArray(detail)) {
    const msgs = detail
      .map((d: unknown) => (typeof d === "object" && d !== null ? (d as { msg?: unknown }).msg : undefined))
      .filter((m): m is string => typeof m === "string");
    if (msgs.length > 0) return msgs.join("; ");
  }
  return fallback;
}

/** Call the API with the session cookie: the JSON answer, or HttpError with the server's detail. */
export async function request(path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(path, {
    credentials: "same-origin",
    ...init,
    headers: { Accept: "application/json", ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}) },
  });
  const body = await readJson(res);
  if (!res.ok) throw new HttpError(res.status, detailOf(body, `${res.status} ${res.statusText}`));
  return body;
}

function parseMe(body: unknown): Me {
  const o = (typeof body === "object" && body !== null ? body : {}) as { role?: unknown; show_id?: unknown };
  return {
    role: typeof o.role === "string" ? o.role : "unknown",
    show_id: typeof o.show_id === "string" ? o.show_id : null,
  };
}

/** The signed-in identity, or null when not signed in (401). */
export async function getMe(): Promise<Me | null> {
  try {
    return parseMe(await request("/api/v1/auth/me"));
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return null;
    throw err;
  }
}

/** Exchange a pasted token for a session cookie. Throws HttpError with the server's detail. */
export async function login(token: string): Promise<void> {
  await request("/api/v1/auth/login", { method: "POST", body: JSON.stringify({ token }) });
}

/** Exchange a login link's one-time code (from the URL fragment) for a session cookie. */
export async function redeemLoginCode(code: string): Promise<Me> {
  const body = await request("/api/v1/auth/login-links/redeem", { method: "POST", body: JSON.stringify({ code }) });
  return parseMe(body);
}

export async function listShows(): Promise<ShowSummary[]> {
  const body = await request("/api/v1/shows");
  const items = typeof body === "object" && body !== null ? (body as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) return [];
  const out: ShowSummary[] = [];
  for (const item of items) {
    const show = parseShow(item);
    if (show === null) continue;
    const created = (item as { created_at?: unknown }).created_at;
    out.push({ ...show, created_at: typeof created === "string" ? created : null });
  }
  return out;
}

/** One planned product of the show (GET /api/v1/shows/{id}/lineup). */
export interface LineupProduct {
  sku: string;
  name: string;
  /** 引流款 / 福利款 / 利润款 / 爆款 / 清仓 */
  role: string;
  /** fen */
  list_price: number | null;
  /** fen */
  live_price: number | null;
  allocated_stock: number | null;
}

export async function getLineup(showId: string): Promise<LineupProduct[]> {
  const body = await request(`/api/v1/shows/${encodeURIComponent(showId)}/lineup`);
  const products = typeof body === "object" && body !== null ? (body as { products?: unknown }).products : undefined;
  if (!Array.isArray(products)) return [];
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const out: LineupProduct[] = [];
  for (const p of products) {
    if (typeof p !== "object" || p === null) continue;
    const o = p as Record<string, unknown>;
    if (typeof o.sku !== "string" || o.sku === "") continue;
    out.push({
      sku: o.sku,
      name: typeof o.name === "string" ? o.name : "",
      role: typeof o.role === "string" ? o.role : "",
      list_price: num(o.list_price),
      live_price: num(o.live_price),
      allocated_stock: num(o.allocated_stock),
    });
  }
  return out;
}

function showApi(showId: string, rest: string): string {
  return `/api/v1/shows/${encodeURIComponent(showId)}/${rest}`;
}

/**
 * Send the anchor a cue (`POST …/actions` `{"type": "cue", "text"}`). Answers the cue as the
 * stored action describes it, so the console can list it before the server's `cue` message.
 */
export async function sendCue(showId: string, text: string): Promise<Cue | null> {
  const body = await request(showApi(showId, "actions"), {
    method: "POST",
    body: JSON.stringify({ type: "cue", text }),
  });
  const action = parseAction(body);
  if (action === null) return null;
  return {
    id: action.id,
    text: typeof action.fields.text === "string" ? action.fields.text : text,
    by: action.by,
    created_at: action.at,
    acked_at: null,
    ack_seconds: null,
    acked_by: null,
    open_seconds: 0,
  };
}

/** Acknowledge a cue (anchor, admin, operations); answers the cue with its `ack_seconds`. */
export async function ackCue(showId: string, cueId: number): Promise<Cue | null> {
  return parseCue(await request(showApi(showId, `cues/${cueId}/ack`), { method: "POST" }));
}

/**
 * Acknowledge an alert ("I am on it") or resolve it ("dealt with"): `POST …/alerts/{id}/ack`
 * or `…/resolve`, for the roles in its `roles`, admin and operations. Both are idempotent on
 * the server (the first counts). Answers the alert as stored, or null if it cannot be read;
 * every console of the alert's roles hears of it through the server's `alert` message.
 */
export async function moveAlert(showId: string, alertId: string, to: "ack" | "resolve"): Promise<Alert | null> {
  const path = showApi(showId, `alerts/${encodeURIComponent(alertId)}/${to}`);
  return parseAlert(await request(path, { method: "POST" }));
}
