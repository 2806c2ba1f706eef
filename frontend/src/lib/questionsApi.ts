/**
 * The question queue's HTTP calls (issue #12, contract §11): list a show's clusters, close one
 * as answered (optionally putting a reply up as the room's announcement in the same call) or
 * dismissed, and read the reply templates for one, filled with the product's live values.
 * Same session and errors as the other console calls (actionsApi's `call`): an error throws
 * HttpError with the server's `detail`, shown in place with `errorText`.
 */
import { parseCluster, type QuestionCluster } from "../live/protocol";
import { call, showApi } from "./actionsApi";
import { HttpError } from "./api";

function clusterOrThrow(body: unknown): QuestionCluster {
  const c = parseCluster(body);
  if (c === null) throw new HttpError(500, "服务器的回答无法读取 / unreadable answer");
  return c;
}

/** `GET …/questions`: open clusters first (most pressing first), then closed ones; malformed ones left out. */
export async function listQuestions(showId: string): Promise<QuestionCluster[]> {
  const body = await call(showApi(showId, "questions"));
  const list = typeof body === "object" && body !== null ? (body as { clusters?: unknown }).clusters : undefined;
  if (!Array.isArray(list)) return [];
  const out: QuestionCluster[] = [];
  for (const item of list) {
    const c = parseCluster(item);
    if (c !== null) out.push(c);
  }
  return out;
}

/**
 * Close a cluster as answered. With a reply, the server also sets it as the room's
 * announcement (action `announcement.set`) in the same call. Answers the closed cluster.
 */
export async function answerQuestion(showId: string, clusterId: string, reply?: string): Promise<QuestionCluster> {
  const body = reply === undefined ? {} : { reply, announce: true };
  const path = showApi(showId, `questions/${encodeURIComponent(clusterId)}/answer`);
  return clusterOrThrow(await call(path, { method: "POST", body: JSON.stringify(body) }));
}

/** Close a cluster as not worth an answer. */
export async function dismissQuestion(showId: string, clusterId: string): Promise<QuestionCluster> {
  const path = showApi(showId, `questions/${encodeURIComponent(clusterId)}/dismiss`);
  return clusterOrThrow(await call(path, { method: "POST", body: "{}" }));
}

/** A reply template with the product's live values filled in (price, stock, shipping). */
export interface ReplyTemplate {
  intent: string;
  topic: string;
  label: string;
  text: string;
}

/** `{"replies": [...]}` → the templates with a text, in the server's order (the best match first). */
export function parseReplies(v: unknown): ReplyTemplate[] {
  const list = typeof v === "object" && v !== null ? (v as { replies?: unknown }).replies : undefined;
  if (!Array.isArray(list)) return [];
  const out: ReplyTemplate[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const o = item as Record<string, unknown>;
    if (typeof o.text !== "string" || o.text.trim() === "") continue;
    const s = (x: unknown) => (typeof x === "string" ? x : "");
    out.push({ intent: s(o.intent), topic: s(o.topic), label: s(o.label), text: o.text });
  }
  return out;
}

/** `GET …/replies?cluster_id=`: the templates for one cluster, the best match first. */
export async function getReplies(showId: string, clusterId: string): Promise<ReplyTemplate[]> {
  return parseReplies(await call(showApi(showId, `replies?cluster_id=${encodeURIComponent(clusterId)}`)));
}
