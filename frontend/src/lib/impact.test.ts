import { describe, expect, it } from "vitest";
import type { ActionRecord } from "../live/protocol";
import {
  actionTime,
  describeAction,
  formatChange,
  formatImpactRate,
  measuredKey,
  newestFirst,
  parseImpact,
  parseImpacts,
  partialText,
  shortYuan,
  type ActionImpact,
  type Direction,
  type RateKey,
} from "./impact";

const BY = { label: "助播小李", role: "assistant" };

function action(
  id: number,
  type: string,
  fields: Record<string, unknown> = {},
  at = "2025-11-11T12:00:00Z",
): ActionRecord {
  return { id, type, by: BY, at, fields: { state: "applied", ...fields } };
}

const RATES = { entry_rate: 4, click_rate: 0.05, conversion: 0.01 };

function row(a: ActionRecord, extra: Partial<ActionImpact> = {}): ActionImpact {
  return { action: a, before: RATES, after: RATES, change: RATES, after_minutes: 5, partial: false, ...extra };
}

describe("describeAction", () => {
  const cases: [string, ActionRecord, string][] = [
    ["a pin", action(1, "product.pin", { sku: "SC-01", previous_sku: null }), "挂车 SC-01"],
    [
      "a price change",
      action(2, "price.set", { sku: "GL-02", live_price: 5_900, live_price_before: 6_900 }),
      "改价 ¥69→¥59 GL-02",
    ],
    [
      "a price with fen",
      action(3, "price.set", { sku: "A", live_price: 3_990, live_price_before: 4_999 }),
      "改价 ¥49.99→¥39.9 A",
    ],
    ["a price without the value before", action(4, "price.set", { sku: "A", live_price: 100 }), "改价 →¥1 A"],
    ["a coupon with a threshold", action(5, "coupon.issue", { amount_off: 1_000, threshold: 10_000 }), "券 满100减10"],
    ["a coupon without one", action(6, "coupon.issue", { amount_off: 500, threshold: null }), "券 无门槛减5"],
    ["a lucky bag", action(7, "lucky_bag.start", { prize: "羊绒围巾一条" }), "福袋 羊绒围巾一条"],
    ["a lucky bag's draw", action(8, "lucky_bag.draw", { seed: 1 }), "福袋开奖 "],
    ["anything else: its type", action(9, "cue"), "cue "],
  ];
  it.each(cases)("%s", (_name, a, expected) => {
    const { label, detail } = describeAction(a);
    expect(`${label} ${detail}`).toBe(expected);
  });
});

describe("shortYuan", () => {
  const cases: [unknown, string][] = [
    [6_900, "69"],
    [6_990, "69.9"],
    [6_999, "69.99"],
    [0, "0"],
    [null, "?"],
    [Number.NaN, "?"],
  ];
  it.each(cases)("%s fen → %s", (fen, text) => expect(shortYuan(fen)).toBe(text));
});

describe("formatImpactRate", () => {
  const cases: [RateKey, number | null, string][] = [
    ["entry_rate", 4, "4.0"],
    ["entry_rate", 12.345, "12.3"],
    ["entry_rate", 0, "0.0"],
    ["entry_rate", 250.4, "250"],
    ["entry_rate", null, "—"],
    ["click_rate", 0.0345, "3.5%"],
    ["click_rate", 0.25, "25%"],
    ["click_rate", 0, "0.0%"],
    ["conversion", 0.004, "0.4%"],
    ["conversion", null, "—"],
    ["conversion", Number.NaN, "—"],
  ];
  it.each(cases)("%s %s → %s", (key, v, text) => expect(formatImpactRate(key, v)).toBe(text));
});

describe("formatChange", () => {
  const cases: [number | null, Direction, string][] = [
    [0.25, "up", "↑ +25%"],
    [0.083, "up", "↑ +8.3%"],
    [-0.083, "down", "↓ −8.3%"],
    [-1, "down", "↓ −100%"],
    [14, "up", "↑ +1400%"],
    [0, "flat", "= 0%"],
    [0.0004, "flat", "= 0%"],
    [null, "unknown", "—"],
    [Number.POSITIVE_INFINITY, "unknown", "—"],
  ];
  it.each(cases)("%s → %s %s", (change, direction, text) => expect(formatChange(change)).toEqual({ direction, text }));
});

describe("partialText", () => {
  const cases: [boolean, number, number, string | null][] = [
    [true, 2.3, 5, "进行中 (2.3/5 分钟)"],
    [true, 0, 5, "进行中 (0/5 分钟)"],
    [true, 2.349, 5, "进行中 (2.3/5 分钟)"],
    [true, 7, 5, "进行中 (5/5 分钟)"],
    [false, 5, 5, null],
    [false, 1.2, 5, null],
  ];
  it.each(cases)("partial %s, %s of %s minutes", (partial, minutes, windowMinutes, text) =>
    expect(partialText({ partial, after_minutes: minutes }, windowMinutes)).toBe(text),
  );
});

describe("newestFirst", () => {
  it("orders by the time the action took effect (a held one's applies_at), then by id", () => {
    const rows = [
      row(action(1, "product.pin", {}, "2025-11-11T12:00:00Z")),
      row(action(2, "price.set", { applies_at: "2025-11-11T12:05:10Z" }, "2025-11-11T12:05:00Z")),
      row(action(3, "product.pin", {}, "2025-11-11T12:05:05Z")),
      row(action(4, "coupon.issue", {}, "2025-11-11T12:00:00Z")),
    ];
    expect(newestFirst(rows).map((r) => r.action.id)).toEqual([2, 3, 4, 1]);
    expect(rows.map((r) => r.action.id)).toEqual([1, 2, 3, 4]); // not in place
  });
});

describe("actionTime", () => {
  it("is the local HH:MM the action took effect", () => {
    const local = new Date(2025, 10, 11, 20, 7, 30);
    expect(actionTime(action(1, "product.pin", {}, local.toISOString()))).toBe("20:07");
    const applies = new Date(2025, 10, 11, 20, 8, 1).toISOString();
    expect(actionTime(action(2, "price.set", { applies_at: applies }, local.toISOString()))).toBe("20:08");
    expect(actionTime(action(3, "product.pin", {}, "not a time"))).toBe("—");
  });
});

describe("measuredKey", () => {
  const cases: [string, ActionRecord[], string][] = [
    ["none", [], ""],
    ["only unmeasured ones", [action(1, "cue"), action(2, "viewer.ban")], ""],
    ["applied measured ones", [action(1, "product.pin"), action(2, "cue"), action(3, "coupon.issue")], "1,3"],
    [
      "held, undone and failed ones are left out",
      [
        action(1, "price.set", { state: "held" }),
        action(2, "price.set", { state: "undone" }),
        action(3, "coupon.issue", { state: "failed" }),
      ],
      "",
    ],
    ["a record without a state is applied", [{ id: 5, type: "product.pin", by: BY, at: "x", fields: {} }], "5"],
  ];
  it.each(cases)("%s", (_name, actions, key) => expect(measuredKey(actions)).toBe(key));
});

describe("parseImpacts", () => {
  const good = {
    action: { id: 7, type: "product.pin", by: BY, at: "2025-11-11T12:00:00Z", state: "applied", sku: "SC-01" },
    before: { entry_rate: 2, click_rate: 0.1, conversion: null },
    after: { entry_rate: 3, click_rate: 0.2, conversion: 0 },
    change: { entry_rate: 0.5, click_rate: 1, conversion: null },
    after_minutes: 2.3,
    partial: true,
  };

  it("reads a row", () => {
    const r = parseImpact(good);
    expect(r?.action.id).toBe(7);
    expect(r?.action.fields.sku).toBe("SC-01");
    expect(r?.before).toEqual({ entry_rate: 2, click_rate: 0.1, conversion: null });
    expect(r?.change.conversion).toBeNull();
    expect(r?.after_minutes).toBe(2.3);
    expect(r?.partial).toBe(true);
  });

  const bad: [string, unknown][] = [
    ["not an object", 3],
    ["no action", { ...good, action: undefined }],
    ["a malformed action", { ...good, action: { id: "x" } }],
    ["no rates", { ...good, before: null }],
  ];
  it.each(bad)("leaves out a row with %s", (_name, v) => expect(parseImpact(v)).toBeNull());

  it("keeps the readable rows and the window", () => {
    const list = parseImpacts({ window_minutes: 10, actions: [good, { nope: 1 }, good] }, 5);
    expect(list.window_minutes).toBe(10);
    expect(list.actions).toHaveLength(2);
    expect(parseImpacts(null, 5)).toEqual({ window_minutes: 5, actions: [] });
  });

  it("reads a rate that is not a number as unknown", () => {
    const r = parseImpact({ ...good, after: { entry_rate: "3", click_rate: null } });
    expect(r?.after).toEqual({ entry_rate: null, click_rate: null, conversion: null });
  });
});
