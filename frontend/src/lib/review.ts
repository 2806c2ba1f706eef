/**
 * The post-show review (复盘) as the console reads it: `GET /api/v1/shows/{id}/review`
 * (contract §5 and §13), parsed leniently (a section the server does not send yet is null,
 * and the page skips it), and the pure parts of the review page: headline findings for the
 * 复盘 meeting, product sorting, the per-minute chart's markers and the export links.
 *
 * Times: the review's `minutes[].minute` is epoch seconds; every time here is epoch ms.
 */
import { request } from "./api";
import { formatDuration, formatHourMinute, formatMoney, formatRate } from "./format";

/* ---- shapes ---- */

export interface ReviewShow {
  id: string;
  title: string;
  platform: string;
  room: string;
  status: string;
  startedAt: number | null;
  endedAt: number | null;
  plannedMinutes: number | null;
}

export type TargetKey = "gmv" | "uv" | "conversion_rate" | "aov";
export const TARGET_KEYS: readonly TargetKey[] = ["gmv", "uv", "conversion_rate", "aov"];

export interface TargetRow {
  key: TargetKey;
  target: number;
  actual: number | null;
  progress: number | null;
}

export interface ProductReviewRow {
  sku: string;
  name: string;
  role: string;
  impressions: number;
  clicks: number;
  cartAdds: number;
  orders: number;
  paidOrders: number;
  paidUnits: number;
  gmv: number;
  allocatedStock: number | null;
}

export interface MinuteRow {
  at: number;
  online: number;
  joins: number;
  comments: number;
  orders: number;
  gmv: number;
}

export interface SegmentRow {
  id: string;
  title: string;
  sku: string | null;
  plannedSeconds: number | null;
  actualSeconds: number | null;
  overrunSeconds: number | null;
  startedAt: number | null;
  gmv: number | null;
  ordersPaid: number | null;
  peakOnline: number | null;
  gmvPerMinute: number | null;
  conversionRate: number | null;
}

/** One traffic source, or one value of an audience dimension (`value` in place of `channel`). */
export interface SliceRow {
  name: string;
  uv: number | null;
  share: number | null;
  avgWatchSeconds: number | null;
  buyers: number | null;
  conversionRate: number | null;
  gmv: number | null;
  uvValue: number | null;
}

export interface AudienceDimension {
  key: string;
  rows: SliceRow[];
}

export interface FunnelStep {
  step: string;
  label: string;
  viewers: number;
  rateFromPrevious: number | null;
  rateFromTop: number | null;
}

export interface ReviewAlert {
  id: string;
  rule: string;
  severity: string;
  state: string;
  message: string;
  firedAt: number | null;
  ackSeconds: number | null;
  resolveSeconds: number | null;
}

export interface AlertRuleRow {
  rule: string;
  count: number;
  open: number;
  medianAckSeconds: number | null;
  medianResolveSeconds: number | null;
}

export interface ActionImpact {
  partial: boolean;
  change: { entry_rate: number | null; click_rate: number | null; conversion: number | null };
}

export interface ReviewAction {
  id: number;
  type: string;
  at: number | null;
  by: string;
  fields: Readonly<Record<string, unknown>>;
  impact: ActionImpact | null;
}

export interface IntentRow {
  intent: string;
  label: string;
  count: number;
  share: number;
}

export interface TopQuestion {
  id: string;
  label: string;
  text: string;
  count: number;
  status: string;
}

export interface QuestionsSummary {
  asked: number;
  answered: number;
  openAtEnd: number;
  medianAnswerSeconds: number | null;
  top: TopQuestion[];
}

export interface Review {
  show: ReviewShow;
  summary: Readonly<Record<string, number>>;
  targets: TargetRow[];
  products: ProductReviewRow[];
  minutes: MinuteRow[];
  segments: SegmentRow[] | null;
  channels: SliceRow[] | null;
  audience: AudienceDimension[] | null;
  funnel: FunnelStep[] | null;
  alerts: ReviewAlert[];
  alertRules: AlertRuleRow[];
  actions: ReviewAction[];
  comments: IntentRow[];
  questions: QuestionsSummary | null;
  events: number | null;
}

/* ---- lenient readers ---- */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
function count(v: unknown): number {
  return num(v) ?? 0;
}
function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
function time(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v !== "string" || v === "") return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}
function rows(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}
/** A section that may be absent: null when not sent, its rows when it is. */
function optionalRows<T>(v: unknown, parse: (o: Obj) => T): T[] | null {
  return Array.isArray(v) ? rows(v).map(parse) : null;
}

function parseSlice(o: Obj, nameKey: string): SliceRow {
  return {
    name: str(o[nameKey]),
    uv: num(o.uv),
    share: num(o.share),
    avgWatchSeconds: num(o.avg_watch_seconds),
    buyers: num(o.buyers),
    conversionRate: num(o.conversion_rate),
    gmv: num(o.gmv),
    uvValue: num(o.uv_value),
  };
}

/** The review JSON → {@link Review}; anything malformed becomes empty, never an exception. */
export function parseReview(body: unknown): Review {
  const o = isObj(body) ? body : {};
  const show = isObj(o.show) ? o.show : {};
  const summary: Record<string, number> = {};
  if (isObj(o.summary)) for (const [k, v] of Object.entries(o.summary)) if (num(v) !== null) summary[k] = v as number;

  const targets: TargetRow[] = [];
  if (isObj(o.targets)) {
    for (const key of TARGET_KEYS) {
      const t = o.targets[key];
      if (!isObj(t) || num(t.target) === null) continue;
      targets.push({ key, target: num(t.target) ?? 0, actual: num(t.actual), progress: num(t.progress) });
    }
  }

  const alerts = isObj(o.alerts) ? o.alerts : {};
  const audience: AudienceDimension[] | null = isObj(o.audience)
    ? Object.entries(o.audience)
        .filter(([, v]) => Array.isArray(v))
        .map(([key, v]) => ({ key, rows: rows(v).map((r) => parseSlice(r, "value")) }))
    : null;
  const q = isObj(o.questions) ? o.questions : null;

  return {
    show: {
      id: str(show.id),
      title: str(show.title),
      platform: str(show.platform),
      room: str(show.room),
      status: str(show.status),
      startedAt: time(show.started_at),
      endedAt: time(show.ended_at),
      plannedMinutes: num(show.planned_minutes),
    },
    summary,
    targets,
    products: rows(o.products).map((p) => ({
      sku: str(p.sku),
      name: str(p.name),
      role: str(p.role),
      impressions: count(p.impressions),
      clicks: count(p.clicks),
      cartAdds: count(p.cart_adds),
      orders: count(p.orders),
      paidOrders: count(p.paid_orders),
      paidUnits: count(p.paid_units),
      gmv: count(p.gmv),
      allocatedStock: num(p.allocated_stock),
    })),
    minutes: rows(o.minutes ?? o.series)
      .filter((m) => num(m.minute) !== null)
      .map((m) => ({
        at: count(m.minute) * 1000,
        online: count(m.online),
        joins: count(m.joins),
        comments: count(m.comments),
        orders: count(m.orders),
        gmv: count(m.gmv),
      })),
    segments: optionalRows(o.segments, (s) => ({
      id: str(s.id),
      title: str(s.title),
      sku: typeof s.sku === "string" && s.sku !== "" ? s.sku : null,
      plannedSeconds: num(s.planned_seconds),
      actualSeconds: num(s.actual_seconds),
      overrunSeconds: num(s.overrun_seconds),
      startedAt: time(s.started_at),
      gmv: num(s.gmv),
      ordersPaid: num(s.orders_paid),
      peakOnline: num(s.peak_online),
      gmvPerMinute: num(s.gmv_per_minute),
      conversionRate: num(s.conversion_rate),
    })),
    channels: optionalRows(o.channels, (c) => parseSlice(c, "channel")),
    audience,
    funnel: optionalRows(o.funnel, (f) => ({
      step: str(f.step),
      label: str(f.label) || str(f.step),
      viewers: count(f.viewers),
      rateFromPrevious: num(f.rate_from_previous),
      rateFromTop: num(f.rate_from_top),
    })),
    alerts: rows(alerts.items).map((a) => ({
      id: str(a.id),
      rule: str(a.rule),
      severity: str(a.severity),
      state: str(a.state),
      message: str(a.message),
      firedAt: time(a.fired_at),
      ackSeconds: num(a.ack_seconds),
      resolveSeconds: num(a.resolve_seconds),
    })),
    alertRules: rows(alerts.by_rule).map((r) => ({
      rule: str(r.rule),
      count: count(r.count),
      open: count(r.open),
      medianAckSeconds: num(r.median_ack_seconds),
      medianResolveSeconds: num(r.median_resolve_seconds),
    })),
    actions: rows(o.actions).map((a) => {
      const { id, type, at, by, impact, ...fields } = a;
      const change = isObj(impact) && isObj(impact.change) ? impact.change : null;
      return {
        id: count(id),
        type: str(type),
        at: time(at),
        by: isObj(by) ? str(by.label) || str(by.role) : "",
        fields,
        impact:
          change === null
            ? null
            : {
                partial: isObj(impact) && impact.partial === true,
                change: {
                  entry_rate: num(change.entry_rate),
                  click_rate: num(change.click_rate),
                  conversion: num(change.conversion),
                },
              },
      };
    }),
    comments: rows(o.comments).map((c) => ({
      intent: str(c.intent),
      label: str(c.label) || str(c.intent),
      count: count(c.count),
      share: count(c.share),
    })),
    questions:
      q === null
        ? null
        : {
            asked: count(q.asked),
            answered: count(q.answered),
            openAtEnd: count(q.open_at_end),
            medianAnswerSeconds: num(q.answer_seconds_median),
            top: rows(q.top).map((t) => ({
              id: str(t.id),
              label: str(t.label),
              text: str(t.representative),
              count: count(t.total ?? t.count),
              status: str(t.status),
            })),
          },
    events: num(o.events),
  };
}

export async function getReview(showId: string): Promise<Review> {
  return parseReview(await request(`/api/v1/shows/${encodeURIComponent(showId)}/review`));
}

/* ---- exports ---- */

export type ExportTable = "minutes" | "products" | "segments" | "channels" | "comments" | "alerts" | "actions";

export function exportCsvPath(showId: string, table: ExportTable): string {
  return `/api/v1/shows/${encodeURIComponent(showId)}/export/${table}.csv?excel=true`;
}
export function exportEventsPath(showId: string): string {
  return `/api/v1/shows/${encodeURIComponent(showId)}/export/events.ndjson`;
}
export function reportPath(showId: string): string {
  return `/api/v1/shows/${encodeURIComponent(showId)}/report.html`;
}

/* ---- figures ---- */

/** Traffic sources as the platforms' back offices name them. */
const CHANNEL_NAMES: Readonly<Record<string, string>> = {
  recommend: "推荐 recommend",
  follow: "关注 follow",
  share: "分享 share",
  short_video: "短视频 short video",
  paid: "付费投流 paid",
  search: "搜索 search",
  other: "其他 other",
};

/** A channel's name for people: "推荐 recommend"; an unknown one as sent, "—" when empty. */
export function channelName(channel: string): string {
  return CHANNEL_NAMES[channel] ?? (channel || "—");
}

/** The show's length in seconds, start to end; null until both are known. */
export function showSeconds(show: ReviewShow): number | null {
  if (show.startedAt === null || show.endedAt === null) return null;
  return Math.max(0, (show.endedAt - show.startedAt) / 1000);
}

/** A product's click → paid-order rate (paid orders ÷ clicks); null without clicks. */
export function productConversion(p: ProductReviewRow): number | null {
  return p.clicks > 0 ? p.paidOrders / p.clicks : null;
}

export type ProductSort = "gmv" | "conversion" | "paid_units" | "clicks";

const PRODUCT_SORT_VALUE: Record<ProductSort, (p: ProductReviewRow) => number | null> = {
  gmv: (p) => p.gmv,
  conversion: productConversion,
  paid_units: (p) => p.paidUnits,
  clicks: (p) => p.clicks,
};

/** Products, best first by `key`; unknown values last, ties by GMV then SKU (a stable order). */
export function sortProducts(products: readonly ProductReviewRow[], key: ProductSort): ProductReviewRow[] {
  const value = PRODUCT_SORT_VALUE[key];
  return [...products].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      return vb - va;
    }
    return b.gmv - a.gmv || a.sku.localeCompare(b.sku);
  });
}

/** Viewers lost between one funnel step and the one before it (0 for the first step). */
export function funnelDropOffs(steps: readonly FunnelStep[]): number[] {
  return steps.map((s, i) => (i === 0 ? 0 : Math.max(0, (steps[i - 1]?.viewers ?? 0) - s.viewers)));
}

/* ---- findings ---- */

export type Tone = "good" | "bad" | "info";

export interface Finding {
  id: string;
  tone: Tone;
  text: string;
}

const TARGET_LABEL: Record<TargetKey, string> = {
  gmv: "成交额",
  uv: "观看人数",
  conversion_rate: "转化率",
  aov: "客单价",
};

/**
 * What the 复盘 meeting should talk about first, from the review alone: targets missed or
 * reached, the peak minute, the product that carried the show, the funnel's worst step, the
 * segments that overran, the alerts nobody acknowledged, refunds. Worst news first.
 */
export function reviewFindings(r: Review): Finding[] {
  const out: Finding[] = [];
  for (const t of r.targets) {
    if (t.progress === null) continue;
    const label = TARGET_LABEL[t.key];
    out.push(
      t.progress >= 1
        ? { id: `target-${t.key}`, tone: "good", text: `${label}达成目标 ${formatRate(t.progress, 0)}` }
        : { id: `target-${t.key}`, tone: "bad", text: `${label}仅完成目标的 ${formatRate(t.progress, 0)}` },
    );
  }

  const overruns = (r.segments ?? []).filter((s) => (s.overrunSeconds ?? 0) > 0);
  if (overruns.length > 0) {
    const worst = overruns.reduce((a, b) => ((b.overrunSeconds ?? 0) > (a.overrunSeconds ?? 0) ? b : a));
    out.push({
      id: "overrun",
      tone: "bad",
      text: `${overruns.length} 个环节超时，最多的是「${worst.title || worst.id}」超出 ${formatDuration(worst.overrunSeconds)}`,
    });
  }

  const funnel = r.funnel ?? [];
  let worstStep: FunnelStep | null = null;
  for (const s of funnel.slice(1)) {
    if (s.rateFromPrevious === null) continue;
    if (worstStep === null || s.rateFromPrevious < (worstStep.rateFromPrevious ?? 1)) worstStep = s;
  }
  if (worstStep !== null && worstStep.rateFromPrevious !== null) {
    out.push({
      id: "funnel",
      tone: "bad",
      text: `漏斗流失最大在「${worstStep.label}」：只有 ${formatRate(worstStep.rateFromPrevious, 1)} 走到这一步`,
    });
  }

  const unacked = r.alerts.filter((a) => a.ackSeconds === null && a.state !== "resolved").length;
  if (unacked > 0) out.push({ id: "alerts", tone: "bad", text: `${unacked} 条告警直到结束无人确认` });

  const refundRate = r.summary.refund_rate ?? 0;
  if (refundRate > 0) {
    out.push({
      id: "refunds",
      tone: "bad",
      text: `退款率 ${formatRate(refundRate, 1)}（${formatMoney(r.summary.refund_amount)}）`,
    });
  }

  const totalGmv = r.products.reduce((s, p) => s + p.gmv, 0);
  const top = sortProducts(r.products, "gmv")[0];
  if (top !== undefined && top.gmv > 0 && totalGmv > 0) {
    out.push({
      id: "top-product",
      tone: "good",
      text: `「${top.name || top.sku}」贡献 ${formatRate(top.gmv / totalGmv, 0)} 成交额（${formatMoney(top.gmv)}）`,
    });
  }

  const peak = r.minutes.reduce<MinuteRow | null>((a, m) => (a === null || m.online > a.online ? m : a), null);
  if (peak !== null && peak.online > 0) {
    out.push({ id: "peak", tone: "info", text: `在线峰值 ${peak.online} 人，在 ${formatHourMinute(peak.at)}` });
  }

  const best = r.minutes.reduce<MinuteRow | null>((a, m) => (a === null || m.gmv > a.gmv ? m : a), null);
  if (best !== null && best.gmv > 0) {
    out.push({
      id: "best-minute",
      tone: "info",
      text: `成交最高的一分钟 ${formatHourMinute(best.at)}：${formatMoney(best.gmv)}`,
    });
  }

  const channel = (r.channels ?? []).reduce<SliceRow | null>(
    (a, c) => (a === null || (c.gmv ?? 0) > (a.gmv ?? 0) ? c : a),
    null,
  );
  if (channel !== null && (channel.gmv ?? 0) > 0) {
    out.push({
      id: "channel",
      tone: "info",
      text: `成交最多的流量来源：${channelName(channel.name)}（${formatMoney(channel.gmv)}）`,
    });
  }
  return out;
}

/* ---- chart markers ---- */

export type MarkerKind = "segment" | "action" | "alert";

export interface TimelineMarker {
  kind: MarkerKind;
  at: number;
  label: string;
}

/** Action types worth a mark on the review's timeline (those that move sales). */
const MARKED_ACTIONS: Readonly<Record<string, string>> = {
  "product.pin": "挂车",
  "price.set": "改价",
  "coupon.issue": "发券",
  "lucky_bag.start": "福袋",
  "lucky_bag.draw": "福袋开奖",
  "announcement.set": "公告",
};

/**
 * The review's moments on one time line, oldest first: each segment's start, each action that
 * moves sales, each alert as it fired. The chart draws them, the replay bar jumps to them.
 */
export function timelineMarkers(r: Review): TimelineMarker[] {
  const out: TimelineMarker[] = [];
  for (const s of r.segments ?? []) {
    if (s.startedAt !== null) out.push({ kind: "segment", at: s.startedAt, label: `环节 ${s.title || s.id}` });
  }
  if (r.segments === null) {
    // Without the segments table, the segment changes are in the actions.
    for (const a of r.actions) {
      if (a.type === "segment.goto" && a.at !== null) {
        out.push({ kind: "segment", at: a.at, label: `环节 ${str(a.fields.segment_id)}` });
      }
    }
  }
  for (const a of r.actions) {
    const label = MARKED_ACTIONS[a.type];
    if (label === undefined || a.at === null) continue;
    const sku = str(a.fields.sku);
    out.push({ kind: "action", at: a.at, label: sku !== "" ? `${label} ${sku}` : label });
  }
  for (const a of r.alerts) {
    if (a.firedAt !== null) out.push({ kind: "alert", at: a.firedAt, label: `告警 ${a.rule}` });
  }
  return out.sort((a, b) => a.at - b.at);
}
