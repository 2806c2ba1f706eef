import { memo } from "react";
import { formatClock, formatMoney, shortId } from "../lib/format";
import type { OrderEvent, OrderItem } from "../live/protocol";

const EVENT_LABEL: Record<OrderEvent, string> = {
  created: "下单",
  paid: "支付",
  cancelled: "取消",
  refunded: "退款",
};

const SHOWN = 40;

/** The latest order events, newest first: what is being bought right now. */
// memo: the page re-renders every second for the age clocks; this only needs new data.
export const OrderTape = memo(function OrderTape({ orders }: { orders: readonly OrderItem[] }) {
  const recent = orders.slice(-SHOWN).reverse();
  // paid/cancelled/refunded events name only the order; borrow SKU and quantity from its
  // `created` event when that is still in the list.
  const created = new Map<string, OrderItem>();
  for (const o of orders) if (o.event === "created") created.set(o.order_id, o);
  return (
    <section className="panel orders" data-testid="order-tape">
      <div className="panel__head">
        <h2>
          订单动态 <span className="en">Orders</span>
        </h2>
      </div>
      <ol className="orders__list">
        {recent.length === 0 && <li className="muted">暂无订单 No orders yet</li>}
        {recent.map((o, i) => {
          const origin = created.get(o.order_id);
          const sku = o.sku ?? origin?.sku;
          const qty = o.qty ?? origin?.qty;
          return (
            <li key={o.id || `i${i}`} className={`order order--${o.event}`}>
              <span className="order__time num">{formatClock(o.ts)}</span>
              <span className="order__event">{EVENT_LABEL[o.event]}</span>
              <span className="order__sku mono" title={`订单 order ${o.order_id}`}>
                {sku ?? shortId(o.order_id, 12)}
                {qty !== undefined ? ` ×${qty}` : ""}
              </span>
              <span className="order__amount num">{o.amount !== undefined ? formatMoney(o.amount) : ""}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
});
