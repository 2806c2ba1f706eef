/**
 * Show management over the API as it is (src/liveops/shows/router.py, shows/schemas.py):
 * create, read, start, end, lineup and targets. Errors keep the server's whole answer, so a
 * form can put each problem of a 422 next to the field it names (`errors[].loc`, see
 * src/liveops/http_errors.py) and a refused start can list its compliance findings.
 *
 * Money is integer fen everywhere here, as on the wire; forms convert (components/setup/).
 */
import { HttpError, detailOf, type LineupProduct } from "./api";
import { formatMoneyExact } from "./format";

/* ---- who may do what (src/liveops/auth/principal.py, mirrored; the server decides) ---- */

/** SHOW_CREATE: not tied to one show, so only the roles that span every show. */
export function mayCreateShows(role: string): boolean {
  return role === "admin" || role === "operations";
}

/** SHOW_PLAN: the lineup and the targets. */
export function mayPlan(role: string): boolean {
  return role === "admin" || role === "operations";
}

/** SHOW_CONTROL: start and end. */
export function mayControl(role: string): boolean {
  return role === "admin" || role === "operations" || role === "field_control";
}

/* ---- errors ---- */

/** One item of a 422's `errors` list. */
export interface Problem {
  loc: (string | number)[];
  type: string;
  msg: string;
}

/** A compliance finding of the run-sheet, listed by a refused start (409). */
export interface Finding {
  segment_id: string;
  term: string;
  reason: string;
  suggestion: string | null;
}

export class ApiError extends HttpError {
  constructor(
    status: number,
    detail: string,
    readonly code: string | null,
    readonly problems: Problem[],
    readonly findings: Finding[],
  ) {
    super(status, detail);
    this.name = "ApiError";
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseProblems(body: unknown): Problem[] {
  const errors = isObject(body) ? body.errors : undefined;
  if (!Array.isArray(errors)) return [];
  const out: Problem[] = [];
  for (const e of errors) {
    if (!isObject(e)) continue;
    const loc = Array.isArray(e.loc)
      ? e.loc.filter((p): p is string | number => typeof p === "string" || typeof p === "number")
      : [];
    out.push({ loc, type: typeof e.type === "string" ? e.type : "", msg: typeof e.msg === "string" ? e.msg : "" });
  }
  return out;
}

function parseFindings(body: unknown): Finding[] {
  const findings = isObject(body) ? body.findings : undefined;
  if (!Array.isArray(findings)) return [];
  return findings.filter(isObject).map((f) => ({
    segment_id: typeof f.segment_id === "string" ? f.segment_id : "",
    term: typeof f.term === "string" ? f.term : "",
    reason: typeof f.reason === "string" ? f.reason : "",
    suggestion: typeof f.suggestion === "string" ? f.suggestion : null,
  }));
}

/** The error a failed answer becomes: its status, `detail`, `code`, 422 problems, findings. */
export function apiErrorFrom(status: number, statusText: string, body: unknown): ApiError {
  const code = isObject(body) && typeof body.code === "string" ? body.code : null;
  return new ApiError(
    status,
    detailOf(body, `${status} ${statusText}`),
    code,
    parseProblems(body),
    parseFindings(body),
  );
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = null;
  if (text !== "") {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) throw apiErrorFrom(res.status, res.statusText, parsed);
  return parsed;
}

/** A form field's key for a problem's location: `body` dropped, the rest joined by dots
 * (`["body", "products", 2, "live_price"]` → `products.2.live_price`). */
export function fieldKey(loc: readonly (string | number)[]): string {
  return loc.filter((p, i) => !(i === 0 && p === "body")).join(".");
}

/** The figure a range message ends with ("…less than or equal to 1440" → 1440). */
function limitOf(msg: string): number | null {
  const m = /(-?\d+(?:\.\d+)?)(?!.*\d)/.exec(msg);
  return m !== null && m[1] !== undefined ? Number(m[1]) : null;
}

/** How a limit reads for a field: fen as yuan for money, a 0–1 rate as a percentage. */
function limitText(key: string, n: number): string {
  const last = key.split(".").pop() ?? key;
  if (/price$|^gmv$|^aov$/.test(last)) return formatMoneyExact(n);
  if (last === "conversion_rate") return `${n * 100}%`;
  return String(n);
}

/** What a problem means in words a person can act on (Chinese), and the server's own words. */
export function problemText(p: Problem): { zh: string; en: string } {
  const key = fieldKey(p.loc);
  const n = limitOf(p.msg);
  const en = p.msg;
  switch (p.type) {
    case "missing":
      return { zh: "必填", en };
    case "string_too_short":
      return { zh: n !== null && n > 1 ? `至少 ${n} 个字` : "不能为空", en };
    case "string_too_long":
      return { zh: n !== null ? `太长了：最多 ${n} 个字` : "太长了", en };
    case "too_long":
      return { zh: "项数太多了", en };
    case "less_than_equal":
    case "less_than":
      return { zh: n !== null ? `不能大于 ${limitText(key, n)}` : "超出上限", en };
    case "greater_than_equal":
    case "greater_than":
      return { zh: n !== null ? `不能小于 ${limitText(key, n)}` : "低于下限", en };
    case "int_type":
    case "int_parsing":
    case "int_from_float":
      return { zh: "须为整数", en };
    case "float_type":
    case "float_parsing":
    case "finite_number":
      return { zh: "须为数字", en };
    case "literal_error":
    case "enum":
      return { zh: "请从列表中选择", en };
    case "timezone_aware":
    case "datetime_type":
    case "datetime_parsing":
    case "datetime_from_date_parsing":
      return { zh: "时间格式不对", en };
    case "extra_forbidden":
      return { zh: "服务器不接受这一项", en };
    case "value_error": {
      const years = /years (\d{4})\D+(\d{4}) \(got year (\d+)\)/.exec(p.msg);
      if (years !== null) return { zh: `年份须在 ${years[1]}–${years[2]} 之间（填的是 ${years[3]} 年）`, en };
      if (p.msg.includes("control characters")) return { zh: "不能包含换行、制表符等控制字符", en };
      return { zh: "填写有误", en };
    }
    default:
      return { zh: "填写有误", en };
  }
}

export interface SplitProblems {
  /** Problems by the form field they belong to (the longest known key that is the problem's
   * key or a prefix of it: `anchors.3` → `anchors`). */
  fields: Record<string, string>;
  /** Everything else, as sentences: 409s, 403s, problems of no known field. */
  general: string[];
}

function sentence(p: { zh: string; en: string }): string {
  return p.en !== "" && p.en !== p.zh ? `${p.zh} · ${p.en}` : p.zh;
}

/**
 * Sort an error into the fields of a form (`known(key)` says whether a key is one of its
 * fields) and the rest. A 422 with `errors` is split item by item; any other error is one
 * general sentence (its `detail`), prefixed by what the status means.
 */
export function splitProblems(err: unknown, known: (key: string) => boolean): SplitProblems {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (err instanceof ApiError && err.problems.length > 0) {
    for (const p of err.problems) {
      const parts = fieldKey(p.loc).split(".");
      let target: string | null = null;
      for (let n = parts.length; n > 0 && target === null; n--) {
        const key = parts.slice(0, n).join(".");
        if (key !== "" && known(key)) target = key;
      }
      const text = sentence(problemText(p));
      if (target === null) general.push(`${fieldKey(p.loc) || "body"}: ${text}`);
      else fields[target] = fields[target] === undefined ? text : `${fields[target]}；${text}`;
    }
    return { fields, general };
  }
  general.push(errorSentence(err));
  return { fields, general };
}

/** One sentence for an error that belongs to no field. */
export function errorSentence(err: unknown): string {
  if (err instanceof HttpError) {
    const what: Record<number, string> = {
      401: "登录已失效，请重新登录",
      403: "你的角色无权执行此操作",
      404: "找不到这个场次",
      409: "与当前状态冲突",
      413: "内容太大",
      422: "服务器拒绝了这些内容",
      503: "服务器暂时繁忙，请重试",
    };
    const zh = what[err.status] ?? `服务器错误 ${err.status}`;
    return `${zh} · ${err.detail}`;
  }
  return `无法连接服务器 · ${err instanceof Error ? err.message : String(err)}`;
}

/* ---- shows ---- */

export interface Targets {
  /** fen */
  gmv: number | null;
  uv: number | null;
  /** 0–1 */
  conversion_rate: number | null;
  /** fen */
  aov: number | null;
}

export const NO_TARGETS: Targets = { gmv: null, uv: null, conversion_rate: null, aov: null };

export interface ShowDetail {
  id: string;
  title: string;
  platform: string;
  room: string | null;
  status: string;
  planned_start_at: string | null;
  planned_minutes: number | null;
  anchors: string[];
  targets: Targets;
  created_at: string | null;
  started_at: string | null;
  ended_at: string | null;
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function parseTargets(v: unknown): Targets {
  if (!isObject(v)) return { ...NO_TARGETS };
  return { gmv: num(v.gmv), uv: num(v.uv), conversion_rate: num(v.conversion_rate), aov: num(v.aov) };
}

/** A show as the API answers it (ShowRead), or null if it is not one. */
export function parseShowDetail(v: unknown): ShowDetail | null {
  if (!isObject(v)) return null;
  const id = str(v.id);
  if (id === null || id === "") return null;
  return {
    id,
    title: str(v.title) ?? "",
    platform: str(v.platform) ?? "",
    room: str(v.room),
    status: str(v.status) ?? "scheduled",
    planned_start_at: str(v.planned_start_at),
    planned_minutes: num(v.planned_minutes),
    anchors: Array.isArray(v.anchors) ? v.anchors.filter((a): a is string => typeof a === "string") : [],
    targets: parseTargets(v.targets),
    created_at: str(v.created_at),
    started_at: str(v.started_at),
    ended_at: str(v.ended_at),
  };
}

function showUrl(showId: string, rest = ""): string {
  return `/api/v1/shows/${encodeURIComponent(showId)}${rest === "" ? "" : `/${rest}`}`;
}

function showFrom(body: unknown): ShowDetail {
  const show = parseShowDetail(body);
  if (show === null) throw new Error("the server answered something that is not a show");
  return show;
}

/** The body of `POST /api/v1/shows` (ShowCreate): only what the form fills in. */
export interface NewShow {
  title: string;
  platform: string;
  room?: string;
  /** RFC 3339 with an offset */
  planned_start_at?: string;
  planned_minutes?: number;
  anchors: string[];
}

export async function createShow(body: NewShow): Promise<ShowDetail> {
  return showFrom(await call("POST", "/api/v1/shows", body));
}

export async function getShow(showId: string): Promise<ShowDetail> {
  return showFrom(await call("GET", showUrl(showId)));
}

/** scheduled → live. A 409 with code `compliance_findings` lists them (ApiError.findings);
 * `overrideReason` starts anyway, and the server keeps the reason in the audit log. */
export async function startShow(showId: string, overrideReason?: string): Promise<ShowDetail> {
  const body = overrideReason !== undefined ? { override_reason: overrideReason } : undefined;
  return showFrom(await call("POST", showUrl(showId, "start"), body));
}

/** live → ended; irreversible. */
export async function endShow(showId: string): Promise<ShowDetail> {
  return showFrom(await call("POST", showUrl(showId, "end")));
}

/** What PUT …/lineup takes per product (LineupProduct: prices in fen). */
export interface LineupInput {
  sku: string;
  name: string;
  role: string;
  list_price: number;
  live_price: number;
  allocated_stock: number;
}

export async function putLineup(showId: string, products: LineupInput[]): Promise<LineupProduct[]> {
  const body = await call("PUT", showUrl(showId, "lineup"), { products });
  const items = isObject(body) && Array.isArray(body.products) ? body.products : [];
  return items.filter(isObject).map((p) => ({
    sku: str(p.sku) ?? "",
    name: str(p.name) ?? "",
    role: str(p.role) ?? "",
    list_price: num(p.list_price),
    live_price: num(p.live_price),
    allocated_stock: num(p.allocated_stock),
  }));
}

/** Replace the targets: a target left out (null) is no target. */
export async function putTargets(showId: string, targets: Targets): Promise<ShowDetail> {
  const body: Record<string, number> = {};
  for (const [k, v] of Object.entries(targets)) if (typeof v === "number") body[k] = v;
  return showFrom(await call("PUT", showUrl(showId, "targets"), body));
}
