import { describe, expect, it } from "vitest";
import {
  anchorPath,
  assistantPath,
  consoleFor,
  livePath,
  mayReview,
  parseRoute,
  replayPath,
  reviewPath,
  setupPath,
  showEntry,
  showPath,
} from "./route";

describe("routes", () => {
  it("reads the show list, a show's console and its anchor view", () => {
    expect(parseRoute("/")).toEqual({ page: "shows" });
    expect(parseRoute("/shows/s%201/")).toEqual({ page: "console", showId: "s 1" });
    expect(parseRoute("/shows/s1/anchor")).toEqual({ page: "anchor", showId: "s1" });
    expect(parseRoute("/shows/s1/other")).toEqual({ page: "not_found", path: "/shows/s1/other" });
    expect(parseRoute(anchorPath("a/b"))).toEqual({ page: "anchor", showId: "a/b" });
    expect(parseRoute(showPath("a/b"))).toEqual({ page: "console", showId: "a/b" });
  });

  it("reads a show's setup page, with or without a trailing slash, whatever its id holds", () => {
    expect(parseRoute("/shows/s1/setup")).toEqual({ page: "setup", showId: "s1" });
    expect(parseRoute("/shows/s1/setup/")).toEqual({ page: "setup", showId: "s1" });
    expect(setupPath("show_1")).toBe("/shows/show_1/setup");
    expect(parseRoute(setupPath("a/b c?#"))).toEqual({ page: "setup", showId: "a/b c?#" });
    // A show whose id is a page's name is still that show's console.
    expect(parseRoute(showPath("setup"))).toEqual({ page: "console", showId: "setup" });
    expect(parseRoute("/shows/setup/setup")).toEqual({ page: "setup", showId: "setup" });
  });

  it("answers not found for other paths instead of guessing", () => {
    expect(parseRoute("/shows")).toEqual({ page: "not_found", path: "/shows" });
    expect(parseRoute("/shows/s1/setup/x")).toEqual({ page: "not_found", path: "/shows/s1/setup/x" });
    expect(parseRoute("/shows/s1/Setup")).toEqual({ page: "not_found", path: "/shows/s1/Setup" });
    expect(parseRoute("/shows/s1/constructor")).toEqual({ page: "not_found", path: "/shows/s1/constructor" });
    expect(parseRoute("/shows/s1/toString")).toEqual({ page: "not_found", path: "/shows/s1/toString" });
    // A malformed escape is a page that does not exist, not a crash.
    expect(parseRoute("/shows/%E0%A4%A/setup")).toEqual({ page: "not_found", path: "/shows/%E0%A4%A/setup" });
  });

  it("reads a show's assistant console", () => {
    expect(parseRoute("/shows/s1/assistant")).toEqual({ page: "assistant", showId: "s1" });
    expect(parseRoute(assistantPath("a/b c"))).toEqual({ page: "assistant", showId: "a/b c" });
    expect(parseRoute("/shows/s1/assistant/x")).toEqual({ page: "not_found", path: "/shows/s1/assistant/x" });
  });

  it("gives the assistant its console at the show's page, anyone it when they ask, an anchor never", () => {
    expect(consoleFor("console", "assistant")).toBe("assistant");
    expect(consoleFor("assistant", "assistant")).toBe("assistant");
    expect(consoleFor("assistant", "field_control")).toBe("assistant");
    expect(consoleFor("assistant", "admin")).toBe("assistant");
    expect(consoleFor("assistant", "anchor")).toBe("anchor");
    expect(consoleFor("anchor", "assistant")).toBe("anchor");
    expect(consoleFor("console", "operations")).toBe("field_control");
  });

  it("gives an anchor the anchor's view everywhere, the others field control's unless they ask", () => {
    expect(consoleFor("console", "anchor")).toBe("anchor");
    expect(consoleFor("console", "field_control")).toBe("field_control");
    expect(consoleFor("console", "assistant")).toBe("assistant");
    expect(consoleFor("console", "admin")).toBe("field_control");
    expect(consoleFor("anchor", "operations")).toBe("anchor");
    expect(consoleFor("anchor", "field_control")).toBe("anchor");
  });

  it("reads a show's review, replay and live console, and the comparison", () => {
    expect(parseRoute(reviewPath("a/b"))).toEqual({ page: "review", showId: "a/b" });
    expect(parseRoute(replayPath("s1"))).toEqual({ page: "replay", showId: "s1" });
    expect(parseRoute(livePath("s1"))).toEqual({ page: "live", showId: "s1" });
    expect(parseRoute("/reviews/compare")).toEqual({ page: "compare" });
    expect(parseRoute("/reviews")).toEqual({ page: "not_found", path: "/reviews" });
  });

  it.each([
    ["ended", "admin", "review"],
    ["ended", "operations", "review"],
    ["ended", "field_control", "review"],
    ["ended", "assistant", "review"],
    ["ended", "anchor", "console"], // an anchor may not read reviews
    ["live", "admin", "console"],
    ["scheduled", "field_control", "console"],
    [null, "admin", "console"],
  ] as const)("a %s show opens for %s on its %s", (status, role, page) => {
    expect(showEntry(status, role)).toBe(page);
    expect(mayReview(role)).toBe(role !== "anchor");
  });
});
