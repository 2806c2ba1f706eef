import { useCallback, useEffect, useMemo, useState } from "react";
import "../fieldcontrol.css";
import type { Me } from "../lib/api";
import { useNow } from "../lib/hooks";
import { mergeActions, type MarkerNames } from "../lib/markers";
import { getCommerce, getRunsheet, performAction, recentActions } from "../lib/actionsApi";
import { getShowRoom, type BanScope } from "../lib/moderationApi";
import { questionsFromList } from "../lib/questions";
import { listQuestions } from "../lib/questionsApi";
import { useLineup } from "../lib/useLineup";
import type { ActionRecord, CommentItem } from "../live/protocol";
import { useLive } from "../live/useLive";
import { AlertFeed } from "./AlertFeed";
import { CommentStream, type CommentModeration } from "./CommentStream";
import { ConnectionBanners } from "./ConnectionBanners";
import { ConsoleHeader } from "./ConsoleHeader";
import { CuePanel } from "./CuePanel";
import { ActionBar } from "./fieldcontrol/ActionBar";
import { KeywordFilter } from "./fieldcontrol/KeywordFilter";
import { UserCard } from "./fieldcontrol/UserCard";
import { KpiGrid } from "./KpiGrid";
import { OrderTape } from "./OrderTape";
import { ProductTable } from "./ProductTable";
import { PrompterPreview } from "./PrompterPreview";
import { QuestionQueue } from "./QuestionQueue";
import { StockPanel } from "./StockPanel";
import { StreamHealthBadge } from "./StreamHealthBadge";
import { TrendChart } from "./TrendChart";

/** Roles that act from the console (contract §10), and those that also ban and edit the room's filter. */
const ACT_ROLES: ReadonlySet<string> = new Set(["field_control", "assistant", "admin", "operations"]);
const MODERATE_ROLES: ReadonlySet<string> = new Set(["field_control", "admin", "operations"]);

/** The field-control (场控) console for one show; the assistant (助播), operations and admin get it too. */
export function ConsolePage({ showId, me }: { showId: string; me: Me }) {
  const { state, restart, retryNow, takeCue, takeAlert, takeActions, takeCommerce, takeQuestions } = useLive(showId);
  // One clock for every age on the page, on the server's time base.
  const serverNow = useNow(1000) + state.clockOffsetMs;
  const { conn, show } = state;
  const showEnded = show?.status === "ended";
  const lineup = useLineup(showId, show);
  const canAct = ACT_ROLES.has(me.role);
  const canModerate = MODERATE_ROLES.has(me.role);

  const [room, setRoom] = useState<string | null>(null);
  const [history, setHistory] = useState<readonly ActionRecord[]>([]);
  const [segmentNames, setSegmentNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [viewer, setViewer] = useState<string | null>(null);
  const [keywordsOpen, setKeywordsOpen] = useState(false);

  useEffect(() => {
    let cancelled = false;
    getShowRoom(showId).then(
      (r) => !cancelled && setRoom(r),
      () => {},
    );
    recentActions(showId, 500).then(
      (list) => !cancelled && setHistory(list),
      () => {},
    );
    getCommerce(showId).then(
      (c) => !cancelled && c !== null && takeCommerce(c),
      () => {},
    );
    getRunsheet(showId).then(
      (rs) => !cancelled && setSegmentNames(new Map(rs.segments.map((s) => [s.id, s.title]))),
      () => {},
    );
    // The open questions, should the snapshot not hold them yet (the stream's win once sent).
    listQuestions(showId).then(
      (list) => !cancelled && takeQuestions(questionsFromList(list)),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [showId]);

  // An action answered here is folded at once (a hidden comment leaves the stream, a banned
  // viewer's later comments are dropped) before the server's echo; a pin or an announcement
  // reads the room's commerce state again so that the badge never waits for the stream.
  const onActed = useCallback(
    (a: ActionRecord) => {
      takeActions([a]);
      if (a.type === "product.pin" || a.type === "product.unpin" || a.type === "announcement.set") {
        getCommerce(showId).then(
          (c) => c !== null && takeCommerce(c),
          () => {},
        );
      }
    },
    [showId, takeActions, takeCommerce],
  );

  const markerActions = useMemo(() => mergeActions(history, state.actions), [history, state.actions]);
  const productName = useCallback((sku: string) => lineup.find((p) => p.sku === sku)?.name || sku, [lineup]);
  const markerNames = useMemo<MarkerNames>(
    () => ({ products: new Map(lineup.map((p) => [p.sku, p.name])), segments: segmentNames }),
    [lineup, segmentNames],
  );

  const ban = useCallback(
    async (viewerId: string, scope: BanScope, lift = false) => {
      onActed(await performAction(showId, { type: lift ? "viewer.unban" : "viewer.ban", viewer_id: viewerId, scope }));
    },
    [showId, onActed],
  );
  const moderation = useMemo<CommentModeration | null>(
    () =>
      canAct
        ? {
            canBan: canModerate,
            hasRoom: room !== null,
            hide: async (c: CommentItem) => {
              onActed(await performAction(showId, { type: "comment.hide", event_id: c.id }));
            },
            ban: (viewerId: string, scope: BanScope) => ban(viewerId, scope),
            openViewer: setViewer,
          }
        : null,
    [canAct, canModerate, room, showId, onActed, ban],
  );
  const closeViewer = useCallback(() => setViewer(null), []);

  useEffect(() => {
    document.title = show !== null ? `${show.title} · LiveOps 场控台` : "LiveOps 场控台";
  }, [show]);

  return (
    <div className="page console">
      <ConsoleHeader
        showId={showId}
        show={show}
        conn={conn}
        me={me}
        serverNow={serverNow}
        onRetryNow={retryNow}
        health={
          <StreamHealthBadge
            health={state.streamHealth}
            feeds={state.feeds}
            serverNow={serverNow}
            showEnded={showEnded}
          />
        }
      />

      <ConnectionBanners conn={conn} resyncReason={state.resyncReason} onSignedIn={restart} />

      <AlertFeed
        showId={showId}
        alerts={state.alerts}
        role={me.role}
        lineup={lineup}
        stock={state.stock}
        serverNow={serverNow}
        onMoved={takeAlert}
        hotkey
      />

      {canAct && (
        <ActionBar
          showId={showId}
          role={me.role}
          lineup={lineup}
          pinnedSku={state.commerce?.pinned_sku ?? null}
          announcement={state.commerce?.announcement ?? null}
          currentSegmentId={state.prompter?.segment?.id ?? null}
          onActed={onActed}
          onOpenKeywords={canModerate && room !== null ? () => setKeywordsOpen(true) : null}
        />
      )}

      <main className="console__grid">
        <section className="console__main">
          <PrompterPreview
            showId={showId}
            prompter={state.prompter}
            prompterAt={state.prompterAt}
            running={show?.status === "live"}
            serverNow={serverNow}
          />
          <KpiGrid
            metrics={state.metrics}
            metricsAt={state.metricsAt}
            feeds={state.feeds}
            targets={show?.targets ?? {}}
            showEnded={showEnded}
            serverNow={serverNow}
            hasData={show !== null}
          />
          <QuestionQueue
            showId={showId}
            role={me.role}
            questions={state.questions}
            serverNow={serverNow}
            nameOf={productName}
            hotkey
          />
          <StockPanel
            stock={state.stock}
            alerts={state.alerts}
            lineup={lineup}
            serverNow={serverNow}
            rejected={state.rejected}
          />
          <TrendChart
            series={state.series}
            actions={markerActions}
            names={markerNames}
            endedAt={showEnded ? (show?.ended_at ?? null) : null}
          />
          <ProductTable products={state.products} alerts={state.alerts} lineup={lineup} />
        </section>
        <aside className="console__side">
          <div className="console__cues">
            <CuePanel
              showId={showId}
              role={me.role}
              cues={state.cues}
              alerts={state.alerts}
              serverNow={serverNow}
              onSent={takeCue}
              hotkey
            />
          </div>
          <CommentStream comments={state.comments} moderation={moderation} />
          <OrderTape orders={state.orders} />
        </aside>
      </main>

      {viewer !== null && (
        <UserCard
          showId={showId}
          viewerId={viewer}
          canBan={canModerate}
          hasRoom={room !== null}
          onBan={ban}
          onClose={closeViewer}
        />
      )}
      {keywordsOpen && room !== null && <KeywordFilter room={room} onClose={() => setKeywordsOpen(false)} />}
    </div>
  );
}
