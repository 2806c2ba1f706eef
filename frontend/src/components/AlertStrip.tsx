import { useMemo, useState } from "react";
import type { LineupProduct } from "../lib/api";
import { formatAge, formatClock } from "../lib/format";
import { alertKey, alertsFor, roleLabel } from "../lib/stock";
import type { Alert } from "../live/protocol";

interface Props {
  alerts: readonly Alert[];
  /** The signed-in role (GET /api/v1/auth/me): alerts addressed to it are shown. */
  role: string;
  lineup: readonly LineupProduct[];
  serverNow: number;
}

/** Unacknowledged alerts shown in full; more collapse into a count. */
const SHOWN_NEW = 4;
const SHOWN_HISTORY = 20;

const KIND_LABEL: Record<Alert["kind"], { zh: string; en: string }> = {
  sold_out: { zh: "售罄", en: "SOLD OUT" },
  low_stock: { zh: "库存紧张", en: "LOW STOCK" },
  compliance: { zh: "违规用语", en: "WORDING" },
  cue_unacked: { zh: "提示未确认", en: "CUE" },
  segment_overrun: { zh: "段落超时", en: "OVERRUN" },
  other: { zh: "提醒", en: "ALERT" },
};

/** Labels for kinds of contract §12 the server may add, which this console reads as "other". */
const OTHER_LABEL: Readonly<Record<string, { zh: string; en: string }>> = {
  stream_unhealthy: { zh: "推流异常", en: "STREAM" },
  stale_feed: { zh: "数据延迟", en: "STALE" },
  online_drop: { zh: "在线下跌", en: "DROP" },
  complaint_spike: { zh: "投诉激增", en: "COMPLAINTS" },
  question_unanswered: { zh: "问题未回复", en: "QUESTIONS" },
};

/**
 * Alerts for this console (stock, compliance of the anchor's speech, cues left open, segments
 * over time), newest first, under the header where they cannot be missed.
 * New alerts are loud (sold out louder than low stock) until the operator acknowledges them
 * with "知道了"; they then fold into a one-line history that can be opened again.
 */
export function AlertStrip({ alerts, role, lineup, serverNow }: Props) {
  const view = useMemo(() => alertsFor(alerts, role), [alerts, role]);
  const names = useMemo(() => new Map(lineup.map((p) => [p.sku, p.name])), [lineup]);
  // Acknowledged alerts, by key. Held by the page: a reload shows the recent ones again.
  const [acked, setAcked] = useState<ReadonlySet<string>>(() => new Set());
  const [open, setOpen] = useState(false);

  if (view.alerts.length === 0) return null;
  const fresh = view.alerts.filter((a) => !acked.has(alertKey(a)));
  const history = view.alerts.filter((a) => acked.has(alertKey(a)));
  const critical = fresh.some((a) => a.severity === "critical");

  const item = (a: Alert, loud: boolean) => {
    const kind = (a.kind === "other" ? OTHER_LABEL[a.server_kind] : undefined) ?? KIND_LABEL[a.kind];
    const name = a.sku !== null ? names.get(a.sku) : undefined;
    return (
      <li
        key={alertKey(a)}
        className={`alert alert--${a.severity}${loud ? " alert--new" : ""}`}
        data-testid="alert"
        data-kind={a.kind === "other" ? a.server_kind : a.kind}
        data-severity={a.severity}
        data-sku={a.sku ?? undefined}
      >
        <span className="alert__kind">
          {kind.zh} <span className="en">{kind.en}</span>
        </span>
        {name !== undefined && name !== "" && <span className="alert__name">{name}</span>}
        <span className="alert__text">{a.text}</span>
        {view.showingAll && (
          <span className="alert__roles" title={`提醒对象 for: ${a.roles.join(", ")}`}>
            → {a.roles.map(roleLabel).join(" · ")}
          </span>
        )}
        <span className="alert__time num" title={`提醒时间 alert time ${formatClock(a.ts)}`}>
          {formatClock(a.ts)} · {formatAge(serverNow - a.ts)}
        </span>
      </li>
    );
  };

  return (
    <section
      className={`alerts${critical ? " alerts--critical" : fresh.length > 0 ? " alerts--warning" : " alerts--quiet"}`}
      data-testid="alert-strip"
      aria-label="提醒 alerts"
    >
      {fresh.length > 0 && (
        <div className="alerts__new" role="alert">
          <ol className="alerts__list">{fresh.slice(0, SHOWN_NEW).map((a) => item(a, true))}</ol>
          <div className="alerts__actions">
            {fresh.length > SHOWN_NEW && <span className="muted small">还有 {fresh.length - SHOWN_NEW} 条 more</span>}
            <button
              type="button"
              className="btn btn--small"
              data-testid="alerts-ack"
              onClick={() => setAcked(new Set(view.alerts.map(alertKey)))}
            >
              知道了 <span className="en">OK</span>
            </button>
          </div>
        </div>
      )}
      {history.length > 0 && (
        <div className="alerts__history">
          <button type="button" className="alerts__toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? "▾" : "▸"} 已读提醒 {history.length} 条 <span className="en">earlier alerts</span>
            {view.showingAll && <span className="muted small"> · 显示全部角色的提醒 all roles</span>}
          </button>
          {open && (
            <ol className="alerts__list alerts__list--history">
              {history.slice(0, SHOWN_HISTORY).map((a) => item(a, false))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
