import { useEffect, useMemo } from "react";
import type { Me } from "../../lib/api";
import { useNow } from "../../lib/hooks";
import { beatLabel, clockTone, formatMinSec, headlines, segmentClock } from "../../lib/prompter";
import { anchorQuestions } from "../../lib/questions";
import { onLinkClick, showPath } from "../../lib/route";
import { useLineup } from "../../lib/useLineup";
import type { ConnState } from "../../live/client";
import { openCues } from "../../live/cues";
import type { Beat, PrompterView, QuestionsState } from "../../live/protocol";
import type { LiveState } from "../../live/store";
import { useLive } from "../../live/useLive";
import { SignedOutOverlay } from "../ConnectionBanners";
import { FitText } from "../FitText";
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
 * The anchor's (主播) console: read at a distance, under pressure, on camera. The segment
 * with its product and price, its clock with its beat (强推, 福利, …), three numbers (the
 * room, paid GMV, the product's stock left), the script with its live values, the top three
 * open question clusters (what viewers ask most, issue #12), what comes next; cues from field
 * control across the screen until acknowledged. Nothing else: no tables, no other tiles
 * (issue #10).
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

      <SignedOutOverlay conn={conn} onSignedIn={restart} />
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
  const numbers = useMemo(() => headlines(state.metrics, prompter), [state.metrics, prompter]);
  const tone = clock === null ? "calm" : clockTone(clock);
  const beat = beatLabel(seg?.beat);
  const asks = useMemo(() => anchorAsks(state.questions, prompter), [state.questions, prompter]);

  return (
    <>
      <header className="anchor__top">
        <div className="anchor__what">
          <h1 className="anchor__segment" data-testid="segment-title">
            {seg?.title ?? (state.show?.status === "ended" ? "直播已结束" : "等待开播")}
          </h1>
          {seg !== null && seg.sku !== null && (
            <p className="anchor__product" data-testid="anchor-product">
              <span className="anchor__product-name">{product?.name || seg.sku}</span>
              <span className="anchor__price">
                <span className="anchor__label">直播价</span>{" "}
                <span className="num" data-testid="anchor-live-price">
                  {prompter.values.live_price ?? "—"}
                </span>
              </span>
            </p>
          )}
        </div>
        <dl className="headlines" data-testid="anchor-headlines">
          {numbers.map((h) => (
            <div key={h.key} className={`headline headline--${h.state}`} data-testid={`headline-${h.key}`}>
              <dt>{h.label}</dt>
              <dd>
                <FitText
                  texts={h.texts}
                  className="headline__value num"
                  title={h.title}
                  testId={`headline-value-${h.key}`}
                />
              </dd>
            </div>
          ))}
        </dl>
        {clock !== null && (
          <div
            className={`anchor__clock anchor__clock--${tone}`}
            role="timer"
            data-testid="segment-clock"
            data-beat={seg?.beat ?? undefined}
          >
            <span className="anchor__clock-meta">
              {beat !== null && seg !== null && <BeatTag beat={seg.beat} label={beat} testId="segment-beat" />}
              <span className="anchor__clock-label">{tone === "over" ? "超时" : "剩余"}</span>
            </span>
            <span className="anchor__clock-value num" data-testid="segment-clock-value">
              {tone === "over" ? `+${formatMinSec(clock.overrun)}` : formatMinSec(clock.remaining)}
            </span>
          </div>
        )}
      </header>

      <main className={`anchor__body${asks.length > 0 ? " anchor__body--asks" : ""}`}>
        <div className="anchor__script">
          {seg === null ? (
            <p className="script script--idle">
              {state.show?.status === "ended" ? "辛苦了！" : "开播后这里显示本段台词"}
            </p>
          ) : (
            <ScriptText className="script" text={prompter.text} parts={prompter.parts} testId="script-text" />
          )}
        </div>
        {asks.length > 0 && (
          <section className="asks" data-testid="anchor-questions" aria-label="观众在问 viewers ask">
            <h2 className="asks__label">观众在问</h2>
            <ol className="asks__list">
              {asks.map((q) => (
                <li key={q.key} className="asks__item" data-testid="anchor-ask" title={q.text}>
                  {q.label !== null && <span className="asks__topic">{q.label}</span>}
                  <span className="asks__text" data-testid="anchor-question">
                    {q.text}
                  </span>
                  {q.count !== null && <span className="asks__count num">×{q.count}</span>}
                </li>
              ))}
            </ol>
          </section>
        )}
      </main>

      <div className="anchor__next" data-testid="next-segment">
        {prompter.next !== null ? (
          <>
            <span className="anchor__next-label">{seg === null ? "第一段" : "下一段"}</span>
            <BeatTag beat={prompter.next.beat} label={beatLabel(prompter.next.beat)} testId="next-beat" />
            <span className="anchor__next-title">{prompter.next.title}</span>
          </>
        ) : (
          seg !== null && <span className="anchor__next-label">最后一段</span>
        )}
      </div>
    </>
  );
}

interface Ask {
  key: string;
  /** The cluster's topic (尺码, 发货时间); null for a bare comment from an older server. */
  label: string | null;
  text: string;
  /** Comments asking it in this wave; null for a bare comment. */
  count: number | null;
}

/**
 * What the anchor is asked: the top three open question clusters (the server ranks them), or,
 * from a server without clusters, the newest question-like comments the prompter carries.
 */
function anchorAsks(questions: QuestionsState | null, prompter: PrompterView): Ask[] {
  if (questions !== null) {
    return anchorQuestions(questions, 3).map(({ cluster: c, text }) => ({
      key: c.id,
      label: c.label || null,
      text,
      count: c.count,
    }));
  }
  return prompter.questions.map((q, i) => ({ key: `${i}:${q}`, label: null, text: q, count: null }));
}

/** A segment's beat (钩子, 强推, …) as a small tag; nothing for a beat without a label. */
function BeatTag({ beat, label, testId }: { beat: Beat | null; label: string | null; testId: string }) {
  if (beat === null || label === null) return null;
  return (
    <span className={`beat beat--${beat}`} data-testid={testId} data-beat={beat}>
      {label}
    </span>
  );
}
