import { describe, expect, it } from "vitest";
import { ageOf, dataTime, staleness } from "./freshness";

const T = (s: string) => Date.parse(s);

describe("freshness", () => {
  const feeds = {
    viewer: { ts: "2025-11-11T12:00:10Z", received_at: "2025-11-11T12:00:10.5Z" },
    order: { ts: "2025-11-11T12:00:02Z", received_at: null },
    comment: { ts: null, received_at: "2025-11-11T12:00:08Z" },
  };

  it("uses the stalest group, the freshest family within a group", () => {
    expect(dataTime([["viewer"]], feeds, null)).toBe(T("2025-11-11T12:00:10Z"));
    expect(dataTime([["order"], ["viewer"]], feeds, null)).toBe(T("2025-11-11T12:00:02Z"));
    expect(dataTime([["comment", "like"], ["viewer"]], feeds, null)).toBe(T("2025-11-11T12:00:08Z"));
  });

  it("skips families that never had an event, and falls back to metrics_at without feeds", () => {
    expect(dataTime([["gift"]], feeds, "2025-11-11T12:00:00Z")).toBeNull();
    expect(dataTime([["gift"], ["viewer"]], feeds, null)).toBe(T("2025-11-11T12:00:10Z"));
    expect(dataTime([["viewer"]], {}, "2025-11-11T12:00:00Z")).toBe(T("2025-11-11T12:00:00Z"));
  });

  it("turns amber after 10 s and red after 30 s, except once the show ended", () => {
    expect(staleness(null, false)).toBe("none");
    expect(staleness(9_000, false)).toBe("fresh");
    expect(staleness(11_000, false)).toBe("warn");
    expect(staleness(31_000, false)).toBe("bad");
    expect(staleness(31_000, true)).toBe("ended");
    expect(ageOf(T("2025-11-11T12:00:00Z"), T("2025-11-11T12:00:03Z"), false)).toMatchObject({
      ms: 3000,
      level: "fresh",
      label: "3 秒前",
    });
    // a source clock slightly ahead of the server never shows a negative age
    expect(ageOf(T("2025-11-11T12:00:05Z"), T("2025-11-11T12:00:03Z"), false).ms).toBe(0);
  });
});
