import { describe, expect, it } from "vitest";
import {
  countTexts,
  formatAge,
  formatCount,
  formatCountShort,
  formatDuration,
  formatMoney,
  formatMoneyExact,
  formatMoneyShort,
  formatRate,
  moneyTexts,
  rateTexts,
} from "./format";

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

  it("picks the unit on the rounded figure, never a seven-digit full form", () => {
    expect(formatMoney(99_999_999)).toBe("¥100.00万"); // ¥999,999.99
    expect(formatMoney(999_999)).toBe("¥9,999.99");
    expect(formatMoney(9_999_999_999)).toBe("¥1.00亿"); // ¥99,999,999.99, not "¥10,000.00万"
    expect(formatCount(999_999.6)).toBe("100.00万");
    expect(formatCount(99_999_999)).toBe("1.00亿");
    expect(formatCount(98_765_432)).toBe("9,876.54万");
  });

  it("formats short counts with 万 / 亿 and at most N significant digits", () => {
    expect(formatCountShort(0)).toBe("0");
    expect(formatCountShort(9_876)).toBe("9,876");
    expect(formatCountShort(12_345)).toBe("1.23万");
    expect(formatCountShort(12_345, 2)).toBe("1.2万");
    expect(formatCountShort(30_000)).toBe("3万");
    expect(formatCountShort(876_543)).toBe("87.7万");
    expect(formatCountShort(876_543, 2)).toBe("88万");
    expect(formatCountShort(98_765_432)).toBe("9877万");
    expect(formatCountShort(99_996_000)).toBe("1亿"); // 9,999.6万 rounds up to the next unit
    expect(formatCountShort(340_000_000, 2)).toBe("3.4亿");
    expect(formatCountShort(123_456_789_012)).toBe("1235亿");
    expect(formatCountShort(-12_345)).toBe("-1.23万");
    expect(formatCountShort(undefined)).toBe("—");
  });

  it("formats short amounts from fen", () => {
    expect(formatMoneyShort(0)).toBe("¥0");
    expect(formatMoneyShort(9_990)).toBe("¥99.9");
    expect(formatMoneyShort(500)).toBe("¥5");
    expect(formatMoneyShort(123_456)).toBe("¥1,235");
    expect(formatMoneyShort(98_765_432)).toBe("¥98.8万");
    expect(formatMoneyShort(98_765_432, 2)).toBe("¥99万");
    expect(formatMoneyShort(99_999_999)).toBe("¥100万");
    expect(formatMoneyShort(34_000_000_000)).toBe("¥3.4亿");
    expect(formatMoneyShort(-1_234_567)).toBe("-¥1.23万");
    expect(formatMoneyShort(NaN)).toBe("—");
  });

  it("lists a KPI's texts from the most exact to the shortest, without repeats", () => {
    expect(countTexts(98_765_432)).toEqual(["9,876.54万", "9877万"]);
    expect(countTexts(876_543)).toEqual(["876,543", "87.7万", "88万"]);
    expect(countTexts(42)).toEqual(["42"]);
    expect(moneyTexts(98_765_432)).toEqual(["¥987,654", "¥98.8万", "¥99万"]);
    expect(moneyTexts(123_456)).toEqual(["¥1,234.56", "¥1,235"]);
    expect(moneyTexts(undefined)).toEqual(["—"]);
    expect(rateTexts(0.1234)).toEqual(["12.34%", "12.3%", "12%"]);
    expect(rateTexts(0)).toEqual(["0.00%", "0.0%", "0%"]);
  });
});
