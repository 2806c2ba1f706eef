import { describe, expect, it } from "vitest";
import { parsePrompter, type PrompterPart, type PrompterView } from "../live/protocol";
import { prompterJson } from "../live/testing";
import { clockTone, formatMinSec, scriptPieces, segmentClock, senderName } from "./prompter";

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
