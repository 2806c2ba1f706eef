import { describe, expect, it } from "vitest";
import { isPublication, parseAlert, parseServerMessage, parseStockLevels } from "./protocol";
import { alertFrame, snapshotFrame, stockFrame, stockRow } from "./testing";

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

describe("stock and alerts (strict)", () => {
  const sale = { cap: 50, remaining: 12, starts_at: 1762862460000, state: "running" };

  it("reads a stock frame's rows whole, times as epoch ms", () => {
    const msg = parseServerMessage(
      JSON.stringify(stockFrame("E", 4, [stockRow("A1"), stockRow("B2", { flash_sale: sale, sold_out_at: null })])),
    );
    expect(msg?.type).toBe("stock");
    if (msg?.type !== "stock") return;
    expect(msg.server_time).toBe(new Date(1762862401000).toISOString());
    expect(msg.rejected).toBe(0);
    expect(msg.items[0]).toEqual({
      sku: "A1",
      allocated: 100,
      reserved: 5,
      sold: 15,
      available: 80,
      version: 1,
      limit_per_viewer: null,
      flash_sale: null,
      sold_out_at: null,
      rev: 1,
      units_per_minute: 12,
      sell_out_in_seconds: 400,
    });
    expect(msg.items[1]?.flash_sale).toEqual(sale);
  });

  it("leaves out, and counts, rows with a missing or mistyped field instead of guessing", () => {
    const bad = [
      stockRow("M1", { available: "80" }),
      stockRow("M2", { available: -1 }),
      stockRow("M3", { rev: 1.5 }),
      stockRow("M4", { sell_out_in_seconds: "soon" }),
      stockRow("M5", { flash_sale: { ...sale, state: "paused" } }),
      stockRow("M6", { flash_sale: { ...sale, cap: null } }),
      stockRow("M7", { sku: "" }),
      stockRow("M8", { sold_out_at: "2025-11-11T12:00:00Z" }),
      "not a row",
      null,
    ];
    const missing = stockRow("M9");
    delete missing.sell_out_in_seconds; // nullable, but required
    const msg = parseServerMessage(JSON.stringify(stockFrame("E", 4, [...bad, missing, stockRow("OK")])));
    expect(msg?.type === "stock" && msg.items.map((r) => r.sku)).toEqual(["OK"]);
    expect(msg?.type === "stock" && msg.rejected).toBe(bad.length + 1);
    // Keys a newer server adds are not an error.
    expect(parseStockLevels(stockRow("N", { warehouse: "HZ-1" }))?.sku).toBe("N");
  });

  it("reads an alert frame, and rejects a malformed alert but keeps its position", () => {
    const msg = parseServerMessage(JSON.stringify(alertFrame("E", 5)));
    expect(msg).toEqual({
      type: "alert",
      epoch: "E",
      offset: 5,
      server_time: new Date(1762862402000).toISOString(),
      kind: "sold_out",
      severity: "critical",
      roles: ["field_control", "assistant"],
      sku: "A1",
      available: 0,
      text: "A1 已售罄 / sold out",
      ts: 1762862402000,
    });
    for (const broken of [
      { kind: "restocked" },
      { severity: "info" },
      { roles: "field_control" },
      { roles: [1] },
      { available: null },
      { ts: "2025-11-11T12:00:00Z" },
      { sku: 7 },
    ]) {
      const bad = parseServerMessage(JSON.stringify(alertFrame("E", 6, broken)));
      expect(bad).toMatchObject({ type: "ignored", epoch: "E", offset: 6, original: "alert" });
      expect(bad !== null && isPublication(bad)).toBe(true);
    }
    expect(parseAlert({ ...alertFrame("E", 1), roles: ["field_control", "brand_new_role"] })?.roles).toEqual([
      "field_control",
      "brand_new_role",
    ]);
  });

  it("a stock frame without a list of items is ignored, with its position", () => {
    expect(parseServerMessage('{"type":"stock","epoch":"E","offset":3,"items":{}}')).toMatchObject({
      type: "ignored",
      offset: 3,
      original: "stock",
    });
    expect(parseServerMessage('{"type":"stock","epoch":"E","items":[]}')).toBeNull(); // no position
  });

  it("reads stock and alerts in a snapshot; a server without them gives empty lists", () => {
    const msg = parseServerMessage(
      JSON.stringify(
        snapshotFrame("E", 9, {
          stock: [stockRow("A1"), stockRow("B2", { allocated: "many" })],
          alerts: [alertFrame("x", 0), { kind: "sold_out" }],
        }),
      ),
    );
    expect(msg?.type).toBe("snapshot");
    if (msg?.type !== "snapshot") return;
    expect(msg.stock.map((r) => r.sku)).toEqual(["A1"]);
    expect(msg.alerts).toEqual([
      {
        kind: "sold_out",
        severity: "critical",
        roles: ["field_control", "assistant"],
        sku: "A1",
        available: 0,
        text: "A1 已售罄 / sold out",
        ts: 1762862402000,
      },
    ]);
    expect(msg.rejected).toBe(2);

    const old = parseServerMessage(JSON.stringify(snapshotFrame("E", 9)));
    expect(old?.type === "snapshot" && [old.stock, old.alerts, old.rejected]).toEqual([[], [], 0]);
  });

  it("turns a positioned frame of an unknown type into an ignored publication", () => {
    const msg = parseServerMessage('{"type":"brand_new","epoch":"E","offset":1,"server_time":1762862401000}');
    expect(msg).toEqual({
      type: "ignored",
      epoch: "E",
      offset: 1,
      server_time: new Date(1762862401000).toISOString(),
      original: "brand_new",
      reason: "unknown type",
    });
    expect(parseServerMessage('{"type":"brand_new"}')).toBeNull();
    expect(parseServerMessage('{"type":"show","epoch":"E","offset":2,"show":{}}')).toMatchObject({
      type: "ignored",
      original: "show",
    });
  });
});
