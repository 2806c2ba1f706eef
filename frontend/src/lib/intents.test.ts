import { describe, expect, it } from "vitest";
import { INTENTS, type Intent } from "../live/protocol";
import { FILTERS, INTENT_GROUP, INTENT_TAG, countByFilter, filterComments, isQuestion, matchesFilter } from "./intents";

const c = (id: string, intent: Intent) => ({ id, intent });

describe("intent tags and families", () => {
  it.each([
    ["question_size", "尺码?", "question"],
    ["question_price", "价格?", "question"],
    ["question_shipping", "发货?", "question"],
    ["question_quality", "质量?", "question"],
    ["purchase_intent", "想买", "purchase"],
    ["praise", "夸", "praise"],
    ["complaint_quality", "质量投诉", "complaint"],
    ["complaint_logistics", "物流投诉", "complaint"],
    ["complaint_service", "客服投诉", "complaint"],
    ["interaction", "互动", "interaction"],
    ["spam", "垃圾", "spam"],
    ["other", "其他", "other"],
  ] as const)("%s is tagged %s, in the %s family", (intent, tag, group) => {
    expect(INTENT_TAG[intent]).toBe(tag);
    expect(INTENT_GROUP[intent]).toBe(group);
    expect(isQuestion(intent)).toBe(group === "question");
  });

  it("every intent has a tag of at most four characters and a family with a chip", () => {
    const chips = new Set(FILTERS.map((f) => f.id));
    for (const intent of INTENTS) {
      expect(INTENT_TAG[intent].length).toBeLessThanOrEqual(4);
      expect(chips.has(INTENT_GROUP[intent])).toBe(true);
    }
  });

  it("the chips start with 全部, then 问题, and name every family once", () => {
    expect(FILTERS.map((f) => f.label)).toEqual(["全部", "问题", "想买", "投诉", "夸", "互动", "垃圾", "其他"]);
    expect(new Set(FILTERS.map((f) => f.id)).size).toBe(FILTERS.length);
  });
});

describe("filtering and counting", () => {
  const list = [
    c("1", "question_size"),
    c("2", "spam"),
    c("3", "question_shipping"),
    c("4", "complaint_logistics"),
    c("5", "praise"),
    c("6", "other"),
  ];

  it("counts each chip's comments; 全部 counts all", () => {
    expect(countByFilter(list)).toEqual({
      all: 6,
      question: 2,
      purchase: 0,
      complaint: 1,
      praise: 1,
      interaction: 0,
      spam: 1,
      other: 1,
    });
    expect(countByFilter([]).all).toBe(0);
  });

  it("keeps the chip's comments in order; 全部 keeps the list as it is", () => {
    expect(filterComments(list, "question").map((x) => x.id)).toEqual(["1", "3"]);
    expect(filterComments(list, "complaint").map((x) => x.id)).toEqual(["4"]);
    expect(filterComments(list, "purchase")).toEqual([]);
    expect(filterComments(list, "all")).toBe(list);
  });

  it("matchesFilter says which chip shows an intent", () => {
    expect(matchesFilter("question_price", "question")).toBe(true);
    expect(matchesFilter("question_price", "complaint")).toBe(false);
    expect(matchesFilter("spam", "all")).toBe(true);
  });
});
