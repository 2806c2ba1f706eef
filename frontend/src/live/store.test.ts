import { describe, expect, it } from "vitest";
import { isPublication, parseServerMessage, type Publication, type SnapshotMessage } from "./protocol";
import { LiveStore, type FrameScheduler } from "./store";
import { parseAlert, parseCue } from "./protocol";
import {
  BEFORE_12,
  actionFrame,
  alertFrame,
  alertJson,
  cueFrame,
  cueJson,
  feedFrame,
  metricsFrame,
  prompterFrame,
  prompterJson,
  snapshotFrame,
  stockFrame,
  stockRow,
} from "./testing";

/** A scheduler the test runs by hand, like requestAnimationFrame firing. */
function manualFrames() {
  const pending: (() => void)[] = [];
  const schedule: FrameScheduler = (cb) => {
    pending.push(cb);
    return () => {
      const i = pending.indexOf(cb);
      if (i >= 0) pending.splice(i, 1);
    };
  };
  const runFrame = () => {
    for (const cb of pending.splice(0)) cb();
  };
  return { schedule, runFrame, pending };
}

function snap(epoch = "E1", offset = 1, extra: Record<string, unknown> = {}): SnapshotMessage {
  const msg = parseServerMessage(JSON.stringify(snapshotFrame(epoch, offset, extra)));
  if (msg?.type !== "snapshot") throw new Error("bad fixture");
  return msg;
}

function pub(frame: Record<string, unknown>): Publication {
  const msg = parseServerMessage(JSON.stringify(frame));
  if (msg === null || !isPublication(msg)) throw new Error("bad fixture");
  return msg;
}

function storeWithSnapshot(options: { maxComments?: number } = {}) {
  const frames = manualFrames();
  const store = new LiveStore({ schedule: frames.schedule, ...options });
  store.snapshot(snap(), 0);
  store.flush();
  return { store, frames };
}

describe("LiveStore", () => {
  it("merges metrics deltas into the snapshot, keeping keys the delta does not carry", () => {
    const { store } = storeWithSnapshot();
    store.publication(pub(metricsFrame("E1", 2, { online: 130, orders_paid: 4 })), 0);
    store.publication(pub(metricsFrame("E1", 3, { online: 128 })), 0);
    store.flush();
    const s = store.getSnapshot();
    expect(s.metrics).toEqual({ online: 128, uv: 250, gmv_paid: 50_000, comments: 2, orders_paid: 4 });
    expect(s.metricsAt).toBe("2025-11-11T12:10:00Z");
  });

  it("replaces whole product rows and series points by key, and merges feed freshness", () => {
    const { store } = storeWithSnapshot();
    store.publication(
      pub(
        metricsFrame(
          "E1",
          2,
          {},
          {
            products: [
              { sku: "A1", clicks: 9, orders: 2, units: 3, gmv: 19_800, stock_left: 97 },
              { sku: "B2", name: "面膜", clicks: 1, orders: 0, units: 0, gmv: 0, stock_left: 10 },
            ],
            series: [
              { minute: "2025-11-11T12:10:00Z", online: 130, joins: 1, comments: 0, likes: 0, orders: 1, gmv: 100 },
              { minute: "2025-11-11T12:09:00Z", online: 111, joins: 5, comments: 2, likes: 9, orders: 1, gmv: 9_900 },
            ],
            feeds: { orders: { ts: "2025-11-11T12:10:00Z", received_at: "2025-11-11T12:10:00.1Z" } },
          },
        ),
      ),
      0,
    );
    store.flush();
    const s = store.getSnapshot();
    expect(s.products.map((p) => [p.sku, p.clicks, p.stock_left])).toEqual([
      ["A1", 9, 97],
      ["B2", 1, 10],
    ]);
    expect(s.products[0]?.name).toBeNull(); // whole rows: the delta row had no name
    expect(s.series.map((p) => [p.minute, p.online])).toEqual([
      ["2025-11-11T12:09:00Z", 111],
      ["2025-11-11T12:10:00Z", 130],
    ]);
    expect(Object.keys(s.feeds).sort()).toEqual(["comments", "orders", "viewers"]);
  });

  it("keeps metrics_at when a metrics frame does not carry it", () => {
    const { store } = storeWithSnapshot();
    const frame = metricsFrame("E1", 2, { online: 1 });
    delete frame.metrics_at;
    store.publication(pub(frame), 0);
    store.flush();
    expect(store.getSnapshot().metricsAt).toBe("2025-11-11T12:09:59Z");
  });

  it("appends feed comments and keeps only the last maxComments", () => {
    const { store } = storeWithSnapshot({ maxComments: 500 });
    store.publication(pub(feedFrame("E1", 2, 450)), 0);
    store.publication(pub(feedFrame("E1", 3, 100)), 0);
    store.flush();
    const { comments } = store.getSnapshot();
    expect(comments).toHaveLength(500);
    // 2 from the snapshot + 550 new = 552; the oldest 52 are gone and the order is kept.
    const last = comments[comments.length - 1];
    const first = comments[0];
    expect(last?.text).toMatch(/评论/);
    expect(first?.id).not.toBe("c1");
    const ids = comments.map((c) => Number(c.id.slice(1)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("keeps order events apart from comments, also bounded", () => {
    const frames = manualFrames();
    const store = new LiveStore({ schedule: frames.schedule, maxOrders: 3 });
    store.snapshot(snap(), 0);
    const items = Array.from({ length: 5 }, (_, i) => ({
      kind: "order",
      id: `o${i}`,
      ts: "2025-11-11T12:10:00Z",
      event: "paid",
      order_id: `ORD${i}`,
      amount: 100,
    }));
    store.publication(pub({ type: "feed", epoch: "E1", offset: 2, server_time: "2025-11-11T12:10:00Z", items }), 0);
    store.flush();
    const s = store.getSnapshot();
    expect(s.orders.map((o) => o.id)).toEqual(["o2", "o3", "o4"]);
    expect(s.comments).toHaveLength(2);
  });

  it("drops all state on resync", () => {
    const { store } = storeWithSnapshot();
    store.resync("history lost");
    store.flush();
    const s = store.getSnapshot();
    expect(s.show).toBeNull();
    expect(s.metrics).toEqual({});
    expect(s.products).toEqual([]);
    expect(s.series).toEqual([]);
    expect(s.comments).toEqual([]);
    expect(s.feeds).toEqual({});
    expect(s.resyncReason).toBe("history lost");

    store.snapshot(snap("E2", 7, { metrics: { online: 5 } }), 0);
    store.flush();
    expect(store.getSnapshot().metrics).toEqual({ online: 5 });
    expect(store.getSnapshot().resyncReason).toBeNull();
  });

  it("a snapshot replaces, not merges", () => {
    const { store } = storeWithSnapshot();
    store.publication(pub(feedFrame("E1", 2, 3)), 0);
    store.snapshot(snap("E1", 9, { metrics: { uv: 1 }, feed: [], products: [] }), 0);
    store.flush();
    const s = store.getSnapshot();
    expect(s.metrics).toEqual({ uv: 1 });
    expect(s.comments).toEqual([]);
    expect(s.products).toEqual([]);
  });

  it("publishes at most once per animation frame, however many frames arrive", () => {
    const frames = manualFrames();
    const store = new LiveStore({ schedule: frames.schedule });
    let renders = 0;
    store.subscribe(() => (renders += 1));
    const before = store.getSnapshot();

    store.snapshot(snap(), 0);
    for (let i = 2; i < 50; i++) store.publication(pub(metricsFrame("E1", i, { online: i })), 0);
    expect(frames.pending).toHaveLength(1);
    expect(store.getSnapshot()).toBe(before); // nothing visible until the frame
    expect(renders).toBe(0);

    frames.runFrame();
    expect(renders).toBe(1);
    expect(store.getSnapshot().metrics.online).toBe(49);

    frames.runFrame(); // no change, no render
    expect(renders).toBe(1);
  });

  it("keeps unchanged arrays identical between frames (cheap React bail-outs)", () => {
    const { store } = storeWithSnapshot();
    const before = store.getSnapshot();
    store.publication(pub(metricsFrame("E1", 2, { online: 1 })), 0);
    store.flush();
    const after = store.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.comments).toBe(before.comments);
    expect(after.products).toBe(before.products);
    expect(after.series).toBe(before.series);
  });

  it("tracks the server clock offset from server_time", () => {
    const frames = manualFrames();
    const store = new LiveStore({ schedule: frames.schedule });
    const received = Date.parse("2025-11-11T12:09:58Z");
    store.snapshot(snap(), received); // server_time 12:10:00
    store.flush();
    expect(store.getSnapshot().clockOffsetMs).toBe(2000);
  });

  it("unsubscribe stops notifications", () => {
    const { store } = storeWithSnapshot();
    let calls = 0;
    const off = store.subscribe(() => (calls += 1));
    off();
    store.publication(pub(metricsFrame("E1", 2, { online: 1 })), 0);
    store.flush();
    expect(calls).toBe(0);
  });
});

describe("LiveStore stock and alerts", () => {
  const skus = (store: LiveStore) => store.getSnapshot().stock.map((r) => [r.sku, r.available, r.rev]);

  function withStock(options: { maxAlerts?: number } = {}) {
    const frames = manualFrames();
    const store = new LiveStore({ schedule: frames.schedule, ...options });
    store.snapshot(
      snap("E1", 1, {
        stock: [stockRow("A1", { rev: 5, available: 80 }), stockRow("B2", { rev: 2, available: 10 })],
        alerts: [alertFrame("-", 0, { kind: "low_stock", severity: "warning", sku: "B2", available: 10, ts: 1000 })],
      }),
      0,
    );
    store.flush();
    return store;
  }

  it("takes stock and alerts from the snapshot", () => {
    const store = withStock();
    expect(skus(store)).toEqual([
      ["A1", 80, 5],
      ["B2", 10, 2],
    ]);
    expect(store.getSnapshot().alerts.map((a) => [a.kind, a.sku])).toEqual([["low_stock", "B2"]]);
    // Rows are stamped with the server time of the frame that brought them.
    expect(store.getSnapshot().stock[0]?.received_at).toBe(Date.parse("2025-11-11T12:10:00Z"));
  });

  it("merges stock rows by SKU, keeping the highest rev whatever the arrival order", () => {
    const store = withStock();
    store.publication(pub(stockFrame("E1", 2, [stockRow("A1", { rev: 7, available: 70 })])), 0);
    // A late row of an older revision must not take the level back up.
    store.publication(pub(stockFrame("E1", 3, [stockRow("A1", { rev: 6, available: 75 })])), 0);
    // A new SKU is appended; an equal rev replaces (same ledger, newer forecast).
    store.publication(
      pub(
        stockFrame("E1", 4, [
          stockRow("C3", { rev: 1, available: 3 }),
          stockRow("B2", { rev: 2, available: 10, sell_out_in_seconds: 30 }),
        ]),
      ),
      0,
    );
    store.flush();
    expect(skus(store)).toEqual([
      ["A1", 70, 7],
      ["B2", 10, 2],
      ["C3", 3, 1],
    ]);
    expect(store.getSnapshot().stock[1]?.sell_out_in_seconds).toBe(30);
    expect(store.getSnapshot().stock[0]?.received_at).toBe(1762862401000);
  });

  it("keeps the stock array identical when a frame changes no row", () => {
    const store = withStock();
    const before = store.getSnapshot().stock;
    store.publication(pub(stockFrame("E1", 2, [stockRow("A1", { rev: 1 })])), 0); // older: dropped
    store.publication(pub(metricsFrame("E1", 3, { online: 1 })), 0);
    store.flush();
    expect(store.getSnapshot().stock).toBe(before);
  });

  it("appends alerts in stream order and keeps only the last maxAlerts", () => {
    const store = withStock({ maxAlerts: 3 });
    for (let i = 0; i < 4; i++) {
      store.publication(pub(alertFrame("E1", 2 + i, { sku: `S${i}`, ts: 2000 + i })), 0);
    }
    store.flush();
    expect(store.getSnapshot().alerts.map((a) => a.sku)).toEqual(["S1", "S2", "S3"]);
    expect(store.getSnapshot().alerts[2]).toEqual({
      id: null,
      kind: "sold_out",
      severity: "critical",
      roles: ["field_control", "assistant"],
      sku: "S3",
      available: 0,
      text: "A1 已售罄 / sold out",
      ts: 2003,
      rule: "sold_out",
      subject: "S3",
      ...BEFORE_12,
    });
  });

  it("a snapshot replaces stock and alerts; resync drops them", () => {
    const store = withStock();
    store.publication(pub(stockFrame("E1", 2, [stockRow("Z9", { rev: 99 })])), 0);
    store.publication(pub(alertFrame("E1", 3)), 0);
    store.snapshot(snap("E1", 9, { stock: [stockRow("A1", { rev: 1, available: 1 })], alerts: [] }), 0);
    store.flush();
    // Even a lower rev: the snapshot is the whole picture, not a delta.
    expect(skus(store)).toEqual([["A1", 1, 1]]);
    expect(store.getSnapshot().alerts).toEqual([]);

    store.resync("gone");
    store.flush();
    expect(store.getSnapshot().stock).toEqual([]);
    expect(store.getSnapshot().alerts).toEqual([]);
  });

  it("counts what it had to leave out", () => {
    const store = withStock();
    store.publication(pub(stockFrame("E1", 2, [stockRow("A1", { rev: 9, available: "x" }), stockRow("B2")])), 0);
    store.publication(pub({ type: "brand_new", epoch: "E1", offset: 3 }), 0);
    store.flush();
    expect(store.getSnapshot().rejected).toBe(2);
    expect(skus(store)[0]).toEqual(["A1", 80, 5]);
  });
});

describe("LiveStore prompter, cues and actions", () => {
  const ACKED = {
    acked_at: "2025-11-11T12:02:04.500000Z",
    ack_seconds: 4.5,
    acked_by: { label: "主播", role: "anchor" },
  };
  const ids = (store: LiveStore) => store.getSnapshot().cues.map((c) => [c.id, c.acked_at !== null]);

  function withPrompter(options: { maxCues?: number; maxActions?: number } = {}) {
    const frames = manualFrames();
    const store = new LiveStore({ schedule: frames.schedule, ...options });
    store.snapshot(
      snap("E1", 1, {
        prompter: prompterJson({ cues: [cueJson(3)] }),
        cues: [cueJson(1, ACKED), cueJson(3)],
      }),
      0,
    );
    store.flush();
    return store;
  }

  it("takes the prompter and the cues from the snapshot, stamped with its server time", () => {
    const store = withPrompter();
    const s = store.getSnapshot();
    expect(s.prompter?.segment?.id).toBe("push-A1");
    expect(s.prompterAt).toBe(Date.parse("2025-11-11T12:10:00Z"));
    expect(ids(store)).toEqual([
      [1, true],
      [3, false],
    ]);
  });

  it("replaces the prompter with each prompter message", () => {
    const store = withPrompter();
    store.publication(pub(prompterFrame("E1", 2, prompterJson({ text: "只剩36件！", remaining_seconds: 120 }))), 0);
    store.flush();
    expect(store.getSnapshot().prompter?.text).toBe("只剩36件！");
    expect(store.getSnapshot().prompterAt).toBe(1762862405000);
  });

  it("adds a sent cue, and replaces it by id when acknowledged; ordered oldest first", () => {
    const store = withPrompter();
    store.publication(pub(cueFrame("E1", 2, cueJson(2))), 0); // created between 1 and 3
    store.flush();
    expect(ids(store)).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    store.publication(pub(cueFrame("E1", 3, cueJson(2, ACKED))), 0);
    store.flush();
    expect(store.getSnapshot().cues[1]).toMatchObject({ id: 2, ack_seconds: 4.5 });
  });

  it("never reopens an acknowledged cue: a prompter view rendered before the ack says open", () => {
    const store = withPrompter();
    store.publication(pub(cueFrame("E1", 2, cueJson(3, ACKED))), 0);
    store.publication(pub(prompterFrame("E1", 3, prompterJson({ cues: [cueJson(3)] }))), 0);
    store.flush();
    expect(ids(store)).toEqual([
      [1, true],
      [3, true],
    ]);
  });

  it("takes a cue from an HTTP answer at once; the server's message after it changes nothing", () => {
    const store = withPrompter();
    const acked = parseCue(cueJson(3, ACKED));
    if (acked === null) throw new Error("bad fixture");
    store.cue(acked);
    store.flush();
    const before = store.getSnapshot().cues;
    expect(before[1]?.acked_at).not.toBeNull();
    store.publication(pub(cueFrame("E1", 2, cueJson(3, ACKED))), 0);
    store.flush();
    expect(store.getSnapshot().cues).toBe(before);
  });

  it("keeps at most maxCues, dropping acknowledged ones before open ones", () => {
    const store = withPrompter({ maxCues: 3 });
    store.publication(pub(cueFrame("E1", 2, cueJson(5))), 0);
    store.publication(pub(cueFrame("E1", 3, cueJson(6))), 0);
    store.flush();
    expect(ids(store)).toEqual([
      [3, false],
      [5, false],
      [6, false],
    ]);
  });

  it("keeps the last maxActions actions", () => {
    const store = withPrompter({ maxActions: 2 });
    for (let i = 0; i < 3; i++) store.publication(pub(actionFrame("E1", 2 + i, 10 + i)), 0);
    store.flush();
    expect(store.getSnapshot().actions.map((a) => a.id)).toEqual([11, 12]);
  });

  it("keeps compliance and cue_unacked alerts whole", () => {
    const store = withPrompter();
    store.publication(
      pub(alertFrame("E1", 2, { kind: "cue_unacked", severity: "warning", sku: null, available: null, cue_id: 3 })),
      0,
    );
    store.flush();
    expect(store.getSnapshot().alerts.at(-1)).toMatchObject({ kind: "cue_unacked", cue_id: 3, sku: null });
    expect(store.getSnapshot().alerts.at(-1)).not.toHaveProperty("epoch");
  });

  it("replaces an alert by its id (acknowledged, resolved, escalated); alerts without one add up", () => {
    const store = withPrompter();
    const low = { kind: "low_stock", severity: "warning", available: 5, id: "al_0000000000000001" };
    store.publication(pub(alertFrame("E1", 2, low)), 0);
    store.publication(pub(alertFrame("E1", 3, { id: "al_0000000000000002" })), 0);
    store.publication(pub(alertFrame("E1", 4, { ...low, available: 0, severity: "critical" })), 0);
    store.publication(pub(alertFrame("E1", 5, { kind: "low_stock", severity: "warning" })), 0);
    store.publication(pub(alertFrame("E1", 6, { kind: "low_stock", severity: "warning" })), 0);
    store.flush();
    expect(store.getSnapshot().alerts.map((a) => [a.id, a.severity])).toEqual([
      ["al_0000000000000001", "critical"],
      ["al_0000000000000002", "critical"],
      [null, "warning"],
      [null, "warning"],
    ]);
  });

  it("resync drops the prompter, cues and actions; a snapshot without them leaves none", () => {
    const store = withPrompter();
    store.publication(pub(actionFrame("E1", 2, 10)), 0);
    store.resync("gone");
    store.flush();
    expect([store.getSnapshot().prompter, store.getSnapshot().cues, store.getSnapshot().actions]).toEqual([
      null,
      [],
      [],
    ]);
    store.snapshot(snap("E2", 1), 0);
    store.flush();
    expect(store.getSnapshot().prompterAt).toBeNull();
  });
});

describe("LiveStore alerts of contract §12", () => {
  const ACKED = {
    state: "acknowledged",
    acked_at: "2025-11-11T12:00:08.000000Z",
    acked_by: { label: "助播小李", role: "assistant" },
    ack_seconds: 6,
  };
  const RESOLVED = { ...ACKED, state: "resolved", resolved_at: "2025-11-11T12:01:02.000000Z", resolve_seconds: 60 };

  function withAlert(options: { maxAlerts?: number } = {}) {
    const store = new LiveStore({ schedule: manualFrames().schedule, ...options });
    store.snapshot(snap("E1", 1, { alerts: [alertJson()] }), 0);
    store.flush();
    return store;
  }
  const states = (store: LiveStore) => store.getSnapshot().alerts.map((a) => [a.id, a.state]);
  const frame = (offset: number, extra: Record<string, unknown>) =>
    pub({ type: "alert", epoch: "E1", offset, server_time: 1762862410000, ...alertJson(extra) });

  it("follows an alert from firing to acknowledged to resolved, in place", () => {
    const store = withAlert();
    store.publication(frame(2, ACKED), 0);
    store.flush();
    expect(store.getSnapshot().alerts).toMatchObject([
      { id: "al_00000000000000a1", state: "acknowledged", acked_by: { label: "助播小李" } },
    ]);
    store.publication(frame(3, RESOLVED), 0);
    store.flush();
    expect(states(store)).toEqual([["al_00000000000000a1", "resolved"]]);
  });

  it("never takes an alert back to an earlier state", () => {
    const store = withAlert();
    store.publication(frame(2, RESOLVED), 0);
    store.publication(frame(3, ACKED), 0);
    store.publication(frame(4, { severity: "critical", detail: { escalated: true } }), 0);
    store.flush();
    expect(store.getSnapshot().alerts).toMatchObject([{ state: "resolved", severity: "warning", escalated: false }]);
  });

  it("an escalation replaces the firing alert", () => {
    const store = withAlert();
    store.publication(frame(2, { severity: "critical", detail: { escalated: true } }), 0);
    store.flush();
    expect(store.getSnapshot().alerts).toMatchObject([{ state: "firing", severity: "critical", escalated: true }]);
  });

  it("shows an HTTP answer at once; the server's message after it changes nothing", () => {
    const store = withAlert();
    const before = store.getSnapshot();
    const answer = parseAlert(alertJson(ACKED));
    if (answer === null) throw new Error("bad fixture");
    store.alert(answer);
    store.flush();
    expect(states(store)).toEqual([["al_00000000000000a1", "acknowledged"]]);
    expect(store.getSnapshot().alerts).not.toBe(before.alerts);
    // An answer for an alert the console does not hold is not taken.
    store.alert({ ...answer, id: "al_00000000000000ff" });
    // An answer older than what the stream said is not taken either.
    store.publication(frame(2, RESOLVED), 0);
    store.alert(answer);
    store.flush();
    expect(states(store)).toEqual([["al_00000000000000a1", "resolved"]]);
  });

  it("over its bound, drops the oldest resolved alerts before any open one", () => {
    const store = withAlert({ maxAlerts: 3 });
    for (let i = 0; i < 3; i++) {
      store.publication(frame(2 + i, { ...RESOLVED, id: `al_00000000000000b${i}` }), 0);
    }
    store.flush();
    expect(states(store)).toEqual([
      ["al_00000000000000a1", "firing"],
      ["al_00000000000000b1", "resolved"],
      ["al_00000000000000b2", "resolved"],
    ]);
  });
});
