/**
 * Shows side by side (`GET /api/v1/reviews/compare?shows=ID,…`, contract §13): the parsing of
 * the answer, the console's `/reviews/compare?shows=…` address, and which show holds the best
 * value of each row.
 */
import { request } from "./api";

export interface CompareShow {
  id: string;
  title: string;
  platform: string;
  startedAt: string | null;
  summary: Readonly<Record<string, number>>;
  events: number | null;
}

/** Metrics where less is better; every other metric of contract §4 is better higher. */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set(["refund_rate", "refund_amount", "orders_refunded"]);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseCompare(body: unknown): CompareShow[] {
  const shows = isObj(body) && Array.isArray(body.shows) ? body.shows : [];
  return shows.filter(isObj).map((s) => {
    const show = isObj(s.show) ? s.show : {};
    const summary: Record<string, number> = {};
    if (isObj(s.summary)) {
      for (const [k, v] of Object.entries(s.summary)) if (typeof v === "number" && Number.isFinite(v)) summary[k] = v;
    }
    return {
      id: typeof show.id === "string" ? show.id : "",
      title: typeof show.title === "string" ? show.title : "",
      platform: typeof show.platform === "string" ? show.platform : "",
      startedAt: typeof show.started_at === "string" ? show.started_at : null,
      summary,
      events: typeof s.events === "number" ? s.events : null,
    };
  });
}

/**
 * The columns holding the best value of a row: the highest (the lowest for
 * {@link LOWER_IS_BETTER} keys). None when fewer than two shows have a value or all are equal:
 * a highlight must say something.
 */
export function bestColumns(key: string, values: readonly (number | null | undefined)[]): Set<number> {
  const known = values.flatMap((v, i) => (typeof v === "number" && Number.isFinite(v) ? [{ v, i }] : []));
  if (known.length < 2) return new Set();
  const lower = LOWER_IS_BETTER.has(key);
  const best = known.reduce((a, b) => ((lower ? b.v < a.v : b.v > a.v) ? b : a)).v;
  if (known.every((k) => k.v === best)) return new Set();
  return new Set(known.filter((k) => k.v === best).map((k) => k.i));
}

/** The console's comparison page for these shows (ids in the order given, duplicates dropped). */
export function comparePath(ids: readonly string[]): string {
  const unique = ids.filter((id, i) => id !== "" && ids.indexOf(id) === i);
  return `/reviews/compare?shows=${unique.map(encodeURIComponent).join(",")}`;
}

/** The show ids of a comparison page's query string (`?shows=a,b`). */
export function compareIds(search: string): string[] {
  const raw = new URLSearchParams(search).get("shows") ?? "";
  const ids = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return ids.filter((id, i) => ids.indexOf(id) === i);
}

export async function getCompare(ids: readonly string[]): Promise<CompareShow[]> {
  return parseCompare(await request(`/api/v1/reviews/compare?shows=${ids.map(encodeURIComponent).join(",")}`));
}
