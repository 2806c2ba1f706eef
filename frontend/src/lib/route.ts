/**
 * Two pages need no router library: `/` (show list) and `/shows/{id}` (live console).
 * The server answers both paths with index.html.
 */
import { useEffect, useState, type MouseEvent } from "react";

export type Route = { page: "shows" } | { page: "console"; showId: string } | { page: "not_found"; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { page: "shows" };
  const m = /^\/shows\/([^/]+)$/.exec(path);
  if (m !== null && m[1] !== undefined) return { page: "console", showId: decodeURIComponent(m[1]) };
  return { page: "not_found", path };
}

export function showPath(showId: string): string {
  return `/shows/${encodeURIComponent(showId)}`;
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
