import { describe, expect, it } from "vitest";
import { parsePrompter, type PrompterPart, type PrompterView } from "../live/protocol";
import { prompterJson } from "../live/testing";
import { beatLabel, clockTone, formatMinSec, headlines, scriptPieces, segmentClock, senderName } from "./prompter";

const part = (start: number, end: number, name = "v", missing = false): PrompterPart => ({ start, end, name, missing });

function view(extra: Record<string, unknown> = {}): PrompterView {
  const v = parsePrompter(prompterJson(extra));
  if (v === null) throw new Error("bad fixture");
  return v;
}

describe("scriptPieces", () => {
  it("cuts the script into plain text and live values", () => {
    const v = view();
    expect(scriptPieces(v.text, v.parts).map((p) => [p.text, p.part?.name ?? null])).toEqual([
      ["原价", null],
      ["199元", "price"],
      ["，直播间只要", null],
      ["99元", "live_price"],
      ["，只剩", null],
      ["37", "stock_left"],
      ["件！", null],
    ]);
  });

  it("counts offsets in code points, so emoji before a value do not shift it", () => {
    const text = "🔥🔥只剩37件";
    expect(scriptPieces(text, [part(4, 6, "stock_left")]).map((p) => p.text)).toEqual(["🔥🔥只剩", "37", "件"]);
  });

  it("shows a missing value's dash as a part", () => {
    const pieces = scriptPieces("价格—元", [part(2, 3, "price", true)]);
    expect(pieces[1]).toEqual({ text: "—", part: part(2, 3, "price", true) });
  });

  it("keeps the whole text when parts overlap, run past the end or come out of order", () => {
    const text = "abcdefgh";
    const pieces = scriptPieces(text, [part(6, 20), part(1, 3), part(2, 5), part(9, 12)]);
    expect(pieces.map((p) => p.text).join("")).toBe(text);
    expect(pieces.map((p) => [p.text, p.part !== null])).toEqual([
      ["a", false],
      ["bc", true],
      ["de", true],
      ["f", false],
      ["gh", true],
    ]);
    expect(scriptPieces("", [part(0, 2)])).toEqual([]);
    expect(scriptPieces("abc", [])).toEqual([{ text: "abc", part: null }]);
  });
});

describe("segmentClock", () => {
  const at = 1_000_000;

  it("gives the view's own figures within its second", () => {
    expect(segmentClock(view(), at, at + 400, true)).toEqual({ elapsed: 55, remaining: 125, overrun: 0 });
  });

  it("keeps counting between messages, and while the connection is down", () => {
    expect(segmentClock(view(), at, at + 1_000, true)).toEqual({ elapsed: 56, remaining: 124, overrun: 0 });
    expect(segmentClock(view(), at, at + 125_000, true)).toEqual({ elapsed: 180, remaining: 0, overrun: 0 });
    expect(segmentClock(view(), at, at + 167_900, true)).toEqual({ elapsed: 222, remaining: 0, overrun: 42 });
  });

  it("stops when the show is not running, and never runs backwards on a clock skew", () => {
    expect(segmentClock(view(), at, at + 60_000, false)).toEqual({ elapsed: 55, remaining: 125, overrun: 0 });
    expect(segmentClock(view(), at, at - 5_000, true)).toEqual({ elapsed: 55, remaining: 125, overrun: 0 });
  });

  it("is null before a segment is on air", () => {
    expect(segmentClock(view({ segment: null, remaining_seconds: null }), at, at, true)).toBeNull();
  });

  it("reads an overrun view", () => {
    const over = view({
      segment: { id: "s", title: "t", sku: null, planned_seconds: 15, elapsed_seconds: 20 },
      remaining_seconds: 0,
      overrun_seconds: 5,
    });
    expect(segmentClock(over, at, at + 2_500, true)).toEqual({ elapsed: 22, remaining: 0, overrun: 7 });
  });
});

describe("formatMinSec and clockTone", () => {
  it("writes m:ss with unbounded minutes", () => {
    expect([0, 5, 59, 60, 125, 4500, -3].map(formatMinSec)).toEqual([
      "0:00",
      "0:05",
      "0:59",
      "1:00",
      "2:05",
      "75:00",
      "0:00",
    ]);
  });

  it("is calm, then warns in the last 30 s, then says over", () => {
    expect(clockTone({ elapsed: 0, remaining: 31, overrun: 0 })).toBe("calm");
    expect(clockTone({ elapsed: 0, remaining: 30, overrun: 0 })).toBe("warn");
    expect(clockTone({ elapsed: 0, remaining: 0, overrun: 1 })).toBe("over");
  });
});

describe("senderName", () => {
  it("names a person when the token was labelled, else the role", () => {
    expect(senderName({ label: "场控小王", role: "field_control" })).toBe("场控小王");
    expect(senderName({ label: "browser session of token 12", role: "field_control" })).toBe("场控");
    expect(senderName({ label: "admin token", role: "admin" })).toBe("管理员");
    expect(senderName({ label: "", role: "assistant" })).toBe("助播");
  });
});

describe("beatLabel", () => {
  it("names the five beats of a show and nothing else", () => {
    expect((["hook", "push", "welfare", "warmup", "interaction"] as const).map(beatLabel)).toEqual([
      "钩子",
      "强推",
      "福利",
      "暖场",
      "互动",
    ]);
    expect([beatLabel("other"), beatLabel(null), beatLabel(undefined)]).toEqual([null, null, null]);
  });
});

describe("headlines", () => {
  const texts = (hs: ReturnType<typeof headlines>) => hs.map((h) => [h.key, h.texts, h.state]);

  it("gives online, paid GMV in yuan and the product's stock left", () => {
    const v = view({ values: { stock_left: "402", online: "1.2万" } });
    expect(texts(headlines({ online: 12_345, gmv_paid: 12_345_678 }, v))).toEqual([
      // Grouped; in a narrow box as the script says it, so that the two agree.
      ["online", ["12,345", "1.2万"], "ok"],
      ["gmv", ["¥12.3万", "¥12万"], "ok"],
      ["stock", ["402"], "ok"],
    ]);
    expect(headlines({ online: 12_345, gmv_paid: 12_345_678 }, v).map((h) => h.title)).toEqual([
      "在线 12345 人 online",
      "成交额 ¥123,456.78 paid GMV",
      "剩余库存 402 件 stock left",
    ]);
  });

  it("writes small amounts in yuan and large counts the way they are said", () => {
    const v = view({ values: { stock_left: "1500", online: "876" } });
    expect(texts(headlines({ online: 876, gmv_paid: 99_900 }, v))).toEqual([
      ["online", ["876"], "ok"],
      ["gmv", ["¥999"], "ok"],
      ["stock", ["1,500"], "ok"],
    ]);
    expect(headlines({ gmv_paid: 2_500_000_000_00 }, v)[1].texts[0]).toBe("¥25亿");
  });

  it("says sold out at 0, and a dash for what is not known", () => {
    expect(texts(headlines({ gmv_paid: 0 }, view({ values: { stock_left: "0" } })))).toEqual([
      ["online", ["—"], "none"],
      ["gmv", ["¥0"], "ok"],
      ["stock", ["已售罄"], "out"],
    ]);
    // A segment without a product, and no segment on air yet: no stock to show.
    const room = view({
      segment: { id: "hook", title: "开场", sku: null, planned_seconds: 15, elapsed_seconds: 0 },
      values: { stock_left: null, online: "98" },
    });
    expect(texts(headlines({ online: 98 }, room))).toEqual([
      ["online", ["98"], "ok"],
      ["gmv", ["—"], "none"],
      ["stock", ["—"], "none"],
    ]);
    expect(headlines({}, null)[2].state).toBe("none");
    // The prompter's value when the metric has not arrived yet.
    expect(headlines({}, view({ values: { online: "2.3万" } }))[0].texts).toEqual(["2.3万"]);
  });
});
