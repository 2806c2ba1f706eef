/**
 * What each KPI tile shows: label, unit, and which event families feed it (for its age).
 *
 * Families are the keys of the `feeds` object in snapshots and metrics frames, as the server
 * groups event types (liveops.metrics.state.FAMILY_OF_TYPE): `viewers` (viewer.*),
 * `comments`, `engagement` (like/share/follow/gift), `products` (impressions, clicks, cart
 * adds), `orders` (order.*), `stock`, `stream`.
 */
import type { MetricKey } from "../live/protocol";

export type KpiUnit = "count" | "money" | "money_ratio" | "rate" | "duration";

/**
 * hero: the six numbers field control reads first; main: the working set (12, two rows of
 * six); more: the rest (10, one compact row). The counts match the CSS grid columns.
 */
export type KpiTier = "hero" | "main" | "more";

export interface KpiDef {
  key: MetricKey;
  zh: string;
  en: string;
  unit: KpiUnit;
  tier: KpiTier;
  /**
   * Groups of families. A group is as fresh as its newest family (any of them flowing keeps
   * the number moving); a metric is as old as its stalest group (a ratio is only as current
   * as the older of numerator and denominator).
   */
  sources: readonly (readonly string[])[];
}

const VIEWER = ["viewers"] as const;
const ORDER = ["orders"] as const;
const INTERACTION = ["comments", "engagement"] as const;
const CLICK = ["products"] as const;
const COMMENT = ["comments"] as const;
const ENGAGEMENT = ["engagement"] as const;

// One KPI per line reads as a table.
// prettier-ignore
export const KPIS: readonly KpiDef[] = [
  { key: "online", zh: "在线人数", en: "Online", unit: "count", tier: "hero", sources: [VIEWER] },
  { key: "gmv_paid", zh: "成交金额", en: "GMV (paid)", unit: "money", tier: "hero", sources: [ORDER] },
  { key: "uv", zh: "累计观看人数", en: "UV", unit: "count", tier: "hero", sources: [VIEWER] },
  { key: "orders_paid", zh: "成交订单", en: "Paid orders", unit: "count", tier: "hero", sources: [ORDER] },
  { key: "conversion_rate", zh: "观看-成交转化率", en: "Conversion", unit: "rate", tier: "hero", sources: [ORDER, VIEWER] },
  { key: "net_gmv", zh: "净成交额", en: "Net GMV", unit: "money", tier: "hero", sources: [ORDER] },

  { key: "peak_online", zh: "最高在线", en: "Peak online", unit: "count", tier: "main", sources: [VIEWER] },
  { key: "views", zh: "观看次数", en: "Views", unit: "count", tier: "main", sources: [VIEWER] },
  { key: "buyers", zh: "成交人数", en: "Buyers", unit: "count", tier: "main", sources: [ORDER] },
  { key: "aov", zh: "客单价", en: "AOV", unit: "money_ratio", tier: "main", sources: [ORDER] },
  { key: "uv_value", zh: "UV 价值", en: "UV value", unit: "money_ratio", tier: "main", sources: [ORDER, VIEWER] },
  { key: "gpm", zh: "千次观看成交", en: "GPM", unit: "money_ratio", tier: "main", sources: [ORDER, VIEWER] },
  { key: "click_rate", zh: "商品点击率", en: "Click rate", unit: "rate", tier: "main", sources: [CLICK, VIEWER] },
  { key: "interaction_rate", zh: "互动率", en: "Interaction rate", unit: "rate", tier: "main", sources: [INTERACTION, VIEWER] },
  { key: "refund_rate", zh: "退款率", en: "Refund rate", unit: "rate", tier: "main", sources: [ORDER] },
  { key: "avg_watch_seconds", zh: "人均观看时长", en: "Avg watch", unit: "duration", tier: "main", sources: [VIEWER] },
  { key: "comments", zh: "评论数", en: "Comments", unit: "count", tier: "main", sources: [COMMENT] },
  { key: "likes", zh: "点赞数", en: "Likes", unit: "count", tier: "main", sources: [ENGAGEMENT] },

  { key: "click_to_pay_rate", zh: "点击-成交转化率", en: "Click→pay", unit: "rate", tier: "more", sources: [ORDER, CLICK] },
  { key: "orders_created", zh: "创建订单", en: "Orders created", unit: "count", tier: "more", sources: [ORDER] },
  { key: "product_clicks", zh: "商品点击", en: "Product clicks", unit: "count", tier: "more", sources: [CLICK] },
  { key: "click_viewers", zh: "点击人数", en: "Click viewers", unit: "count", tier: "more", sources: [CLICK] },
  { key: "interacting_viewers", zh: "互动人数", en: "Interacting", unit: "count", tier: "more", sources: [INTERACTION] },
  { key: "shares", zh: "分享", en: "Shares", unit: "count", tier: "more", sources: [ENGAGEMENT] },
  { key: "new_followers", zh: "新增关注", en: "New followers", unit: "count", tier: "more", sources: [ENGAGEMENT] },
  { key: "gift_value", zh: "礼物价值", en: "Gift value", unit: "money", tier: "more", sources: [ENGAGEMENT] },
  { key: "orders_refunded", zh: "退款订单", en: "Refunded orders", unit: "count", tier: "more", sources: [ORDER] },
  { key: "refund_amount", zh: "退款金额", en: "Refunds", unit: "money", tier: "more", sources: [ORDER] },
];
