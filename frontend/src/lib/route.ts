/**
 * A few pages need no router library: `/` (show list), `/shows/{id}` (the show's console for
 * the signed-in role: the anchor's prompter for an anchor, field control's console for the
 * others), `/shows/{id}/anchor` (the anchor's view, for anyone who wants to check what the
 * anchor sees), `/shows/{id}/setup` (lineup, targets, start and end) and `/shows/{id}/assistant`
 * (the assistant's console, 助播台: prices, coupons, lucky bags, flash sales, flagged orders; an
 * assistant's `/shows/{id}` opens it too). An ended show's `/shows/{id}` opens its review
 * (`/shows/{id}/review`, 复盘) for the roles that may read it; `/shows/{id}/live` is field
 * control's console whatever the show's state, `/shows/{id}/replay` plays the ended show
 * again, and `/reviews/compare?shows=a,b` sets shows side by side. The server answers these
 * paths with index.html.
 *
 * A new page of a show is one entry in SHOW_PAGES, one member of Route, and a path helper.
 */
import { useEffect, useState, type MouseEvent } from "react";

export type Route =
  | { page: "shows" }
  | { page: "console"; showId: string }
  | { page: "anchor"; showId: string }
  | { page: "setup"; showId: string }
  | { page: "assistant"; showId: string }
  | { page: "review"; showId: string }
  | { page: "replay"; showId: string }
  | { page: "live"; showId: string }
  | { page: "compare" }
  | { page: "not_found"; path: string };

/** The pages of one show, by what follows `/shows/{id}` ("" is the show's own page). */
const SHOW_PAGES = {
  "": "console",
  anchor: "anchor",
  setup: "setup",
  assistant: "assistant",
  review: "review",
  replay: "replay",
  live: "live",
} as const satisfies Record<string, Extract<Route, { showId: string }>["page"]>;

type ShowPageSuffix = keyof typeof SHOW_PAGES;

function isShowPageSuffix(s: string): s is ShowPageSuffix {
  return Object.prototype.hasOwnProperty.call(SHOW_PAGES, s);
}

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { page: "shows" };
  if (path === "/reviews/compare") return { page: "compare" };
  const m = /^\/shows\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (m !== null && m[1] !== undefined) {
    const suffix = m[2] ?? "";
    if (isShowPageSuffix(suffix)) {
      let showId: string;
      try {
        showId = decodeURIComponent(m[1]);
      } catch {
        return { page: "not_found", path }; // a malformed escape (`%E0%A4%A`)
      }
      return { page: SHOW_PAGES[suffix], showId };
    }
  }
  return { page: "not_found", path };
}

export function showPath(showId: string): string {
  return `/shows/${encodeURIComponent(showId)}`;
}

/** The anchor's view of a show, whatever the signed-in role. */
export function anchorPath(showId: string): string {
  return `${showPath(showId)}/anchor`;
}

/** The show's setup page: lineup, targets, start and end. */
export function setupPath(showId: string): string {
  return `${showPath(showId)}/setup`;
}

/** The assistant's console (助播台) of a show, whatever the signed-in role. */
export function assistantPath(showId: string): string {
  return `${showPath(showId)}/assistant`;
}

/** The show's post-show review (复盘). */
export function reviewPath(showId: string): string {
  return `${showPath(showId)}/review`;
}

/** The replay of an ended show, with the live console's panels. */
export function replayPath(showId: string): string {
  return `${showPath(showId)}/replay`;
}

/** Field control's live console, even when the show has ended (its `/shows/{id}` is the review). */
export function livePath(showId: string): string {
  return `${showPath(showId)}/live`;
}

/** Roles that may read a review (REVIEW_READ in src/liveops/auth/principal.py; the server decides). */
export function mayReview(role: string): boolean {
  return role === "admin" || role === "operations" || role === "field_control" || role === "assistant";
}

/**
 * What `/shows/{id}` opens: an ended show's review for those who may read it, else the console
 * (see {@link consoleFor}). Unknown status (not loaded): the console.
 */
export function showEntry(status: string | null, role: string): "review" | "console" {
  return status === "ended" && mayReview(role) ? "review" : "console";
}

const NAVIGATE_EVENT = "liveops:navigate";

export function navigate(path: string, replace = false): void {
  if (path === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Plain left clicks on in-app links navigate without a reload; others behave as links. */
export function onLinkClick(ev: MouseEvent<HTMLAnchorElement>, path: string): void {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  ev.preventDefault();
  navigate(path);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}

/**
 * Which console a show page opens: an anchor always gets the anchor's view (its hands are
 * busy, the prompter is all it needs); the assistant gets the assistant's console (助播台) at
 * `/shows/{id}`; every other role gets field control's console there. Anyone else asks for the
 * anchor's view at `/shows/{id}/anchor` and the assistant's at `/shows/{id}/assistant`.
 */
export function consoleFor(
  page: "console" | "anchor" | "assistant",
  role: string,
): "anchor" | "field_control" | "assistant" {
  if (page === "anchor" || role === "anchor") return "anchor";
  if (page === "assistant" || role === "assistant") return "assistant";
  return "field_control";
}
