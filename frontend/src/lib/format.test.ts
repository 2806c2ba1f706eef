import { describe, expect, it } from "vitest";
import { formatAge, formatCount, formatDuration, formatMoney, formatMoneyExact, formatRate } from "./format";

describe("format", () => {
  it("formats money from fen", () => {
    expect(formatMoney(0)).toBe("¥0.00");
    expect(formatMoney(9_990)).toBe("¥99.90");
    expect(formatMoney(123_456)).toBe("¥1,234.56");
    expect(formatMoney(12_345_678)).toBe("¥123,457");
    expect(formatMoney(123_456_789)).toBe("¥123.46万");
    expect(formatMoney(25_000_000_000)).toBe("¥2.50亿");
    expect(formatMoney(-5_000)).toBe("-¥50.00");
    expect(formatMoney(undefined)).toBe("—");
    expect(formatMoneyExact(123_456_789)).toBe("¥1,234,567.89");
  });

  it("formats counts, keeping exact digits below a million", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(987_654)).toBe("987,654");
    expect(formatCount(1_234_567)).toBe("123.46万");
    expect(formatCount(NaN)).toBe("—");
  });

  it("formats rates as percentages", () => {
    expect(formatRate(0)).toBe("0.00%");
    expect(formatRate(0.1234)).toBe("12.34%");
    expect(formatRate(1)).toBe("100.00%");
  });

  it("formats durations and ages", () => {
    expect(formatDuration(42.4)).toBe("42秒");
    expect(formatDuration(125)).toBe("2分05秒");
    expect(formatDuration(3_720)).toBe("1时02分");
    expect(formatAge(null)).toBe("暂无");
    expect(formatAge(400)).toBe("刚刚");
    expect(formatAge(3_200)).toBe("3 秒前");
    expect(formatAge(125_000)).toBe("2 分前");
  });
});
