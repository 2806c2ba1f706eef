import type { ReactNode } from "react";
import type { Me } from "../lib/api";
import { formatClock, shortId } from "../lib/format";
import { onLinkClick, setupPath } from "../lib/route";
import { mayControl, mayPlan } from "../lib/showsApi";
import type { ConnState, ConnStatus } from "../live/client";
import type { ShowInfo } from "../live/protocol";
import { PlatformBadge, StatusBadge } from "./Badges";
import "../setup.css";

const CONN_LABEL: Record<ConnState, { zh: string; en: string }> = {
  connecting: { zh: "连接中", en: "connecting" },
  live: { zh: "实时", en: "live" },
  reconnecting: { zh: "重连中", en: "reconnecting" },
  resyncing: { zh: "重新同步", en: "resyncing" },
  signed_out: { zh: "未登录", en: "signed out" },
  failed: { zh: "已停止", en: "stopped" },
  closed: { zh: "已断开", en: "closed" },
};

const ENDED_LABEL = { zh: "已结束", en: "ended" };

interface Props {
  showId: string;
  show: ShowInfo | null;
  conn: ConnStatus;
  me: Me;
  serverNow: number;
  onRetryNow: () => void;
  /** Stream-health badge, rendered beside the show title. */
  health: ReactNode;
  /** Which console this is, beside the brand (场控台 unless said). */
  consoleName?: string;
}

export function ConsoleHeader({
  showId,
  show,
  conn,
  me,
  serverNow,
  onRetryNow,
  health,
  consoleName = "场控台",
}: Props) {
  // Connected to an ended show is not "live": nothing more will happen on it.
  const ended = show?.status === "ended" && conn.state === "live";
  const label = ended ? ENDED_LABEL : CONN_LABEL[conn.state];
  const retryIn = conn.nextRetryAt !== null ? Math.max(0, Math.ceil((conn.nextRetryAt - Date.now()) / 1000)) : null;
  const pos = conn.position;

  return (
    <header className="topbar">
      <a className="brand" href="/" onClick={(e) => onLinkClick(e, "/")} title="返回场次列表 back to shows">
        LiveOps <span className="brand__sub">{consoleName}</span>
      </a>
      <div className="topbar__show">
        <h1 className="topbar__title" data-testid="show-title" title={showId}>
          {show?.title || showId}
        </h1>
        {show !== null && <PlatformBadge platform={show.platform} />}
        {show !== null && <StatusBadge status={show.status} />}
        {(mayPlan(me.role) || mayControl(me.role)) && (
          <a
            className="btn btn--small topbar__setup"
            href={setupPath(showId)}
            data-testid="setup-link"
            title={mayPlan(me.role) ? "商品、目标、开播与结束 lineup, targets, start, end" : "开播与结束 start, end"}
            onClick={(e) => onLinkClick(e, setupPath(showId))}
          >
            设置 <span className="en">Setup</span>
          </a>
        )}
        {health}
      </div>
      <div className="topbar__right">
        <span
          className={`conn conn--${ended ? "ended" : conn.state}`}
          data-testid="conn-state"
          data-state={conn.state}
          data-show-ended={ended ? "true" : undefined}
          role="status"
          aria-live="polite"
        >
          <span className="conn__dot" aria-hidden="true" />
          {label.zh} <span className="en">{label.en}</span>
          {conn.state === "reconnecting" && retryIn !== null && (
            <span className="conn__retry">
              {" "}
              · 第 {conn.attempt} 次 · {retryIn}s
            </span>
          )}
        </span>
        {(conn.state === "reconnecting" || conn.state === "resyncing") && conn.nextRetryAt !== null && (
          <button type="button" className="btn btn--small" onClick={onRetryNow}>
            立即重连
          </button>
        )}
        <span
          className="topbar__pos num"
          data-testid="conn-position"
          title={pos !== null ? `epoch ${pos.epoch} · offset ${pos.offset}` : "尚无位置 no position yet"}
        >
          {pos !== null ? `${shortId(pos.epoch, 6)} #${pos.offset}` : "—"}
        </span>
        <span className="topbar__clock num" title="服务器时间 server time">
          {formatClock(serverNow)}
        </span>
        <span className="topbar__role muted">{me.role}</span>
      </div>
    </header>
  );
}
