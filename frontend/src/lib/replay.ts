/**
 * The replay bar's logic, pure: the server's `replay` messages and the user's buttons fold
 * into one {@link ReplayState}; each button also names the client frame it sends. Protocol
 * (contract §13, the live websocket opened with `?replay=SPEED`): the server sends
 * `{"type":"replay","state","speed","position_ms","start_ms","end_ms"}` on every change and
 * about once a second; the client sends `replay.play`, `replay.pause`, `replay.speed` and
 * `replay.seek` (after a seek the server sends a fresh snapshot).
 *
 * The messages are live/protocol.ts's (checked against the server's in wire.conformance.ts).
 */
import type { ReplayControlMessage, ReplayMessage } from "../live/protocol";

export const REPLAY_SPEEDS = [1, 10, 30, 60, 120] as const;
export const MIN_SPEED = 1;
export const MAX_SPEED = 120;
export const DEFAULT_SPEED = 30;

export type ReplayPlayState = ReplayMessage["state"];

/** What the bar reads of the server's `replay` message. */
export type ReplayStatus = Pick<ReplayMessage, "state" | "speed" | "position_ms" | "start_ms" | "end_ms">;

/** What the bar sends. */
export type ReplayFrame = ReplayControlMessage;

export interface ReplayState {
  /** `connecting` until the server's first `replay` message. */
  status: ReplayPlayState | "connecting";
  speed: number;
  /** Show time (epoch ms) at `receivedAt`. */
  positionMs: number;
  startMs: number;
  endMs: number;
  /** Local epoch ms at which `positionMs` was true. */
  receivedAt: number;
  /** A seek sent and not yet confirmed by the server: the bar shows it meanwhile. */
  seekingTo: number | null;
}

export type ReplayEvent =
  | { kind: "server"; msg: ReplayStatus; at: number }
  | { kind: "play"; at: number }
  | { kind: "pause"; at: number }
  | { kind: "speed"; speed: number; at: number }
  | { kind: "seek"; positionMs: number; at: number };

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return DEFAULT_SPEED;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

/** Before the server speaks: the show's span from the review, at the speed asked. */
export function initialReplay(speed: number, startMs: number, endMs: number, now: number): ReplayState {
  return {
    status: "connecting",
    speed: clampSpeed(speed),
    positionMs: startMs,
    startMs,
    endMs: Math.max(startMs, endMs),
    receivedAt: now,
    seekingTo: null,
  };
}

/** Where the replay is at local time `now`: moving with the speed while playing, within the show. */
export function positionAt(s: ReplayState, now: number): number {
  if (s.seekingTo !== null) return s.seekingTo;
  const moved = s.status === "playing" ? Math.max(0, now - s.receivedAt) * s.speed : 0;
  return Math.min(s.endMs, Math.max(s.startMs, s.positionMs + moved));
}

/** 0–1 along the show, for the scrubber. */
export function progressOf(s: ReplayState, positionMs: number): number {
  const span = s.endMs - s.startMs;
  return span > 0 ? Math.min(1, Math.max(0, (positionMs - s.startMs) / span)) : 0;
}

export function replayReducer(s: ReplayState, e: ReplayEvent): ReplayState {
  switch (e.kind) {
    case "server":
      return {
        status: e.msg.state,
        speed: clampSpeed(e.msg.speed),
        positionMs: e.msg.position_ms,
        startMs: e.msg.start_ms,
        endMs: Math.max(e.msg.start_ms, e.msg.end_ms),
        receivedAt: e.at,
        seekingTo: null,
      };
    case "play": {
      // Playing from the end starts over, as a media player does.
      const at = positionAt(s, e.at);
      const from = s.status === "ended" || at >= s.endMs ? s.startMs : at;
      return { ...s, status: "playing", positionMs: from, receivedAt: e.at };
    }
    case "pause":
      return s.status === "playing" ? { ...s, status: "paused", positionMs: positionAt(s, e.at), receivedAt: e.at } : s;
    case "speed":
      return { ...s, speed: clampSpeed(e.speed), positionMs: positionAt(s, e.at), receivedAt: e.at };
    case "seek": {
      const to = Math.min(s.endMs, Math.max(s.startMs, e.positionMs));
      return {
        ...s,
        status: s.status === "ended" ? "paused" : s.status,
        positionMs: to,
        receivedAt: e.at,
        seekingTo: to,
      };
    }
  }
}

/**
 * The frames a user event sends, given the state before it: play after the end seeks to the
 * start first; a server message sends nothing.
 */
export function framesFor(s: ReplayState, e: ReplayEvent): ReplayFrame[] {
  switch (e.kind) {
    case "server":
      return [];
    case "play":
      return s.status === "ended" || positionAt(s, e.at) >= s.endMs
        ? [{ type: "replay.seek", position_ms: s.startMs }, { type: "replay.play" }]
        : [{ type: "replay.play" }];
    case "pause":
      return s.status === "playing" ? [{ type: "replay.pause" }] : [];
    case "speed":
      return [{ type: "replay.speed", speed: clampSpeed(e.speed) }];
    case "seek":
      return [{ type: "replay.seek", position_ms: Math.round(Math.min(s.endMs, Math.max(s.startMs, e.positionMs))) }];
  }
}

/** The live websocket's address for a replay at `speed`. */
export function replayUrl(
  showId: string,
  speed: number,
  loc: Pick<Location, "protocol" | "host"> = window.location,
): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/api/v1/shows/${encodeURIComponent(showId)}/live?replay=${clampSpeed(speed)}`;
}

/** 1:05:09 / 5:09, the time into the show. */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
