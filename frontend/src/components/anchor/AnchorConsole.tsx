import { useEffect, useMemo } from "react";
import type { Me } from "../../lib/api";
import { formatCount } from "../../lib/format";
import { useNow } from "../../lib/hooks";
import { clockTone, formatMinSec, segmentClock } from "../../lib/prompter";
import { onLinkClick, showPath } from "../../lib/route";
import { useLineup } from "../../lib/useLineup";
import type { ConnState } from "../../live/client";
import { openCues } from "../../live/cues";
import type { PrompterView } from "../../live/protocol";
import type { LiveState } from "../../live/store";
import { useLive } from "../../live/useLive";
import { SignIn } from "../SignIn";
import { ComplianceHints } from "./ComplianceHints";
import { CueBanner } from "./CueBanner";
import { ScriptText } from "./ScriptText";

/** Roles that may acknowledge a cue (docs/runsheet.md). */
const ACKING_ROLES: ReadonlySet<string> = new Set(["anchor", "admin", "operations"]);

const CONN_TEXT: Record<ConnState, string | null> = {
  live: null,
  connecting: "连接中…",
  reconnecting: "重连中…",
  resyncing: "重新同步中…",
  signed_out: "已退出登录",
  failed: "连接已停止",
  closed: "已断开",
};

/**
 * The anchor's (主播) console: read at a distance, under pressure, on camera. The script
 * with its live values, the segment's clock, what comes next, the product's price and stock
 * and the room's size; cues from field control across the screen until acknowledged. Nothing
 * else: no tiles, no tables.
 */
export function AnchorConsole({ showId, me }: { showId: string; me: Me }) {
  const { state, restart, takeCue } = useLive(showId);
  // A quarter second: the clock turns over close to the real second.
  const serverNow = useNow(250) + state.clockOffsetMs;
  const { conn, show, prompter } = state;
  const open = useMemo(() => openCues(state.cues), [state.cues]);
  const preview = me.role !== "anchor";

  useEffect(() => {
    document.title = show !== null ? `主播提词 · ${show.title}` : "主播提词 · LiveOps";
  }, [show]);

  const connText = CONN_TEXT[conn.state];
  return (
    <div className="anchor" data-testid="anchor-console">
      {preview && (
        <nav className="anchor__preview">
          <span>
            主播视图 <span className="en">anchor's view</span>
          </span>
          <a href={showPath(showId)} onClick={(e) => onLinkClick(e, showPath(showId))} data-testid="back-to-console">
            ← 返回场控台
          </a>
        </nav>
      )}

      <CueBanner
        showId={showId}
        open={open}
        canAck={ACKING_ROLES.has(me.role)}
        serverNow={serverNow}
        onAcked={takeCue}
      />

      {prompter === null ? (
        <main className="anchor__empty">
          <p>{show === null ? "正在连接…" : "暂无提词"}</p>
          <p className="en">{show === null ? "connecting…" : "no run-sheet for this show yet"}</p>
        </main>
      ) : (
        <Prompter state={state} prompter={prompter} serverNow={serverNow} showId={showId} />
      )}

      <footer className="anchor__foot">
        <ComplianceHints alerts={state.alerts} serverNow={serverNow} />
        <span
          className={`anchor__conn anchor__conn--${conn.state}`}
          data-testid="conn-state"
          data-state={conn.state}
          role="status"
        >
          <span className="conn__dot" aria-hidden="true" />
          {connText ?? (show?.status === "ended" ? "直播已结束" : "实时")}
        </span>
      </footer>

      {conn.state === "signed_out" && (
        <div className="overlay">
          <SignIn reason="会话已过期，请重新登录 / your session ended, sign in again" onSignedIn={restart} />
        </div>
      )}
    </div>
  );
}

function Prompter({
  state,
  prompter,
  serverNow,
  showId,
}: {
  state: LiveState;
  prompter: PrompterView;
  serverNow: number;
  showId: string;
}) {
  const running = state.show?.status === "live";
  const clock = segmentClock(prompter, state.prompterAt, serverNow, running);
  const seg = prompter.segment;
  const lineup = useLineup(showId, state.show);
  const product = seg?.sku != null ? lineup.find((p) => p.sku === seg.sku) : undefined;
  const values = prompter.values;
  const online = onlineText(values.online ?? null, state.metrics.online);
  const stockLeft = values.stock_left ?? null;
  const tone = clock === null ? "calm" : clockTone(clock);

  return (
    <>
      <header className="anchor__top">
        <h1 className="anchor__segment" data-testid="segment-title">
          {seg?.title ?? (state.show?.status === "ended" ? "直播已结束" : "等待开播")}
        </h1>
        {clock !== null && (
          <div className={`anchor__clock anchor__clock--${tone}`} role="timer" data-testid="segment-clock">
            <span className="anchor__clock-label">{tone === "over" ? "超时" : "剩余"}</span>
            <span className="anchor__clock-value num" data-testid="segment-clock-value">
              {tone === "over" ? `+${formatMinSec(clock.overrun)}` : formatMinSec(clock.remaining)}
            </span>
          </div>
        )}
      </header>

      <main className="anchor__body">
        {seg !== null && seg.sku !== null && (
          <dl className="facts" data-testid="anchor-facts">
            <div className="fact fact--product">
              <dt>商品</dt>
              <dd className="fact__name">{product?.name || seg.sku}</dd>
            </div>
            <div className="fact">
              <dt>直播价</dt>
              <dd className="num" data-testid="fact-live-price">
                {values.live_price ?? "—"}
              </dd>
            </div>
            <div className={`fact${stockLeft === "0" ? " fact--out" : ""}`}>
              <dt>库存</dt>
              <dd className="num" data-testid="fact-stock">
                {stockLeft === "0" ? "已售罄" : (stockLeft ?? "—")}
              </dd>
            </div>
            <div className="fact">
              <dt>在线</dt>
              <dd className="num" data-testid="fact-online">
                {online ?? "—"}
              </dd>
            </div>
          </dl>
        )}
        {seg !== null && seg.sku === null && online !== null && (
          <dl className="facts facts--room" data-testid="anchor-facts">
            <div className="fact">
              <dt>在线</dt>
              <dd className="num" data-testid="fact-online">
                {online}
              </dd>
            </div>
          </dl>
        )}
        <div className="anchor__script">
          {seg === null ? (
            <p className="script script--idle">
              {state.show?.status === "ended" ? "辛苦了！" : "开播后这里显示本段台词"}
            </p>
          ) : (
            <ScriptText className="script" text={prompter.text} parts={prompter.parts} testId="script-text" />
          )}
        </div>
      </main>

      <div className="anchor__next" data-testid="next-segment">
        {prompter.next !== null ? (
          <>
            <span className="anchor__next-label">{seg === null ? "第一段" : "下一段"}</span> {prompter.next.title}
          </>
        ) : (
          seg !== null && <span className="anchor__next-label">最后一段</span>
        )}
      </div>
    </>
  );
}

/** The prompter's `{online}` value (a plain integer), else the live metric, grouped for reading. */
function onlineText(value: string | null, metric: number | undefined): string | null {
  if (value !== null) {
    const n = Number(value);
    return value !== "" && Number.isFinite(n) ? formatCount(n) : value;
  }
  return metric !== undefined ? formatCount(metric) : null;
}
