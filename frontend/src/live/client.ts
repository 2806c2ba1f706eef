/**
 * Framework-free websocket client for `/api/v1/shows/{id}/live` (docs/protocol.md).
 *
 * It owns the connection and the stream position and nothing else: every frame that may be
 * applied is handed, in offset order and exactly once, to a {@link LiveSink} (the store).
 * Keeping this out of React means a re-render can never drop, repeat or reorder a frame.
 */
import { backoffDelay } from "./backoff";
import {
  CloseCode,
  encodeClientMessage,
  isPublication,
  parseServerMessage,
  type ClientMessage,
  type Position,
  type Publication,
  type ReplayMessage,
  type ServerMessage,
  type SnapshotMessage,
} from "./protocol";

/** The minimal socket surface the client needs; the browser WebSocket is adapted to it. */
export interface SocketLike {
  onopen: (() => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type ConnState =
  /** First connection of this page, nothing received yet. */
  | "connecting"
  /** Connected and in step with the stream. */
  | "live"
  /** Connection lost; retrying, and will resume from the last position. */
  | "reconnecting"
  /** The position cannot be resumed; waiting for a fresh snapshot. */
  | "resyncing"
  /** 4401 (or the session is gone): stopped until the user signs in again. */
  | "signed_out"
  /** 4403 / 4404 / 1008: stopped for good; `error` says why. */
  | "failed"
  /** Closed normally (1000 from the server, or `stop()`). */
  | "closed";

export interface ConnStatus {
  state: ConnState;
  /** Position of the last snapshot or publication applied. */
  position: Position | null;
  /** Reconnect attempts since the last successful (re)start of the stream. */
  attempt: number;
  /** Local epoch ms of the next reconnect attempt, when one is scheduled. */
  nextRetryAt: number | null;
  /** Code of the last close, for the status line. */
  lastCloseCode: number | null;
  error: string | null;
}

/** Receives the stream, already ordered and de-duplicated. */
export interface LiveSink {
  /** Replace all state with this snapshot. */
  snapshot(msg: SnapshotMessage, receivedAt: number): void;
  /** Apply one publication; its offset is exactly one past the previous one. */
  publication(msg: Publication, receivedAt: number): void;
  /** The held state belongs to a lost history: drop it, a snapshot follows. */
  resync(reason: string): void;
  status(status: ConnStatus): void;
  /** A server clock reading (from pong), for age computations. */
  serverTime(serverTime: string, receivedAt: number): void;
}

export interface LiveClientOptions {
  /** Builds the socket URL; `position` is null for a fresh start. */
  url: (position: Position | null) => string;
  sink: LiveSink;
  createSocket?: (url: string) => SocketLike;
  /** Source of jitter; injectable for tests. */
  random?: () => number;
  /** Send a ping this often while connected. */
  pingIntervalMs?: number;
  /** With no frame at all for this long the connection is presumed dead and replaced. */
  idleTimeoutMs?: number;
  /**
   * Browsers hide the HTTP status of a refused handshake (they report 1006), so after a
   * connection that never opened the client asks the server whether the session is still
   * valid. Resolve `false` to mean "signed out".
   */
  probeAuth?: () => Promise<boolean>;
  /** A replay's `replay` message (a socket opened with `?replay=`), in stream order. */
  onReplay?: (msg: ReplayMessage, receivedAt: number) => void;
  onLog?: (message: string) => void;
}

/** Build the `…/live` URL for the page's own origin. The token never goes in it. */
export function liveUrl(
  showId: string,
  position: Position | null,
  loc: Pick<Location, "protocol" | "host"> = window.location,
): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  let url = `${scheme}//${loc.host}/api/v1/shows/${encodeURIComponent(showId)}/live`;
  if (position !== null) {
    url += `?epoch=${encodeURIComponent(position.epoch)}&offset=${position.offset}`;
  }
  return url;
}

/**
 * The subprotocol that lets the server put several messages in one frame, one per line
 * (docs/protocol.md): a busy show then costs the server one write per batch, not per message.
 */
export const NDJSON_SUBPROTOCOL = "liveops.ndjson";

/** Adapt the browser WebSocket to {@link SocketLike}. */
export function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url, [NDJSON_SUBPROTOCOL]);
  const s: SocketLike = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
  };
  ws.onopen = () => s.onopen?.();
  ws.onmessage = (ev: MessageEvent) => s.onmessage?.({ data: ev.data });
  ws.onclose = (ev: CloseEvent) => s.onclose?.({ code: ev.code, reason: ev.reason });
  ws.onerror = () => s.onerror?.();
  return s;
}

type Timer = ReturnType<typeof setTimeout>;

export class LiveClient {
  private readonly opts: Required<Omit<LiveClientOptions, "probeAuth" | "onLog" | "onReplay">> &
    Pick<LiveClientOptions, "probeAuth" | "onLog" | "onReplay">;
  private socket: SocketLike | null = null;
  private position: Position | null = null;
  /** True from a fresh connect or a `resync` until the snapshot arrives. */
  private awaitingSnapshot = true;
  /** True once any snapshot was applied; distinguishes "connecting" from "reconnecting". */
  private hadSnapshot = false;
  private running = false;
  private attempt = 0;
  private retryTimer: Timer | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private idleTimer: Timer | null = null;
  /** Bumped on every start/stop so that late async results (auth probes) are ignored. */
  private generation = 0;
  private current: ConnStatus = {
    state: "connecting",
    position: null,
    attempt: 0,
    nextRetryAt: null,
    lastCloseCode: null,
    error: null,
  };

  constructor(options: LiveClientOptions) {
    this.opts = {
      createSocket: browserSocket,
      random: Math.random,
      pingIntervalMs: 15_000,
      idleTimeoutMs: 45_000,
      ...options,
    };
  }

  get status(): ConnStatus {
    return this.current;
  }

  /** Last applied position (the one a resume presents). */
  getPosition(): Position | null {
    return this.position;
  }

  /** Connect (or, after `signed_out`, reconnect and resume from the kept position). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation += 1;
    this.attempt = 0;
    this.open();
  }

  /** Close for good: no reconnects until `start()`. */
  stop(): void {
    this.halt();
    this.setStatus({ state: "closed", nextRetryAt: null });
  }

  /** Skip the remaining backoff wait (e.g. the user clicked "reconnect now"). */
  retryNow(): void {
    if (!this.running || this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  // --- connection lifecycle ------------------------------------------------------------

  private open(): void {
    this.clearRetry();
    // position is null for a first connect and after resync/4400: those start fresh.
    const url = this.opts.url(this.position);
    this.setStatus({
      state: this.waitingState(),
      nextRetryAt: null,
    });

    const socket = this.opts.createSocket(url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.startHeartbeat();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.armIdle();
      if (typeof ev.data !== "string") return; // the protocol is text frames only
      // One message per line; JSON text never holds a raw newline, so splitting is exact.
      for (const line of ev.data.split("\n")) {
        if (this.socket !== socket) return; // a message closed the socket (e.g. a gap)
        const msg = parseServerMessage(line);
        if (msg === null) {
          this.log("ignored an unreadable message");
          continue;
        }
        this.handle(msg);
      }
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      this.onClosed(ev.code, ev.reason, opened);
    };
    socket.onerror = () => {
      // Always followed by a close event, which is where recovery happens.
    };
  }

  /** The state shown while a connection is being (re)established. */
  private waitingState(): ConnState {
    if (!this.hadSnapshot) return "connecting";
    return this.awaitingSnapshot ? "resyncing" : "reconnecting";
  }

  private onClosed(code: number, reason: string, opened: boolean): void {
    this.setStatus({ lastCloseCode: code });
    if (!this.running) return;
    switch (code) {
      case CloseCode.Normal:
        this.halt();
        this.setStatus({ state: "closed", nextRetryAt: null });
        return;
      case CloseCode.PolicyViolation:
        this.fail(`连接被拒绝（来源校验失败）/ handshake refused by policy${reason ? `: ${reason}` : ""}`);
        return;
      case CloseCode.Forbidden:
        this.fail("无权查看此场直播 / these credentials may not read this show");
        return;
      case CloseCode.NoSuchShow:
        this.fail("直播场次不存在 / no such show");
        return;
      case CloseCode.NotEnded:
        this.fail("直播尚未结束，不能回放 / only an ended show can be replayed");
        return;
      case CloseCode.BadReplay:
        this.fail("回放速度无效 / bad replay speed (1–120)");
        return;
      case CloseCode.Unauthenticated:
        this.signedOut();
        return;
      case CloseCode.BadPosition:
        // The server could not read our position: start over without one.
        this.position = null;
        this.awaitingSnapshot = true;
        this.scheduleReconnect();
        return;
      default:
        // 1006 (dropped), 1011 (server error), 1012 (restart), 1013 (not ready), 4008 (too slow) and anything
        // unknown: reconnect with backoff and resume.
        this.scheduleReconnect();
        if (!opened) this.probeAuth();
    }
  }

  private scheduleReconnect(): void {
    this.clearRetry();
    const delay = backoffDelay(this.attempt, this.opts.random);
    this.attempt += 1;
    this.setStatus({ state: this.waitingState(), attempt: this.attempt, nextRetryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.open();
    }, delay);
  }

  /** Drop the current socket (without treating its close as news) and reconnect. */
  private reconnect(why: string): void {
    this.log(`reconnecting: ${why}`);
    const socket = this.socket;
    this.socket = null;
    this.stopHeartbeat();
    if (socket !== null) {
      try {
        socket.close(CloseCode.Normal, why.slice(0, 100));
      } catch {
        // already closing
      }
    }
    this.scheduleReconnect();
  }

  private probeAuth(): void {
    const probe = this.opts.probeAuth;
    if (probe === undefined) return;
    const generation = this.generation;
    probe().then(
      (ok) => {
        if (!ok && this.running && this.generation === generation && this.socket === null) this.signedOut();
      },
      () => {
        // The probe itself failed (server down): keep retrying the socket.
      },
    );
  }

  private signedOut(): void {
    this.halt();
    this.setStatus({ state: "signed_out", nextRetryAt: null, error: null });
  }

  private fail(error: string): void {
    this.halt();
    this.setStatus({ state: "failed", nextRetryAt: null, error });
  }

  /** Stop everything but keep the position, so `start()` can resume. */
  private halt(): void {
    this.running = false;
    this.generation += 1;
    this.clearRetry();
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      try {
        socket.close(CloseCode.Normal, "client stopped");
      } catch {
        // already closing
      }
    }
  }

  // --- frames --------------------------------------------------------------------------

  private handle(msg: ServerMessage): void {
    const now = Date.now();
    if (isPublication(msg)) {
      this.onPublication(msg, now);
      return;
    }
    switch (msg.type) {
      case "snapshot":
        this.position = { epoch: msg.epoch, offset: msg.offset };
        this.awaitingSnapshot = false;
        this.hadSnapshot = true;
        this.attempt = 0;
        this.opts.sink.snapshot(msg, now);
        this.setStatus({ state: "live", position: this.position, attempt: 0, error: null });
        return;
      case "resumed": {
        const pos = this.position;
        if (pos === null || msg.epoch !== pos.epoch || msg.offset !== pos.offset) {
          // The server resumed from a position we did not present; what follows cannot be
          // trusted to line up with our state, so start over from a snapshot.
          this.position = null;
          this.awaitingSnapshot = true;
          this.reconnect("resumed at an unexpected position");
          return;
        }
        this.attempt = 0;
        this.setStatus({ state: "live", attempt: 0, error: null });
        return;
      }
      case "resync":
        this.position = null;
        this.awaitingSnapshot = true;
        this.opts.sink.resync(msg.reason);
        this.setStatus({ state: "resyncing", position: null });
        return;
      case "pong":
        if (msg.server_time !== "") this.opts.sink.serverTime(msg.server_time, now);
        return;
      case "error":
        this.log(`server error frame: ${msg.code} ${msg.message}`);
        return;
    }
  }

  private onPublication(msg: Publication, now: number): void {
    const pos = this.position;
    // Nothing to apply a change onto until the snapshot arrives (it will include this one).
    if (this.awaitingSnapshot || pos === null) return;
    if (msg.epoch !== pos.epoch) {
      // A new history began under us. Presenting the old position makes the server answer
      // `resync` with a fresh snapshot.
      this.reconnect(`epoch changed (${pos.epoch} -> ${msg.epoch})`);
      return;
    }
    if (msg.offset <= pos.offset) return; // already applied: a duplicate
    if (msg.offset !== pos.offset + 1) {
      // Something was skipped. Resume from the last applied position to get it back.
      this.reconnect(`gap: expected offset ${pos.offset + 1}, got ${msg.offset}`);
      return;
    }
    this.position = { epoch: msg.epoch, offset: msg.offset };
    this.opts.sink.publication(msg, now);
    if (msg.type === "replay") this.opts.onReplay?.(msg, now);
    this.setStatus({ position: this.position });
  }

  // --- heartbeat -----------------------------------------------------------------------

  /** Send a frame now if connected (a replay's controls); dropped when not. */
  sendMessage(msg: ClientMessage): boolean {
    if (this.socket === null) return false;
    this.send(msg);
    return true;
  }

  private send(msg: ClientMessage): void {
    try {
      this.socket?.send(encodeClientMessage(msg));
    } catch {
      // not open yet / already closing: the close handler takes over
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => this.send({ type: "ping" }), this.opts.pingIntervalMs);
    this.armIdle();
  }

  private armIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.socket !== null) this.reconnect("no frame received within the idle timeout");
    }, this.opts.idleTimeoutMs);
  }

  private stopHeartbeat(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.pingTimer = null;
    this.idleTimer = null;
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  // --- status --------------------------------------------------------------------------

  private setStatus(patch: Partial<ConnStatus>): void {
    this.current = { ...this.current, ...patch };
    this.opts.sink.status(this.current);
  }

  private log(message: string): void {
    this.opts.onLog?.(message);
  }
}
