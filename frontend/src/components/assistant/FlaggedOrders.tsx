import { useMemo, useState } from "react";
import { formatClock, formatMoney, shortId } from "../../lib/format";
import { cancelCounts, flagOrder, FLAG_LABEL, resolveOrders, type OrderContext } from "../../lib/orders";
import type { OrderEvent, OrderItem } from "../../live/protocol";

const EVENT_LABEL: Record<OrderEvent, string> = { created: "下单", paid: "支付", cancelled: "取消", refunded: "退款" };
const SHOWN = 60;

/**
 * The order tape with flags (lib/orders.ts): large orders, viewers who cancel again and again,
 * banned viewers. Newest first; "只看异常" leaves only the flagged ones.
 */
export function FlaggedOrders({
  orders,
  unitPrice,
  banned,
  nameOf,
}: {
  orders: readonly OrderItem[];
  unitPrice: (sku: string) => number | null;
  /** The product's name (the SKU when none is known). */
  nameOf: (sku: string) => string;
  banned: ReadonlyMap<string, string>;
}) {
  const [onlyFlagged, setOnlyFlagged] = useState(false);
  const rows = useMemo(() => {
    const resolved = resolveOrders(orders);
    const ctx: OrderContext = { unitPrice, cancels: cancelCounts(resolved), banned };
    return resolved.map((o) => ({ o, flags: flagOrder(o, ctx) })).reverse();
  }, [orders, unitPrice, banned]);
  const flagged = rows.filter((r) => r.flags.length > 0).length;
  const shown = (onlyFlagged ? rows.filter((r) => r.flags.length > 0) : rows).slice(0, SHOWN);
  return (
    <section className="panel as-orders" data-testid="flagged-orders">
      <div className="panel__head">
        <h2>
          订单 <span className="en">Orders</span>
        </h2>
        <span className={flagged > 0 ? "as-badge as-badge--flag" : "muted small"} data-testid="flag-count">
          异常 {flagged}
        </span>
        <label className="as-toggle">
          <input type="checkbox" checked={onlyFlagged} onChange={(e) => setOnlyFlagged(e.target.checked)} /> 只看异常
        </label>
      </div>
      <ol className="as-orders__list">
        {shown.length === 0 && <li className="muted">{onlyFlagged ? "没有异常订单" : "暂无订单 No orders yet"}</li>}
        {shown.map(({ o, flags }, i) => (
          <li
            key={o.id || `i${i}`}
            className={`as-order as-order--${o.event}${flags.length > 0 ? " as-order--flagged" : ""}`}
            data-testid="order"
            data-flags={flags.join(" ")}
          >
            <span className="num muted">{formatClock(o.ts)}</span>
            <span className="as-order__event">{EVENT_LABEL[o.event]}</span>
            <span
              className="mono as-order__what"
              title={`订单 ${o.order_id}${o.sku !== undefined ? ` · ${o.sku}` : ""}`}
            >
              {o.sku !== undefined ? nameOf(o.sku) : shortId(o.order_id, 12)}
              {o.qty !== undefined ? ` ×${o.qty}` : ""}
            </span>
            <span className="num as-order__amount">{o.amount !== undefined ? formatMoney(o.amount) : ""}</span>
            {flags.length > 0 && (
              <span className="as-order__flags">
                {flags.map((f) => (
                  <span key={f} className={`as-flag as-flag--${f}`}>
                    {FLAG_LABEL[f].zh}
                  </span>
                ))}
                {o.viewer_id !== undefined && <span className="mono muted small">{shortId(o.viewer_id, 10)}</span>}
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
