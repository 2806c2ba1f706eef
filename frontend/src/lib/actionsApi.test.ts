import { describe, expect, it } from "vitest";
import type { ActionRecord } from "../live/protocol";
import { HttpError } from "./api";
import {
  actionState,
  drawSeed,
  errorText,
  heldActions,
  heldWindow,
  parsePreview,
  previewRows,
  parseRunsheet,
  parseWhole,
  parseYuan,
} from "./actionsApi";

function action(id: number, fields: Record<string, unknown> = {}, at = "2025-11-11T12:00:00Z"): ActionRecord {
  return { id, type: "price.set", by: { label: "助播", role: "assistant" }, at, fields };
}

describe("parseYuan", () => {
  it.each([
    ["79", 7_900],
    ["79.9", 7_990],
    ["79.90", 7_990],
    ["¥1,299.00", 129_900],
    ["￥0.01", 1],
    ["７９", 7_900],
    [" 0 ", 0],
  ])("%s → %i fen", (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, fen });
  });

  it.each(["", "abc", "-1", "1.234", "1e3", "12..3"])("refuses %j", (text) => {
    expect(parseYuan(text).ok).toBe(false);
  });
});

describe("parseWhole", () => {
  it("reads whole counts at or above the minimum", () => {
    expect(parseWhole("100")).toEqual({ ok: true, n: 100 });
    expect(parseWhole("0").ok).toBe(false);
    expect(parseWhole("0", 0)).toEqual({ ok: true, n: 0 });
    expect(parseWhole("2.5").ok).toBe(false);
  });
});

describe("held actions", () => {
  it("reads a record's state; no state is applied", () => {
    expect(actionState(action(1))).toBe("applied");
    expect(actionState(action(1, { state: "held" }))).toBe("held");
    expect(actionState(action(1, { state: "failed", error: "x" }))).toBe("failed");
  });

  it("measures the undo window from at to applies_at", () => {
    const a = action(1, { state: "held", applies_at: "2025-11-11T12:00:10Z" });
    const t0 = Date.parse("2025-11-11T12:00:00Z");
    expect(heldWindow(a, t0 + 4_000)).toEqual({ appliesAt: t0 + 10_000, leftMs: 6_000, fraction: 0.6 });
    expect(heldWindow(a, t0 + 12_000)?.leftMs).toBe(0);
    expect(heldWindow(action(2), t0)).toBeNull();
  });

  it("shows the commerce state's held actions and this console's, minus those a newer record settled", () => {
    const held = (id: number) => action(id, { state: "held", applies_at: "2025-11-11T12:00:10Z" });
    const fromCommerce = [held(1), held(2)];
    const seen = [held(3), action(2, { state: "undone" }), action(4, { state: "applied" })];
    expect(heldActions(fromCommerce, seen).map((a) => a.id)).toEqual([1, 3]);
    expect(heldActions([], [])).toEqual([]);
  });
});

describe("answers", () => {
  it("reads a preview, warnings as strings only", () => {
    expect(
      parsePreview({
        type: "price.set",
        undo_seconds: 10,
        summary: "口红：¥99 → ¥79",
        before: { live_price: 9_900 },
        after: { live_price: 7_900 },
        warnings: ["高于原价", 3],
      }),
    ).toEqual({
      type: "price.set",
      undo_seconds: 10,
      summary: "口红：¥99 → ¥79",
      before: { live_price: 9_900 },
      after: { live_price: 7_900 },
      warnings: ["高于原价"],
    });
    expect(parsePreview({ summary: "x" })).toBeNull();
  });

  it("reads the run-sheet's segments and the one on air", () => {
    expect(
      parseRunsheet({
        current_segment_id: "s2",
        segments: [
          { id: "s1", title: "暖场", sku: null, planned_seconds: 60 },
          { id: "s2", title: "口红", sku: "A1", planned_seconds: 300 },
          { title: "x" },
          { id: "" },
          "s4",
          { id: "s3", sku: "" },
        ],
      }),
    ).toEqual({
      current_segment_id: "s2",
      segments: [
        { id: "s1", title: "暖场", sku: null, planned_seconds: 60 },
        { id: "s2", title: "口红", sku: "A1", planned_seconds: 300 },
        // No title: its id, so that a segment button never reads empty; no product: null.
        { id: "s3", title: "s3", sku: null, planned_seconds: 0 },
      ],
    });
    expect(parseRunsheet(null)).toEqual({ current_segment_id: null, segments: [] });
  });

  it("says why a call failed in the server's words", () => {
    expect(errorText(new HttpError(409, "no segment s9 in the run-sheet"))).toBe("no segment s9 in the run-sheet");
    expect(errorText(new HttpError(403, "the anchor role may not act"))).toBe(
      "无权操作 / not allowed: the anchor role may not act",
    );
    expect(errorText(new HttpError(401, "not signed in"))).toMatch(/^会话已过期/);
    expect(errorText(new TypeError("Failed to fetch"))).toBe("网络错误 / network: Failed to fetch");
    expect(errorText("odd")).toBe("odd");
  });

  it("draws seeds a browser shows exactly", () => {
    expect(drawSeed(() => 0.999999999999)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(Number.isSafeInteger(drawSeed())).toBe(true);
  });
});

describe("previewRows", () => {
  const base = { undo_seconds: 10, summary: "", warnings: [] };

  it("reads a price change: live price before → after, the change, and the list price", () => {
    const rows = previewRows({
      ...base,
      type: "price.set",
      before: { live_price: 6_900, list_price: 12_900 },
      after: { live_price: 15_000, change: 8_100, change_ratio: 1.1739, discount_from_list: -0.1628 },
    });
    expect(rows).toEqual([
      { label: "直播价", before: "¥69.00", after: "¥150.00" },
      { label: "变动", before: null, after: "+¥81.00（+117.4%）" },
      { label: "原价", before: null, after: "¥129.00（高于原价 16.3%）", warn: true },
    ]);
  });

  it("reads a price cut below the list price", () => {
    const rows = previewRows({
      ...base,
      type: "price.set",
      before: { live_price: 6_900, list_price: 12_900 },
      after: { live_price: 5_900, change: -1_000, change_ratio: -0.1449, discount_from_list: 0.5426 },
    });
    expect(rows.map((r) => r.after)).toEqual(["¥59.00", "−¥10.00（−14.5%）", "¥129.00（比原价低 54.3%）"]);
  });

  it("reads a coupon: its id, the most it can cost, each product's price with it", () => {
    const rows = previewRows({
      ...base,
      type: "coupon.issue",
      before: {},
      after: {
        coupon_id: "Q1",
        max_cost: 50_000,
        products: [
          { sku: "A1", name: "口红", live_price: 9_900, with_coupon: 8_900 },
          { sku: "B2", name: "", live_price: 1_000, with_coupon: 0 },
        ],
      },
    });
    expect(rows).toEqual([
      { label: "券号", before: null, after: "Q1" },
      { label: "最多让利", before: null, after: "¥500.00" },
      { label: "用券 口红", before: "¥99.00", after: "¥89.00", warn: false },
      { label: "用券 B2", before: "¥10.00", after: "¥0.00", warn: true },
    ]);
  });

  it("leaves out what it does not know", () => {
    expect(previewRows({ ...base, type: "product.pin", before: { pinned_sku: "A1" }, after: {} })).toEqual([]);
  });
});
