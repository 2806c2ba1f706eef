import { useState } from "react";
import { actionState, errorText, heldWindow, undoAction } from "../../lib/actionsApi";
import { formatMoney } from "../../lib/format";
import type { ActionRecord } from "../../live/protocol";

/** One line for a money-moving action: "口红 直播价 → ¥79", "优惠券 Q1 满¥100减¥10 ×100". */
export function describeMoney(
  a: ActionRecord,
  nameOf: (sku: string) => string,
  priceOf: (sku: string) => number | null = () => null,
): string {
  const f = a.fields;
  if (a.type === "price.set" && typeof f.sku === "string") {
    // Applied: the record says what it was; held: what the room pays now.
    const was = typeof f.live_price_before === "number" ? f.live_price_before : priceOf(f.sku);
    const before = was !== null ? `${formatMoney(was)} → ` : "→ ";
    return `改价 ${nameOf(f.sku)} 直播价 ${before}${formatMoney(typeof f.live_price === "number" ? f.live_price : null)}`;
  }
  if (a.type === "coupon.issue") {
    const threshold = typeof f.threshold === "number" && f.threshold > 0 ? `满${formatMoney(f.threshold)}` : "无门槛";
    const off = formatMoney(typeof f.amount_off === "number" ? f.amount_off : null);
    return `发券 ${String(f.coupon_id ?? "")} ${threshold}减${off} ×${String(f.quantity ?? "?")}`;
  }
  return a.type;
}

const OUTCOME: Record<"applied" | "undone" | "failed", { zh: string; en: string }> = {
  applied: { zh: "已生效", en: "applied" },
  undone: { zh: "已撤销，未生效", en: "undone, never applied" },
  failed: { zh: "执行失败", en: "failed" },
};

/** When a settled money action settled (undone at, else its window's end), epoch ms. */
function settledAt(a: ActionRecord): number {
  const t = typeof a.fields.undone_at === "string" ? a.fields.undone_at : a.fields.applies_at;
  return typeof t === "string" ? Date.parse(t) : Date.parse(a.at);
}

/** How long a settled action stays in the bar with its outcome. */
const OUTCOME_MS = 8_000;

interface Props {
  showId: string;
  /** Held actions (heldActions()). */
  held: readonly ActionRecord[];
  /** Every action held in the live state: recently settled money actions show their outcome. */
  actions: readonly ActionRecord[];
  serverNow: number;
  nameOf: (sku: string) => string;
  /** The live price the room pays now (fen), for a held price change's "before". */
  priceOf: (sku: string) => number | null;
  onUndone: (a: ActionRecord) => void;
}

/**
 * The undo bar: every money-moving action in its window, with a countdown and a big 撤销
 * button, on every assistant console (from `commerce.held`, so it survives a reload), then
 * for a few seconds what became of it (applied, undone, failed with the server's error).
 */
export function HeldBar({ showId, held, actions, serverNow, nameOf, priceOf, onUndone }: Props) {
  const [pending, setPending] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<number, string>>({});
  const heldIds = new Set(held.map((a) => a.id));
  const settled = actions.filter(
    (a) =>
      (a.type === "price.set" || a.type === "coupon.issue") &&
      !heldIds.has(a.id) &&
      typeof a.fields.applies_at === "string" &&
      actionState(a) !== "held" &&
      serverNow - settledAt(a) < OUTCOME_MS,
  );
  if (held.length === 0 && settled.length === 0) return null;

  const undo = async (a: ActionRecord) => {
    setPending(a.id);
    try {
      onUndone(await undoAction(showId, a.id));
    } catch (err) {
      setErrors((e) => ({ ...e, [a.id]: errorText(err) }));
    } finally {
      setPending(null);
    }
  };

  return (
    <section className="as-held" data-testid="held-bar" aria-live="polite">
      {held.map((a) => {
        const w = heldWindow(a, serverNow);
        const secs = w === null ? null : Math.ceil(w.leftMs / 1000);
        return (
          <div key={a.id} className="as-held__item" data-testid="held-action" data-action-id={a.id}>
            <div className="as-held__text">
              <strong>{describeMoney(a, nameOf, priceOf)}</strong>
              <span className="as-held__count" data-testid="held-countdown">
                {secs === null ? "待生效" : secs > 0 ? `${secs} 秒后生效` : "正在生效…"}
                <span className="en"> {secs !== null && secs > 0 ? `applies in ${secs}s` : "applying"}</span>
              </span>
              <span className="muted small">{a.by.label}</span>
              {errors[a.id] !== undefined && (
                <span className="as-error" role="alert">
                  {errors[a.id]}
                </span>
              )}
            </div>
            <button
              type="button"
              className="btn as-held__undo"
              data-testid="undo"
              disabled={pending === a.id || (w !== null && w.leftMs <= 0)}
              onClick={() => void undo(a)}
            >
              撤销 <span className="en">Undo</span>
            </button>
            <div className="as-held__bar" aria-hidden="true">
              <div className="as-held__fill" style={{ width: `${Math.round((w?.fraction ?? 0) * 100)}%` }} />
            </div>
          </div>
        );
      })}
      {settled.map((a) => {
        const s = actionState(a) as "applied" | "undone" | "failed";
        return (
          <div
            key={a.id}
            className={`as-held__item as-held__item--${s}`}
            data-testid="held-outcome"
            data-state={s}
            role="status"
          >
            <div className="as-held__text">
              <strong>{describeMoney(a, nameOf)}</strong>
              <span className="as-held__count">
                {OUTCOME[s].zh} <span className="en">{OUTCOME[s].en}</span>
                {s === "failed" && typeof a.fields.error === "string" ? `：${a.fields.error}` : ""}
              </span>
            </div>
          </div>
        );
      })}
    </section>
  );
}
