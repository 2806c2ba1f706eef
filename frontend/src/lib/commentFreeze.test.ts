import { describe, expect, it } from "vitest";
import { NOT_FROZEN, frozenView, isFrozen, nextHeld, queuedText } from "./commentFreeze";

const list = (...ids: string[]) => ids.map((id) => ({ id }));
const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);

describe("a frozen comment stream", () => {
  it("shows what it held and queues what arrived since", () => {
    const held = list("a", "b", "c");
    const v = frozenView(held, list("a", "b", "c", "d", "e"));
    expect(ids(v.rows)).toEqual(["a", "b", "c"]);
    expect(ids(v.queued)).toEqual(["d", "e"]);
    expect(v.overflow).toBe(false);
  });

  it("is the live list itself when nothing changed", () => {
    const held = list("a", "b");
    expect(frozenView(held, held)).toEqual({ rows: held, queued: [], overflow: false });
  });

  it("keeps comments that only aged out of the bounded list: no row moves", () => {
    const v = frozenView(list("a", "b", "c"), list("b", "c", "d"));
    expect(ids(v.rows)).toEqual(["a", "b", "c"]);
    expect(ids(v.queued)).toEqual(["d"]);
  });

  it("drops a comment moderation removed (hidden, or a banned viewer's), frozen or not", () => {
    const v = frozenView(list("a", "b", "c", "d"), list("a", "c", "e"));
    expect(ids(v.rows)).toEqual(["a", "c"]);
    expect(ids(v.queued)).toEqual(["e"]);
  });

  it("counts from the newest held comment still live when the newest was removed", () => {
    const v = frozenView(list("a", "b", "c"), list("a", "b", "x", "y"));
    expect(ids(v.rows)).toEqual(["a", "b"]);
    expect(ids(v.queued)).toEqual(["x", "y"]);
  });

  it("says overflow when every held comment aged out (more arrived than the list holds)", () => {
    const v = frozenView(list("a", "b"), list("x", "y", "z"));
    expect(ids(v.rows)).toEqual(["a", "b"]);
    expect(ids(v.queued)).toEqual(["x", "y", "z"]);
    expect(v.overflow).toBe(true);
    expect(frozenView(list("a"), []).overflow).toBe(false);
  });

  it("keeps comments without an id and never counts from them", () => {
    const v = frozenView(list("a", "", "b"), list("a", "b", "c"));
    expect(ids(v.rows)).toEqual(["a", "", "b"]);
    expect(ids(v.queued)).toEqual(["c"]);
  });
});

describe("when it freezes", () => {
  it.each([
    [{ ...NOT_FROZEN }, false],
    [{ ...NOT_FROZEN, hover: true }, true],
    [{ ...NOT_FROZEN, touch: true }, true],
    [{ ...NOT_FROZEN, tools: true }, true],
  ])("%o → frozen %s", (causes, frozen) => {
    expect(isFrozen(causes)).toBe(frozen);
  });

  it("holds the live list when it freezes, keeps holding it, lets go when it thaws", () => {
    const first = list("a");
    const later = list("a", "b");
    const held = nextHeld(null, true, first);
    expect(held).toBe(first);
    expect(nextHeld(held, true, later)).toBe(first);
    expect(nextHeld(held, false, later)).toBeNull();
    // Catching up while still frozen: drop the held list, hold the live one.
    expect(nextHeld(null, true, later)).toBe(later);
  });

  it("says how many wait", () => {
    expect(queuedText(0, false)).toBe("");
    expect(queuedText(3, false)).toBe("3 条新评论 ▼");
    expect(queuedText(500, true)).toBe("500+ 条新评论 ▼");
  });
});
