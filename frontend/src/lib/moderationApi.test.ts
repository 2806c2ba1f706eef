import { describe, expect, it } from "vitest";
import { addKeyword, parseRoomModeration, parseViewerCard } from "./moderationApi";

// A user card as src/liveops/moderation/schemas.py (ViewerCard) writes it.
const CARD = {
  viewer_id: "dy_v_0042",
  show_id: "s1",
  room: "抖音 8866",
  tier: "returning",
  channel: "feed",
  joins: 3,
  watch_seconds: 412.5,
  comments: [
    { id: "e2", ts: "2026-12-04T12:01:00Z", text: "骗子", hidden: true, reason: "hidden" },
    { id: "e1", ts: "2026-12-04T12:00:00Z", text: "多少钱", hidden: false, reason: null },
  ],
  comments_hidden: 1,
  orders: { created: 2, paid: 1, cancelled: 1, refunded: 0 },
  recent_orders: [
    { order_id: "o1", sku: "A", qty: 1, amount: 9900, created_at: "2026-12-04T12:00:30Z", state: "paid" },
  ],
  bans: {
    show: true,
    room: false,
    history: [
      {
        id: 7,
        viewer_id: "dy_v_0042",
        scope: "show",
        show_id: "s1",
        room: "抖音 8866",
        banned_at: "2026-12-04T12:02:00Z",
        by: "场控小王",
        lifted_at: null,
        lifted_by: null,
        active: true,
      },
      { id: 3, scope: "bogus" },
    ],
  },
};

describe("parseViewerCard", () => {
  it("reads the server's card", () => {
    const card = parseViewerCard(CARD, "x");
    expect(card.viewer_id).toBe("dy_v_0042");
    expect(card.tier).toBe("returning");
    expect(card.comments.map((c) => [c.id, c.hidden, c.reason])).toEqual([
      ["e2", true, "hidden"],
      ["e1", false, null],
    ]);
    expect(card.orders.paid).toBe(1);
    expect(card.recent_orders[0]?.amount).toBe(9900);
    expect(card.bans.show).toBe(true);
    expect(card.bans.room).toBe(false);
    expect(card.bans.history).toHaveLength(1); // the malformed one is left out
    expect(card.bans.history[0]?.by).toBe("场控小王");
  });

  it("survives an empty or odd answer", () => {
    const card = parseViewerCard({ comments: "no" }, "dy_1");
    expect(card.viewer_id).toBe("dy_1");
    expect(card.comments).toEqual([]);
    expect(card.bans).toEqual({ show: false, room: false, history: [] });
  });
});

describe("the room's filter", () => {
  it("reads the room's keyword list, words only", () => {
    expect(parseRoomModeration({ keywords: ["加微信", 3], version: 2 }, "r")).toMatchObject({
      room: "r",
      keywords: ["加微信"],
      version: 2,
    });
  });
});

describe("keywords", () => {
  it("adds a trimmed word once, compared as the filter compares", () => {
    expect(addKeyword(["加微信"], "  VX ")).toEqual(["加微信", "VX"]);
    expect(addKeyword(["vx"], "ＶＸ")).toEqual(["vx"]);
    expect(addKeyword(["a"], "   ")).toEqual(["a"]);
  });
});
