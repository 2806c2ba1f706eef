import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCluster, type QuestionCluster, type QuestionsState } from "../live/protocol";
import { clusterJson } from "../live/testing";
import {
  QUESTION_LATE_S,
  QUESTION_WARN_S,
  ageTone,
  anchorQuestions,
  closedHere,
  formatQuestionAge,
  openClusters,
  pruneSettled,
  questionAge,
  questionsFromList,
  settledFrom,
} from "./questions";
import { answerQuestion, dismissQuestion, getReplies, listQuestions, parseReplies } from "./questionsApi";
import { HttpError } from "./api";

function cluster(id: string, extra: Record<string, unknown> = {}): QuestionCluster {
  const c = parseCluster(clusterJson(id, extra));
  if (c === null) throw new Error("bad fixture");
  return c;
}

const T0 = Date.parse("2025-11-11T12:08:00Z"); // clusterJson's first_at

describe("the queue's order", () => {
  const state: QuestionsState = {
    clusters: [cluster("q3"), cluster("q1", { status: "answered" }), cluster("q2"), cluster("q4"), cluster("q5")],
    open: 30,
    closed: [],
  };

  it("keeps the server's ranking and only the open ones", () => {
    expect(openClusters(state).map((c) => c.id)).toEqual(["q3", "q2", "q4", "q5"]);
    expect(openClusters(null)).toEqual([]);
  });
});

describe("the HTTP list as the live state holds it", () => {
  it("splits open (in order) from closed", () => {
    const q = questionsFromList([cluster("o1"), cluster("o2"), cluster("c1", { status: "dismissed" })]);
    expect([q.clusters.map((c) => c.id), q.open, q.closed.map((c) => c.id)]).toEqual([["o1", "o2"], 2, ["c1"]]);
  });
});

describe("the anchor's questions", () => {
  it("are the first three open clusters' wordings, trimmed, none twice, as the prompter lists them", () => {
    const state: QuestionsState = {
      clusters: [
        cluster("a", { representative: " 一米六穿什么码 " }),
        cluster("b", { status: "answered" }),
        cluster("c", { representative: "一米六穿什么码" }),
        cluster("d", { representative: "" }),
        cluster("e", { representative: "包邮吗" }),
        cluster("f", { representative: "多少钱" }),
        cluster("g", { representative: "几号发货" }),
      ],
      open: 6,
      closed: [],
    };
    expect(anchorQuestions(state).map((q) => [q.cluster.id, q.text])).toEqual([
      ["a", "一米六穿什么码"],
      ["e", "包邮吗"],
      ["f", "多少钱"],
    ]);
    expect(anchorQuestions(null)).toEqual([]);
  });

  it("cut a very long wording to 100 characters, the last an ellipsis", () => {
    const long = "问".repeat(120);
    const [q] = anchorQuestions({ clusters: [cluster("a", { representative: long })], open: 1, closed: [] });
    expect(q?.text).toBe("问".repeat(99) + "…");
  });
});

describe("a question's age", () => {
  it.each([
    [0, "0秒", "fresh"],
    [59, "59秒", "fresh"],
    [QUESTION_WARN_S, "1分00", "warn"],
    [119, "1分59", "warn"],
    [QUESTION_LATE_S, "2分00", "late"],
    [3_725, "1时02分", "late"],
  ] as const)("open %i s reads %s and is %s", (seconds, text, tone) => {
    expect(formatQuestionAge(seconds)).toBe(text);
    expect(ageTone(seconds)).toBe(tone);
  });

  it("counts from the wave's first comment on the server's clock, never below 0", () => {
    const c = cluster("q1");
    expect(questionAge(c, T0 + 90_500)).toBe(90);
    expect(questionAge(c, T0 - 5_000)).toBe(0);
  });
});

describe("closing a question here until the server's message says so", () => {
  it("takes the close from the server's answer: answered_at, else the server clock", () => {
    const answered = cluster("q1", { status: "answered", answered_at: "2025-11-11T12:10:00Z" });
    expect(settledFrom(answered, 1)).toEqual({ status: "answered", at: Date.parse("2025-11-11T12:10:00Z") });
    expect(settledFrom(cluster("q1", { status: "dismissed" }), 42)).toEqual({ status: "dismissed", at: 42 });
    expect(settledFrom(cluster("q1"), 42)).toBeNull();
  });

  it("a cluster still listed open is closed here until a newer comment reopens it", () => {
    const at = Date.parse("2025-11-11T12:10:00Z");
    const settled = { status: "answered" as const, at };
    expect(closedHere(cluster("q1", { last_at: "2025-11-11T12:09:58Z" }), settled)).toBe(true);
    expect(closedHere(cluster("q1", { last_at: "2025-11-11T12:10:05Z" }), settled)).toBe(false);
    expect(closedHere(cluster("q1"), undefined)).toBe(false);
  });

  it("forgets closes once the live state no longer lists the cluster", () => {
    const settled = new Map([
      ["q1", { status: "answered" as const, at: 1 }],
      ["q2", { status: "dismissed" as const, at: 1 }],
    ]);
    expect([...pruneSettled(settled, [cluster("q2")]).keys()]).toEqual(["q2"]);
    const same = new Map([["q2", { status: "answered" as const, at: 1 }]]);
    expect(pruneSettled(same, [cluster("q2")])).toBe(same);
  });
});

describe("reply templates", () => {
  it("reads the templates with a text, in order", () => {
    expect(
      parseReplies({
        replies: [
          { intent: "question_size", topic: "fit", label: "尺码", text: "160 穿 M 码" },
          { intent: "question_size", topic: "fit", label: "尺码", text: "  " },
          { text: "通用回复" },
          "junk",
        ],
      }),
    ).toEqual([
      { intent: "question_size", topic: "fit", label: "尺码", text: "160 穿 M 码" },
      { intent: "", topic: "", label: "", text: "通用回复" },
    ]);
    expect(parseReplies(null)).toEqual([]);
  });
});

describe("the HTTP calls", () => {
  afterEach(() => vi.unstubAllGlobals());

  function answering(status: number, body: unknown) {
    const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status }));
    vi.stubGlobal("fetch", fetch);
    return fetch;
  }

  function sent(fetch: ReturnType<typeof answering>, i = 0): [string, RequestInit] {
    return (fetch.mock.calls[i] as unknown as [string, RequestInit]) ?? ["", {}];
  }

  it("answers with {} or with the reply to announce", async () => {
    const fetch = answering(200, clusterJson("q 1", { status: "answered", answered_at: "2025-11-11T12:10:00Z" }));
    expect((await answerQuestion("s1", "q 1")).status).toBe("answered");
    expect(sent(fetch)[0]).toBe("/api/v1/shows/s1/questions/q%201/answer");
    expect(sent(fetch)[1]).toMatchObject({ method: "POST", body: "{}" });
    await answerQuestion("s1", "q 1", "M 码适合 160");
    expect(JSON.parse(String(sent(fetch, 1)[1].body))).toEqual({ reply: "M 码适合 160", announce: true });
  });

  it("dismisses", async () => {
    const fetch = answering(200, clusterJson("q1", { status: "dismissed" }));
    expect((await dismissQuestion("s1", "q1")).status).toBe("dismissed");
    expect(sent(fetch)[0]).toBe("/api/v1/shows/s1/questions/q1/dismiss");
  });

  it("throws the server's detail (404 unknown cluster, 403 not allowed)", async () => {
    answering(404, { detail: "no such question cluster" });
    await expect(answerQuestion("s1", "nope")).rejects.toEqual(new HttpError(404, "no such question cluster"));
    answering(200, { id: 3 });
    await expect(dismissQuestion("s1", "q1")).rejects.toBeInstanceOf(HttpError);
  });

  it("lists clusters (malformed ones left out) and reads the replies of one", async () => {
    const fetch = answering(200, { clusters: [clusterJson("q1"), { id: "bad" }] });
    expect((await listQuestions("s1")).map((c) => c.id)).toEqual(["q1"]);
    answering(200, { replies: [{ intent: "question_price", topic: "price", label: "价格", text: "直播价 ¥59" }] });
    expect(await getReplies("s1", "q/1")).toHaveLength(1);
    expect(fetch.mock.calls).toHaveLength(1);
  });
});
