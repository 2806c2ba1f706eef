import { describe, expect, it } from "vitest";
import { parseServerMessage } from "./protocol";
import { snapshotFrame } from "./testing";

describe("parseServerMessage", () => {
  it("reads a snapshot with every part typed", () => {
    const msg = parseServerMessage(JSON.stringify(snapshotFrame("E1", 5)));
    expect(msg?.type).toBe("snapshot");
    if (msg?.type !== "snapshot") return;
    expect(msg.epoch).toBe("E1");
    expect(msg.offset).toBe(5);
    expect(msg.show.targets).toEqual({ gmv_paid: 10_000_000 });
    expect(msg.products[0]).toMatchObject({ sku: "A1", name: "口红", impressions: 0, stock_left: 99 });
    expect(msg.feed.map((f) => f.kind)).toEqual(["comment", "comment"]);
    expect(msg.feeds.viewers).toEqual({ ts: "2025-11-11T12:09:59Z", received_at: "2025-11-11T12:09:59.2Z" });
  });

  it("rejects frames without a usable envelope", () => {
    expect(parseServerMessage("nope")).toBeNull();
    expect(parseServerMessage("[1,2]")).toBeNull();
    expect(parseServerMessage('{"type":"metrics","epoch":"E","offset":"3"}')).toBeNull();
    expect(parseServerMessage('{"type":"metrics","epoch":"E","offset":1.5}')).toBeNull();
    expect(parseServerMessage('{"type":"brand_new","epoch":"E","offset":1}')).toBeNull();
    expect(parseServerMessage('{"type":"snapshot","epoch":"E","offset":1,"show":{}}')).toBeNull();
  });

  it("drops unknown metric keys and non-numeric values", () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: "metrics",
        epoch: "E",
        offset: 2,
        metrics: { online: 3, bogus: 1, uv: "7", gmv_paid: null },
      }),
    );
    expect(msg?.type === "metrics" && msg.metrics).toEqual({ online: 3 });
  });

  it("tells a missing metrics_at from a null one", () => {
    const a = parseServerMessage(JSON.stringify({ type: "metrics", epoch: "E", offset: 2, metrics: {} }));
    const b = parseServerMessage(
      JSON.stringify({ type: "metrics", epoch: "E", offset: 2, metrics: {}, metrics_at: null }),
    );
    expect(a?.type === "metrics" && a.metrics_at).toBeUndefined();
    expect(b?.type === "metrics" && b.metrics_at).toBeNull();
  });

  it("reads feed items of both kinds and skips unknown ones", () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: "feed",
        epoch: "E",
        offset: 3,
        items: [
          { kind: "comment", id: "c", ts: "2025-11-11T12:00:00Z", viewer_id: "v", text: "hi" },
          { kind: "order", id: "o", ts: "2025-11-11T12:00:00Z", event: "paid", order_id: "O1", amount: 990 },
          { kind: "order", id: "x", ts: "2025-11-11T12:00:00Z", event: "teleported", order_id: "O2" },
          { kind: "gift", id: "g" },
        ],
      }),
    );
    expect(msg?.type === "feed" && msg.items).toEqual([
      { kind: "comment", id: "c", ts: "2025-11-11T12:00:00Z", viewer_id: "v", text: "hi" },
      { kind: "order", id: "o", ts: "2025-11-11T12:00:00Z", event: "paid", order_id: "O1", amount: 990 },
    ]);
  });

  it("accepts the alternative names a server might use for times", () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: "metrics",
        epoch: 7,
        offset: 2,
        series: [{ ts: "2025-11-11T12:00:00Z", online: 3 }],
        feeds: {
          viewer: { source_ts: "2025-11-11T12:00:01Z", server_time: 1762862401.5 },
          order: "2025-11-11T12:00:02Z",
        },
      }),
    );
    expect(msg?.type).toBe("metrics");
    if (msg?.type !== "metrics") return;
    expect(msg.epoch).toBe("7");
    expect(msg.series[0]?.minute).toBe("2025-11-11T12:00:00Z");
    expect(msg.feeds.viewer?.ts).toBe("2025-11-11T12:00:01Z");
    expect(msg.feeds.viewer?.received_at).toBe(new Date(1762862401500).toISOString());
    expect(msg.feeds.order).toEqual({ ts: "2025-11-11T12:00:02Z", received_at: null });
  });

  it("reads control frames", () => {
    expect(parseServerMessage('{"type":"resumed","epoch":"E","offset":4}')).toEqual({
      type: "resumed",
      epoch: "E",
      offset: 4,
    });
    expect(parseServerMessage('{"type":"resync","reason":"epoch"}')).toEqual({ type: "resync", reason: "epoch" });
    expect(parseServerMessage('{"type":"error","code":"bad_frame","message":"x"}')).toEqual({
      type: "error",
      code: "bad_frame",
      message: "x",
    });
  });
});
