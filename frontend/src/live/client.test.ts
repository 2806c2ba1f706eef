import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BACKOFF_MAX_MS, backoffDelay } from "./backoff";
import { LiveClient, liveUrl, type LiveClientOptions } from "./client";
import { LiveStore } from "./store";
import {
  RecordingSink,
  SocketFactory,
  alertFrame,
  feedFrame,
  metricsFrame,
  snapshotFrame,
  stockFrame,
  stockRow,
} from "./testing";

const BASE = "ws://console.test/api/v1/shows/show-1/live";
const url: LiveClientOptions["url"] = (pos) => liveUrl("show-1", pos, { protocol: "http:", host: "console.test" });

function setup(opts: Partial<LiveClientOptions> = {}) {
  const sockets = new SocketFactory();
  const sink = new RecordingSink();
  const client = new LiveClient({
    url,
    sink,
    createSocket: sockets.create,
    random: () => 0.999, // the longest delay within each backoff window
    ...opts,
  });
  return { sockets, sink, client };
}

/** Connect, open and deliver a snapshot at (epoch, offset). */
function connected(epoch = "E1", offset = 10, opts: Partial<LiveClientOptions> = {}) {
  const t = setup(opts);
  t.client.start();
  t.sockets.last.open();
  t.sockets.last.receive(snapshotFrame(epoch, offset));
  return t;
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("liveUrl", () => {
  it("has no query for a fresh start and presents epoch and offset to resume", () => {
    expect(url(null)).toBe(BASE);
    expect(url({ epoch: "ep 1", offset: 42 })).toBe(`${BASE}?epoch=ep%201&offset=42`);
    expect(liveUrl("s", null, { protocol: "https:", host: "x.example" })).toBe("wss://x.example/api/v1/shows/s/live");
  });
});

describe("backoffDelay", () => {
  it("doubles from 0.5 s and caps at 10 s, with full jitter", () => {
    const max = () => 0.999999;
    expect(backoffDelay(0, max)).toBeLessThan(500);
    expect(backoffDelay(0, max)).toBeGreaterThan(490);
    expect(backoffDelay(1, max)).toBeGreaterThan(990);
    expect(backoffDelay(1, max)).toBeLessThan(1000);
    expect(backoffDelay(4, max)).toBeLessThan(8000);
    expect(backoffDelay(5, max)).toBeLessThan(BACKOFF_MAX_MS);
    expect(backoffDelay(5, max)).toBeGreaterThan(9_900);
    expect(backoffDelay(500, max)).toBeLessThan(BACKOFF_MAX_MS);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });
});

describe("LiveClient positions", () => {
  it("keeps the position of the snapshot and of every publication", () => {
    const { client, sockets, sink } = connected("E1", 10);
    expect(sockets.last.url).toBe(BASE);
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 10 });
    expect(sink.lastStatus?.state).toBe("live");

    sockets.last.receive(metricsFrame("E1", 11, { online: 5 }));
    sockets.last.receive(feedFrame("E1", 12));
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 12 });
    expect(sink.lastStatus?.position).toEqual({ epoch: "E1", offset: 12 });
    expect(sink.calls).toEqual([
      { kind: "snapshot", offset: 10 },
      { kind: "publication", type: "metrics", offset: 11 },
      { kind: "publication", type: "feed", offset: 12 },
    ]);
  });

  it("ignores duplicates (offset <= last)", () => {
    const { client, sockets, sink } = connected("E1", 10);
    sockets.last.receive(metricsFrame("E1", 11));
    sockets.last.receive(metricsFrame("E1", 11));
    sockets.last.receive(metricsFrame("E1", 9));
    sockets.last.receive(metricsFrame("E1", 10));
    expect(sink.calls.filter((c) => c.kind === "publication")).toHaveLength(1);
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 11 });
    expect(sockets.last.closedWith).toBeNull(); // a duplicate is not a reason to reconnect
  });

  it("on a gap, does not apply the frame and reconnects presenting the last applied position", () => {
    const { client, sockets, sink } = connected("E1", 10);
    sockets.last.receive(metricsFrame("E1", 11));
    const first = sockets.last;
    first.receive(metricsFrame("E1", 13)); // 12 is missing
    expect(sink.calls.at(-1)).toEqual({ kind: "publication", type: "metrics", offset: 11 });
    expect(first.closedWith).not.toBeNull();
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 11 });
    expect(sink.lastStatus?.state).toBe("reconnecting");

    vi.advanceTimersByTime(500);
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.last.url).toBe(`${BASE}?epoch=E1&offset=11`);

    // Frames still arriving on the abandoned socket are ignored.
    first.receive(metricsFrame("E1", 12));
    expect(sink.calls.filter((c) => c.kind === "publication")).toHaveLength(1);
  });

  it("applies every message of a newline-joined (liveops.ndjson) frame in order", () => {
    const { client, sockets, sink } = connected("E1", 10);
    const lines = [metricsFrame("E1", 11), feedFrame("E1", 12), metricsFrame("E1", 13)];
    sockets.last.receiveRaw(lines.map((m) => JSON.stringify(m)).join("\n"));
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 13 });
    expect(sink.calls.slice(1)).toEqual([
      { kind: "publication", type: "metrics", offset: 11 },
      { kind: "publication", type: "feed", offset: 12 },
      { kind: "publication", type: "metrics", offset: 13 },
    ]);
  });

  it("stops reading a joined frame at a gap and resumes from the last message applied", () => {
    const { client, sockets, sink } = connected("E1", 10);
    const first = sockets.last;
    const lines = [metricsFrame("E1", 11), metricsFrame("E1", 13), metricsFrame("E1", 14)];
    first.receiveRaw(lines.map((m) => JSON.stringify(m)).join("\n"));
    expect(sink.calls.filter((c) => c.kind === "publication")).toHaveLength(1);
    expect(first.closedWith).not.toBeNull();
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 11 });
  });

  it("resumes after a dropped connection and keeps its state on `resumed`", () => {
    const { client, sockets, sink } = connected("E1", 10);
    sockets.last.receive(feedFrame("E1", 11));
    sockets.last.serverClose(1006);
    expect(sink.lastStatus?.state).toBe("reconnecting");

    vi.advanceTimersByTime(498); // random 0.999 of the first 500 ms window
    expect(sockets.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.last.url).toBe(`${BASE}?epoch=E1&offset=11`);

    sockets.last.open();
    sockets.last.receive({ type: "resumed", epoch: "E1", offset: 11 });
    sockets.last.receive(metricsFrame("E1", 12));
    expect(sink.lastStatus?.state).toBe("live");
    expect(sink.calls.map((c) => c.kind)).toEqual(["snapshot", "publication", "publication"]);
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 12 });
  });

  it("on `resync` drops state, ignores publications until the snapshot, then follows it", () => {
    const { client, sockets, sink } = connected("E1", 10);
    sockets.last.serverClose(1012);
    vi.advanceTimersByTime(500);
    const s = sockets.last;
    s.open();
    s.receive({ type: "resync", reason: "epoch changed" });
    expect(sink.calls.at(-1)).toEqual({ kind: "resync", reason: "epoch changed" });
    expect(sink.lastStatus?.state).toBe("resyncing");
    expect(client.getPosition()).toBeNull();

    s.receive(metricsFrame("E2", 4)); // stray frame before the snapshot
    expect(sink.calls.at(-1)?.kind).toBe("resync");

    s.receive(snapshotFrame("E2", 3));
    s.receive(metricsFrame("E2", 4));
    expect(client.getPosition()).toEqual({ epoch: "E2", offset: 4 });
    expect(sink.lastStatus?.state).toBe("live");
  });

  it("treats a publication from another epoch as lost history and resumes (server will resync)", () => {
    const { sockets } = connected("E1", 10);
    const first = sockets.last;
    first.receive(metricsFrame("E2", 11));
    expect(first.closedWith).not.toBeNull();
    vi.advanceTimersByTime(500);
    expect(sockets.last.url).toBe(`${BASE}?epoch=E1&offset=10`);
  });

  it("starts over without a position when `resumed` names another position", () => {
    const { client, sockets } = connected("E1", 10);
    sockets.last.serverClose(1006);
    vi.advanceTimersByTime(500);
    sockets.last.open();
    sockets.last.receive({ type: "resumed", epoch: "E1", offset: 7 });
    expect(client.getPosition()).toBeNull();
    vi.advanceTimersByTime(1000);
    expect(sockets.last.url).toBe(BASE);
  });
});

describe("LiveClient backoff", () => {
  it("waits longer after each failed attempt, up to 10 s, and resets once back in step", () => {
    const { sockets, sink } = connected("E1", 10, { random: () => 0.5 });
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = sockets.sockets.length;
      sockets.last.serverClose(1006);
      const status = sink.lastStatus;
      if (status?.nextRetryAt == null) throw new Error("no retry scheduled");
      waits.push(status.nextRetryAt - Date.now());
      vi.advanceTimersByTime(BACKOFF_MAX_MS);
      expect(sockets.sockets.length).toBe(before + 1);
    }
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);

    sockets.last.open();
    sockets.last.receive({ type: "resumed", epoch: "E1", offset: 10 });
    sockets.last.serverClose(1011);
    expect((sink.lastStatus?.nextRetryAt ?? 0) - Date.now()).toBe(250);
  });

  it("retryNow skips the wait", () => {
    const { client, sockets } = connected();
    sockets.last.serverClose(1006);
    expect(sockets.sockets).toHaveLength(1);
    client.retryNow();
    expect(sockets.sockets).toHaveLength(2);
  });
});

describe("LiveClient close codes", () => {
  it.each([1006, 1011, 1012, 4008, 4999])("reconnects and resumes after %i", (code) => {
    const { sockets, sink } = connected("E1", 10);
    sockets.last.serverClose(code);
    expect(sink.lastStatus?.state).toBe("reconnecting");
    vi.advanceTimersByTime(500);
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.last.url).toBe(`${BASE}?epoch=E1&offset=10`);
  });

  it("4401 stops and asks for sign-in; start() then resumes from the kept position", () => {
    const { client, sockets, sink } = connected("E1", 10);
    sockets.last.serverClose(4401);
    expect(sink.lastStatus?.state).toBe("signed_out");
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);

    client.start();
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.last.url).toBe(`${BASE}?epoch=E1&offset=10`);
  });

  it.each([
    [4403, /无权/],
    [4404, /不存在/],
    [1008, /拒绝/],
    [4409, /尚未结束/], // a replay of a show that has not ended
    [4422, /回放速度/], // a replay at a speed out of 1–120
  ])("%i stops with an error and never reconnects", (code, message) => {
    const { sockets, sink } = connected();
    sockets.last.serverClose(code);
    expect(sink.lastStatus?.state).toBe("failed");
    expect(sink.lastStatus?.error).toMatch(message);
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);
  });

  it("4400 reconnects without a position", () => {
    const { sockets } = connected("E1", 10);
    sockets.last.serverClose(4400);
    vi.advanceTimersByTime(500);
    expect(sockets.last.url).toBe(BASE);
  });

  it("1000 from the server closes without reconnecting", () => {
    const { sockets, sink } = connected();
    sockets.last.serverClose(1000);
    expect(sink.lastStatus?.state).toBe("closed");
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);
  });

  it("stop() closes the socket and cancels reconnects", () => {
    const { client, sockets, sink } = connected();
    sockets.last.serverClose(1006);
    client.stop();
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);
    expect(sink.lastStatus?.state).toBe("closed");
  });

  it("after a refused handshake, asks HTTP whether the session is gone", async () => {
    const probeAuth = vi.fn(() => Promise.resolve(false));
    const { client, sockets, sink } = setup({ probeAuth });
    client.start();
    sockets.last.serverClose(1006); // never opened: the browser hides the HTTP 401/403
    await flushMicrotasks();
    expect(sink.lastStatus?.state).toBe("signed_out");
    expect(probeAuth).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);
  });

  it("keeps retrying when the probe says the session is fine", async () => {
    const probeAuth = vi.fn(() => Promise.resolve(true));
    const { client, sockets } = setup({ probeAuth });
    client.start();
    sockets.last.serverClose(1006);
    await flushMicrotasks();
    vi.advanceTimersByTime(500);
    expect(sockets.sockets).toHaveLength(2);
  });
});

describe("LiveClient heartbeat", () => {
  it("pings while open and replaces a connection that went silent", () => {
    const { sockets } = connected("E1", 10, { pingIntervalMs: 1000, idleTimeoutMs: 5000 });
    vi.advanceTimersByTime(1000);
    expect(sockets.last.sent).toEqual(['{"type":"ping"}']);
    sockets.last.receive({ type: "pong", server_time: "2025-11-11T12:10:05Z" });
    vi.advanceTimersByTime(4999);
    expect(sockets.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets.sockets[0]?.closedWith).not.toBeNull();
    vi.advanceTimersByTime(500);
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.last.url).toBe(`${BASE}?epoch=E1&offset=10`);
  });

  it("ignores unreadable frames", () => {
    const { sockets, sink, client } = connected();
    sockets.last.receiveRaw("not json");
    sockets.last.receiveRaw(new ArrayBuffer(4));
    sockets.last.receive({ type: "something_new", note: "no position: not a publication" });
    sockets.last.receive({ type: "error", code: "bad_frame", message: "?" });
    expect(sink.calls).toHaveLength(1);
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 10 });
    expect(sockets.last.closedWith).toBeNull();
  });

  it("takes the position of a publication of an unknown type, so what follows is no gap", () => {
    const { sockets, sink, client } = connected("E1", 10);
    const first = sockets.last;
    first.receive({ type: "something_new", epoch: "E1", offset: 11, server_time: 1, payload: [1] });
    first.receive(metricsFrame("E1", 12, { online: 7 }));
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 12 });
    expect(sink.calls.slice(1)).toEqual([
      { kind: "publication", type: "ignored", offset: 11 },
      { kind: "publication", type: "metrics", offset: 12 },
    ]);
    expect(first.closedWith).toBeNull(); // no reconnect, so no resume replaying it forever
    expect(sockets.sockets).toHaveLength(1);
  });

  it("takes a skip's position: a publication for other roles is no gap", () => {
    const { sockets, sink, client } = connected("E1", 10);
    sockets.last.receive({ type: "skip", epoch: "E1", offset: 11 });
    sockets.last.receive(metricsFrame("E1", 12, { online: 7 }));
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 12 });
    expect(sink.calls.slice(1)).toEqual([
      { kind: "publication", type: "skip", offset: 11 },
      { kind: "publication", type: "metrics", offset: 12 },
    ]);
    expect(sockets.sockets).toHaveLength(1);
  });

  it("takes the position of a malformed stock or alert frame too, and keeps going", () => {
    const { sockets, sink, client } = connected("E1", 10);
    sockets.last.receive({ type: "stock", epoch: "E1", offset: 11, server_time: 1, items: "oops" });
    sockets.last.receive({ ...alertFrame("E1", 12), severity: "apocalyptic" });
    sockets.last.receive(stockFrame("E1", 13, [stockRow("A1", { rev: 2 })]));
    sockets.last.receive(alertFrame("E1", 14));
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 14 });
    expect(sink.calls.slice(1).map((c) => (c.kind === "publication" ? c.type : c.kind))).toEqual([
      "ignored",
      "ignored",
      "stock",
      "alert",
    ]);
    expect(sockets.sockets).toHaveLength(1);
  });
});

describe("LiveClient + LiveStore", () => {
  it("a resumed connection keeps the state and continues merging", () => {
    const store = new LiveStore({ schedule: () => () => {} });
    const sockets = new SocketFactory();
    const client = new LiveClient({ url, sink: store, createSocket: sockets.create, random: () => 0 });
    client.start();
    sockets.last.open();
    sockets.last.receive(snapshotFrame("E1", 1));
    sockets.last.receive(metricsFrame("E1", 2, { online: 120 }));
    sockets.last.serverClose(1006);
    vi.advanceTimersByTime(0);
    sockets.last.open();
    sockets.last.receive({ type: "resumed", epoch: "E1", offset: 2 });
    sockets.last.receive(metricsFrame("E1", 3, { uv: 300 }));
    store.flush();
    const s = store.getSnapshot();
    expect(s.metrics).toMatchObject({ online: 120, uv: 300, gmv_paid: 50_000 });
    expect(s.comments).toHaveLength(2);
    expect(s.conn.state).toBe("live");
    expect(s.conn.position).toEqual({ epoch: "E1", offset: 3 });
  });
});

describe("LiveClient replay", () => {
  const replay = (offset: number, state = "playing") => ({
    type: "replay",
    epoch: "E1",
    offset,
    server_time: 1,
    state,
    speed: 30,
    position_ms: 5,
    start_ms: 0,
    end_ms: 10,
  });

  it("hands each replay message to onReplay in stream order, taking its position", () => {
    const heard: string[] = [];
    const { client, sockets } = connected("E1", 10, { onReplay: (m) => heard.push(`${m.offset}:${m.state}`) });
    sockets.last.receive(replay(11));
    sockets.last.receive(replay(11)); // a duplicate
    sockets.last.receive(replay(12, "paused"));
    expect(heard).toEqual(["11:playing", "12:paused"]);
    expect(client.getPosition()).toEqual({ epoch: "E1", offset: 12 });
  });

  it("sends the replay's controls while connected, and says when it could not", () => {
    const { client, sockets } = connected();
    expect(client.sendMessage({ type: "replay.seek", position_ms: 7 })).toBe(true);
    expect(sockets.last.sent.map((f) => JSON.parse(f) as unknown)).toContainEqual({
      type: "replay.seek",
      position_ms: 7,
    });
    client.stop();
    expect(client.sendMessage({ type: "replay.pause" })).toBe(false);
  });
});
