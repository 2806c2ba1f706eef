/**
 * Three pages need no router library: `/` (show list), `/shows/{id}` (the show's console for
 * the signed-in role: the anchor's prompter for an anchor, field control's console for the
 * others) and `/shows/{id}/anchor` (the anchor's view, for anyone who wants to check what the
 * anchor sees). The server answers these paths with index.html.
 */
import { useEffect, useState, type MouseEvent } from "react";

export type Route =
  | { page: "shows" }
  | { page: "console"; showId: string }
  | { page: "anchor"; showId: string }
  | { page: "not_found"; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { page: "shows" };
  const m = /^\/shows\/([^/]+)(\/anchor)?$/.exec(path);
  if (m !== null && m[1] !== undefined) {
    return { page: m[2] !== undefined ? "anchor" : "console", showId: decodeURIComponent(m[1]) };
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

const NAVIGATE_EVENT = "liveops:navigate";

export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, "", path);
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
 * busy, the prompter is all it needs); every other role gets field control's console at
 * `/shows/{id}` and the anchor's view at `/shows/{id}/anchor`.
 */
export function consoleFor(page: "console" | "anchor", role: string): "anchor" | "field_control" {
  return page === "anchor" || role === "anchor" ? "anchor" : "field_control";
}
