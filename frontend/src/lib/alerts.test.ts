import { describe, expect, it } from "vitest";
import type { Alert, StockAlert } from "../live/protocol";
import { stockAlert } from "../live/testing";
import {
  ackTarget,
  ageText,
  actorName,
  alertFeed,
  canMove,
  feedTone,
  openStockAlerts,
  resolvedByText,
  ruleLabel,
  secondsToResolve,
  splitMessage,
} from "./alerts";

const FC = ["field_control", "assistant"];

function alert(id: string, extra: Partial<StockAlert> = {}): StockAlert {
  return stockAlert({ id: `al_${id.padStart(16, "0")}`, sku: id, ...extra });
}

const ids = (list: readonly Alert[]) => list.map((a) => a.sku);

const acked = {
  state: "acknowledged",
  acked_at: "2025-11-11T12:00:09Z",
  acked_by: { label: "助播小李", role: "assistant" },
} as const;

describe("the open list", () => {
  it("puts firing before acknowledged, critical before warning before info, newest first within", () => {
    const alerts = [
      alert("1", { ts: 1000, severity: "critical", ...acked }),
      alert("2", { ts: 2000, severity: "info" }),
      alert("3", { ts: 3000, severity: "warning" }),
      alert("4", { ts: 4000, severity: "warning" }),
      alert("5", { ts: 1500, severity: "critical" }),
      alert("6", { ts: 5000, severity: "warning", ...acked }),
      alert("7", { ts: 6000, severity: "info", ...acked }),
    ];
    expect(ids(alertFeed(alerts, "field_control").open)).toEqual(["5", "4", "3", "2", "1", "6", "7"]);
  });

  it("keeps equal alerts newest (last received) first", () => {
    const alerts = [alert("a", { ts: 1000 }), alert("b", { ts: 1000 })];
    expect(ids(alertFeed(alerts, "assistant").open)).toEqual(["b", "a"]);
  });

  it("leaves resolved alerts out, listing them apart, the most recently resolved first", () => {
    const resolved = (id: string, ts: number, at: string) =>
      alert(id, { ts, state: "resolved", resolved_at: at, resolve_seconds: 10 });
    const alerts = [
      alert("open", { ts: 1000 }),
      resolved("early", 5000, "2025-11-11T12:00:10Z"),
      resolved("late", 1000, "2025-11-11T12:05:00Z"),
      resolved("old-server", 2000, "2025-11-11T11:00:00Z"),
    ];
    const feed = alertFeed(alerts, "field_control");
    expect(ids(feed.open)).toEqual(["open"]);
    expect(ids(feed.resolved)).toEqual(["late", "early", "old-server"]);
  });

  it("shows a role only the alerts addressed to it; admin sees all, saying so", () => {
    const alerts = [alert("fc", { roles: ["field_control"] }), alert("anchor", { roles: ["anchor"] })];
    expect(ids(alertFeed(alerts, "field_control").open)).toEqual(["fc"]);
    expect(alertFeed(alerts, "field_control").showingAll).toBe(false);
    expect(ids(alertFeed(alerts, "assistant").open)).toEqual([]);
    expect(alertFeed(alerts, "admin")).toMatchObject({ showingAll: true, open: [{ sku: "anchor" }, { sku: "fc" }] });
  });
});

describe("one key acknowledges", () => {
  it("the newest firing alert, whatever its severity", () => {
    const open = alertFeed(
      [
        alert("crit", { ts: 1000, severity: "critical" }),
        alert("new", { ts: 3000, severity: "info" }),
        alert("seen", { ts: 9000, ...acked }),
      ],
      "field_control",
    ).open;
    expect(ackTarget(open)?.sku).toBe("new");
  });

  it("nothing when none is firing, or the firing one has no id (a server before §12)", () => {
    expect(ackTarget([alert("seen", acked)])).toBeNull();
    expect(ackTarget([alert("old", { id: null })])).toBeNull();
    expect(ackTarget([])).toBeNull();
  });
});

describe("the feed's tone", () => {
  it("is its most urgent firing alert's; handled when someone is on every open one", () => {
    expect(feedTone([alert("a", { severity: "info" }), alert("b", { severity: "warning" })])).toBe("warning");
    expect(feedTone([alert("a", { severity: "critical", ...acked }), alert("b", { severity: "info" })])).toBe("info");
    expect(feedTone([alert("a", { severity: "critical", ...acked })])).toBe("handled");
    expect(feedTone([])).toBe("quiet");
  });
});

describe("who may move an alert", () => {
  it("the roles it is for, admin and operations; nobody when it has no id", () => {
    const a = alert("x", { roles: FC });
    expect(["field_control", "assistant", "admin", "operations", "anchor"].map((r) => canMove(r, a))).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(canMove("admin", alert("x", { id: null }))).toBe(false);
  });
});

describe("stock alerts for the stock panel and the product table", () => {
  it("holds only open ones, sold out over low stock", () => {
    const alerts = [
      alert("1", { sku: "A", kind: "low_stock", ts: 1000 }),
      alert("2", { sku: "A", kind: "sold_out", severity: "critical", ts: 2000, ...acked }),
      alert("3", { sku: "B", kind: "low_stock", state: "resolved", resolved_at: "2025-11-11T12:00:00Z" }),
      alert("4", { sku: "C", kind: "low_stock", ...acked }),
    ];
    const bySku = openStockAlerts(alerts);
    expect([...bySku.keys()].sort()).toEqual(["A", "C"]);
    expect(bySku.get("A")?.kind).toBe("sold_out");
    expect(bySku.get("C")?.state).toBe("acknowledged");
    // Sold out first whatever the order the alerts came in.
    expect(openStockAlerts([alerts[1] as Alert, alerts[0] as Alert]).get("A")?.kind).toBe("sold_out");
  });

  it("is empty once every stock alert resolved", () => {
    const resolved = { state: "resolved", resolved_at: "2025-11-11T12:00:00Z" } as const;
    expect(openStockAlerts([alert("1", resolved), alert("2", { ...resolved, kind: "sold_out" })]).size).toBe(0);
  });
});

describe("texts", () => {
  it("names a person by the token's label, with the role when the label does not say it", () => {
    expect(actorName({ label: "场控小王", role: "field_control" })).toBe("场控小王");
    expect(actorName({ label: "小李", role: "assistant" })).toBe("小李（助播）");
    expect(actorName({ label: "login link", role: "assistant" })).toBe("助播");
  });

  it("says who resolved an alert, or that it cleared by itself, and how long it took", () => {
    const done = alert("x", {
      state: "resolved",
      resolved_at: "2025-11-11T12:02:00Z",
      ts: Date.parse("2025-11-11T12:00:00Z"),
    });
    expect(resolvedByText(done)).toBe("自动恢复");
    expect(resolvedByText({ ...done, resolved_by: { label: "场控小王", role: "field_control" } })).toBe(
      "场控小王 解决",
    );
    expect(secondsToResolve(done)).toBe(120);
    expect(secondsToResolve({ ...done, resolve_seconds: 119.5 })).toBe(119.5);
    expect(secondsToResolve(alert("open"))).toBeNull();
  });

  it("says how long ago an alert fired, ticking by the second", () => {
    expect([0, 999, 1000, 45_900, 125_000].map(ageText)).toEqual(["刚刚", "刚刚", "1秒前", "45秒前", "2分05秒前"]);
  });

  it("labels rules, an unknown one plainly, and splits a message into its two languages", () => {
    expect(ruleLabel(alert("x"))).toEqual({ zh: "库存紧张", en: "LOW STOCK" });
    expect(ruleLabel({ ...alert("x"), rule: "brand_new" })).toEqual({ zh: "提醒", en: "ALERT" });
    expect(splitMessage("A1 库存紧张：剩 8 件 / low stock: 8 left")).toEqual({
      zh: "A1 库存紧张：剩 8 件",
      en: "low stock: 8 left",
    });
    expect(splitMessage("只有中文")).toEqual({ zh: "只有中文", en: "" });
  });
});
