import { describe, expect, it } from "vitest";
import { bestColumns, compareIds, comparePath, parseCompare } from "./compare";

describe("bestColumns", () => {
  it.each([
    ["gmv_paid", [100, 300, 200], [1]],
    ["gmv_paid", [300, 300, 200], [0, 1]],
    ["refund_rate", [0.1, 0.02, 0.05], [1]], // less is better
    ["orders_refunded", [3, null, 1], [2]],
    ["gmv_paid", [5, 5, 5], []], // all equal: nothing to say
    ["gmv_paid", [5, null], []], // one value: nothing to compare
    ["uv", [undefined, Number.NaN, 4, 2], [2]],
  ] as const)("%s of %j → %j", (key, values, best) => {
    expect([...bestColumns(key, values)].sort()).toEqual(best);
  });
});

describe("compare addresses", () => {
  it("round-trips ids through the page's query string, without duplicates", () => {
    const path = comparePath(["s 1", "s2", "s 1", ""]);
    expect(path).toBe("/reviews/compare?shows=s%201,s2");
    expect(compareIds(path.slice(path.indexOf("?")))).toEqual(["s 1", "s2"]);
    expect(compareIds("?shows=")).toEqual([]);
    expect(compareIds("")).toEqual([]);
  });
});

describe("parseCompare", () => {
  it("reads the shows in the order sent, numbers only in summaries", () => {
    const shows = parseCompare({
      shows: [
        { show: { id: "b", title: "B" }, summary: { uv: 3, x: "no" }, events: 9 },
        { show: { id: "a" }, summary: null },
        "junk",
      ],
    });
    expect(shows.map((s) => [s.id, s.summary, s.events])).toEqual([
      ["b", { uv: 3 }, 9],
      ["a", {}, null],
    ]);
  });
});
