/**
 * Flags on the assistant's order tape (助播台 订单): what an assistant checks by hand while on
 * air. Pure, table-tested (orders.test.ts). The thresholds are documented choices
 * (docs/console.md, "The assistant console"):
 *
 * - `large` (大单): a quantity of at least {@link LARGE_QTY} units, or an amount of at least
 *   {@link LARGE_AMOUNT_FACTOR} times the product's unit price (the live price, else the list
 *   price) — a reseller, a typo, or a price that is wrong on the platform;
 * - `repeat_cancel` (多次取消): the viewer has cancelled at least {@link REPEAT_CANCELS} orders
 *   in the show (as far as the console's order tape holds them) — stock held and let go;
 * - `banned` (已封禁): the viewer is banned (a `viewer.ban` action seen, not unbanned).
 *
 * A paid, cancelled or refunded event names only the order; its viewer, SKU and quantity are
 * borrowed from the order's `created` event when the tape still holds it.
 */
import type { OrderItem } from "../live/protocol";

export const LARGE_QTY = 5;
export const LARGE_AMOUNT_FACTOR = 5;
export const REPEAT_CANCELS = 2;

export type OrderFlag = "large" | "repeat_cancel" | "banned";

export const FLAG_LABEL: Readonly<Record<OrderFlag, { zh: string; en: string }>> = {
  large: { zh: "大单", en: "large" },
  repeat_cancel: { zh: "多次取消", en: "repeat cancels" },
  banned: { zh: "已封禁", en: "banned" },
};

/** An order event with what its `created` event knows filled in. */
export type OrderView = OrderItem;

export interface OrderContext {
  /** The product's unit price in fen (live, else list), or null when not known. */
  unitPrice: (sku: string) => number | null;
  /** Viewer id → how many of their orders were cancelled in the show. */
  cancels: ReadonlyMap<string, number>;
  /** Banned viewers (viewer id → the ban's time). */
  banned: ReadonlyMap<string, string>;
}

/** The tape's events with viewer, SKU, quantity and amount borrowed from their `created` event. */
export function resolveOrders(orders: readonly OrderItem[]): OrderView[] {
  const created = new Map<string, OrderItem>();
  for (const o of orders) if (o.event === "created") created.set(o.order_id, o);
  return orders.map((o) => {
    const origin = created.get(o.order_id);
    if (origin === undefined || o === origin) return o;
    const out: OrderView = { ...o };
    if (out.viewer_id === undefined && origin.viewer_id !== undefined) out.viewer_id = origin.viewer_id;
    if (out.sku === undefined && origin.sku !== undefined) out.sku = origin.sku;
    if (out.qty === undefined && origin.qty !== undefined) out.qty = origin.qty;
    if (out.amount === undefined && origin.amount !== undefined) out.amount = origin.amount;
    return out;
  });
}

/** Viewer id → how many distinct orders of theirs were cancelled (among `orders`, resolved). */
export function cancelCounts(orders: readonly OrderView[]): Map<string, number> {
  const seen = new Set<string>();
  const out = new Map<string, number>();
  for (const o of orders) {
    if (o.event !== "cancelled" || o.viewer_id === undefined || seen.has(o.order_id)) continue;
    seen.add(o.order_id);
    out.set(o.viewer_id, (out.get(o.viewer_id) ?? 0) + 1);
  }
  return out;
}

/** The flags of one order event, in a fixed order (banned first: it matters most). */
export function flagOrder(order: OrderView, ctx: OrderContext): OrderFlag[] {
  const flags: OrderFlag[] = [];
  const viewer = order.viewer_id;
  if (viewer !== undefined && ctx.banned.has(viewer)) flags.push("banned");
  if (viewer !== undefined && (ctx.cancels.get(viewer) ?? 0) >= REPEAT_CANCELS) flags.push("repeat_cancel");
  const price = order.sku !== undefined ? ctx.unitPrice(order.sku) : null;
  const bigQty = order.qty !== undefined && order.qty >= LARGE_QTY;
  const bigAmount =
    order.amount !== undefined && price !== null && price > 0 && order.amount >= LARGE_AMOUNT_FACTOR * price;
  if (bigQty || bigAmount) flags.push("large");
  return flags;
}
