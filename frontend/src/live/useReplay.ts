import { useCallback, useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from "react";
import { getMe } from "../lib/api";
import { framesFor, initialReplay, replayReducer, replayUrl, type ReplayEvent, type ReplayState } from "../lib/replay";
import { LiveClient, browserSocket } from "./client";
import { LiveStore, type LiveState } from "./store";

export interface ReplayHandle {
  state: LiveState;
  replay: ReplayState;
  /** A button of the replay bar: folded into `replay` at once, and sent to the server. */
  dispatch: (event: ReplayEvent) => void;
}

/**
 * The live console's state fed by a replay of an ended show (`…/live?replay=SPEED`), and the
 * replay bar's state. A replay has no history to resume (docs/protocol.md): a reconnect opens
 * a new one, which this seeks back to where the bar was.
 */
export function useReplay(showId: string, speed: number, startMs: number, endMs: number): ReplayHandle {
  const [replay, fold] = useReducer(replayReducer, null, () => initialReplay(speed, startMs, endMs, Date.now()));
  const replayRef = useRef(replay);
  useEffect(() => {
    replayRef.current = replay;
  }, [replay]);

  const { store, client } = useMemo(() => {
    const store = new LiveStore();
    // Sockets opened so far, and the one the last `replay` message came on (each seek starts
    // a new epoch on the same socket, so the epoch cannot tell a new connection).
    let opened = 0;
    let heard = 0;
    const client: LiveClient = new LiveClient({
      // The speed the bar shows now (a reconnect keeps it); no position: a replay starts over.
      url: () => replayUrl(showId, replayRef.current.speed),
      sink: store,
      createSocket: (url) => {
        opened += 1;
        return browserSocket(url);
      },
      probeAuth: async () => (await getMe()) !== null,
      onReplay: (msg, at) => {
        const before = replayRef.current;
        if (heard !== 0 && heard !== opened && before.status !== "connecting") {
          // A new connection began a new replay from the start: put it back where it was.
          client.sendMessage({ type: "replay.seek", position_ms: Math.round(before.positionMs) });
          if (before.status === "paused") client.sendMessage({ type: "replay.pause" });
        }
        heard = opened;
        fold({ kind: "server", msg, at });
      },
      onLog: (m) => console.info(`[replay ${showId}] ${m}`),
    });
    return { store, client };
    // The speed and span are read when connecting, not reasons to build a new client.
  }, [showId]);

  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  const dispatch = useCallback(
    (event: ReplayEvent) => {
      for (const frame of framesFor(replayRef.current, event)) client.sendMessage(frame);
      const next = replayReducer(replayRef.current, event);
      replayRef.current = next;
      fold(event);
    },
    [client],
  );

  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return { state, replay, dispatch };
}
