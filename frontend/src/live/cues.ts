/**
 * Cues held by a console: pure rules for merging what arrives (snapshot, `cue` messages, the
 * prompter's open cues, the answer to our own send or acknowledgement) and ordering it.
 */
import type { Cue } from "./protocol";

/** Epoch ms of a cue's creation (NaN-safe: an unreadable time sorts first). */
export function createdMs(cue: Cue): number {
  const t = Date.parse(cue.created_at);
  return Number.isNaN(t) ? 0 : t;
}

/** Oldest first: by creation time, then by id (ids grow with every action). */
export function compareCues(a: Cue, b: Cue): number {
  return createdMs(a) - createdMs(b) || a.id - b.id;
}

/**
 * The cue to keep when two readings of the same cue meet. A cue changes once: when it is
 * acknowledged (the first acknowledgement counts). So a reading that says "open" never
 * reopens a cue held as acknowledged (a prompter view rendered just before the
 * acknowledgement, or our own ack answer racing the server's `cue` message), and a second
 * reading of the same state changes nothing (an open cue's `open_seconds` is counted here, from
 * `created_at`).
 */
export function newerCue(held: Cue | undefined, incoming: Cue): Cue {
  if (held === undefined) return incoming;
  return held.acked_at === null && incoming.acked_at !== null ? incoming : held;
}

/** Merge readings into a map by id (mutates `into`); true when anything changed. */
export function mergeCues(into: Map<number, Cue>, cues: readonly Cue[]): boolean {
  let changed = false;
  for (const cue of cues) {
    const held = into.get(cue.id);
    const kept = newerCue(held, cue);
    if (kept !== held) {
      into.set(cue.id, kept);
      changed = true;
    }
  }
  return changed;
}

/**
 * Keep at most `max` cues (mutates `cues`): the oldest acknowledged ones go first; open cues
 * go only when there are more than `max` of them, oldest first.
 */
export function boundCues(cues: Map<number, Cue>, max: number): void {
  if (cues.size <= max) return;
  const ordered = [...cues.values()].sort(compareCues);
  let excess = cues.size - max;
  for (const cue of ordered) {
    if (excess <= 0) return;
    if (cue.acked_at !== null) {
      cues.delete(cue.id);
      excess -= 1;
    }
  }
  for (const cue of ordered) {
    if (excess <= 0) return;
    if (cues.delete(cue.id)) excess -= 1;
  }
}

/** The open cues, oldest first: the anchor answers them in the order they were sent. */
export function openCues(cues: readonly Cue[]): Cue[] {
  return cues.filter((c) => c.acked_at === null).sort(compareCues);
}

/** Seconds a cue has been open at `nowMs` (server clock), never negative. */
export function openSeconds(cue: Cue, nowMs: number): number {
  return Math.max(0, (nowMs - createdMs(cue)) / 1000);
}
