/**
 * One-time login links: `/login#code=…&show=…`. The code rides in the URL fragment, which a
 * browser never sends to a server, so it stays out of access logs; the server's `/login`
 * redirects to `/` and the browser carries the fragment along. This module takes the code
 * out of the address bar at once (before history or a screenshot can keep it) and posts it
 * to the API, which answers with the HttpOnly session cookie.
 */
import { HttpError, redeemLoginCode, type Me } from "./api";
import { showPath } from "./route";

export interface LoginLink {
  code: string;
  /** The show whose console the link opens, if it names one. */
  show: string | null;
}

export type LinkOutcome = { ok: true; me: Me; landing: string } | { ok: false; reason: string };

export function parseLoginFragment(hash: string): LoginLink | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const code = params.get("code");
  if (code === null || code === "") return null;
  const show = params.get("show");
  return { code, show: show === null || show === "" ? null : show };
}

/** Where a signed-in link lands: the show it names, else the session's own show, else the list. */
export function landingPath(link: LoginLink, me: Me): string {
  const show = link.show ?? me.show_id;
  return show === null ? "/" : showPath(show);
}

interface Place {
  readonly hash: string;
  readonly pathname: string;
  readonly search: string;
}

interface History {
  replaceState(data: unknown, unused: string, url?: string | null): void;
}

export async function redeemFrom(
  place: Place,
  history: History,
  redeem: (code: string) => Promise<Me> = redeemLoginCode,
): Promise<LinkOutcome | null> {
  const link = parseLoginFragment(place.hash);
  if (link === null) return null;
  history.replaceState(null, "", `${place.pathname}${place.search}`);
  try {
    const me = await redeem(link.code);
    return { ok: true, me, landing: landingPath(link, me) };
  } catch (err) {
    const why = err instanceof HttpError ? err.detail : err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `登录链接无效 / ${why}` };
  }
}

let pending: Promise<LinkOutcome | null> | null = null;

/**
 * The login link in this page's address, redeemed once per page load: a second caller (React's
 * StrictMode runs effects twice in development) waits for the first and gets null, so that it
 * asks who is signed in only once the cookie is set.
 */
export async function signInFromLink(): Promise<LinkOutcome | null> {
  if (pending !== null) {
    await pending;
    return null;
  }
  pending = redeemFrom(window.location, window.history);
  return pending;
}
