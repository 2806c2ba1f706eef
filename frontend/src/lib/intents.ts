/**
 * Comment intents (contract §11) as the consoles show them: a short Chinese tag per intent, a
 * colour per family, and the filter chips of the comment stream (全部 / 问题 / 想买 / 投诉 / 夸 /
 * 互动 / 垃圾 / 其他) with their counts. Pure; table-tested in intents.test.ts.
 */
import type { CommentItem, Intent } from "../live/protocol";

/** The short tag a comment carries: a question ends in "?", so that it reads as one at a glance. */
export const INTENT_TAG: Readonly<Record<Intent, string>> = {
  question_size: "尺码?",
  question_price: "价格?",
  question_shipping: "发货?",
  question_quality: "质量?",
  purchase_intent: "想买",
  praise: "夸",
  complaint_quality: "质量投诉",
  complaint_logistics: "物流投诉",
  complaint_service: "客服投诉",
  interaction: "互动",
  spam: "垃圾",
  other: "其他",
};

/** A family of intents: one filter chip, one colour. */
export type IntentGroup = "question" | "purchase" | "complaint" | "praise" | "interaction" | "spam" | "other";

/** What a filter chip selects: every comment, or one family. */
export type IntentFilter = "all" | IntentGroup;

export const INTENT_GROUP: Readonly<Record<Intent, IntentGroup>> = {
  question_size: "question",
  question_price: "question",
  question_shipping: "question",
  question_quality: "question",
  purchase_intent: "purchase",
  praise: "praise",
  complaint_quality: "complaint",
  complaint_logistics: "complaint",
  complaint_service: "complaint",
  interaction: "interaction",
  spam: "spam",
  other: "other",
};

/** The chips, in the order they are shown: what someone acts on first comes first. */
export const FILTERS: readonly { id: IntentFilter; label: string; en: string }[] = [
  { id: "all", label: "全部", en: "All" },
  { id: "question", label: "问题", en: "Q" },
  { id: "purchase", label: "想买", en: "Buy" },
  { id: "complaint", label: "投诉", en: "Complaint" },
  { id: "praise", label: "夸", en: "Praise" },
  { id: "interaction", label: "互动", en: "Chat" },
  { id: "spam", label: "垃圾", en: "Spam" },
  { id: "other", label: "其他", en: "Other" },
];

export function isQuestion(intent: Intent): boolean {
  return INTENT_GROUP[intent] === "question";
}

export function matchesFilter(intent: Intent, filter: IntentFilter): boolean {
  return filter === "all" || INTENT_GROUP[intent] === filter;
}

/** How many comments each chip would show. */
export function countByFilter(comments: readonly Pick<CommentItem, "intent">[]): Record<IntentFilter, number> {
  const counts: Record<IntentFilter, number> = {
    all: comments.length,
    question: 0,
    purchase: 0,
    complaint: 0,
    praise: 0,
    interaction: 0,
    spam: 0,
    other: 0,
  };
  for (const c of comments) counts[INTENT_GROUP[c.intent]] += 1;
  return counts;
}

/** The comments a chip shows, in their order; the same list when it shows all. */
export function filterComments<T extends Pick<CommentItem, "intent">>(
  comments: readonly T[],
  filter: IntentFilter,
): readonly T[] {
  return filter === "all" ? comments : comments.filter((c) => matchesFilter(c.intent, filter));
}
