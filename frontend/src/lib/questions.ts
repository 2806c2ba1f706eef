/**
 * The question queue (issue #12) as the consoles show it: the open clusters in the server's
 * order (it ranks them: most pressing first), how long each has been open and the colour that
 * age earns, and what a console does with the answer to its own 已回答 / 忽略 until the server's
 * next `questions` message says the same. Pure; tested in questions.test.ts.
 */
import type { QuestionCluster, QuestionsState } from "../live/protocol";

/** Open this long, a question turns amber: someone should answer it soon. */
export const QUESTION_WARN_S = 60;
/**
 * Open this long, red: the server's `question_unanswered` alert fires at this age by default
 * (docs/alerts.md).
 */
export const QUESTION_LATE_S = 120;

export type AgeTone = "fresh" | "warn" | "late";

/**
 * `GET …/questions`'s list (open first, most pressing first; then closed ones) as the live
 * state holds the queue.
 */
export function questionsFromList(list: readonly QuestionCluster[]): QuestionsState {
  const open = list.filter((c) => c.status === "open");
  return { clusters: open, open: open.length, closed: list.filter((c) => c.status !== "open") };
}

/** The open clusters, in the server's order. */
export function openClusters(questions: QuestionsState | null): QuestionCluster[] {
  return questions === null ? [] : questions.clusters.filter((c) => c.status === "open");
}

/** Longer representatives are cut to this many characters with "…" (the server's TOP_QUESTION_MAX_CHARS). */
export const ANCHOR_QUESTION_MAX_CHARS = 100;

export interface AnchorQuestion {
  cluster: QuestionCluster;
  /** The representative as the anchor reads it: trimmed, cut when very long. */
  text: string;
}

/**
 * The anchor's questions: the first `n` open clusters with a wording, none twice, as the
 * server's prompter `questions` lists them (rundown/view.py `questions`: the same texts, in the
 * same order), each with its cluster for the topic and the count.
 */
export function anchorQuestions(questions: QuestionsState | null, n = 3): AnchorQuestion[] {
  const out: AnchorQuestion[] = [];
  for (const cluster of openClusters(questions)) {
    if (out.length === n) break;
    let text = cluster.representative.trim();
    const chars = [...text];
    if (chars.length > ANCHOR_QUESTION_MAX_CHARS) text = chars.slice(0, ANCHOR_QUESTION_MAX_CHARS - 1).join("") + "…";
    if (text !== "" && !out.some((q) => q.text === text)) out.push({ cluster, text });
  }
  return out;
}

/** Seconds since the cluster's wave began, as of `serverNow` (epoch ms); never negative. */
export function questionAge(c: Pick<QuestionCluster, "first_at">, serverNow: number): number {
  const t = Date.parse(c.first_at);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((serverNow - t) / 1000));
}

export function ageTone(seconds: number): AgeTone {
  if (seconds >= QUESTION_LATE_S) return "late";
  if (seconds >= QUESTION_WARN_S) return "warn";
  return "fresh";
}

/** 45秒 · 2分05 · 1时03分: short enough for a tag. */
export function formatQuestionAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分${String(s % 60).padStart(2, "0")}`;
  return `${Math.floor(m / 60)}时${String(m % 60).padStart(2, "0")}分`;
}

/**
 * What the server answered to this console's 已回答 or 忽略 on a cluster: it is closed, as of
 * `at` (epoch ms, the server's `answered_at` or the server clock when the answer came).
 */
export interface Settled {
  status: "answered" | "dismissed";
  at: number;
}

/**
 * Whether a cluster the live state still lists as open is one this console already closed:
 * the server said so, and its `questions` message has not caught up yet. A comment newer than
 * the close (a new wave of the same question) makes it open again: then the answer no longer
 * applies.
 */
export function closedHere(c: Pick<QuestionCluster, "last_at">, settled: Settled | undefined): boolean {
  if (settled === undefined) return false;
  const last = Date.parse(c.last_at);
  return Number.isNaN(last) || last <= settled.at;
}

/** The close as the server's answer says it (null when the answer is still open: nothing to fold). */
export function settledFrom(answer: QuestionCluster, serverNow: number): Settled | null {
  if (answer.status === "open") return null;
  const at = answer.answered_at === null ? NaN : Date.parse(answer.answered_at);
  return { status: answer.status, at: Number.isNaN(at) ? serverNow : at };
}

/** Forget closes the live state has caught up with (the cluster is no longer listed open). */
export function pruneSettled(
  settled: ReadonlyMap<string, Settled>,
  open: readonly QuestionCluster[],
): ReadonlyMap<string, Settled> {
  const ids = new Set(open.map((c) => c.id));
  let changed = false;
  const next = new Map<string, Settled>();
  for (const [id, s] of settled) {
    if (ids.has(id)) next.set(id, s);
    else changed = true;
  }
  return changed ? next : settled;
}
