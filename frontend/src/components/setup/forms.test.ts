import { describe, expect, it } from "vitest";
import {
  EMPTY_NEW_SHOW,
  checkLineup,
  checkNewShow,
  checkTargets,
  draftFromTargets,
  emptyProduct,
  isBlank,
  isoToLocal,
  localToIso,
  moveRow,
  parseCount,
  parsePercent,
  parseYuan,
  percentText,
  splitAnchors,
  yuanText,
  type ProductDraft,
} from "./forms";

function row(fields: Partial<ProductDraft>): ProductDraft {
  return {
    ...emptyProduct(),
    sku: "SKU-1",
    name: "保湿面霜",
    role: "利润款",
    list_price: "199",
    live_price: "129.90",
    allocated_stock: "500",
    ...fields,
  };
}

describe("money and numbers as typed", () => {
  it.each([
    ["99", 9900],
    ["99.9", 9990],
    ["99.90", 9990],
    ["0.01", 1],
    ["¥1,299.00", 129900],
    ["１２９．９", 12990], // a Chinese input method's full-width digits
    ["  12 ", 1200],
    ["12.", 1200],
    ["0", 0],
  ])("reads %j yuan as %i fen", (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, value: fen });
  });

  it("reads an empty price as none, and refuses what is not a price", () => {
    expect(parseYuan("")).toEqual({ ok: true, value: null });
    expect(parseYuan("-5")).toEqual({ ok: false, error: "不能为负数" });
    expect(parseYuan("9.999")).toEqual({ ok: false, error: "最多两位小数（分）" });
    expect(parseYuan("abc").ok).toBe(false);
    expect(parseYuan("1e5").ok).toBe(false);
    expect(parseYuan("10000000000")).toEqual({ ok: true, value: 10 ** 12 }); // the API's limit
    expect(parseYuan("10000000000.01")).toEqual({ ok: false, error: "金额太大了" });
  });

  it("shows fen as the yuan an input holds, and back", () => {
    expect(yuanText(9990)).toBe("99.90");
    expect(yuanText(10000)).toBe("100");
    expect(yuanText(1)).toBe("0.01");
    expect(yuanText(null)).toBe("");
    for (const fen of [0, 1, 99, 100, 12345, 10 ** 12]) {
      expect(parseYuan(yuanText(fen))).toEqual({ ok: true, value: fen });
    }
  });

  it("reads counts and percentages", () => {
    expect(parseCount("1,000")).toEqual({ ok: true, value: 1000 });
    expect(parseCount("")).toEqual({ ok: true, value: null });
    expect(parseCount("1.5").ok).toBe(false);
    expect(parseCount("-1")).toEqual({ ok: false, error: "不能为负数" });
    expect(parseCount("1441", 1440).ok).toBe(false);
    expect(parsePercent("3.5")).toEqual({ ok: true, value: 0.035 });
    expect(parsePercent("3.5%")).toEqual({ ok: true, value: 0.035 });
    expect(parsePercent("100")).toEqual({ ok: true, value: 1 });
    expect(parsePercent("100.1")).toEqual({ ok: false, error: "不能超过 100%" });
    expect(percentText(0.035)).toBe("3.5");
    expect(percentText(0.1234)).toBe("12.34");
  });
});

describe("a new show", () => {
  it("needs a title and a platform; the rest is optional", () => {
    const { errors, body } = checkNewShow({ ...EMPTY_NEW_SHOW, platform: "" });
    expect(body).toBeNull();
    expect(errors).toEqual({ title: "请填写直播标题", platform: "请填写平台" });
    expect(checkNewShow({ ...EMPTY_NEW_SHOW, title: "  双11专场 " })).toEqual({
      errors: {},
      body: { title: "双11专场", platform: "douyin", anchors: [] },
    });
  });

  it("sends the planned start with its offset, minutes as a number, anchors as a list", () => {
    const { errors, body } = checkNewShow({
      title: "t",
      platform: "kuaishou",
      room: " 8888 ",
      planned_start: "2031-11-11T20:00",
      planned_minutes: "120",
      anchors: "小美、阿杰, 老王\n",
    });
    expect(errors).toEqual({});
    expect(body?.room).toBe("8888");
    expect(body?.planned_minutes).toBe(120);
    expect(body?.anchors).toEqual(["小美", "阿杰", "老王"]);
    expect(body?.planned_start_at).toMatch(/^2031-11-1\dT\d\d:00:00\.000Z$/);
    expect(Date.parse(body?.planned_start_at ?? "")).toBe(new Date("2031-11-11T20:00").getTime());
  });

  it("says what is wrong with each field, by the API's field names", () => {
    const { errors } = checkNewShow({
      title: "x".repeat(201),
      platform: "douyin",
      room: "",
      planned_start: "tomorrow",
      planned_minutes: "0",
      anchors: Array.from({ length: 21 }, (_, i) => `a${i}`).join(","),
    });
    expect(Object.keys(errors).sort()).toEqual(["anchors", "planned_minutes", "planned_start_at", "title"]);
    expect(errors.title).toContain("最多 200 个字");
    expect(errors.planned_minutes).toBe("至少 1 分钟");
    expect(checkNewShow({ ...EMPTY_NEW_SHOW, title: "t", planned_minutes: "1441" }).errors.planned_minutes).toBe(
      "不能大于 1,440",
    );
    expect(checkNewShow({ ...EMPTY_NEW_SHOW, title: "a\tb" }).errors.title).toContain("控制字符");
  });

  it("splits anchors on Chinese and ASCII separators and turns times both ways", () => {
    expect(splitAnchors(" 小美 ，阿杰；老王;; ")).toEqual(["小美", "阿杰", "老王"]);
    expect(localToIso("nonsense")).toBeNull();
    expect(isoToLocal(localToIso("2030-01-02T03:04"))).toBe("2030-01-02T03:04");
    expect(isoToLocal(null)).toBe("");
  });
});

describe("a lineup", () => {
  it("sends prices in fen and stock as a count", () => {
    const { errors, warnings, products } = checkLineup([row({})]);
    expect(errors).toEqual({});
    expect(warnings).toEqual({});
    expect(products).toEqual([
      { sku: "SKU-1", name: "保湿面霜", role: "利润款", list_price: 19900, live_price: 12990, allocated_stock: 500 },
    ]);
    expect(checkLineup([])).toEqual({ errors: {}, warnings: {}, products: [] });
  });

  it("marks every field that needs a value, keyed as the API's 422s are", () => {
    const { errors, products } = checkLineup([
      row({}),
      row({ sku: "B", name: " ", role: "", list_price: "", live_price: "x", allocated_stock: "" }),
    ]);
    expect(products).toBeNull();
    expect(errors).toEqual({
      "products.1.name": "请填写商品名称",
      "products.1.role": "请选择商品角色",
      "products.1.list_price": "请填原价",
      "products.1.live_price": "请填金额（元），如 99.90",
      "products.1.allocated_stock": "请填库存数量",
    });
  });

  it("names both rows of a repeated SKU", () => {
    const { errors } = checkLineup([row({ sku: "A" }), row({ sku: "B" }), row({ sku: " A " })]);
    expect(errors).toEqual({
      "products.0.sku": "SKU 重复：第 3 个商品也是 A",
      "products.2.sku": "SKU 重复：与第 1 个商品相同",
    });
  });

  it("warns, without refusing, when the live price is above the list price", () => {
    const { errors, warnings, products } = checkLineup([row({ list_price: "99", live_price: "129" })]);
    expect(errors).toEqual({});
    expect(warnings).toEqual({ "products.0.live_price": "直播价高于原价，请确认" });
    expect(products).toHaveLength(1);
  });

  it("knows a blank row and moves rows", () => {
    expect(isBlank(emptyProduct())).toBe(true);
    expect(isBlank(row({}))).toBe(false);
    expect(moveRow(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moveRow(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    const rows = ["a", "b"];
    expect(moveRow(rows, 0, -1)).toBe(rows);
    expect(moveRow(rows, 1, 1)).toBe(rows);
  });
});

describe("targets", () => {
  it("reads yuan, a count and a percentage; empty means no target", () => {
    expect(checkTargets({ gmv: "500000", uv: "20000", conversion_rate: "3.5", aov: "" })).toEqual({
      errors: {},
      targets: { gmv: 50_000_000, uv: 20000, conversion_rate: 0.035, aov: null },
    });
    const bad = checkTargets({ gmv: "-1", uv: "1.5", conversion_rate: "120", aov: "x" });
    expect(bad.targets).toBeNull();
    expect(Object.keys(bad.errors).sort()).toEqual(["aov", "conversion_rate", "gmv", "uv"]);
  });

  it("shows stored targets as they were typed", () => {
    expect(draftFromTargets({ gmv: 50_000_000, uv: null, conversion_rate: 0.035, aov: 12990 })).toEqual({
      gmv: "500000",
      uv: "",
      conversion_rate: "3.5",
      aov: "129.90",
    });
  });
});
