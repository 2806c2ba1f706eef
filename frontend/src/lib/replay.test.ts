import { describe, expect, it } from "vitest";
import {
  clampSpeed,
  formatOffset,
  framesFor,
  initialReplay,
  positionAt,
  progressOf,
  replayReducer,
  replayUrl,
  type ReplayEvent,
  type ReplayState,
  type ReplayStatus,
} from "./replay";
import { parseServerMessage } from "../live/protocol";

const START = 1_000_000;
const END = START + 600_000; // a ten-minute show

function server(state: ReplayStatus["state"], position: number, speed = 10): ReplayStatus {
  return { state, speed, position_ms: position, start_ms: START, end_ms: END };
}

function after(s: ReplayState, ...events: ReplayEvent[]): ReplayState {
  return events.reduce(replayReducer, s);
}

const fresh = () => initialReplay(30, START, END, 0);

describe("the replay message", () => {
  const frame = (over: Record<string, unknown>) =>
    JSON.stringify({ type: "replay", epoch: "e", offset: 3, server_time: 5, ...server("playing", START + 5), ...over });

  it("is read as a publication, and a malformed one keeps its position but is ignored", () => {
    expect(parseServerMessage(frame({}))).toMatchObject({
      type: "replay",
      offset: 3,
      state: "playing",
      position_ms: START + 5,
    });
    expect(parseServerMessage(frame({ state: "rewinding" }))).toMatchObject({ type: "ignored", offset: 3 });
    expect(parseServerMessage(frame({ speed: "fast" }))).toMatchObject({ type: "ignored", offset: 3 });
  });
});

describe("replayReducer", () => {
  it("waits for the server, then follows what it says", () => {
    const s = fresh();
    expect(s.status).toBe("connecting");
    const playing = after(s, { kind: "server", msg: server("playing", START + 60_000), at: 100 });
    expect(playing).toMatchObject({ status: "playing", speed: 10, positionMs: START + 60_000, receivedAt: 100 });
  });

  it("moves the position with the speed while playing, not while paused, never past the end", () => {
    const playing = after(fresh(), { kind: "server", msg: server("playing", START, 10), at: 0 });
    expect(positionAt(playing, 1_000)).toBe(START + 10_000);
    expect(positionAt(playing, 10_000_000)).toBe(END);
    const paused = after(fresh(), { kind: "server", msg: server("paused", START + 5_000), at: 0 });
    expect(positionAt(paused, 60_000)).toBe(START + 5_000);
  });

  it("pauses where the bar is, and sends the pause", () => {
    const playing = after(fresh(), { kind: "server", msg: server("playing", START, 10), at: 0 });
    const pause: ReplayEvent = { kind: "pause", at: 2_000 };
    expect(framesFor(playing, pause)).toEqual([{ type: "replay.pause" }]);
    expect(after(playing, pause)).toMatchObject({ status: "paused", positionMs: START + 20_000 });
    // Pausing what is not playing sends nothing and changes nothing.
    const paused = after(playing, pause);
    expect(framesFor(paused, pause)).toEqual([]);
    expect(after(paused, pause)).toBe(paused);
  });

  it("plays from the start again once ended", () => {
    const ended = after(fresh(), { kind: "server", msg: server("ended", END), at: 0 });
    const play: ReplayEvent = { kind: "play", at: 5 };
    expect(framesFor(ended, play)).toEqual([{ type: "replay.seek", position_ms: START }, { type: "replay.play" }]);
    expect(after(ended, play)).toMatchObject({ status: "playing", positionMs: START });
  });

  it("shows a seek at once, clamped to the show, until the server confirms it", () => {
    const paused = after(fresh(), { kind: "server", msg: server("paused", START), at: 0 });
    const seek: ReplayEvent = { kind: "seek", positionMs: END + 99_999, at: 10 };
    expect(framesFor(paused, seek)).toEqual([{ type: "replay.seek", position_ms: END }]);
    const seeking = after(paused, seek);
    expect(seeking.seekingTo).toBe(END);
    expect(positionAt(seeking, 999_999)).toBe(END);
    const confirmed = after(seeking, { kind: "server", msg: server("paused", END - 1), at: 20 });
    expect(confirmed.seekingTo).toBeNull();
    expect(positionAt(confirmed, 30)).toBe(END - 1);
  });

  it.each([
    [60, 60],
    [0, 1],
    [500, 120],
    [Number.NaN, 30],
  ])("sends speed %s as %s", (asked, sent) => {
    const s = after(fresh(), { kind: "server", msg: server("playing", START, 10), at: 0 });
    const e: ReplayEvent = { kind: "speed", speed: asked, at: 1_000 };
    expect(framesFor(s, e)).toEqual([{ type: "replay.speed", speed: sent }]);
    // The position so far was at the old speed.
    expect(after(s, e)).toMatchObject({ speed: sent, positionMs: START + 10_000 });
  });
});

describe("helpers", () => {
  it("clamps speeds, places the scrubber, writes offsets and the socket address", () => {
    expect(clampSpeed(0.5)).toBe(1);
    expect(progressOf(fresh(), START + 150_000)).toBe(0.25);
    expect(progressOf(initialReplay(1, START, START, 0), START)).toBe(0);
    expect(formatOffset(65_000)).toBe("1:05");
    expect(formatOffset(3_725_000)).toBe("1:02:05");
    expect(replayUrl("a b", 60, { protocol: "https:", host: "x.test" })).toBe(
      "wss://x.test/api/v1/shows/a%20b/live?replay=60",
    );
  });
});
