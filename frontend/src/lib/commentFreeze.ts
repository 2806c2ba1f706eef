/**
 * Freeze-on-hover for the comment stream (issue #12): while the pointer is over the list, a
 * finger holds it or a comment's tools are open, the rows on screen stay where they are and new
 * comments queue below the fold ("N 条新评论 ▼"); leaving (or tapping that button) shows them.
 *
 * The list held while frozen is the one on screen when it froze. The live list goes on under
 * it: it grows at the end, loses its oldest to the bound (~500), and loses comments that
 * moderation removed (a hide, a ban). A frozen view keeps the ones that only aged out (they
 * did nothing wrong, and dropping them would move every row) and drops the removed ones (a
 * hidden comment leaves at once, frozen or not). Pure; tested in commentFreeze.test.ts.
 */

export interface FrozenView<T> {
  /** The rows to show: the held ones, less those moderation removed since. */
  rows: readonly T[];
  /** Comments that arrived since it froze, oldest first. */
  queued: readonly T[];
  /**
   * None of the held comments is in the live list any more (more arrived than it holds):
   * `queued` is the whole live list and the true count is larger.
   */
  overflow: boolean;
}

/**
 * What a frozen stream shows, given the list `held` when it froze and the `live` list now.
 * Comments without an id (never sent by the server, but possible) are always kept and never
 * anchor the count.
 */
export function frozenView<T extends { id: string }>(held: readonly T[], live: readonly T[]): FrozenView<T> {
  if (held === live) return { rows: held, queued: [], overflow: false };
  const at = new Map<string, number>();
  live.forEach((c, i) => {
    if (c.id !== "") at.set(c.id, i);
  });
  // The oldest held comment still live: held comments before it aged out of the bound; held
  // comments after it that are not live were removed.
  const first = held.findIndex((c) => c.id !== "" && at.has(c.id));
  if (first < 0) return { rows: held, queued: live, overflow: live.length > 0 };
  const rows = held.filter((c, i) => c.id === "" || i < first || at.has(c.id));
  // The newest held comment still live: what comes after it in the live list is new.
  let newest = -1;
  for (let i = held.length - 1; i >= 0 && newest < 0; i--) {
    const id = held[i]?.id ?? "";
    if (id !== "") newest = at.get(id) ?? -1;
  }
  return { rows, queued: live.slice(newest + 1), overflow: false };
}

/** Why the stream is frozen (any one is enough). */
export interface FreezeCauses {
  /** A mouse or pen is over the list. */
  hover: boolean;
  /** A finger is on the list (or lifted a moment ago). */
  touch: boolean;
  /** A comment's tools are open. */
  tools: boolean;
}

export const NOT_FROZEN: FreezeCauses = { hover: false, touch: false, tools: false };

export function isFrozen(c: FreezeCauses): boolean {
  return c.hover || c.touch || c.tools;
}

/**
 * The list to hold next: none when not frozen; the live list when it just froze (or when the
 * operator asked to catch up while still frozen); else the one already held.
 */
export function nextHeld<T>(held: readonly T[] | null, frozen: boolean, live: readonly T[]): readonly T[] | null {
  if (!frozen) return null;
  return held ?? live;
}

/** "12 条新评论 ▼", "500+ 条新评论 ▼", or "" when nothing waits. */
export function queuedText(count: number, overflow: boolean): string {
  if (count === 0) return "";
  return `${count}${overflow ? "+" : ""} 条新评论 ▼`;
}
