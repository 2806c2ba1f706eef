import { useEffect } from "react";
import type { Me } from "../lib/api";
import { useNow } from "../lib/hooks";
import { useLineup } from "../lib/useLineup";
import { useLive } from "../live/useLive";
import { AlertFeed } from "./AlertFeed";
import { CommentStream } from "./CommentStream";
import { ConsoleHeader } from "./ConsoleHeader";
import { CuePanel } from "./CuePanel";
import { KpiGrid } from "./KpiGrid";
import { OrderTape } from "./OrderTape";
import { ProductTable } from "./ProductTable";
import { PrompterPreview } from "./PrompterPreview";
import { SignIn } from "./SignIn";
import { StockPanel } from "./StockPanel";
import { StreamHealthBadge } from "./StreamHealthBadge";
import { TrendChart } from "./TrendChart";

/** The field-control (场控) console for one show; the assistant (助播), operations and admin get it too. */
export function ConsolePage({ showId, me }: { showId: string; me: Me }) {
  const { state, restart, retryNow, takeCue, takeAlert } = useLive(showId);
  // One clock for every age on the page, on the server's time base.
  const serverNow = useNow(1000) + state.clockOffsetMs;
  const { conn, show } = state;
  const showEnded = show?.status === "ended";
  const lineup = useLineup(showId, show);

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

      {conn.state === "failed" && (
        <div className="banner banner--bad" role="alert" data-testid="conn-error">
          {conn.error ?? "连接已停止 / stopped"}
        </div>
      )}
      {conn.state === "resyncing" && state.resyncReason !== null && (
        <div className="banner banner--warn" role="status">
          数据流已重置，正在重新同步 / stream history lost, resyncing: {state.resyncReason}
        </div>
      )}
      {conn.state === "signed_out" && (
        <div className="overlay">
          <SignIn reason="会话已过期，请重新登录 / your session ended, sign in again" onSignedIn={restart} />
        </div>
      )}

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
          <StockPanel
            stock={state.stock}
            alerts={state.alerts}
            lineup={lineup}
            serverNow={serverNow}
            rejected={state.rejected}
          />
          <TrendChart series={state.series} />
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
            />
          </div>
          <CommentStream comments={state.comments} />
          <OrderTape orders={state.orders} />
        </aside>
      </main>
    </div>
  );
}
