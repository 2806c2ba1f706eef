import { describe, expect, it } from "vitest";
import { isPublication, parseCommerce, parseServerMessage, type Publication, type SnapshotMessage } from "./protocol";
import { LiveStore } from "./store";
import { actionFrame, feedFrame, snapshotFrame } from "./testing";

/** A commerce state as the server sends it (`GET …/commerce`, the `commerce` message). */
function commerceJson(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pinned_sku: "A1",
    announcement: "今晚8点福袋",
    prices: [{ sku: "A1", name: "口红", list_price: 19_900, live_price: 9_900 }],
    coupons: [
      {
        coupon_id: "C10",
        amount_off: 1_000,
        threshold: null,
        quantity: 100,
        state: "issued",
        issued_at: "2025-11-11T12:05:00Z",
        stopped_at: null,
      },
    ],
    lucky_bags: [
      {
        bag_id: "B1",
        prize: "口红一支",
        winners: 2,
        condition: "comment",
        state: "drawn",
        started_at: "2025-11-11T12:01:00Z",
        drawn_at: "2025-11-11T12:06:00Z",
        seed: 42,
        candidates: 17,
        winner_ids: ["v3", "v9"],
      },
    ],
    held: [
      {
        id: 7,
        type: "price.set",
        by: { label: "助播小李", role: "assistant" },
        at: "2025-11-11T12:09:58Z",
        state: "held",
        applies_at: "2025-11-11T12:10:08Z",
        sku: "A1",
        live_price: 8_900,
      },
    ],
    ...extra,
  };
}

function commerceFrame(offset: number, commerce: unknown) {
  return { type: "commerce", epoch: "E1", offset, server_time: 1762862406000, commerce };
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

describe("the commerce state on the wire", () => {
  it("reads a commerce publication whole, its held actions as action records", () => {
    const msg = parse(commerceFrame(5, commerceJson()));
    expect(msg).toMatchObject({ type: "commerce", offset: 5, server_time: "2025-11-11T12:00:06.000Z" });
    if (msg?.type !== "commerce") throw new Error("not commerce");
    expect(isPublication(msg)).toBe(true);
    expect(msg.commerce.pinned_sku).toBe("A1");
    expect(msg.commerce.prices).toEqual([{ sku: "A1", name: "口红", list_price: 19_900, live_price: 9_900 }]);
    expect(msg.commerce.coupons[0]).toMatchObject({ coupon_id: "C10", threshold: null, state: "issued" });
    expect(msg.commerce.lucky_bags[0]).toMatchObject({ seed: 42, candidates: 17, winner_ids: ["v3", "v9"] });
    expect(msg.commerce.held[0]).toMatchObject({
      id: 7,
      type: "price.set",
      fields: { state: "held", applies_at: "2025-11-11T12:10:08Z", sku: "A1", live_price: 8_900 },
    });
  });

  it("reads no pinned product, no announcement and empty lists", () => {
    const c = parseCommerce(
      commerceJson({ pinned_sku: null, announcement: null, coupons: [], lucky_bags: [], held: [], prices: [] }),
    );
    expect(c).toEqual({ pinned_sku: null, announcement: null, prices: [], coupons: [], lucky_bags: [], held: [] });
  });

  it.each([
    ["a price in yuan as a string", { prices: [{ sku: "A1", name: "口红", list_price: "199", live_price: 9_900 }] }],
    ["a negative live price", { prices: [{ sku: "A1", name: "口红", list_price: 1, live_price: -1 }] }],
    ["a coupon state it does not know", { coupons: [{ ...(commerceJson().coupons as object[])[0], state: "paused" }] }],
    [
      "a lucky bag without winner_ids",
      { lucky_bags: [{ ...(commerceJson().lucky_bags as object[])[0], winner_ids: null }] },
    ],
    [
      "a held action without its id",
      { held: [{ type: "price.set", by: { label: "x", role: "assistant" }, at: "2025-11-11T12:00:00Z" }] },
    ],
    ["prices missing", { prices: undefined }],
    ["pinned_sku missing", { pinned_sku: undefined }],
  ])("refuses the whole state for %s: never a half-read price list", (_name, extra) => {
    const frame = commerceFrame(6, JSON.parse(JSON.stringify(commerceJson(extra))));
    expect(parse(frame)).toMatchObject({ type: "ignored", original: "commerce", offset: 6 });
  });

  it("a snapshot holds the commerce state; absent or null it is null, malformed it is null and counted", () => {
    expect(snap({ commerce: commerceJson() }).commerce?.pinned_sku).toBe("A1");
    expect(snap().commerce).toBeNull();
    expect(snap({ commerce: null }).commerce).toBeNull();
    const bad = snap({ commerce: { pinned_sku: 3 } });
    expect([bad.commerce, bad.rejected]).toEqual([null, 1]);
  });
});

describe("the live state's commerce and actions", () => {
  it("takes the snapshot's commerce, replaces it whole on a commerce message, keeps it over a null snapshot", () => {
    const s = store();
    s.snapshot(snap({ commerce: commerceJson() }), 0);
    s.flush();
    expect(s.getSnapshot().commerce?.held).toHaveLength(1);
    s.publication(pub(commerceFrame(2, commerceJson({ held: [], pinned_sku: null }))), 0);
    s.flush();
    expect(s.getSnapshot().commerce).toMatchObject({ held: [], pinned_sku: null });
    s.snapshot(snap({ commerce: null }), 0);
    s.flush();
    expect(s.getSnapshot().commerce?.pinned_sku).toBeNull();
    s.resync("gone");
    s.flush();
    expect(s.getSnapshot().commerce).toBeNull();
  });

  it("keeps one record per action id, the newest news of it (held → undone), in id order, bounded", () => {
    const s = new LiveStore({ schedule: () => () => {}, maxActions: 3 });
    s.snapshot(snap(), 0);
    s.publication(pub(actionFrame("E1", 2, 11, { type: "price.set", state: "held", sku: "A1", live_price: 1 })), 0);
    s.publication(pub(actionFrame("E1", 3, 10)), 0);
    s.publication(pub(actionFrame("E1", 4, 11, { type: "price.set", state: "undone", sku: "A1", live_price: 1 })), 0);
    s.flush();
    expect(s.getSnapshot().actions.map((a) => [a.id, a.fields.state ?? null])).toEqual([
      [10, null],
      [11, "undone"],
    ]);
    s.actions(
      [12, 13].map((id) => {
        const msg = pub(actionFrame("E1", 5, id));
        if (msg.type !== "action") throw new Error("not an action");
        return msg.action;
      }),
    );
    s.flush();
    expect(s.getSnapshot().actions.map((a) => a.id)).toEqual([11, 12, 13]);
  });

  it("keeps actions over a snapshot (a reconnect that could not resume), drops them on a resync", () => {
    const s = store();
    s.snapshot(snap(), 0);
    s.publication(pub(actionFrame("E1", 2, 10)), 0);
    s.snapshot(snap(), 0);
    s.flush();
    expect(s.getSnapshot().actions.map((a) => a.id)).toEqual([10]);
    s.resync("gone");
    s.flush();
    expect(s.getSnapshot().actions).toEqual([]);
  });

  it("takes an HTTP answer's commerce state only while the stream has sent none", () => {
    const s = store();
    s.snapshot(snap(), 0);
    const answer = parseCommerce(commerceJson({ announcement: "from HTTP" }));
    if (answer === null) throw new Error("bad fixture");
    s.takeCommerce(answer);
    s.flush();
    expect(s.getSnapshot().commerce?.announcement).toBe("from HTTP");
    s.publication(pub(commerceFrame(2, commerceJson({ announcement: "live" }))), 0);
    s.takeCommerce(answer); // an answer that arrives after the message is older than it
    s.flush();
    expect(s.getSnapshot().commerce?.announcement).toBe("live");
  });

  it("holds 200 actions by default", () => {
    const s = store();
    s.snapshot(snap(), 0);
    for (let i = 1; i <= 205; i++) s.publication(pub(actionFrame("E1", 1 + i, i)), 0);
    s.flush();
    expect(s.getSnapshot().actions).toHaveLength(200);
    expect(s.getSnapshot().actions[0]?.id).toBe(6);
  });

  it("comment.hide drops that comment from the feed; other comments stay", () => {
    const s = store();
    s.snapshot(snap(), 0); // comments c1 (v1), c2 (v2)
    s.publication(pub(actionFrame("E1", 2, 20, { type: "comment.hide", event_id: "c1", text: undefined })), 0);
    s.flush();
    expect(s.getSnapshot().comments.map((c) => c.id)).toEqual(["c2"]);
  });

  it("viewer.ban drops the viewer's comments from the ban's time on, and later ones; unban lifts it", () => {
    const s = store();
    s.snapshot(
      snap({
        feed: [
          { kind: "comment", id: "c1", ts: "2025-11-11T12:09:50Z", viewer_id: "v1", text: "早" },
          { kind: "comment", id: "c2", ts: "2025-11-11T12:09:55Z", viewer_id: "v1", text: "加微信" },
          { kind: "comment", id: "c3", ts: "2025-11-11T12:09:56Z", viewer_id: "v2", text: "好看" },
          { kind: "order", id: "o1", ts: "2025-11-11T12:09:57Z", event: "created", order_id: "O1", viewer_id: "v1" },
        ],
      }),
      0,
    );
    s.publication(
      pub(actionFrame("E1", 2, 21, { type: "viewer.ban", viewer_id: "v1", scope: "show", at: "2025-11-11T12:09:52Z" })),
      0,
    );
    s.flush();
    expect(s.getSnapshot().comments.map((c) => c.id)).toEqual(["c1", "c3"]);
    expect(s.getSnapshot().orders.map((o) => o.id)).toEqual(["o1"]); // the order tape flags it instead
    expect(s.getSnapshot().bannedViewers.get("v1")).toBe("2025-11-11T12:09:52Z");
    const late = feedFrame("E1", 3, 0);
    late.items = [{ kind: "comment", id: "c4", ts: "2025-11-11T12:10:30Z", viewer_id: "v1", text: "again" }];
    s.publication(pub(late), 0);
    s.flush();
    expect(s.getSnapshot().comments.map((c) => c.id)).toEqual(["c1", "c3"]);
    s.publication(pub(actionFrame("E1", 4, 22, { type: "viewer.unban", viewer_id: "v1", scope: "show" })), 0);
    s.flush();
    expect(s.getSnapshot().bannedViewers.size).toBe(0);
  });
});
