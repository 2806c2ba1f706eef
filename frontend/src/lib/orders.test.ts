import { describe, expect, it } from "vitest";
import type { OrderItem } from "../live/protocol";
import { cancelCounts, flagOrder, resolveOrders, type OrderContext, type OrderFlag } from "./orders";

const PRICES: Record<string, number> = { A1: 9_900, FREE: 0 };

function ctx(extra: Partial<OrderContext> = {}): OrderContext {
  return {
    unitPrice: (sku) => PRICES[sku] ?? null,
    cancels: new Map([
      ["v_twice", 2],
      ["v_once", 1],
    ]),
    banned: new Map([["v_banned", "2025-11-11T12:00:00Z"]]),
    ...extra,
  };
}

function order(extra: Partial<OrderItem> = {}): OrderItem {
  return { kind: "order", id: "e1", ts: "2025-11-11T12:10:00Z", event: "created", order_id: "O1", ...extra };
}

describe("flagOrder", () => {
  const cases: [string, Partial<OrderItem>, OrderFlag[]][] = [
    ["an ordinary order", { viewer_id: "v1", sku: "A1", qty: 1, amount: 9_900 }, []],
    ["4 units: not yet large", { viewer_id: "v1", sku: "A1", qty: 4, amount: 39_600 }, []],
    ["5 units: large", { viewer_id: "v1", sku: "A1", qty: 5, amount: 49_500 }, ["large"]],
    ["1 unit at 5× the price: large", { viewer_id: "v1", sku: "A1", qty: 1, amount: 49_500 }, ["large"]],
    ["1 unit just under 5× the price", { viewer_id: "v1", sku: "A1", qty: 1, amount: 49_499 }, []],
    ["an amount without a known price, 1 unit", { viewer_id: "v1", sku: "ZZ", qty: 1, amount: 10_000_000 }, []],
    ["a free product's amount never counts", { viewer_id: "v1", sku: "FREE", qty: 1, amount: 100 }, []],
    ["no quantity, no sku", { viewer_id: "v1" }, []],
    ["a viewer with one cancel", { viewer_id: "v_once", sku: "A1", qty: 1 }, []],
    ["a viewer with two cancels", { viewer_id: "v_twice", sku: "A1", qty: 1 }, ["repeat_cancel"]],
    ["a banned viewer", { viewer_id: "v_banned", sku: "A1", qty: 1 }, ["banned"]],
    ["banned, large", { viewer_id: "v_banned", sku: "A1", qty: 9 }, ["banned", "large"]],
    ["no viewer: only the size can flag it", { sku: "A1", qty: 6 }, ["large"]],
  ];
  it.each(cases)("%s", (_name, extra, flags) => {
    expect(flagOrder(order(extra), ctx())).toEqual(flags);
  });

  it("flags every flag at once, banned first", () => {
    const c = ctx({ cancels: new Map([["v_banned", 3]]) });
    expect(flagOrder(order({ viewer_id: "v_banned", sku: "A1", qty: 5 }), c)).toEqual([
      "banned",
      "repeat_cancel",
      "large",
    ]);
  });
});

describe("resolveOrders and cancelCounts", () => {
  const tape: OrderItem[] = [
    order({ id: "e1", order_id: "O1", viewer_id: "v1", sku: "A1", qty: 2, amount: 19_800 }),
    order({ id: "e2", order_id: "O1", event: "cancelled" }),
    order({ id: "e3", order_id: "O2", viewer_id: "v1", sku: "A1", qty: 1 }),
    order({ id: "e4", order_id: "O2", event: "cancelled" }),
    order({ id: "e5", order_id: "O2", event: "cancelled" }), // the same order twice counts once
    order({ id: "e6", order_id: "O3", event: "cancelled", viewer_id: "v2" }),
    order({ id: "e7", order_id: "O9", event: "paid" }), // its created event is gone
  ];

  it("borrows viewer, sku, quantity and amount from the created event", () => {
    const r = resolveOrders(tape);
    expect(r[1]).toMatchObject({ event: "cancelled", viewer_id: "v1", sku: "A1", qty: 2, amount: 19_800 });
    expect(r[6]).toEqual(tape[6]);
  });

  it("counts each viewer's cancelled orders once", () => {
    expect([...cancelCounts(resolveOrders(tape))]).toEqual([
      ["v1", 2],
      ["v2", 1],
    ]);
  });
});
