import { useEffect, useMemo, useSyncExternalStore } from "react";
import { getMe } from "../lib/api";
import { LiveClient, liveUrl } from "./client";
import type { ActionRecord, Alert, CommerceState, Cue, QuestionsState } from "./protocol";
import { LiveStore, type LiveState } from "./store";

export interface LiveHandle {
  state: LiveState;
  /** Resume after signing in again (4401), or skip a backoff wait. */
  restart: () => void;
  retryNow: () => void;
  /** A cue from an HTTP answer (sent or acknowledged here): shown before the server's echo. */
  takeCue: (cue: Cue) => void;
  /** An alert from an HTTP answer (acknowledged or resolved here): shown before the server's. */
  takeAlert: (alert: Alert) => void;
  /**
   * Actions from an HTTP answer (one performed or undone here, or a page of `GET …/actions`):
   * folded into `state.actions` (and bans, hides) before the server's echo.
   */
  takeActions: (actions: readonly ActionRecord[]) => void;
  /** The commerce state from `GET …/commerce`: `state.commerce` until the stream sends one. */
  takeCommerce: (commerce: CommerceState) => void;
  /** The open clusters from `GET …/questions`: `state.questions` until the stream sends them. */
  takeQuestions: (questions: QuestionsState) => void;
}

/**
 * One store and one client per show page. The client lives as long as the page shows this
 * show; React only reads the store.
 */
export function useLive(showId: string): LiveHandle {
  const { store, client } = useMemo(() => {
    const store = new LiveStore();
    const client = new LiveClient({
      url: (position) => liveUrl(showId, position),
      sink: store,
      // A refused handshake looks like 1006 to a browser; ask HTTP whether we are signed out.
      probeAuth: async () => (await getMe()) !== null,
      onLog: (m) => console.info(`[live ${showId}] ${m}`),
    });
    return { store, client };
  }, [showId]);

  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return useMemo(
    () => ({
      state,
      restart: () => client.start(),
      retryNow: () => client.retryNow(),
      takeCue: (cue: Cue) => store.cue(cue),
      takeAlert: (alert: Alert) => store.alert(alert),
      takeActions: (actions: readonly ActionRecord[]) => store.actions(actions),
      takeCommerce: (commerce: CommerceState) => store.takeCommerce(commerce),
      takeQuestions: (questions: QuestionsState) => store.takeQuestions(questions),
    }),
    [state, client, store],
  );
}
