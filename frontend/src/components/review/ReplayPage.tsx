import { useEffect, useMemo, useState } from "react";
import "../../fieldcontrol.css";
import "../../review.css";
import type { Me } from "../../lib/api";
import { useNow } from "../../lib/hooks";
import { DEFAULT_SPEED, positionAt } from "../../lib/replay";
import { getReview, timelineMarkers, type Review } from "../../lib/review";
import { onLinkClick, reviewPath } from "../../lib/route";
import { useLineup } from "../../lib/useLineup";
import { useReplay } from "../../live/useReplay";
import { CommentStream } from "../CommentStream";
import { ConnectionBanners } from "../ConnectionBanners";
import { ConsoleHeader } from "../ConsoleHeader";
import { KpiGrid } from "../KpiGrid";
import { OrderTape } from "../OrderTape";
import { ProductTable } from "../ProductTable";
import { TrendChart } from "../TrendChart";
import { ReplayBar } from "./ReplayBar";

/**
 * `/shows/{id}/replay`: the ended show played again (the live websocket with `?replay=SPEED`)
 * on the live console's panels, under the replay bar. The review gives the show's span and
 * the moments to jump to.
 */
export function ReplayPage({ showId, me }: { showId: string; me: Me }) {
  const [review, setReview] = useState<Review | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    getReview(showId).then(
      (r) => !cancelled && setReview(r),
      (err: unknown) => !cancelled && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [showId]);

  if (error !== null) {
    return (
      <div className="centered">
        <p className="panel notice notice--bad">回放无法打开 / cannot replay: {error}</p>
      </div>
    );
  }
  if (review === null) return <div className="centered muted">加载回放… Loading the replay…</div>;
  if (review.show.status !== "ended" || review.show.startedAt === null) {
    return (
      <div className="centered">
        <div className="panel notice">
          <p>只有已结束的直播可以回放 / only an ended show can be replayed.</p>
          <a href={reviewPath(showId)} onClick={(e) => onLinkClick(e, reviewPath(showId))}>
            返回复盘 Back to the review
          </a>
        </div>
      </div>
    );
  }
  return <ReplayView showId={showId} me={me} review={review} />;
}

function ReplayView({ showId, me, review }: { showId: string; me: Me; review: Review }) {
  const start = review.show.startedAt ?? 0;
  const end = review.show.endedAt ?? start;
  const { state, replay, dispatch } = useReplay(showId, DEFAULT_SPEED, start, end);
  const now = useNow(250);
  const position = positionAt(replay, now);
  const lineup = useLineup(showId, state.show);
  const markers = useMemo(() => timelineMarkers(review), [review]);

  useEffect(() => {
    document.title = `回放 ${review.show.title || showId} · LiveOps`;
  }, [review, showId]);

  return (
    <div className="page console replay" data-testid="replay-page">
      <ConsoleHeader
        showId={showId}
        show={state.show}
        conn={state.conn}
        me={me}
        serverNow={position}
        onRetryNow={() => {}}
        consoleName="回放"
        health={
          <a
            className="btn btn--small"
            href={reviewPath(showId)}
            data-testid="review-link"
            onClick={(e) => onLinkClick(e, reviewPath(showId))}
          >
            复盘 <span className="en">Review</span>
          </a>
        }
      />
      <ConnectionBanners
        conn={state.conn}
        resyncReason={state.resyncReason}
        onSignedIn={() => window.location.reload()}
      />
      <ReplayBar replay={replay} position={position} markers={markers} dispatch={dispatch} />
      <main className="console__grid">
        <section className="console__main">
          <KpiGrid
            metrics={state.metrics}
            metricsAt={state.metricsAt}
            feeds={state.feeds}
            targets={state.show?.targets ?? {}}
            showEnded={false}
            serverNow={position}
            hasData={state.show !== null}
          />
          <TrendChart
            series={state.series}
            actions={state.actions}
            endedAt={replay.status === "ended" ? new Date(replay.endMs).toISOString() : null}
          />
          <ProductTable products={state.products} alerts={state.alerts} lineup={lineup} />
        </section>
        <aside className="console__side">
          <CommentStream comments={state.comments} />
          <OrderTape orders={state.orders} />
        </aside>
      </main>
    </div>
  );
}
