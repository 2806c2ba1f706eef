import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { HttpError, moveAlert, type LineupProduct } from "../lib/api";
import {
  ackTarget,
  ageText,
  actorName,
  alertFeed,
  canMove,
  feedTone,
  resolvedByText,
  resolvedMs,
  ruleLabel,
  secondsToResolve,
  splitMessage,
} from "../lib/alerts";
import { formatClock, formatDuration } from "../lib/format";
import { roleLabel, sellable } from "../lib/stock";
import type { Alert } from "../live/protocol";
import type { StockRow } from "../live/store";
import { isTextEntry } from "../lib/keys";

interface Props {
  showId: string;
  alerts: readonly Alert[];
  /** The signed-in role (GET /api/v1/auth/me): alerts addressed to it are shown. */
  role: string;
  lineup: readonly LineupProduct[];
  /** The ledger's rows: a stock alert says what is left now, not only when it fired. */
  stock: readonly StockRow[];
  serverNow: number;
  /** The alert as an HTTP answer gave it: shown before the server's `alert` message. */
  onMoved: (alert: Alert) => void;
  /** Whether the one-key acknowledgement is on (field control's console). */
  hotkey?: boolean;
}

/** The key that acknowledges the newest firing alert, when focus is not in a text field. */
export const ACK_KEY = "A";
/** Open alerts shown before the rest fold into "还有 N 条". */
const SHOWN_OPEN = 4;
const SHOWN_RESOLVED = 10;
/** A key pressed within this long of a new alert appearing is not taken as its acknowledgement. */
const SETTLE_MS = 600;

type Move = "ack" | "resolve";

const MOVE_TEXT: Record<Move, { idle: string; busy: string; failed: string }> = {
  ack: { idle: "确认", busy: "确认中…", failed: "确认失败" },
  resolve: { idle: "解决", busy: "解决中…", failed: "解决失败" },
};

const ACK_TITLE = `确认：我来处理，所有控制台显示已确认 / acknowledge: you are on it`;
const KEY_TITLE = `${ACK_TITLE}\n快捷键 ${ACK_KEY}：确认最新一条未确认的提醒（光标不在输入框时）/ key ${ACK_KEY}: the newest unacknowledged alert, outside text fields`;
const RESOLVE_TITLE = "解决：已处理完，移出待处理列表 / resolve: dealt with, off the open list";

function errorText(err: unknown): string {
  if (err instanceof HttpError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The alerts for this console (contract §12), under the header where they cannot be missed:
 * open ones first — firing before acknowledged, critical before warning before info, newest
 * first — each with its age, who acknowledged it, and 确认 / 解决. What every console of the
 * alert's roles shows is the server's: a button's answer is shown as soon as it comes, and the
 * server's `alert` message carries it to the others. Resolved alerts leave the list for a
 * folded "已解决" section with their time to resolve.
 */
export function AlertFeed({ showId, alerts, role, lineup, stock, serverNow, onMoved, hotkey = false }: Props) {
  const feed = useMemo(() => alertFeed(alerts, role), [alerts, role]);
  const names = useMemo(() => new Map(lineup.map((p) => [p.sku, p.name])), [lineup]);
  const left = useMemo(() => new Map(stock.map((r) => [r.sku, sellable(r)])), [stock]);
  const [pending, setPending] = useState<ReadonlyMap<string, Move>>(() => new Map());
  const [errors, setErrors] = useState<ReadonlyMap<string, string>>(() => new Map());
  const [showAllOpen, setShowAllOpen] = useState(false);
  const [showResolved, setShowResolved] = useState(false);

  const move = useCallback(
    async (a: Alert, to: Move) => {
      const id = a.id;
      if (id === null || pending.has(id)) return;
      setPending((m) => new Map(m).set(id, to));
      setErrors((m) => {
        const next = new Map(m);
        next.delete(id);
        return next;
      });
      try {
        const answer = await moveAlert(showId, id, to);
        if (answer !== null) onMoved(answer);
      } catch (err) {
        setErrors((m) => new Map(m).set(id, `${MOVE_TEXT[to].failed}：${errorText(err)}`));
      } finally {
        setPending((m) => {
          const next = new Map(m);
          next.delete(id);
          return next;
        });
      }
    },
    [pending, showId, onMoved],
  );

  // One key acknowledges the newest firing alert; not one that appeared a moment ago.
  const target = hotkey ? ackTarget(feed.open) : null;
  const targetId = target?.id ?? null;
  const targetSince = useRef(0);
  useEffect(() => {
    targetSince.current = performance.now();
  }, [targetId]);
  useEffect(() => {
    if (target === null || !canMove(role, target)) return;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key.toUpperCase() !== ACK_KEY && ev.code !== `Key${ACK_KEY}`) return;
      if (ev.repeat || ev.isComposing || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      if (isTextEntry(ev.target)) return;
      if (performance.now() - targetSince.current < SETTLE_MS) return;
      ev.preventDefault();
      void move(target, "ack");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [target, role, move]);

  if (feed.open.length === 0 && feed.resolved.length === 0) return null;
  const tone = feedTone(feed.open);
  const shown = showAllOpen ? feed.open : feed.open.slice(0, SHOWN_OPEN);
  const hidden = feed.open.length - shown.length;
  const firing = feed.open.filter((a) => a.state === "firing").length;

  return (
    <section className={`afeed afeed--${tone}`} data-testid="alert-feed" aria-label="提醒 alerts">
      {feed.open.length > 0 ? (
        <ol className="afeed__list" data-testid="alerts-open">
          {shown.map((a) => (
            <OpenAlert
              key={a.id ?? `${a.rule}:${a.ts}:${a.text}`}
              alert={a}
              name={a.sku !== null ? names.get(a.sku) : undefined}
              left={a.sku !== null ? left.get(a.sku) : undefined}
              age={serverNow - a.ts}
              canAct={canMove(role, a)}
              isTarget={a.id !== null && a.id === targetId}
              pending={a.id !== null ? pending.get(a.id) : undefined}
              error={a.id !== null ? errors.get(a.id) : undefined}
              forRoles={feed.showingAll}
              onMove={(to) => void move(a, to)}
            />
          ))}
        </ol>
      ) : (
        <p className="afeed__quiet" data-testid="alerts-none">
          ✓ 没有待处理的提醒 <span className="en">nothing open</span>
        </p>
      )}
      {(feed.open.length > 1 || feed.resolved.length > 0 || feed.showingAll) && (
        <div className="afeed__foot">
          {feed.open.length > 1 && (
            <span className="afeed__count small" data-testid="alerts-open-count">
              待处理 {feed.open.length}
              {firing > 0 && firing < feed.open.length && ` · 未确认 ${firing}`}
            </span>
          )}
          {(hidden > 0 || showAllOpen) && feed.open.length > SHOWN_OPEN && (
            <button
              type="button"
              className="afeed__toggle"
              onClick={() => setShowAllOpen(!showAllOpen)}
              aria-expanded={showAllOpen}
              data-testid="alerts-more"
            >
              {showAllOpen ? "▴ 收起" : `▾ 还有 ${hidden} 条`}{" "}
              <span className="en">{showAllOpen ? "less" : "more"}</span>
            </button>
          )}
          {feed.resolved.length > 0 && (
            <button
              type="button"
              className="afeed__toggle afeed__toggle--resolved"
              onClick={() => setShowResolved(!showResolved)}
              aria-expanded={showResolved}
              data-testid="alerts-resolved-toggle"
            >
              {showResolved ? "▾" : "▸"} 已解决 {feed.resolved.length} <span className="en">resolved</span>
            </button>
          )}
          {feed.showingAll && <span className="muted small">显示全部角色的提醒 all roles</span>}
        </div>
      )}
      {showResolved && feed.resolved.length > 0 && (
        <ol className="afeed__resolved" data-testid="alerts-resolved">
          {feed.resolved.slice(0, SHOWN_RESOLVED).map((a) => (
            <ResolvedAlert
              key={a.id ?? `${a.rule}:${a.ts}:${a.text}`}
              alert={a}
              name={a.sku !== null ? names.get(a.sku) : undefined}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

interface OpenProps {
  alert: Alert;
  name: string | undefined;
  /** What buyers can still get of a stock alert's SKU now. */
  left: number | undefined;
  age: number;
  canAct: boolean;
  isTarget: boolean;
  pending: Move | undefined;
  error: string | undefined;
  forRoles: boolean;
  onMove: (to: Move) => void;
}

function OpenAlert({ alert: a, name, left, age, canAct, isTarget, pending, error, forRoles, onMove }: OpenProps) {
  const label = ruleLabel(a);
  const text = splitMessage(a.text);
  const stockRule = a.kind === "low_stock" || a.kind === "sold_out";
  const acked = a.state === "acknowledged";
  return (
    <li
      className={`afeed__item afeed__item--${a.severity} afeed__item--${a.state}${a.escalated ? " afeed__item--escalated" : ""}`}
      data-testid="alert"
      data-id={a.id ?? undefined}
      data-kind={a.rule}
      data-state={a.state}
      data-severity={a.severity}
      data-sku={a.sku ?? undefined}
      data-escalated={a.escalated ? "true" : undefined}
    >
      <span className="afeed__kind">
        {label.zh} <span className="en">{label.en}</span>
      </span>
      <span className="afeed__body">
        {a.escalated && (
          <span
            className="afeed__up"
            title="长时间未确认，已升级并通知运营 / unacknowledged too long: raised, operations told"
          >
            ▲ 已升级 <span className="en">ESCALATED</span>
          </span>
        )}
        {name !== undefined && name !== "" && <span className="afeed__name">{name}</span>}
        <span className="afeed__text">
          {text.zh}
          {text.en !== "" && <span className="en"> {text.en}</span>}
        </span>
        {stockRule && left !== undefined && left !== a.available && (
          <span className="afeed__now num" title="库存现在的可售数 / available now">
            现剩 {left}
          </span>
        )}
        {forRoles && <span className="afeed__roles small">→ {a.roles.map(roleLabel).join(" · ")}</span>}
      </span>
      <span className="afeed__age num" title={`触发 fired ${formatClock(a.ts)}`} data-testid="alert-age">
        {ageText(age)}
      </span>
      <span className="afeed__who small" data-testid="alert-acked-by">
        {acked && a.acked_by !== null ? (
          <span
            title={`${actorName(a.acked_by)} 确认于 ${formatClock(a.acked_at)}${a.ack_seconds !== null ? `，触发后 ${formatDuration(a.ack_seconds)}` : ""}`}
          >
            ✓ {actorName(a.acked_by)} 已确认 <span className="num muted">{formatClock(a.acked_at)}</span>
          </span>
        ) : acked ? (
          <span>✓ 已确认</span>
        ) : (
          <span className="afeed__unacked">未确认</span>
        )}
      </span>
      {canAct && (
        <span className="afeed__buttons">
          {a.state === "firing" && (
            <button
              type="button"
              className={`btn afeed__btn afeed__btn--ack${isTarget ? " afeed__btn--target" : ""}`}
              disabled={pending !== undefined}
              onClick={() => onMove("ack")}
              title={isTarget ? KEY_TITLE : ACK_TITLE}
              aria-keyshortcuts={isTarget ? ACK_KEY : undefined}
              data-testid="alert-ack"
            >
              {pending === "ack" ? MOVE_TEXT.ack.busy : MOVE_TEXT.ack.idle}
              {isTarget && pending === undefined && <kbd className="afeed__kbd">{ACK_KEY}</kbd>}
            </button>
          )}
          <button
            type="button"
            className="btn afeed__btn afeed__btn--resolve"
            disabled={pending !== undefined}
            onClick={() => onMove("resolve")}
            title={RESOLVE_TITLE}
            data-testid="alert-resolve"
          >
            {pending === "resolve" ? MOVE_TEXT.resolve.busy : MOVE_TEXT.resolve.idle}
          </button>
        </span>
      )}
      {error !== undefined && (
        <span className="afeed__error small" role="alert">
          {error}
        </span>
      )}
    </li>
  );
}

function ResolvedAlert({ alert: a, name }: { alert: Alert; name: string | undefined }) {
  const label = ruleLabel(a);
  const took = secondsToResolve(a);
  return (
    <li
      className="afeed__done small"
      data-testid="alert-resolved"
      data-id={a.id ?? undefined}
      data-kind={a.rule}
      data-sku={a.sku ?? undefined}
    >
      <span className="afeed__done-at num muted">{formatClock(resolvedMs(a))}</span>
      <span className="afeed__done-kind">{label.zh}</span>
      <span className="afeed__done-text">
        {name !== undefined && name !== "" && <span className="afeed__name">{name} </span>}
        {splitMessage(a.text).zh}
      </span>
      <span className="afeed__done-how muted">
        {took !== null && <span className="num">用时 {formatDuration(took)}</span>}
        {took !== null && " · "}
        {resolvedByText(a)}
      </span>
    </li>
  );
}
