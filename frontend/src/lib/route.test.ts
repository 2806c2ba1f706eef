import { describe, expect, it } from "vitest";
import { anchorPath, consoleFor, parseRoute, showPath } from "./route";

describe("routes", () => {
  it("reads the show list, a show's console and its anchor view", () => {
    expect(parseRoute("/")).toEqual({ page: "shows" });
    expect(parseRoute("/shows/s%201/")).toEqual({ page: "console", showId: "s 1" });
    expect(parseRoute("/shows/s1/anchor")).toEqual({ page: "anchor", showId: "s1" });
    expect(parseRoute("/shows/s1/other")).toEqual({ page: "not_found", path: "/shows/s1/other" });
    expect(parseRoute(anchorPath("a/b"))).toEqual({ page: "anchor", showId: "a/b" });
    expect(parseRoute(showPath("a/b"))).toEqual({ page: "console", showId: "a/b" });
  });

  it("gives an anchor the anchor's view everywhere, the others field control's unless they ask", () => {
    expect(consoleFor("console", "anchor")).toBe("anchor");
    expect(consoleFor("console", "field_control")).toBe("field_control");
    expect(consoleFor("console", "assistant")).toBe("field_control");
    expect(consoleFor("console", "admin")).toBe("field_control");
    expect(consoleFor("anchor", "operations")).toBe("anchor");
    expect(consoleFor("anchor", "field_control")).toBe("anchor");
  });
});
