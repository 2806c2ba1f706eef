import { describe, expect, it } from "vitest";
import {
  isPublication,
  parseCluster,
  parseFeedItem,
  parseQuestions,
  parseServerMessage,
  type Publication,
  type SnapshotMessage,
} from "./protocol";
import { LiveStore } from "./store";
import { clusterJson, snapshotFrame } from "./testing";

function questionsFrame(offset: number, questions: unknown) {
  return { type: "questions", epoch: "E1", offset, server_time: 1762862406000, questions };
}

function parse(frame: unknown) {
  return parseServerMessage(JSON.stringify(frame));
}

function pub(frame: unknown): Publication {
  const msg = parse(frame);
  if (msg === null || !isPublication(msg)) throw new Error("not a publication");
  return msg;
}

function snap(extra: Record<string, unknown> = {}): SnapshotMessage {
  const msg = parse(snapshotFrame("E1", 1, extra));
  if (msg?.type !== "snapshot") throw new Error("bad fixture");
  return msg;
}

function store(): LiveStore {
  return new LiveStore({ schedule: () => () => {} });
}

describe("a comment's intent", () => {
  it("is read as sent", () => {
    const c = parseFeedItem({
      kind: "comment",
      id: "c1",
      ts: 1762862406000,
      viewer_id: "v",
      text: "几号发货",
      intent: "question_shipping",
    });
    expect(c).toMatchObject({ kind: "comment", intent: "question_shipping" });
  });

  it.each([
    ["missing (a snapshot from before the field)", undefined],
    ["null", null],
    ["one this console does not know", "question_colour"],
    ["not a string", 3],
  ])("is other when %s", (_name, intent) => {
    const c = parseFeedItem({ kind: "comment", id: "c1", ts: 1762862406000, viewer_id: "v", text: "x", intent });
    expect(c).toMatchObject({ intent: "other" });
  });

  it("old snapshots' comments read as other", () => {
    expect(snap().feed.map((c) => (c.kind === "comment" ? c.intent : null))).toEqual(["other", "other"]);
  });
});

describe("question clusters on the wire", () => {
  it("reads a questions publication: clusters in the server's order, the open count", () => {
    const msg = parse(questionsFrame(5, { clusters: [clusterJson("q2"), clusterJson("q1")], open: 23 }));
    expect(msg).toMatchObject({ type: "questions", offset: 5, server_time: "2025-11-11T12:00:06.000Z", rejected: 0 });
    if (msg?.type !== "questions") throw new Error("not questions");
    expect(isPublication(msg)).toBe(true);
    expect(msg.questions.open).toBe(23);
    expect(msg.questions.clusters.map((c) => c.id)).toEqual(["q2", "q1"]);
    expect(msg.questions.clusters[0]).toEqual({
      id: "q2",
      intent: "question_size",
      topic: "size",
      label: "尺码",
      sku: "A1",
      representative: "一米六穿什么码",
      examples: ["160穿多大", "我160选哪个码"],
      count: 12,
      viewers: 9,
      first_at: "2025-11-11T12:08:00Z",
      last_at: "2025-11-11T12:09:58Z",
      status: "open",
      total: 15,
      answered_at: null,
    });
  });

  it("reads a cluster with no product, answered, and an intent it does not know as other", () => {
    const c = parseCluster(
      clusterJson("q1", {
        sku: null,
        status: "answered",
        answered_at: "2025-11-11T12:10:00Z",
        intent: "question_colour",
      }),
    );
    expect(c).toMatchObject({ sku: null, status: "answered", answered_at: "2025-11-11T12:10:00Z", intent: "other" });
  });

  it.each([
    ["no id", { id: "" }],
    ["a count as a string", { count: "12" }],
    ["a negative viewer count", { viewers: -1 }],
    ["a status it does not know", { status: "pending" }],
    ["examples that are not strings", { examples: [1, 2] }],
    ["no first_at", { first_at: undefined }],
    ["sku missing", { sku: undefined }],
    ["no representative", { representative: undefined }],
  ])("leaves out a cluster with %s, and counts it; the others stand", (_name, extra) => {
    const bad = JSON.parse(JSON.stringify(clusterJson("bad", extra))) as unknown;
    expect(parseCluster(bad)).toBeNull();
    const msg = parse(questionsFrame(6, { clusters: [clusterJson("q1"), bad], open: 2 }));
    expect(msg).toMatchObject({ type: "questions", rejected: 1 });
    if (msg?.type !== "questions") throw new Error("not questions");
    expect(msg.questions.clusters.map((c) => c.id)).toEqual(["q1"]);
  });

  it.each([
    ["not an object", 3],
    ["no clusters list", { open: 1 }],
    ["open missing", { clusters: [] }],
    ["open not whole", { clusters: [], open: 1.5 }],
  ])("ignores a questions message that is %s, but takes its position", (_name, questions) => {
    expect(parse(questionsFrame(7, questions))).toMatchObject({ type: "ignored", original: "questions", offset: 7 });
  });

  it("a snapshot holds the questions; absent or null they are null; malformed null and counted", () => {
    expect(snap({ questions: { clusters: [clusterJson("q1")], open: 1 } }).questions?.open).toBe(1);
    expect(snap().questions).toBeNull();
    expect(snap({ questions: null }).questions).toBeNull();
    const bad = snap({ questions: { clusters: "none" } });
    expect([bad.questions, bad.rejected]).toEqual([null, 1]);
    const oneBad = snap({ questions: { clusters: [clusterJson("q1"), { id: 3 }], open: 2 } });
    expect([oneBad.questions?.clusters.length, oneBad.rejected]).toEqual([1, 1]);
  });

  it("parseQuestions answers null for what is not a questions state", () => {
    expect(parseQuestions(null)).toBeNull();
    expect(parseQuestions({ clusters: [], open: 0 })).toEqual({
      questions: { clusters: [], open: 0, closed: [] },
      rejected: 0,
    });
  });

  it("reads the recently closed clusters, newest first, malformed ones left out and counted", () => {
    const parsed = parseQuestions({
      clusters: [clusterJson("q1")],
      open: 1,
      closed: [clusterJson("q0", { status: "answered", answered_at: "2025-11-11T12:09:00Z" }), { id: "bad" }],
    });
    expect(parsed?.questions.closed.map((c) => [c.id, c.status])).toEqual([["q0", "answered"]]);
    expect(parsed?.rejected).toBe(1);
  });
});

describe("the live state's questions", () => {
  it("takes the snapshot's, replaces them whole on a message, keeps them over a null snapshot, drops them on resync", () => {
    const s = store();
    s.snapshot(snap({ questions: { clusters: [clusterJson("q1"), clusterJson("q2")], open: 2 } }), 0);
    s.flush();
    expect(s.getSnapshot().questions?.clusters.map((c) => c.id)).toEqual(["q1", "q2"]);
    s.publication(pub(questionsFrame(2, { clusters: [clusterJson("q2")], open: 1 })), 0);
    s.flush();
    expect(s.getSnapshot().questions).toMatchObject({ open: 1, clusters: [{ id: "q2" }] });
    s.snapshot(snap({ questions: null }), 0);
    s.flush();
    expect(s.getSnapshot().questions?.open).toBe(1);
    s.resync("gone");
    s.flush();
    expect(s.getSnapshot().questions).toBeNull();
  });

  it("counts malformed clusters as rejected", () => {
    const s = store();
    s.snapshot(snap(), 0);
    s.publication(pub(questionsFrame(2, { clusters: [clusterJson("q1"), { id: "x" }], open: 2 })), 0);
    s.flush();
    expect(s.getSnapshot().rejected).toBe(1);
  });

  it("takes an HTTP answer's clusters only while the stream has sent none", () => {
    const s = store();
    s.snapshot(snap(), 0);
    const answer = parseQuestions({ clusters: [clusterJson("http")], open: 1 });
    if (answer === null) throw new Error("bad fixture");
    s.takeQuestions(answer.questions);
    s.flush();
    expect(s.getSnapshot().questions?.clusters[0]?.id).toBe("http");
    s.publication(pub(questionsFrame(2, { clusters: [clusterJson("live")], open: 1 })), 0);
    s.takeQuestions(answer.questions); // older than the message
    s.flush();
    expect(s.getSnapshot().questions?.clusters[0]?.id).toBe("live");
  });
});
