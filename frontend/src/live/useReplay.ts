import { useCallback, useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from "react";
import { getMe } from "../lib/api";
import {
  framesFor,
  initialReplay,
  parseReplayMessage,
  replayReducer,
  replayUrl,
  type ReplayEvent,
  type ReplayFrame,
  type ReplayMessage,
  type ReplayState,
} from "../lib/replay";
import { LiveClient, browserSocket, type SocketLike } from "./client";
import { LiveStore, type LiveState } from "./store";

export interface ReplayHandle {
  state: LiveState;
  replay: ReplayState;
  /** A button of the replay bar: folded into `replay` at once, and sent to the server. */
  dispatch: (event: ReplayEvent) => void;
}

/**
 * A socket that takes the `replay` messages out of the stream (the live client does not know
 * them) and hands them to `onReplay`; every other line goes on to the client as it came.
 */
function replaySocket(
  url: string,
  onReplay: (msg: ReplayMessage) => void,
  opened: (s: SocketLike) => void,
): SocketLike {
  const inner = browserSocket(url);
  const outer: SocketLike = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send: (data) => inner.send(data),
    close: (code, reason) => inner.close(code, reason),
  };
  inner.onopen = () => {
    opened(inner);
    outer.onopen?.();
  };
  inner.onmessage = (ev) => {
    if (typeof ev.data !== "string") return;
    const rest: string[] = [];
    for (const line of ev.data.split("\n")) {
      const msg = parseReplayMessage(line);
      if (msg !== null) onReplay(msg);
      else rest.push(line);
    }
    if (rest.length > 0) outer.onmessage?.({ data: rest.join("\n") });
  };
  inner.onclose = (ev) => outer.onclose?.(ev);
  inner.onerror = () => outer.onerror?.();
  return outer;
}

/**
 * The live console's state fed by a replay of an ended show (`…/live?replay=SPEED`), and the
 * replay bar's state. A reconnect opens a new replay and seeks it back to where this one was.
 */
export function useReplay(showId: string, speed: number, startMs: number, endMs: number): ReplayHandle {
  const [replay, fold] = useReducer(replayReducer, null, () => initialReplay(speed, startMs, endMs, Date.now()));
  const replayRef = useRef(replay);
  replayRef.current = replay;
  const socketRef = useRef<SocketLike | null>(null);

  const send = useCallback((frames: readonly ReplayFrame[]) => {
    for (const f of frames) {
      try {
        socketRef.current?.send(JSON.stringify(f));
      } catch {
        // not open: the reconnect seeks back to the position the bar shows
      }
    }
  }, []);

  const { store, client } = useMemo(() => {
    const store = new LiveStore();
    let connections = 0;
    const client = new LiveClient({
      url: () => replayUrl(showId, replayRef.current.speed),
      sink: store,
      createSocket: (url) =>
        replaySocket(
          url,
          (msg) => fold({ kind: "server", msg, at: Date.now() }),
          (socket) => {
            socketRef.current = socket;
            connections += 1;
            const r = replayRef.current;
            // A new connection starts the show over: put it back where the bar was.
            if (connections > 1 && r.status !== "connecting") {
              send([{ type: "replay.seek", position_ms: Math.round(r.positionMs) }]);
              if (r.status === "paused") send([{ type: "replay.pause" }]);
            }
          },
        ),
      probeAuth: async () => (await getMe()) !== null,
      onLog: (m) => console.info(`[replay ${showId}] ${m}`),
    });
    return { store, client };
    // The speed is read when connecting (replayRef), not a reason to build a new client.
  }, [showId, send]);

  useEffect(() => {
    client.start();
    return () => {
      socketRef.current = null;
      client.stop();
    };
  }, [client]);

  const dispatch = useCallback(
    (event: ReplayEvent) => {
      send(framesFor(replayRef.current, event));
      fold(event);
    },
    [send],
  );

  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return { state, replay, dispatch };
}
