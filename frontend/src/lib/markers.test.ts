import { describe, expect, it } from "vitest";
import type { ActionRecord } from "../live/protocol";
import { isMarked, markerLine, markerWhat, mergeActions, placeMarkers } from "./markers";

const T0 = Date.parse("2026-12-04T12:00:00Z");
const BY = { label: "场控小王", role: "field_control" };

function action(id: number, type: string, atMs: number, fields: Record<string, unknown> = {}): ActionRecord {
  return { id, type, by: BY, at: new Date(atMs).toISOString(), fields: { state: "applied", ...fields } };
}

describe("which actions get a marker", () => {
  it("marks the sales-moving types that applied, not cues, hides, bans or held ones", () => {
    expect(isMarked(action(1, "product.pin", T0, { sku: "A" }))).toBe(true);
    expect(isMarked(action(2, "segment.goto", T0))).toBe(true);
    expect(isMarked(action(3, "announcement.set", T0))).toBe(true);
    expect(isMarked(action(4, "cue", T0))).toBe(false);
    expect(isMarked(action(5, "comment.hide", T0))).toBe(false);
    expect(isMarked(action(6, "viewer.ban", T0))).toBe(false);
    expect(isMarked(action(7, "price.set", T0, { state: "held" }))).toBe(false);
    expect(isMarked(action(8, "price.set", T0, { state: "undone" }))).toBe(false);
    const noState: ActionRecord = { id: 9, type: "coupon.issue", by: BY, at: new Date(T0).toISOString(), fields: {} };
    expect(isMarked(noState)).toBe(true);
  });
});

describe("placeMarkers", () => {
  it("groups by the minute, oldest first, and leaves out minutes off the chart", () => {
    const actions = [
      action(1, "product.pin", T0 - 1_000, { sku: "A" }), // the minute before the chart
      action(2, "product.pin", T0 + 5_000, { sku: "A" }),
      action(4, "price.set", T0 + 65_000, { sku: "A", live_price: 7900 }),
      action(3, "segment.goto", T0 + 61_000, { segment_id: "s2" }),
      action(5, "cue", T0 + 70_000, { text: "催单" }),
      action(6, "announcement.set", T0 + 15 * 60_000, { text: "x" }), // past the last slot
    ];
    const markers = placeMarkers(actions, T0, 15);
    expect(markers.map((m) => m.slot)).toEqual([0, 1]);
    expect(markers[0]?.actions.map((a) => a.id)).toEqual([2]);
    expect(markers[1]?.actions.map((a) => a.id)).toEqual([3, 4]);
    expect(markers[1]?.glyph).toBe("价");
    expect(markers[0]?.glyph).toBe("挂");
  });

  it("counts an action once, and skips unreadable times", () => {
    const a = action(2, "product.pin", T0 + 5_000, { sku: "A" });
    const bad: ActionRecord = { ...action(3, "product.pin", T0), at: "not a time" };
    expect(placeMarkers([a, a, bad], T0, 15)).toHaveLength(1);
    expect(placeMarkers([a, a], T0, 15)[0]?.actions).toHaveLength(1);
  });
});

describe("labels", () => {
  const names = { products: new Map([["A", "纯棉中筒袜"]]), segments: new Map([["s2", "爆款讲解"]]) };
  it("says what happened with the product and segment names", () => {
    expect(markerWhat(action(1, "product.pin", T0, { sku: "A" }), names)).toBe("挂车 纯棉中筒袜");
    expect(markerWhat(action(1, "product.pin", T0, { sku: "B" }), names)).toBe("挂车 B");
    expect(markerWhat(action(1, "price.set", T0, { sku: "A", live_price: 7900, live_price_before: 9900 }), names)).toBe(
      "改价 纯棉中筒袜 ¥99.00 → ¥79.00",
    );
    expect(markerWhat(action(1, "coupon.issue", T0, { amount_off: 1000, threshold: 9900 }))).toBe(
      "发券 满¥99.00减¥10.00",
    );
    expect(markerWhat(action(1, "segment.goto", T0, { segment_id: "s2" }), names)).toBe("切环节 爆款讲解");
    expect(markerWhat(action(1, "announcement.set", T0, { text: "" }))).toBe("清空公告");
    expect(markerWhat(action(1, "announcement.set", T0, { text: "今晚8点福袋" }))).toBe("公告 “今晚8点福袋”");
    expect(markerWhat(action(1, "lucky_bag.start", T0, { prize: "羊绒围巾", bag_id: "b1" }))).toBe("福袋 羊绒围巾");
  });

  it("adds the time and who did it", () => {
    const line = markerLine(action(1, "product.pin", T0, { sku: "A" }), names);
    expect(line).toMatch(/^\d\d:\d\d 挂车 纯棉中筒袜 · 场控小王$/);
  });
});

describe("mergeActions", () => {
  it("keeps one record per id, the live one winning, oldest first", () => {
    const held = action(2, "price.set", T0, { state: "held" });
    const applied = action(2, "price.set", T0, { state: "applied" });
    const merged = mergeActions([action(3, "product.pin", T0), held, action(1, "cue", T0)], [applied]);
    expect(merged.map((a) => a.id)).toEqual([1, 2, 3]);
    expect(merged[1]?.fields.state).toBe("applied");
  });
});
