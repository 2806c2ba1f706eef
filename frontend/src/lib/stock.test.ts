import { describe, expect, it } from "vitest";
import type { Alert, FlashSale } from "../live/protocol";
import { stockAlert } from "../live/testing";
import {
  FORECAST_STALE_MS,
  alertKey,
  alertsFor,
  currentForecast,
  flashPhase,
  formatCountdown,
  formatFlash,
  formatRatePerMinute,
  formatSellOut,
  lowStockThreshold,
  sellable,
  stockLevel,
} from "./stock";

describe("sell-out forecast", () => {
  it("reads as the field controller says it, Chinese then English", () => {
    expect(formatSellOut(200)).toEqual({ zh: "约 3 分 20 秒售罄", en: "sells out in ~3m20s" });
    expect(formatSellOut(185)).toEqual({ zh: "约 3 分 5 秒售罄", en: "sells out in ~3m05s" });
    expect(formatSellOut(180)).toEqual({ zh: "约 3 分钟售罄", en: "sells out in ~3m00s" });
    expect(formatSellOut(44.6)).toEqual({ zh: "约 45 秒售罄", en: "sells out in ~45s" });
    expect(formatSellOut(0.2)).toEqual({ zh: "约 1 秒售罄", en: "sells out in ~1s" });
  });

  it("drops the seconds once they no longer matter", () => {
    expect(formatSellOut(25 * 60 + 14)).toEqual({ zh: "约 25 分钟售罄", en: "sells out in ~25m" });
    expect(formatSellOut(3600)).toEqual({ zh: "约 1 小时售罄", en: "sells out in ~1h00m" });
    expect(formatSellOut(3600 + 5 * 60 + 20)).toEqual({ zh: "约 1 小时 5 分售罄", en: "sells out in ~1h05m" });
  });

  it("shows nothing without a forecast, or when nothing is left", () => {
    expect(formatSellOut(null)).toBeNull();
    expect(formatSellOut(0)).toBeNull();
    expect(formatSellOut(Number.NaN)).toBeNull();
  });

  it("hides a forecast whose row is older than the velocity window", () => {
    const row = { sell_out_in_seconds: 200 };
    expect(currentForecast(row, 10_000, 10_000 + FORECAST_STALE_MS)?.zh).toBe("约 3 分 20 秒售罄");
    expect(currentForecast(row, 10_000, 10_001 + FORECAST_STALE_MS)).toBeNull();
  });

  it("formats the pace", () => {
    expect(formatRatePerMinute(0)).toBe("0");
    expect(formatRatePerMinute(0.54)).toBe("0.5");
    expect(formatRatePerMinute(12.4)).toBe("12");
  });
});

describe("stock level", () => {
  it("uses the server's low-stock rule: at most 10% of the allocation, at least one unit", () => {
    expect(lowStockThreshold(100)).toBe(10);
    expect(lowStockThreshold(5)).toBe(1);
    expect(stockLevel({ available: 11, allocated: 100, flash_sale: null })).toBe("ok");
    expect(stockLevel({ available: 10, allocated: 100, flash_sale: null })).toBe("low");
    expect(stockLevel({ available: 1, allocated: 5, flash_sale: null })).toBe("low");
    expect(stockLevel({ available: 0, allocated: 100, flash_sale: null })).toBe("out");
  });

  it("measures a flash sale against its cap and its remaining", () => {
    const sale: FlashSale = { cap: 50, remaining: 5, starts_at: 1, state: "running" };
    const row = { available: 900, allocated: 1000, flash_sale: sale };
    expect(sellable(row)).toBe(5);
    expect(stockLevel(row)).toBe("low");
    expect(stockLevel({ ...row, flash_sale: { ...sale, remaining: 0, state: "sold_out" } })).toBe("out");
  });
});

describe("flash sale", () => {
  const sale: FlashSale = { cap: 200, remaining: 200, starts_at: 1_000_000, state: "running" };

  it("counts down to starts_at on the server's clock", () => {
    const p = flashPhase(sale, 1_000_000 - 200_000);
    expect(p).toEqual({ phase: "countdown", ms: 200_000, cap: 200 });
    expect(formatFlash(p)).toEqual({ zh: "距开抢 03:20", en: "starts in 03:20" });
    // Rounded up: "00:01" until the very moment it starts.
    expect(formatFlash(flashPhase(sale, 1_000_000 - 1))).toEqual({ zh: "距开抢 00:01", en: "starts in 00:01" });
  });

  it("turns into 进行中 · 剩 N / cap once started, and 已抢光 when sold out", () => {
    expect(formatFlash(flashPhase({ ...sale, remaining: 37 }, 1_000_000))).toEqual({
      zh: "进行中 · 剩 37 / 200",
      en: "running · 37 of 200 left",
    });
    expect(formatFlash(flashPhase({ ...sale, remaining: 0, state: "sold_out" }, 2_000_000)).zh).toBe("已抢光");
    // Sold out before the start (the stock ran out elsewhere): no countdown to a sale with nothing in it.
    expect(flashPhase({ ...sale, remaining: 0, state: "sold_out" }, 0).phase).toBe("sold_out");
  });

  it("formats long countdowns with hours", () => {
    expect(formatCountdown(0)).toBe("00:00");
    expect(formatCountdown(-5)).toBe("00:00");
    expect(formatCountdown(45_000)).toBe("00:45");
    expect(formatCountdown(3_725_000)).toBe("1:02:05");
  });
});

describe("alerts for a console", () => {
  const alert = (sku: string, ts: number, roles: string[], severity: Alert["severity"] = "critical"): Alert =>
    stockAlert({
      id: null,
      kind: severity === "critical" ? "sold_out" : "low_stock",
      severity,
      roles,
      sku,
      available: 0,
      text: `${sku}`,
      ts,
    });
  const alerts = [
    alert("A", 1000, ["field_control", "assistant"], "warning"),
    alert("B", 3000, ["anchor"]),
    alert("C", 2000, ["field_control"]),
    alert("D", 2000, ["assistant"]),
  ];

  it("shows a role the alerts addressed to it, newest first", () => {
    expect(alertsFor(alerts, "field_control")).toEqual({ alerts: [alerts[2], alerts[0]], showingAll: false });
    expect(alertsFor(alerts, "assistant").alerts.map((a) => a.sku)).toEqual(["D", "A"]);
    expect(alertsFor(alerts, "anchor").alerts.map((a) => a.sku)).toEqual(["B"]);
  });

  it("shows every alert to a role none is addressed to, saying so", () => {
    const all = alertsFor(alerts, "admin");
    expect(all.showingAll).toBe(true);
    // Equal times keep stream order, newest (last received) first.
    expect(all.alerts.map((a) => a.sku)).toEqual(["B", "D", "C", "A"]);
  });

  it("keys an alert by its id and severity when it has an id, else by what it says", () => {
    expect(alertKey(alert("A", 1000, ["field_control"], "warning"))).toBe("1000:low_stock:A:0");
    const stored = (available: number, severity: Alert["severity"] = "warning"): Alert =>
      stockAlert({
        id: "al_0123456789abcdef",
        kind: "low_stock",
        severity,
        roles: ["field_control"],
        sku: "A",
        available,
        text: "A",
        ts: 1000,
      });
    expect(alertKey(stored(3))).toBe(alertKey(stored(0)));
    expect(alertKey(stored(0, "critical"))).not.toBe(alertKey(stored(0)));
  });
});
