import { useCallback, useEffect, useMemo, useState } from "react";
import { getCommerce, getRunsheet, heldActions, recentActions, type Runsheet } from "../../lib/actionsApi";
import type { Me } from "../../lib/api";
import { questionsFromList } from "../../lib/questions";
import { listQuestions } from "../../lib/questionsApi";
import { useNow } from "../../lib/hooks";
import { useLineup } from "../../lib/useLineup";
import type { ActionRecord } from "../../live/protocol";
import { useLive } from "../../live/useLive";
import { AlertFeed } from "../AlertFeed";
import { ConnectionBanners } from "../ConnectionBanners";
import { ConsoleHeader } from "../ConsoleHeader";
import { QuestionQueue } from "../QuestionQueue";
import { StockPanel } from "../StockPanel";
import { StreamHealthBadge } from "../StreamHealthBadge";
import { FlaggedOrders } from "./FlaggedOrders";
import { HeldBar } from "./HeldBar";
import { ImpactPanel } from "./ImpactPanel";
import { ProductQueue, productQueue } from "./ProductQueue";
import { AnnouncementEditor, CouponPanel, LuckyBagPanel } from "./Promotions";
import "../../assistant.css";

const NO_RUNSHEET: Runsheet = { current_segment_id: null, segments: [] };

/**
 * The assistant's console (助播台, issue #11 item 6): the product queue in run-sheet order with
 * pin, price and flash-sale controls; the viewers' questions with reply templates (issue #12);
 * coupons, lucky bags and the announcement; money-moving actions previewed, then held in an
 * undo bar with a countdown; stock with the sell-out forecast, the order tape with flags, and
 * the alerts for the assistant.
 */
export function AssistantConsole({ showId, me }: { showId: string; me: Me }) {
  const { state, restart, retryNow, takeAlert, takeActions, takeCommerce, takeQuestions } = useLive(showId);
  // Four ticks a second: the undo countdown's bar moves smoothly.
  const serverNow = useNow(250) + state.clockOffsetMs;
  const { conn, show, commerce } = state;
  const showEnded = show?.status === "ended";
  const lineup = useLineup(showId, show);
  const [runsheet, setRunsheet] = useState<Runsheet>(NO_RUNSHEET);
  const onAir = state.prompter?.segment?.id ?? null;

  useEffect(() => {
    document.title = show !== null ? `${show.title} · LiveOps 助播台` : "LiveOps 助播台";
  }, [show]);

  // The run-sheet: when the page opens, when the show changes, when a segment goes on air.
  useEffect(() => {
    let cancelled = false;
    getRunsheet(showId).then(
      (r) => !cancelled && setRunsheet(r),
      () => undefined, // no run-sheet: the lineup's order
    );
    return () => {
      cancelled = true;
    };
  }, [showId, show, onAir]);

  // The audit log (bans, held and settled actions from before this page opened) and the
  // commerce state, should the snapshot not hold it yet.
  useEffect(() => {
    let cancelled = false;
    recentActions(showId).then(
      (list) => !cancelled && takeActions(list),
      () => undefined,
    );
    getCommerce(showId).then(
      (c) => {
        if (!cancelled && c !== null) takeCommerce(c); // only while the stream has sent none
      },
      () => undefined,
    );
    listQuestions(showId).then(
      (list) => !cancelled && takeQuestions(questionsFromList(list)), // likewise
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
    // Once per show: the live state keeps both current from then on.
  }, [showId]);

  const onActions = useCallback((list: ActionRecord[]) => takeActions(list), [takeActions]);

  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of lineup) if (p.name !== "") m.set(p.sku, p.name);
    for (const p of commerce?.prices ?? []) if (p.name !== "") m.set(p.sku, p.name);
    return m;
  }, [lineup, commerce]);
  const nameOf = useCallback((sku: string) => names.get(sku) ?? sku, [names]);
  const unitPrice = useCallback(
    (sku: string) => {
      const p = commerce?.prices.find((x) => x.sku === sku);
      if (p !== undefined) return p.live_price > 0 ? p.live_price : p.list_price;
      const l = lineup.find((x) => x.sku === sku);
      return l?.live_price ?? l?.list_price ?? null;
    },
    [commerce, lineup],
  );
  const currentSegment = onAir ?? runsheet.current_segment_id;
  const queue = useMemo(
    () => productQueue(runsheet.segments, currentSegment, lineup, names),
    [runsheet, currentSegment, lineup, names],
  );
  const held = useMemo(() => heldActions(commerce?.held ?? [], state.actions), [commerce, state.actions]);

  return (
    <div className="page assistant" data-testid="assistant-console">
      <ConsoleHeader
        showId={showId}
        show={show}
        conn={conn}
        me={me}
        serverNow={serverNow}
        onRetryNow={retryNow}
        consoleName="助播台"
        health={
          <StreamHealthBadge
            health={state.streamHealth}
            feeds={state.feeds}
            serverNow={serverNow}
            showEnded={showEnded}
          />
        }
      />
      <div className="as-title">
        <strong>助播台</strong> <span className="en">Assistant console</span>
        {currentSegment !== null && (
          <span className="muted small">
            {" "}
            · 当前环节 {runsheet.segments.find((s) => s.id === currentSegment)?.title ?? currentSegment}
          </span>
        )}
      </div>

      <ConnectionBanners conn={conn} resyncReason={state.resyncReason} onSignedIn={restart} />

      <HeldBar
        showId={showId}
        held={held}
        actions={state.actions}
        serverNow={serverNow}
        nameOf={nameOf}
        priceOf={(sku) => commerce?.prices.find((p) => p.sku === sku)?.live_price ?? null}
        onUndone={(a) => takeActions([a])}
      />

      <AlertFeed
        showId={showId}
        alerts={state.alerts}
        role={me.role}
        lineup={lineup}
        stock={state.stock}
        serverNow={serverNow}
        onMoved={takeAlert}
      />

      <main className="as-grid">
        <section className="as-col as-col--queue">
          <ProductQueue
            showId={showId}
            items={queue}
            commerce={commerce}
            lineup={lineup}
            stock={state.stock}
            serverNow={serverNow}
            onActions={onActions}
          />
          <StockPanel
            stock={state.stock}
            alerts={state.alerts}
            lineup={lineup}
            serverNow={serverNow}
            rejected={state.rejected}
          />
        </section>
        <section className="as-col as-col--promo">
          <QuestionQueue
            showId={showId}
            role={me.role}
            questions={state.questions}
            serverNow={serverNow}
            nameOf={nameOf}
            replies
          />
          <CouponPanel showId={showId} commerce={commerce} onActions={onActions} />
          <LuckyBagPanel showId={showId} commerce={commerce} onActions={onActions} />
          <AnnouncementEditor showId={showId} commerce={commerce} onActions={onActions} />
        </section>
        <aside className="as-col as-col--orders">
          <FlaggedOrders orders={state.orders} unitPrice={unitPrice} banned={state.bannedViewers} nameOf={nameOf} />
          <ImpactPanel showId={showId} actions={state.actions} />
        </aside>
      </main>
    </div>
  );
}
