import { useCallback, useEffect, useState } from "react";
import { formatClock, formatDateTime, formatDuration, formatMoney, shortId } from "../../lib/format";
import { errorText } from "../../lib/actionsApi";
import {
  REASON_LABELS,
  SCOPE_LABELS,
  TIER_LABELS,
  getViewerCard,
  type BanScope,
  type ViewerCard,
} from "../../lib/moderationApi";
import { ResultLine, type Result } from "./ResultLine";

const ORDER_STATES: Readonly<Record<string, string>> = {
  created: "下单",
  paid: "已付",
  cancelled: "取消",
  refunded: "退款",
};

interface Props {
  showId: string;
  viewerId: string;
  canBan: boolean;
  hasRoom: boolean;
  /** Ban or lift a ban; resolves once stored, rejects with the server's error. */
  onBan: (viewerId: string, scope: BanScope, lift: boolean) => Promise<void>;
  onClose: () => void;
}

/**
 * The user card (用户卡片): what field control needs to judge a viewer — their comments in the
 * show (hidden ones marked with why), orders, tier, their bans in the room with who and when —
 * and ban / unban. A side panel on wide screens, a bottom sheet on phones; it covers the
 * comment column only as long as it is open (Esc or 关闭 closes it).
 */
export function UserCard({ showId, viewerId, canBan, hasRoom, onBan, onClose }: Props) {
  const [card, setCard] = useState<ViewerCard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ scope: BanScope; lift: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);

  const load = useCallback(async () => {
    try {
      setCard(await getViewerCard(showId, viewerId));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, [showId, viewerId]);

  useEffect(() => {
    setCard(null);
    setConfirm(null);
    setResult(null);
    void load();
  }, [load]);

  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const doBan = async (scope: BanScope, lift: boolean) => {
    setBusy(true);
    setResult(null);
    try {
      await onBan(viewerId, scope, lift);
      setResult({ ok: true, text: `${lift ? "已解除" : "已禁言"}${scope === "show" ? "本场" : "直播间"} ✓` });
      setConfirm(null);
      await load();
    } catch (err) {
      setResult({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const banned = card?.bans ?? { show: false, room: false, history: [] };

  return (
    <div className="ucard__backdrop" onClick={onClose} data-testid="user-card-backdrop">
      <aside
        className="ucard"
        role="dialog"
        aria-modal="false"
        aria-label={`用户卡片 ${viewerId}`}
        data-testid="user-card"
        data-viewer={viewerId}
        onClick={(e) => e.stopPropagation()}
      >
        <header className="ucard__head">
          <div className="ucard__who">
            <h2>
              用户卡片 <span className="en">Viewer</span>
            </h2>
            <span className="ucard__id num" title={viewerId}>
              {shortId(viewerId, 18)}
            </span>
          </div>
          <button type="button" className="btn ucard__close" onClick={onClose} data-testid="user-card-close">
            关闭
          </button>
        </header>

        {error !== null && (
          <div className="fcbar__status fcbar__status--error" role="alert">
            ✗ 读取失败 / {error}
          </div>
        )}
        {card === null && error === null && <div className="muted ucard__loading">读取中… loading</div>}

        {card !== null && (
          <div className="ucard__body">
            <div className="ucard__facts">
              <span className="ucard__tag" data-testid="user-card-tier">
                {card.tier !== null ? (TIER_LABELS[card.tier] ?? card.tier) : "等级未知"}
              </span>
              {card.channel !== null && <span className="ucard__tag">来源 {card.channel}</span>}
              <span className="ucard__tag num">进场 {card.joins} 次</span>
              <span className="ucard__tag num">观看 {formatDuration(card.watch_seconds)}</span>
              {(banned.show || banned.room) && (
                <span className="ucard__tag ucard__tag--bad" data-testid="user-card-banned">
                  禁言中 {banned.room ? "直播间" : "本场"}
                </span>
              )}
            </div>

            {canBan && (
              <section className="ucard__section">
                <h3>
                  禁言 <span className="en">Ban</span>
                </h3>
                <div className="ucard__actions">
                  {(["show", "room"] as const).map((scope) => {
                    const on = scope === "show" ? banned.show : banned.room;
                    const disabled = busy || (scope === "room" && !hasRoom);
                    return (
                      <button
                        key={scope}
                        type="button"
                        className={`btn ucard__btn${on ? "" : " ucard__btn--bad"}`}
                        disabled={disabled}
                        title={scope === "room" && !hasRoom ? "本场没有直播间 the show has no room" : undefined}
                        onClick={() => setConfirm({ scope, lift: on })}
                        data-testid={`user-card-${on ? "unban" : "ban"}-${scope}`}
                      >
                        {on ? "解除" : "禁言"}
                        {SCOPE_LABELS[scope]}
                      </button>
                    );
                  })}
                </div>
                {confirm !== null && (
                  <div className="ucard__confirm" data-testid="user-card-confirm">
                    <span>
                      {confirm.lift ? "确认解除" : "确认禁言"}
                      {confirm.scope === "show" ? "本场" : "整个直播间（以后各场都生效）"}？
                    </span>
                    <button
                      type="button"
                      className={`btn ucard__btn${confirm.lift ? "" : " ucard__btn--bad"}`}
                      disabled={busy}
                      onClick={() => void doBan(confirm.scope, confirm.lift)}
                      data-testid="user-card-confirm-yes"
                    >
                      确认
                    </button>
                    <button type="button" className="btn ucard__btn" disabled={busy} onClick={() => setConfirm(null)}>
                      取消
                    </button>
                  </div>
                )}
                <ResultLine result={result} testId="user-card-result" />
              </section>
            )}

            <section className="ucard__section">
              <h3>
                评论 <span className="en">Comments</span>{" "}
                <span className="muted small num">
                  {card.comments.length} 条{card.comments_hidden > 0 ? ` · 隐藏 ${card.comments_hidden}` : ""}
                </span>
              </h3>
              <ol className="ucard__list" data-testid="user-card-comments">
                {card.comments.length === 0 && <li className="muted small">没有评论 none</li>}
                {card.comments.map((c) => (
                  <li key={c.id} className={`ucard__comment${c.hidden ? " ucard__comment--hidden" : ""}`}>
                    <span className="num muted small">{formatClock(c.ts)}</span>
                    <span className="ucard__text">{c.text}</span>
                    {c.hidden && (
                      <span className="ucard__reason" data-testid="user-card-reason">
                        {c.reason !== null ? (REASON_LABELS[c.reason] ?? c.reason) : "已隐藏"}
                      </span>
                    )}
                  </li>
                ))}
              </ol>
            </section>

            <section className="ucard__section">
              <h3>
                订单 <span className="en">Orders</span>{" "}
                <span className="muted small num">
                  下单 {card.orders.created} · 付款 {card.orders.paid} · 取消 {card.orders.cancelled} · 退款{" "}
                  {card.orders.refunded}
                </span>
              </h3>
              <ol className="ucard__list">
                {card.recent_orders.length === 0 && <li className="muted small">没有订单 none</li>}
                {card.recent_orders.map((o) => (
                  <li key={o.order_id} className="ucard__order num">
                    <span className="muted small">{formatClock(o.created_at)}</span>
                    <span>{o.sku ?? "—"}</span>
                    <span>×{o.qty ?? "—"}</span>
                    <span>{formatMoney(o.amount)}</span>
                    <span className={`ucard__state ucard__state--${o.state}`}>{ORDER_STATES[o.state] ?? o.state}</span>
                  </li>
                ))}
              </ol>
            </section>

            <section className="ucard__section">
              <h3>
                禁言记录 <span className="en">Bans in the room</span>
              </h3>
              <ol className="ucard__list" data-testid="user-card-bans">
                {banned.history.length === 0 && <li className="muted small">没有记录 none</li>}
                {banned.history.map((b) => (
                  <li key={b.id} className={`ucard__ban${b.active ? " ucard__ban--active" : ""}`}>
                    <span className="ucard__tag">{b.scope === "show" ? "本场" : "直播间"}</span>
                    <span>
                      {b.by} 禁言于 <span className="num">{formatDateTime(b.banned_at)}</span>
                      {b.show_id !== showId && <span className="muted small"> · 其他场次</span>}
                    </span>
                    <span className="small">
                      {b.active ? (
                        <span className="ucard__reason">生效中 active</span>
                      ) : (
                        <span className="muted">
                          {b.lifted_by ?? "—"} 解除于 <span className="num">{formatDateTime(b.lifted_at)}</span>
                        </span>
                      )}
                    </span>
                  </li>
                ))}
              </ol>
            </section>
          </div>
        )}
      </aside>
    </div>
  );
}
