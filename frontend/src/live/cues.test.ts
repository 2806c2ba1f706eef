import { describe, expect, it } from "vitest";
import { boundCues, mergeCues, newerCue, openCues, openSeconds } from "./cues";
import { parseCue, type Cue } from "./protocol";
import { cueJson } from "./testing";

function cue(id: number, extra: Record<string, unknown> = {}): Cue {
  const c = parseCue(cueJson(id, extra));
  if (c === null) throw new Error("bad fixture");
  return c;
}

const ACKED = { acked_at: "2025-11-11T12:00:09Z", ack_seconds: 3.2 };

describe("cues", () => {
  it("lists the open cues oldest first, by time then id", () => {
    const cues = [
      cue(4),
      cue(2, ACKED),
      cue(3),
      cue(13), // created at 12:03, like cue 3: the higher id is newer
    ];
    expect(openCues(cues).map((c) => c.id)).toEqual([3, 13, 4]);
  });

  it("an acknowledgement is final; anything else takes the incoming reading", () => {
    expect(newerCue(cue(1, ACKED), cue(1)).acked_at).not.toBeNull();
    expect(newerCue(cue(1), cue(1, ACKED)).acked_at).not.toBeNull();
    expect(newerCue(undefined, cue(1)).id).toBe(1);
    const map = new Map<number, Cue>([[1, cue(1, ACKED)]]);
    expect(mergeCues(map, [cue(1)])).toBe(false);
    expect(mergeCues(map, [cue(2)])).toBe(true);
    expect([...map.keys()]).toEqual([1, 2]);
  });

  it("bounds the held cues: acknowledged ones first, then the oldest open ones", () => {
    const map = new Map<number, Cue>([1, 2, 3, 4, 5].map((id) => [id, cue(id, id % 2 === 0 ? ACKED : {})]));
    boundCues(map, 3);
    expect([...map.keys()].sort()).toEqual([1, 3, 5]);
    boundCues(map, 2);
    expect([...map.keys()].sort()).toEqual([3, 5]);
  });

  it("counts how long a cue has been open on the server's clock", () => {
    const c = cue(1); // created 12:01:00Z
    expect(openSeconds(c, Date.parse("2025-11-11T12:01:07.5Z"))).toBe(7.5);
    expect(openSeconds(c, Date.parse("2025-11-11T12:00:00Z"))).toBe(0);
  });
});
