import { describe, expect, it } from "vitest";
import {
  channelName,
  exportCsvPath,
  funnelDropOffs,
  parseReview,
  productConversion,
  reviewFindings,
  showSeconds,
  sortProducts,
  timelineMarkers,
  type ProductReviewRow,
  type Review,
} from "./review";

function product(
  sku: string,
  gmv: number,
  clicks: number,
  paidOrders: number,
  paidUnits = paidOrders,
): ProductReviewRow {
  return {
    sku,
    name: `name ${sku}`,
    role: "",
    impressions: 0,
    clicks,
    cartAdds: 0,
    orders: paidOrders,
    paidOrders,
    paidUnits,
    gmv,
    allocatedStock: null,
  };
}

/** A review with nothing in it but what a test sets. */
function review(patch: Partial<Review> = {}): Review {
  return { ...parseReview({ show: { id: "s1", status: "ended" } }), ...patch };
}

describe("parseReview", () => {
  it("reads what the server sends, minutes in epoch seconds into ms", () => {
    const r = parseReview({
      show: {
        id: "s1",
        title: "T",
        status: "ended",
        started_at: "2026-01-01T10:00:00Z",
        ended_at: "2026-01-01T11:30:00Z",
      },
      summary: { net_gmv: 1234, uv: 10, junk: "x" },
      targets: { gmv: { target: 5000, actual: 1234, progress: 0.2468 }, uv: null },
      minutes: [{ minute: 1_700_000_040, online: 5, gmv: 300 }],
      products: [{ sku: "A", gmv: 10, clicks: 2, paid_orders: 1, name: null }],
      actions: [{ id: 3, type: "product.pin", at: "2026-01-01T10:05:00Z", by: { label: "场控" }, sku: "A" }],
    });
    expect(r.show.title).toBe("T");
    expect(showSeconds(r.show)).toBe(90 * 60);
    expect(r.summary).toEqual({ net_gmv: 1234, uv: 10 });
    expect(r.targets).toEqual([{ key: "gmv", target: 5000, actual: 1234, progress: 0.2468 }]);
    expect(r.minutes[0]).toMatchObject({ at: 1_700_000_040_000, online: 5, gmv: 300, orders: 0 });
    expect(r.products[0]).toMatchObject({ sku: "A", name: "", paidOrders: 1 });
    expect(r.actions[0]).toMatchObject({ id: 3, by: "场控", fields: { sku: "A" }, impact: null });
  });

  it("leaves a section the server does not send as null, and an empty one as empty", () => {
    const absent = parseReview({});
    expect([absent.segments, absent.channels, absent.audience, absent.funnel, absent.questions]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    const empty = parseReview({ segments: [], channels: [], audience: {}, funnel: [] });
    expect([empty.segments, empty.channels, empty.audience, empty.funnel]).toEqual([[], [], [], []]);
  });

  it("reads audience slices by dimension, their `value` as the name", () => {
    const r = parseReview({ audience: { region: [{ value: "广东", uv: 3 }], device: [{ value: "ios" }] } });
    expect(r.audience?.map((d) => [d.key, d.rows.map((x) => x.name)])).toEqual([
      ["region", ["广东"]],
      ["device", ["ios"]],
    ]);
  });

  it("survives garbage", () => {
    for (const body of [null, "text", 42, [], { show: 1, minutes: "x", alerts: [] }]) {
      expect(() => parseReview(body)).not.toThrow();
    }
  });
});

describe("products", () => {
  const rows = [
    product("A", 500, 10, 1),
    product("B", 900, 0, 0),
    product("C", 100, 4, 2, 5),
    product("D", 500, 20, 1),
  ];

  it.each([
    ["gmv", ["B", "A", "D", "C"]],
    ["conversion", ["C", "A", "D", "B"]], // B has no clicks: unknown, last
    ["paid_units", ["C", "A", "D", "B"]],
    ["clicks", ["D", "A", "C", "B"]],
  ] as const)("sorted by %s", (key, order) => {
    expect(sortProducts(rows, key).map((p) => p.sku)).toEqual(order);
  });

  it("converts clicks to paid orders, unknown without clicks", () => {
    expect(productConversion(product("A", 0, 4, 1))).toBe(0.25);
    expect(productConversion(product("A", 0, 0, 0))).toBeNull();
  });
});

describe("funnelDropOffs", () => {
  it("counts the viewers lost since the step before", () => {
    const steps = [100, 60, 60, 10].map((viewers, i) => ({
      step: `s${i}`,
      label: "",
      viewers,
      rateFromPrevious: null,
      rateFromTop: null,
    }));
    expect(funnelDropOffs(steps)).toEqual([0, 40, 0, 50]);
  });
});

describe("reviewFindings", () => {
  it("says a missed target, a met one, overruns, the worst funnel step and the top product", () => {
    const r = review({
      targets: [
        { key: "gmv", target: 1000, actual: 500, progress: 0.5 },
        { key: "uv", target: 10, actual: 12, progress: 1.2 },
      ],
      segments: parseReview({
        segments: [
          { id: "a", title: "开场", overrun_seconds: 30 },
          { id: "b", title: "爆款", overrun_seconds: 150 },
          { id: "c", title: "收尾", overrun_seconds: -20 },
        ],
      }).segments,
      funnel: parseReview({
        funnel: [
          { step: "entered", label: "进房", viewers: 100, rate_from_previous: 1 },
          { step: "clicked", label: "点击", viewers: 20, rate_from_previous: 0.2 },
          { step: "paid", label: "支付", viewers: 10, rate_from_previous: 0.5 },
        ],
      }).funnel,
      products: [product("A", 300, 1, 1), product("B", 100, 1, 1)],
    });
    const byId = new Map(reviewFindings(r).map((f) => [f.id, f]));
    expect(byId.get("target-gmv")).toMatchObject({ tone: "bad", text: expect.stringContaining("50%") });
    expect(byId.get("target-uv")).toMatchObject({ tone: "good", text: expect.stringContaining("120%") });
    expect(byId.get("overrun")?.text).toContain("2 个环节超时");
    expect(byId.get("overrun")?.text).toContain("爆款");
    expect(byId.get("funnel")?.text).toContain("点击");
    expect(byId.get("top-product")?.text).toContain("75%");
  });

  it("says nothing it has no figures for", () => {
    expect(reviewFindings(review())).toEqual([]);
  });

  it("counts the alerts nobody acknowledged, not the resolved ones", () => {
    const alerts = parseReview({
      alerts: {
        items: [
          { id: "1", state: "firing", ack_seconds: null },
          { id: "2", state: "acknowledged", ack_seconds: 4 },
          { id: "3", state: "resolved", ack_seconds: null },
        ],
      },
    }).alerts;
    expect(reviewFindings(review({ alerts })).find((f) => f.id === "alerts")?.text).toContain("1 条");
  });
});

describe("timelineMarkers", () => {
  it("puts segment starts, sales actions and alerts in time order, and skips the other actions", () => {
    const r = parseReview({
      segments: [{ id: "p1", title: "爆款", started_at: "2026-01-01T10:02:00Z" }],
      actions: [
        { id: 1, type: "price.set", at: "2026-01-01T10:03:00Z", sku: "A" },
        { id: 2, type: "cue", at: "2026-01-01T10:01:00Z" },
      ],
      alerts: { items: [{ id: "x", rule: "low_stock", fired_at: "2026-01-01T10:01:00Z" }] },
    });
    expect(timelineMarkers(r).map((m) => [m.kind, m.label])).toEqual([
      ["alert", "告警 low_stock"],
      ["segment", "环节 爆款"],
      ["action", "改价 A"],
    ]);
  });

  it("takes segment changes from the actions when the review has no segments table", () => {
    const r = parseReview({ actions: [{ id: 1, type: "segment.goto", at: "2026-01-01T10:00:00Z", segment_id: "p1" }] });
    expect(timelineMarkers(r)).toEqual([{ kind: "segment", at: Date.parse("2026-01-01T10:00:00Z"), label: "环节 p1" }]);
  });
});

describe("names and links", () => {
  it("names channels for people and keeps unknown ones", () => {
    expect(channelName("recommend")).toBe("推荐 recommend");
    expect(channelName("live_square")).toBe("live_square");
    expect(channelName("")).toBe("—");
  });

  it("escapes the show id in export links", () => {
    expect(exportCsvPath("a/b", "products")).toBe("/api/v1/shows/a%2Fb/export/products.csv?excel=true");
  });
});
