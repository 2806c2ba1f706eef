/**
 * Types for the live websocket protocol (docs/protocol.md) and the one place where a raw
 * frame becomes a typed message.
 *
 * The envelope (`type`, `epoch`, `offset`) is checked strictly because ordering and resume
 * depend on it. Payloads are read leniently (missing numbers become 0, unknown keys are
 * dropped) so that a server that adds a field, or a frame with one odd value, never blanks
 * the whole console during a show. Stock rows, alerts, cues, actions, the commerce state and
 * question clusters are the exception: they are checked strictly, field by field (see "stock, alerts, cues and
 * actions" below).
 *
 * A frame with a stream position is always taken as a publication, even when its type is
 * unknown or its payload unusable (`ignored`), so that the position advances and a resume
 * never replays the same frame into a reconnect loop.
 */

import { CLOSE_CODES, INTENTS, METRIC_KEYS, type Intent, type MetricKey } from "./wire.gen";

// Every metric key of CONTRACT.md §4 in the contract's order, generated from docs/asyncapi.json
// (wire.gen.ts) rather than kept here as one more copy.
export { METRIC_KEYS };
export type { MetricKey };

/** A snapshot holds every key; a `metrics` frame only the keys that changed. */
export type Metrics = Partial<Record<MetricKey, number>>;

export interface Position {
  readonly epoch: string;
  readonly offset: number;
}

export type ShowStatus = "scheduled" | "live" | "ended";

export interface ShowInfo {
  id: string;
  title: string;
  platform: string;
  /** `scheduled` / `live` / `ended`; kept as a string so a new state still renders. */
  status: ShowStatus | (string & {});
  started_at: string | null;
  ended_at: string | null;
  /** Targets keyed by metric key (e.g. `gmv_paid` in fen), when the show has any. */
  targets: Partial<Record<MetricKey, number>>;
}

/** Per-product live figures (docs/metrics.md, "Per product"). */
export interface ProductRow {
  sku: string;
  name: string | null;
  impressions: number;
  clicks: number;
  cart_adds: number;
  orders: number;
  units: number;
  paid_orders: number;
  paid_units: number;
  /** Paid amount in fen. */
  gmv: number;
  /** null when neither a `stock.set` nor a lineup allocation is known. */
  stock_left: number | null;
}

/** One UTC minute of the show (docs/metrics.md, "Per minute"). */
export interface SeriesPoint {
  /** RFC 3339 start of the minute. */
  minute: string;
  online: number;
  joins: number;
  comments: number;
  likes: number;
  orders: number;
  /** Paid amount in fen. */
  gmv: number;
}

/** Freshness of one event family (`viewer`, `comment`, `order`, …). */
export interface FeedFreshness {
  /** Source time of the newest event of the family. */
  ts: string | null;
  /** Server time at which that newest event was received. */
  received_at: string | null;
}

export type Feeds = Record<string, FeedFreshness>;

/** Latest `stream.health` event of the show (not in docs/protocol.md yet; sent by the server). */
export interface StreamHealth {
  ts: string | null;
  bitrate_kbps: number | null;
  fps: number | null;
  latency_ms: number | null;
  /** 0–1 */
  stall_ratio: number | null;
  line: string | null;
}

/**
 * What a comment is about (contract §11), as the server's classifier read it: `Intent` and
 * `INTENTS` are generated from the message models. A comment from a server before the field,
 * or with an intent this console does not know, is "other".
 */
export type { Intent };
export { INTENTS };

const INTENT_SET: ReadonlySet<string> = new Set(INTENTS);

/** An intent as sent; missing or unknown: "other". */
export function readIntent(v: unknown): Intent {
  return typeof v === "string" && INTENT_SET.has(v) ? (v as Intent) : "other";
}

export interface CommentItem {
  kind: "comment";
  id: string;
  ts: string;
  viewer_id: string;
  text: string;
  /** "other" when the server sent none (a snapshot from before contract §11). */
  intent: Intent;
}

export type OrderEvent = "created" | "paid" | "cancelled" | "refunded";

export interface OrderItem {
  kind: "order";
  id: string;
  ts: string;
  event: OrderEvent;
  order_id: string;
  viewer_id?: string;
  sku?: string;
  qty?: number;
  /** fen */
  amount?: number;
}

export type FeedItem = CommentItem | OrderItem;

interface Positioned {
  epoch: string;
  offset: number;
}

/**
 * A flash sale (秒杀) on one SKU. Before `starts_at` reservations answer `not_started` and
 * consoles count down to it; the state says nothing about that, the clock does.
 */
export interface FlashSale {
  /** At most this many units go in the sale. */
  cap: number;
  /** Units a buyer can still get in it. */
  remaining: number;
  /** Epoch ms (server clock). */
  starts_at: number;
  state: "running" | "sold_out";
}

/**
 * One SKU's stock ledger (contract §7) with its sell-out forecast.
 * `reserved + sold + available = allocated`. Times are epoch ms, as sent.
 */
export interface StockLevels {
  sku: string;
  allocated: number;
  reserved: number;
  sold: number;
  available: number;
  /** Version of the newest ERP count applied. */
  version: number | null;
  limit_per_viewer: number | null;
  flash_sale: FlashSale | null;
  /** Epoch ms when it ran out, while it is out. */
  sold_out_at: number | null;
  /** Grows with every change of the row: keep the row with the highest. */
  rev: number;
  /** reserved + sold growth over the last minute. */
  units_per_minute: number;
  /** Time to zero at that pace; null when nothing is selling. */
  sell_out_in_seconds: number | null;
}

export type StockAlertKind = "low_stock" | "sold_out";
export type AlertKind = StockAlertKind | "compliance" | "cue_unacked" | "segment_overrun" | "other";
export type AlertSeverity = "info" | "warning" | "critical";
/**
 * Where an alert stands (contract §12, docs/alerts.md "States"): `firing` (nobody has said
 * they are on it), `acknowledged` (someone is), `resolved` (over). It only moves forward.
 */
export type AlertState = "firing" | "acknowledged" | "resolved";
/** The roles of docs/asyncapi.json; kept as a string so that a role added later still shows. */
export type AlertRole = "field_control" | "assistant" | "anchor" | "operations" | (string & {});

interface AlertBase {
  /**
   * The alert's id (`al_…`, contract §12): a later message with the same id replaces it (it
   * was acknowledged, resolved or escalated). null from a server from before §12.
   */
  id: string | null;
  /** The rule that raised it (`low_stock`, …), also for a kind this console reads as "other". */
  rule: string;
  /** What the rule watched: the SKU, the cue, the segment, or "" for the show. */
  subject: string;
  severity: AlertSeverity;
  /** `firing` from a server from before §12, which sent no state. */
  state: AlertState;
  /** The consoles that should show it: the roles that can act on it. */
  roles: AlertRole[];
  /** Ready to show, Chinese then English (the wire's `message`, or `text` before §12). */
  text: string;
  /** When it fired, epoch ms. */
  ts: number;
  /** RFC 3339; null while nobody has acknowledged it. */
  acked_at: string | null;
  /** Who acknowledged it first. */
  acked_by: Actor | null;
  /** From firing to the acknowledgement. */
  ack_seconds: number | null;
  /** RFC 3339; null while open. */
  resolved_at: string | null;
  /** Who resolved it; null while open and when it resolved by itself (its condition cleared). */
  resolved_by: Actor | null;
  /** From firing to resolved. */
  resolve_seconds: number | null;
  /**
   * Left unacknowledged past its rule's time, the server raised it one severity (`detail`'s
   * `escalated`). The server does not store this: an acknowledgement answers it unescalated.
   */
  escalated: boolean;
}

/** A SKU crossed into low stock, or sold out. */
export interface StockAlert extends AlertBase {
  kind: StockAlertKind;
  sku: string;
  available: number;
}

/** One flagged term of a line (contract §9): `term` is the line's code points `start`…`end`. */
export interface ComplianceViolation {
  term: string;
  kind: string;
  start: number;
  end: number;
  reason: string;
  suggestion: string | null;
}

/** A line of the anchor's speech (a `transcript` event) used wording the rules flag. */
export interface ComplianceAlert extends AlertBase {
  kind: "compliance";
  sku: null;
  available: null;
  /** The transcript line. */
  line: string;
  violations: ComplianceViolation[];
}

/** A cue left open past the server's escalation time (`cue_escalate_seconds`). */
export interface CueUnackedAlert extends AlertBase {
  kind: "cue_unacked";
  sku: null;
  available: null;
  cue_id: number;
}

/** A segment ran past its planned time (field control paces the show: move on, or cut). */
export interface SegmentOverrunAlert extends AlertBase {
  kind: "segment_overrun";
  sku: null;
  available: null;
  /** The segment past its plan. */
  segment_id: string;
}

/**
 * An alert of a kind this console does not know yet (contract §12 lists more rules than
 * the server raises today): shown by its text, under a generic label. `kind` is "other" so
 * that the known kinds narrow; the server's own kind is `server_kind`.
 */
export interface OtherAlert extends AlertBase {
  kind: "other";
  server_kind: string;
  sku: string | null;
  available: number | null;
}

export type Alert = StockAlert | ComplianceAlert | CueUnackedAlert | SegmentOverrunAlert | OtherAlert;

/** Who did something: a token's label and role. */
export interface Actor {
  label: string;
  role: string;
}

/**
 * A cue for the anchor (docs/runsheet.md, "Cues"): open until an anchor acknowledges it.
 * Times are RFC 3339 strings, as the server sends them.
 */
export interface Cue {
  /** The id of the `cue` action; what `POST …/cues/{id}/ack` takes. */
  id: number;
  text: string;
  by: Actor;
  created_at: string;
  acked_at: string | null;
  /** Seconds from `created_at` to `acked_at`, to the millisecond. */
  ack_seconds: number | null;
  acked_by: Actor | null;
  /** How long it had been open when the server sent it. */
  open_seconds: number;
}

/**
 * A segment's beat in the plan (docs/runsheet.md: "15 s hook + 3 min push + 5 min welfare").
 * A beat added later is read as "other".
 */
export type Beat = "hook" | "push" | "welfare" | "warmup" | "interaction" | "other";

export interface PrompterSegment {
  id: string;
  title: string;
  sku: string | null;
  planned_seconds: number;
  /** Whole seconds on air, as of the message's `server_time`. */
  elapsed_seconds: number;
  /** null: the plan gives none. */
  beat: Beat | null;
}

export interface PrompterNext {
  id: string;
  title: string;
  beat: Beat | null;
}

/** A span of `text` that is a live value; offsets in Unicode code points. */
export interface PrompterPart {
  start: number;
  end: number;
  name: string;
  /** The value is not known: the text shows a dash there. */
  missing: boolean;
}

/** What the anchor sees now: exactly `GET /api/v1/shows/{id}/prompter`. */
export interface PrompterView {
  /** null before a segment goes on air. */
  segment: PrompterSegment | null;
  text: string;
  next: PrompterNext | null;
  /** The open cues, oldest first. */
  cues: Cue[];
  parts: PrompterPart[];
  /** Every placeholder's value (null: not known). */
  values: Record<string, string | null>;
  remaining_seconds: number | null;
  overrun_seconds: number | null;
  version: number;
  /**
   * The newest question-like comments of the live feed, newest first (at most 3; empty from
   * a server from before the field).
   */
  questions: string[];
}

/** An operator action of the audit log (contract §10): `{id, type, by, at, …fields}`. */
export interface ActionRecord {
  id: number;
  type: string;
  by: Actor;
  at: string;
  /** The type's own fields (`text` of a cue, `segment_id` of a `segment.goto`, …). */
  fields: Record<string, unknown>;
}

/** A product's price as the room sees it (`commerce.prices`); money in fen. */
export interface PriceRow {
  sku: string;
  name: string;
  list_price: number;
  live_price: number;
}

/** A coupon issued in the show (`commerce.coupons`); money in fen. */
export interface CouponRow {
  coupon_id: string;
  amount_off: number;
  /** Spend at least this much (fen) to use it; null: no threshold. */
  threshold: number | null;
  quantity: number;
  state: "issued" | "stopped";
  /** RFC 3339. */
  issued_at: string;
  /** RFC 3339; null while issued. */
  stopped_at: string | null;
}

/** A lucky bag (福袋) of the show (`commerce.lucky_bags`), with its draw once drawn. */
export interface LuckyBagRow {
  bag_id: string;
  prize: string;
  winners: number;
  condition: "comment" | "follow";
  /** Whose condition counts: met anywhere in the show, or only since the bag started. */
  entries_from: "show" | "start";
  state: "running" | "drawn";
  /** RFC 3339. */
  started_at: string;
  /** RFC 3339; null until drawn. */
  drawn_at: string | null;
  /** The draw's seed (re-run it with the candidates); null until drawn. */
  seed: number | null;
  /** How many viewers met the condition at the draw; null until drawn. */
  candidates: number | null;
  winner_ids: string[];
}

/**
 * What the room's viewers see now, as actions left it (contract §10; `GET …/commerce` and the
 * live `commerce` message): the pinned product, the live prices, coupons, lucky bags, the
 * announcement, and the money-moving actions still in their undo window (`held`, whose
 * `fields.state` is "held" and `fields.applies_at` the end of the window).
 */
export interface CommerceState {
  pinned_sku: string | null;
  announcement: string | null;
  prices: PriceRow[];
  coupons: CouponRow[];
  lucky_bags: LuckyBagRow[];
  held: ActionRecord[];
}

/**
 * One cluster of similar viewer questions (contract §11, issue #12): what it asks (`intent`,
 * `topic`, its Chinese `label`), a viewer's comment standing for it and up to three other
 * wordings, how many comments and distinct viewers in the current wave, and whether it is
 * still open. Times are RFC 3339, as sent.
 */
export interface QuestionCluster {
  id: string;
  /** One of the four `question_*` intents ("other" for one this console does not know). */
  intent: Intent;
  /** `size`, `price`, `coupon`, `ship_time`, … (kept as sent: the label is what is shown). */
  topic: string;
  /** The topic in Chinese: 尺码, 发货时间, … */
  label: string;
  /** The product on screen when it was asked. */
  sku: string | null;
  representative: string;
  examples: string[];
  /** Comments in the current wave. */
  count: number;
  /** Distinct viewers in the current wave. */
  viewers: number;
  first_at: string;
  last_at: string;
  status: "open" | "answered" | "dismissed";
  /** Every comment the cluster ever had. */
  total: number;
  answered_at: string | null;
}

/**
 * The question queue as consoles hold it: the open clusters, most pressing first (the server
 * sends a bounded number), how many are open in all, and the recently closed ones (answered or
 * dismissed, newest first; empty from a server that sends none).
 */
export interface QuestionsState {
  clusters: QuestionCluster[];
  open: number;
  closed: QuestionCluster[];
}

export interface SnapshotMessage extends Positioned {
  type: "snapshot";
  server_time: string;
  show: ShowInfo;
  metrics: Metrics;
  metrics_at: string | null;
  products: ProductRow[];
  series: SeriesPoint[];
  /** The most recent feed items, oldest first. */
  feed: FeedItem[];
  feeds: Feeds;
  /** null when the show has had no `stream.health` event. */
  stream_health: StreamHealth | null;
  /** Every SKU of the show's stock ledger (rows that failed the strict check are left out). */
  stock: StockLevels[];
  /** The most recent alerts, oldest first. */
  alerts: Alert[];
  /** What the anchor sees; null without a run-sheet (or from a server before the field). */
  prompter: PrompterView | null;
  /** Recent cues, oldest first: the open ones and recently acknowledged ones. */
  cues: Cue[];
  /**
   * What the room's viewers see (pinned product, prices, coupons, lucky bags, held actions);
   * null until the server first read it, from a server before the field, or when malformed.
   */
  commerce: CommerceState | null;
  /**
   * The open question clusters; null from a server before the field, before the server first
   * read them, or when malformed.
   */
  questions: QuestionsState | null;
  /** How many stock rows, alerts, cues, commerce states or question clusters were malformed and left out. */
  rejected: number;
}

export interface MetricsMessage extends Positioned {
  type: "metrics";
  server_time: string;
  /** Only the keys that changed. */
  metrics: Metrics;
  /** `undefined` when the frame did not carry the field (keep the old value). */
  metrics_at: string | null | undefined;
  /** Only changed SKUs, whole rows. */
  products: ProductRow[];
  /** Only changed minutes, whole points. */
  series: SeriesPoint[];
  /** Only changed families. */
  feeds: Feeds;
  /** Present only when the stream's health changed. */
  stream_health: StreamHealth | undefined;
}

export interface FeedMessage extends Positioned {
  type: "feed";
  server_time: string;
  items: FeedItem[];
}

/** Ledger rows that changed, whole; keep per SKU the row with the highest `rev`. */
export interface StockMessage extends Positioned {
  type: "stock";
  server_time: string;
  items: StockLevels[];
  /** How many rows were malformed and left out. */
  rejected: number;
}

/** An alert for this console's role, sent at once. */
export type AlertMessage = Positioned & Alert & { type: "alert"; server_time: string };

/** What the anchor sees changed (roles anchor, field_control, assistant; others get `skip`). */
export interface PrompterMessage extends Positioned {
  type: "prompter";
  server_time: string;
  prompter: PrompterView;
}

/** A cue was sent, or acknowledged: replace the held cue of the same id. */
export interface CueMessage extends Positioned {
  type: "cue";
  server_time: string;
  cue: Cue;
}

/**
 * The pinned product, prices, coupons, lucky bags, announcement or held actions changed:
 * replace the whole commerce state held.
 */
export interface CommerceMessage extends Positioned {
  type: "commerce";
  server_time: string;
  commerce: CommerceState;
}

/** The open question clusters changed: replace the whole list held. Every role gets it. */
export interface QuestionsMessage extends Positioned {
  type: "questions";
  server_time: string;
  questions: QuestionsState;
  /** How many clusters were malformed and left out. */
  rejected: number;
}

/** An operator action was performed. */
export interface ActionMessage extends Positioned {
  type: "action";
  server_time: string;
  action: ActionRecord;
}

/**
 * A publication this console cannot use: a type it does not know (servers may add types),
 * or a known type whose payload failed the strict check. It still holds a stream position,
 * which must be taken: otherwise the next publication looks like a gap, the resume replays
 * the same frame, and the console would reconnect forever.
 */
export interface IgnoredPublication extends Positioned {
  type: "ignored";
  server_time: string;
  /** The frame's own `type`. */
  original: string;
  reason: string;
}

/**
 * Where a replay stands (only on a socket opened with `?replay=SPEED`, docs/protocol.md
 * "Replay"): on every change of state or speed, after a seek, about once a second while it
 * plays. Times are the show's source times in epoch ms.
 */
export interface ReplayMessage extends Positioned {
  type: "replay";
  server_time: string;
  state: "playing" | "paused" | "ended";
  speed: number;
  position_ms: number;
  start_ms: number;
  end_ms: number;
}

export interface ShowMessage extends Positioned {
  type: "show";
  server_time: string;
  show: ShowInfo;
}

/**
 * A position whose publication is not for this console's role (an alert for field control,
 * say): it only moves the position on, so that resume stays exact.
 */
export interface SkipMessage extends Positioned {
  type: "skip";
}

export interface ResumedMessage extends Positioned {
  type: "resumed";
}

export interface ResyncMessage {
  type: "resync";
  reason: string;
}

export interface PongMessage {
  type: "pong";
  server_time: string;
}

export interface ErrorMessage {
  type: "error";
  code: string;
  message: string;
}

/** Frames that carry a stream position and must be applied in offset order. */
export type Publication =
  | MetricsMessage
  | FeedMessage
  | ShowMessage
  | StockMessage
  | AlertMessage
  | PrompterMessage
  | CueMessage
  | ActionMessage
  | CommerceMessage
  | QuestionsMessage
  | SkipMessage
  | ReplayMessage
  | IgnoredPublication;

export type ServerMessage = SnapshotMessage | Publication | ResumedMessage | ResyncMessage | PongMessage | ErrorMessage;

export interface PingMessage {
  type: "ping";
}

/** Replay only: steer the replay (docs/protocol.md "Console → server"). */
export type ReplayControlMessage =
  | { type: "replay.play" }
  | { type: "replay.pause" }
  | { type: "replay.speed"; speed: number }
  | { type: "replay.seek"; position_ms: number };

export type ClientMessage = PingMessage | ReplayControlMessage;

/**
 * Close codes of docs/protocol.md: the server's, generated from docs/asyncapi.json, and the two
 * that only this side of the socket knows.
 */
export const CloseCode = {
  /** What the console closes with when it stops or reconnects by itself. */
  Normal: 1000,
  /** Never sent on the wire: what browsers report when the connection just dropped. */
  Abnormal: 1006,
  ...CLOSE_CODES,
} as const;

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown, fallback = 0): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

function str(v: unknown, fallback = ""): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return fallback;
}

/**
 * Times arrive as RFC 3339 strings or as numeric epochs (the server sends milliseconds for
 * `server_time`, `metrics_at` and `feeds`, seconds for series minutes, microseconds inside
 * `stream_health`). The unit is told apart by magnitude — for any date between 1973 and
 * 5138 the three ranges do not overlap — and the rest of the console only sees strings.
 */
export function timeString(v: unknown): string | null {
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number" && Number.isFinite(v) && v > 0) {
    const ms = v >= 1e14 ? v / 1000 : v >= 1e11 ? v : v * 1000;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return null;
}

function firstTime(o: Json, keys: readonly string[]): string | null {
  for (const k of keys) {
    const t = timeString(o[k]);
    if (t !== null) return t;
  }
  return null;
}

const METRIC_KEY_SET: ReadonlySet<string> = new Set(METRIC_KEYS);

function isMetricKey(k: string): k is MetricKey {
  return METRIC_KEY_SET.has(k);
}

export function parseMetrics(v: unknown): Metrics {
  const out: Metrics = {};
  if (!isObject(v)) return out;
  for (const [k, value] of Object.entries(v)) {
    if (isMetricKey(k) && typeof value === "number" && Number.isFinite(value)) out[k] = value;
  }
  return out;
}

/** Show targets use the planning names; `gmv` is the paid GMV of CONTRACT.md §4. */
const TARGET_ALIASES: Readonly<Record<string, MetricKey>> = { gmv: "gmv_paid" };

function parseTargets(v: unknown): Metrics {
  if (!isObject(v)) return {};
  const renamed: Json = {};
  for (const [k, value] of Object.entries(v)) renamed[TARGET_ALIASES[k] ?? k] = value;
  return parseMetrics(renamed);
}

export function parseShow(v: unknown): ShowInfo | null {
  if (!isObject(v)) return null;
  const id = str(v.id);
  if (id === "") return null;
  return {
    id,
    title: str(v.title),
    platform: str(v.platform),
    status: str(v.status, "scheduled"),
    started_at: timeString(v.started_at),
    ended_at: timeString(v.ended_at),
    targets: parseTargets(v.targets),
  };
}

function numOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function parseStreamHealth(v: unknown): StreamHealth | null {
  if (!isObject(v)) return null;
  return {
    ts: timeString(v.ts),
    bitrate_kbps: numOrNull(v.bitrate_kbps),
    fps: numOrNull(v.fps),
    latency_ms: numOrNull(v.latency_ms),
    stall_ratio: numOrNull(v.stall_ratio),
    line: typeof v.line === "string" && v.line !== "" ? v.line : null,
  };
}

function parseProduct(v: unknown): ProductRow | null {
  if (!isObject(v)) return null;
  const sku = str(v.sku);
  if (sku === "") return null;
  const name = typeof v.name === "string" && v.name !== "" ? v.name : null;
  return {
    sku,
    name,
    impressions: num(v.impressions),
    clicks: num(v.clicks),
    cart_adds: num(v.cart_adds),
    orders: num(v.orders),
    units: num(v.units),
    paid_orders: num(v.paid_orders),
    paid_units: num(v.paid_units),
    gmv: num(v.gmv),
    stock_left: typeof v.stock_left === "number" && Number.isFinite(v.stock_left) ? v.stock_left : null,
  };
}

/** The minute's time key is `minute` in docs; `ts`/`t`/`start` are read too. */
const MINUTE_KEYS = ["minute", "ts", "t", "start", "at"] as const;

function parseSeriesPoint(v: unknown): SeriesPoint | null {
  if (!isObject(v)) return null;
  const minute = firstTime(v, MINUTE_KEYS);
  if (minute === null) return null;
  return {
    minute,
    online: num(v.online),
    joins: num(v.joins),
    comments: num(v.comments),
    likes: num(v.likes),
    orders: num(v.orders),
    gmv: num(v.gmv),
  };
}

const SOURCE_TIME_KEYS = ["ts", "source_ts", "source_time", "event_ts"] as const;
const RECEIVED_TIME_KEYS = ["received_at", "server_ts", "server_time", "received"] as const;

export function parseFeeds(v: unknown): Feeds {
  const out: Feeds = {};
  if (!isObject(v)) return out;
  for (const [family, info] of Object.entries(v)) {
    if (isObject(info)) {
      out[family] = {
        ts: firstTime(info, SOURCE_TIME_KEYS),
        received_at: firstTime(info, RECEIVED_TIME_KEYS),
      };
    } else {
      // A bare timestamp per family is read as the source time.
      const t = timeString(info);
      if (t !== null) out[family] = { ts: t, received_at: null };
    }
  }
  return out;
}

const ORDER_EVENTS: ReadonlySet<string> = new Set<OrderEvent>(["created", "paid", "cancelled", "refunded"]);

function isOrderEvent(s: string): s is OrderEvent {
  return ORDER_EVENTS.has(s);
}

export function parseFeedItem(v: unknown): FeedItem | null {
  if (!isObject(v)) return null;
  const id = str(v.id);
  const ts = timeString(v.ts) ?? "";
  if (v.kind === "comment") {
    return {
      kind: "comment",
      id,
      ts,
      viewer_id: str(v.viewer_id),
      text: str(v.text),
      intent: readIntent(v.intent),
    };
  }
  if (v.kind === "order") {
    const event = str(v.event);
    if (!isOrderEvent(event)) return null;
    const item: OrderItem = { kind: "order", id, ts, event, order_id: str(v.order_id) };
    if (typeof v.viewer_id === "string") item.viewer_id = v.viewer_id;
    if (typeof v.sku === "string") item.sku = v.sku;
    if (typeof v.qty === "number") item.qty = v.qty;
    if (typeof v.amount === "number") item.amount = v.amount;
    return item;
  }
  return null;
}

// --- stock, alerts, cues and actions: strict --------------------------------------------
//
// Stock rows, alerts and cues drive decisions made in seconds ("已抢光", "只剩 5 件", "上链接"),
// so unlike the figures above they are never patched up: a row with a missing or mistyped
// field is left out whole (and counted), rather than shown with a made-up 0. Keys a newer
// server adds are ignored. An alert of a kind added later is read by its envelope (severity,
// roles, text, time) as kind "other". The prompter view is read leniently (the script matters
// more than one odd part), its cues strictly.

class Malformed extends Error {}

function isWhole(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

function isUnits(v: unknown): v is number {
  return isWhole(v) && v >= 0;
}

function isEpochMs(v: unknown): v is number {
  return isWhole(v) && v > 0;
}

function isRate(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

function isText(v: unknown): v is string {
  return typeof v === "string" && v !== "";
}

/** The field must be present and pass `check`. */
function need<T>(o: Json, key: string, check: (v: unknown) => v is T): T {
  const v = o[key];
  if (!check(v)) throw new Malformed(`${key}: ${JSON.stringify(v) ?? "missing"}`);
  return v;
}

/** The field must be present: null, or passing `check`. */
function needOrNull<T>(o: Json, key: string, check: (v: unknown) => v is T): T | null {
  if (!(key in o)) throw new Malformed(`${key}: missing`);
  return o[key] === null ? null : need(o, key, check);
}

function oneOf<T extends string>(values: readonly T[]): (v: unknown) => v is T {
  return (v: unknown): v is T => typeof v === "string" && (values as readonly string[]).includes(v);
}

function strictly<T>(read: (o: Json) => T): (v: unknown) => T | null {
  return (v) => {
    if (!isObject(v)) return null;
    try {
      return read(v);
    } catch (err) {
      if (err instanceof Malformed) return null;
      throw err;
    }
  };
}

function readFlashSale(v: unknown): FlashSale {
  if (!isObject(v)) throw new Malformed("flash_sale: not an object");
  return {
    cap: need(v, "cap", isUnits),
    remaining: need(v, "remaining", isUnits),
    starts_at: need(v, "starts_at", isEpochMs),
    state: need(v, "state", oneOf(["running", "sold_out"] as const)),
  };
}

/** One StockLevels row, or null when any field is missing or of the wrong type. */
export const parseStockLevels = strictly((o): StockLevels => {
  if (!("flash_sale" in o)) throw new Malformed("flash_sale: missing");
  return {
    sku: need(o, "sku", isText),
    allocated: need(o, "allocated", isUnits),
    reserved: need(o, "reserved", isUnits),
    sold: need(o, "sold", isUnits),
    available: need(o, "available", isUnits),
    version: needOrNull(o, "version", isWhole),
    limit_per_viewer: needOrNull(o, "limit_per_viewer", isUnits),
    flash_sale: o.flash_sale === null ? null : readFlashSale(o.flash_sale),
    sold_out_at: needOrNull(o, "sold_out_at", isEpochMs),
    rev: need(o, "rev", isWhole),
    units_per_minute: need(o, "units_per_minute", isRate),
    sell_out_in_seconds: needOrNull(o, "sell_out_in_seconds", isRate),
  };
});

function isRoleList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isText);
}

function isIndex(v: unknown): v is number {
  return isWhole(v) && v >= 0;
}

const isString = (v: unknown): v is string => typeof v === "string";

const readViolation = (v: unknown): ComplianceViolation => {
  if (!isObject(v)) throw new Malformed("violation: not an object");
  return {
    term: need(v, "term", isString),
    kind: need(v, "kind", isString),
    start: need(v, "start", isIndex),
    end: need(v, "end", isIndex),
    reason: need(v, "reason", isString),
    suggestion: needOrNull(v, "suggestion", isString),
  };
};

/** The rule's own fields that the wire also copies to the top level for consoles before §12. */
const ALERT_DETAIL_KEYS = ["available", "line", "violations", "cue_id", "segment_id"] as const;

/** An actor, or null when the field is null or absent. */
function actorOrNull(o: Json, key: string): Actor | null {
  return o[key] === null || o[key] === undefined ? null : readActor(o[key], key);
}

/** A time, or null when the field is null or absent. */
function timeOrNull(o: Json, key: string): string | null {
  return o[key] === null || o[key] === undefined ? null : needTime(o, key);
}

/**
 * When an alert fired, epoch ms: `ts` as sent for consoles before §12, else its `fired_at`
 * (the only one in an HTTP answer, `POST …/ack`).
 */
function firedAt(o: Json): number {
  if (!("ts" in o) && typeof o.fired_at === "string") {
    const ms = Date.parse(o.fired_at);
    if (!Number.isNaN(ms) && ms > 0) return ms;
  }
  return need(o, "ts", isEpochMs);
}

/**
 * One alert (also the payload of an `alert` frame), or null when malformed. It reads contract
 * §12's keys (`rule`, `message`, `fired_at`, `detail`…) and the older ones the live side also
 * sends (`kind`, `text`, `ts`, `available`…), so that an `alert` frame, a snapshot's alert and
 * the alert an HTTP answer holds all read the same. A server from before §12 sends no `state`:
 * its alerts are `firing`.
 */
export const parseAlert = strictly((o): Alert => {
  const detail = isObject(o.detail) ? o.detail : {};
  // Top-level copies win; an HTTP answer has only the detail.
  const own: Json = { ...o };
  for (const key of ALERT_DETAIL_KEYS) if (!(key in o) && key in detail) own[key] = detail[key];
  const kind = "rule" in o ? need(o, "rule", isText) : need(o, "kind", isText);
  const base = {
    id: typeof o.id === "string" && o.id !== "" ? o.id : null,
    rule: kind,
    subject: typeof o.subject === "string" ? o.subject : typeof o.sku === "string" ? o.sku : "",
    severity: need(o, "severity", oneOf(["info", "warning", "critical"] as const)),
    state: "state" in o ? need(o, "state", oneOf(["firing", "acknowledged", "resolved"] as const)) : "firing",
    roles: [...need(o, "roles", isRoleList)],
    text: "message" in o ? need(o, "message", isString) : need(o, "text", isString),
    ts: firedAt(o),
    acked_at: timeOrNull(o, "acked_at"),
    acked_by: actorOrNull(o, "acked_by"),
    ack_seconds: numOrNull(o.ack_seconds),
    resolved_at: timeOrNull(o, "resolved_at"),
    resolved_by: actorOrNull(o, "resolved_by"),
    resolve_seconds: numOrNull(o.resolve_seconds),
    escalated: detail.escalated === true,
  };
  switch (kind) {
    case "low_stock":
    case "sold_out":
      return { kind, ...base, sku: need(own, "sku", isText), available: need(own, "available", isUnits) };
    case "compliance": {
      const violations = need(own, "violations", Array.isArray);
      return {
        kind,
        ...base,
        sku: null,
        available: null,
        line: need(own, "line", isString),
        violations: (violations as unknown[]).map(readViolation),
      };
    }
    case "cue_unacked":
      return { kind, ...base, sku: null, available: null, cue_id: need(own, "cue_id", isWhole) };
    case "segment_overrun":
      return { kind, ...base, sku: null, available: null, segment_id: need(own, "segment_id", isText) };
    default:
      return {
        kind: "other",
        server_kind: kind,
        ...base,
        sku: typeof o.sku === "string" && o.sku !== "" ? o.sku : null,
        available: isUnits(own.available) ? own.available : null,
      };
  }
});

function readActor(v: unknown, key: string): Actor {
  if (!isObject(v)) throw new Malformed(`${key}: not an object`);
  return { label: need(v, "label", isString), role: need(v, "role", isString) };
}

/** The time keys of cues and actions: RFC 3339 strings (epoch numbers are read too). */
function needTime(o: Json, key: string): string {
  const t = timeString(o[key]);
  if (t === null) throw new Malformed(`${key}: ${JSON.stringify(o[key]) ?? "missing"}`);
  return t;
}

/** One cue (CueRead), or null when malformed: a cue is never shown half-read. */
export const parseCue = strictly((o): Cue => ({
  id: need(o, "id", isWhole),
  text: need(o, "text", isString),
  by: readActor(o.by, "by"),
  created_at: needTime(o, "created_at"),
  acked_at: o.acked_at === null || o.acked_at === undefined ? null : needTime(o, "acked_at"),
  ack_seconds: numOrNull(o.ack_seconds),
  acked_by: o.acked_by === null || o.acked_by === undefined ? null : readActor(o.acked_by, "acked_by"),
  open_seconds: num(o.open_seconds),
}));

function readPart(v: unknown): PrompterPart | null {
  if (!isObject(v)) return null;
  const { start, end } = v;
  if (!isIndex(start) || !isIndex(end) || end < start) return null;
  return { start, end, name: str(v.name), missing: v.missing === true };
}

const BEATS: ReadonlySet<string> = new Set<Beat>(["hook", "push", "welfare", "warmup", "interaction", "other"]);

function isBeat(s: string): s is Beat {
  return BEATS.has(s);
}

/** A beat, or null when the plan gives none; a beat this console does not know is "other". */
function readBeat(v: unknown): Beat | null {
  if (typeof v !== "string" || v === "") return null;
  return isBeat(v) ? v : "other";
}

/** The questions: the strings of the list, blank ones left out. */
function readQuestions(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((q): q is string => typeof q === "string" && q.trim() !== "") : [];
}

function readValues(v: unknown): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (!isObject(v)) return out;
  for (const [k, value] of Object.entries(v)) {
    if (typeof value === "string") out[k] = value;
    else if (value === null) out[k] = null;
  }
  return out;
}

/**
 * The prompter view, or null when it is not an object with a text. Read leniently: a part
 * or cue that fails its check is left out rather than costing the anchor the whole script.
 */
export function parsePrompter(v: unknown): PrompterView | null {
  if (!isObject(v) || typeof v.text !== "string") return null;
  const seg = v.segment;
  const next = v.next;
  return {
    segment:
      isObject(seg) && typeof seg.id === "string"
        ? {
            id: seg.id,
            title: str(seg.title),
            sku: typeof seg.sku === "string" && seg.sku !== "" ? seg.sku : null,
            planned_seconds: num(seg.planned_seconds),
            elapsed_seconds: num(seg.elapsed_seconds),
            beat: readBeat(seg.beat),
          }
        : null,
    text: v.text,
    next:
      isObject(next) && typeof next.id === "string"
        ? { id: next.id, title: str(next.title), beat: readBeat(next.beat) }
        : null,
    cues: parseList(v.cues, parseCue),
    parts: parseList(v.parts, readPart),
    values: readValues(v.values),
    remaining_seconds: numOrNull(v.remaining_seconds),
    overrun_seconds: numOrNull(v.overrun_seconds),
    version: num(v.version),
    questions: readQuestions(v.questions),
  };
}

const ACTION_ENVELOPE: ReadonlySet<string> = new Set(["id", "type", "by", "at"]);

/** One action record, or null when its envelope (`id`, `type`, `by`, `at`) is malformed. */
export const parseAction = strictly((o): ActionRecord => {
  const fields: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(o)) if (!ACTION_ENVELOPE.has(k)) fields[k] = value;
  return {
    id: need(o, "id", isWhole),
    type: need(o, "type", isText),
    by: readActor(o.by, "by"),
    at: needTime(o, "at"),
    fields,
  };
});

const isMoney = isUnits;

const readPriceRow = (v: unknown): PriceRow => {
  if (!isObject(v)) throw new Malformed("price: not an object");
  return {
    sku: need(v, "sku", isText),
    name: need(v, "name", isString),
    list_price: need(v, "list_price", isMoney),
    live_price: need(v, "live_price", isMoney),
  };
};

const readCouponRow = (v: unknown): CouponRow => {
  if (!isObject(v)) throw new Malformed("coupon: not an object");
  return {
    coupon_id: need(v, "coupon_id", isText),
    amount_off: need(v, "amount_off", isMoney),
    threshold: needOrNull(v, "threshold", isMoney),
    quantity: need(v, "quantity", isUnits),
    state: need(v, "state", oneOf(["issued", "stopped"] as const)),
    issued_at: needTime(v, "issued_at"),
    stopped_at: timeOrNull(v, "stopped_at"),
  };
};

const readLuckyBagRow = (v: unknown): LuckyBagRow => {
  if (!isObject(v)) throw new Malformed("lucky bag: not an object");
  const winnerIds = need(v, "winner_ids", Array.isArray);
  return {
    bag_id: need(v, "bag_id", isText),
    prize: need(v, "prize", isString),
    winners: need(v, "winners", isUnits),
    condition: need(v, "condition", oneOf(["comment", "follow"] as const)),
    // A server from before the field opened every bag to the whole show.
    entries_from: v.entries_from === "start" ? "start" : "show",
    state: need(v, "state", oneOf(["running", "drawn"] as const)),
    started_at: needTime(v, "started_at"),
    drawn_at: timeOrNull(v, "drawn_at"),
    seed: needOrNull(v, "seed", isUnits),
    candidates: needOrNull(v, "candidates", isUnits),
    winner_ids: (winnerIds as unknown[]).map((w) => {
      if (!isText(w)) throw new Malformed("winner_ids: not a list of ids");
      return w;
    }),
  };
};

function readList<T>(o: Json, key: string, read: (v: unknown) => T): T[] {
  return (need(o, key, Array.isArray) as unknown[]).map(read);
}

/**
 * The commerce state (CommerceState), or null when any part of it is malformed. It is read
 * strictly and whole: it says what price the room pays and which coupon is live, so a
 * console shows all of it as sent, or keeps what it had, never a half-read price list.
 */
export const parseCommerce = strictly((o): CommerceState => {
  return {
    pinned_sku: needOrNull(o, "pinned_sku", isText),
    announcement: needOrNull(o, "announcement", isString),
    prices: readList(o, "prices", readPriceRow),
    coupons: readList(o, "coupons", readCouponRow),
    lucky_bags: readList(o, "lucky_bags", readLuckyBagRow),
    held: readList(o, "held", (v) => {
      const action = parseAction(v);
      if (action === null) throw new Malformed("held: malformed action");
      return action;
    }),
  };
});

const CLUSTER_STATUSES = ["open", "answered", "dismissed"] as const;

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isString);
}

/**
 * One question cluster, or null when any field is missing or of the wrong type: a question
 * is shown as the server counted it, or not at all (never with a made-up count or age).
 */
export const parseCluster = strictly((o): QuestionCluster => ({
  id: need(o, "id", isText),
  intent: readIntent(need(o, "intent", isText)),
  topic: need(o, "topic", isString),
  label: need(o, "label", isString),
  sku: needOrNull(o, "sku", isText),
  representative: need(o, "representative", isString),
  examples: [...need(o, "examples", isStringList)],
  count: need(o, "count", isUnits),
  viewers: need(o, "viewers", isUnits),
  first_at: needTime(o, "first_at"),
  last_at: needTime(o, "last_at"),
  status: need(o, "status", oneOf(CLUSTER_STATUSES)),
  total: need(o, "total", isUnits),
  answered_at: timeOrNull(o, "answered_at"),
}));

/**
 * The questions state (`{clusters, open, closed}`), or null when it is not one: not an object,
 * no list of clusters, no whole `open`. A malformed cluster is left out and counted; the others
 * stand (one odd cluster must not hide the rest from the anchor). `closed` may be absent.
 */
export function parseQuestions(v: unknown): { questions: QuestionsState; rejected: number } | null {
  if (!isObject(v) || !Array.isArray(v.clusters) || !isUnits(v.open)) return null;
  const open = parseStrictList(v.clusters, parseCluster);
  const closed = parseStrictList(v.closed, parseCluster);
  return {
    questions: { clusters: open.items, open: v.open, closed: closed.items },
    rejected: open.rejected + closed.rejected,
  };
}

/** A list of strictly parsed items: the good ones, and how many were left out. */
function parseStrictList<T>(v: unknown, parse: (item: unknown) => T | null): { items: T[]; rejected: number } {
  if (v === undefined) return { items: [], rejected: 0 }; // a server from before the field
  if (!Array.isArray(v)) return { items: [], rejected: 1 };
  const items: T[] = [];
  for (const item of v) {
    const parsed = parse(item);
    if (parsed !== null) items.push(parsed);
  }
  return { items, rejected: v.length - items.length };
}

function parseList<T>(v: unknown, parse: (item: unknown) => T | null): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  for (const item of v) {
    const parsed = parse(item);
    if (parsed !== null) out.push(parsed);
  }
  return out;
}

function position(o: Json): Positioned | null {
  const epoch = o.epoch;
  const offset = o.offset;
  if (typeof epoch !== "string" && typeof epoch !== "number") return null;
  if (typeof offset !== "number" || !Number.isInteger(offset)) return null;
  return { epoch: String(epoch), offset };
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function ignored(pos: Positioned, serverTime: string, original: string, reason: string): IgnoredPublication {
  return { type: "ignored", ...pos, server_time: serverTime, original, reason };
}

/**
 * Turn one text frame into a typed message, or null when the frame is not a message this
 * console understands. A frame that carries a stream position but cannot be used (a type
 * added after this console was built, or a malformed payload) becomes an
 * {@link IgnoredPublication}, so that its position is still taken.
 */
export function parseServerMessage(data: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(raw) || typeof raw.type !== "string") return null;
  const serverTime = timeString(raw.server_time) ?? "";

  switch (raw.type) {
    case "snapshot": {
      const pos = position(raw);
      const show = parseShow(raw.show);
      if (pos === null || show === null) return null;
      const stock = parseStrictList(raw.stock, parseStockLevels);
      const alerts = parseStrictList(raw.alerts, parseAlert);
      const cues = parseStrictList(raw.cues, parseCue);
      // Absent (a server from before the field) or null (not read yet): none, not an error.
      const commerce = raw.commerce === undefined || raw.commerce === null ? null : parseCommerce(raw.commerce);
      const commerceRejected = raw.commerce !== undefined && raw.commerce !== null && commerce === null ? 1 : 0;
      const questions = raw.questions === undefined || raw.questions === null ? null : parseQuestions(raw.questions);
      const questionsRejected =
        raw.questions === undefined || raw.questions === null ? 0 : questions === null ? 1 : questions.rejected;
      return {
        type: "snapshot",
        ...pos,
        server_time: serverTime,
        show,
        metrics: parseMetrics(raw.metrics),
        metrics_at: timeString(raw.metrics_at),
        products: parseList(raw.products, parseProduct),
        series: parseList(raw.series, parseSeriesPoint),
        feed: parseList(raw.feed, parseFeedItem),
        feeds: parseFeeds(raw.feeds),
        stream_health: parseStreamHealth(raw.stream_health),
        stock: stock.items,
        alerts: alerts.items,
        prompter: parsePrompter(raw.prompter),
        cues: cues.items,
        commerce,
        questions: questions?.questions ?? null,
        rejected: stock.rejected + alerts.rejected + cues.rejected + commerceRejected + questionsRejected,
      };
    }
    case "metrics": {
      const pos = position(raw);
      if (pos === null) return null;
      return {
        type: "metrics",
        ...pos,
        server_time: serverTime,
        metrics: parseMetrics(raw.metrics),
        metrics_at: "metrics_at" in raw ? timeString(raw.metrics_at) : undefined,
        products: parseList(raw.products, parseProduct),
        series: parseList(raw.series, parseSeriesPoint),
        feeds: parseFeeds(raw.feeds),
        stream_health: parseStreamHealth(raw.stream_health) ?? undefined,
      };
    }
    case "feed": {
      const pos = position(raw);
      if (pos === null) return null;
      return { type: "feed", ...pos, server_time: serverTime, items: parseList(raw.items, parseFeedItem) };
    }
    case "replay": {
      const pos = position(raw);
      if (pos === null) return null;
      const state = raw.state;
      const fields = [raw.speed, raw.position_ms, raw.start_ms, raw.end_ms];
      if ((state !== "playing" && state !== "paused" && state !== "ended") || !fields.every(isFiniteNumber)) {
        return ignored(pos, serverTime, "replay", "malformed replay state");
      }
      return {
        type: "replay",
        ...pos,
        server_time: serverTime,
        state,
        speed: raw.speed as number,
        position_ms: raw.position_ms as number,
        start_ms: raw.start_ms as number,
        end_ms: raw.end_ms as number,
      };
    }
    case "show": {
      const pos = position(raw);
      if (pos === null) return null;
      const show = parseShow(raw.show);
      if (show === null) return ignored(pos, serverTime, "show", "show without an id");
      return { type: "show", ...pos, server_time: serverTime, show };
    }
    case "stock": {
      const pos = position(raw);
      if (pos === null) return null;
      if (!Array.isArray(raw.items)) return ignored(pos, serverTime, "stock", "items is not a list");
      const { items, rejected } = parseStrictList(raw.items, parseStockLevels);
      return { type: "stock", ...pos, server_time: serverTime, items, rejected };
    }
    case "alert": {
      const pos = position(raw);
      if (pos === null) return null;
      const alert = parseAlert(raw);
      if (alert === null) return ignored(pos, serverTime, "alert", "malformed alert");
      return { type: "alert", ...pos, server_time: serverTime, ...alert };
    }
    case "prompter": {
      const pos = position(raw);
      if (pos === null) return null;
      const prompter = parsePrompter(raw.prompter);
      if (prompter === null) return ignored(pos, serverTime, "prompter", "malformed prompter");
      return { type: "prompter", ...pos, server_time: serverTime, prompter };
    }
    case "cue": {
      const pos = position(raw);
      if (pos === null) return null;
      const cue = parseCue(raw.cue);
      if (cue === null) return ignored(pos, serverTime, "cue", "malformed cue");
      return { type: "cue", ...pos, server_time: serverTime, cue };
    }
    case "action": {
      const pos = position(raw);
      if (pos === null) return null;
      const action = parseAction(raw.action);
      if (action === null) return ignored(pos, serverTime, "action", "malformed action");
      return { type: "action", ...pos, server_time: serverTime, action };
    }
    case "commerce": {
      const pos = position(raw);
      if (pos === null) return null;
      const commerce = parseCommerce(raw.commerce);
      if (commerce === null) return ignored(pos, serverTime, "commerce", "malformed commerce");
      return { type: "commerce", ...pos, server_time: serverTime, commerce };
    }
    case "questions": {
      const pos = position(raw);
      if (pos === null) return null;
      const parsed = parseQuestions(raw.questions);
      if (parsed === null) return ignored(pos, serverTime, "questions", "malformed questions");
      return { type: "questions", ...pos, server_time: serverTime, ...parsed };
    }
    case "skip": {
      const pos = position(raw);
      return pos === null ? null : { type: "skip", ...pos };
    }
    case "resumed": {
      const pos = position(raw);
      return pos === null ? null : { type: "resumed", ...pos };
    }
    case "resync":
      return { type: "resync", reason: str(raw.reason) };
    case "pong":
      return { type: "pong", server_time: serverTime };
    case "error":
      return { type: "error", code: str(raw.code), message: str(raw.message) };
    default: {
      // A type added after this console was built. If it holds a position it is a
      // publication, and the position must be taken even though the content is not used.
      const pos = position(raw);
      return pos === null ? null : ignored(pos, serverTime, raw.type, "unknown type");
    }
  }
}

const PUBLICATION_TYPES: ReadonlySet<string> = new Set<Publication["type"]>([
  "metrics",
  "feed",
  "show",
  "stock",
  "alert",
  "prompter",
  "cue",
  "action",
  "commerce",
  "questions",
  "skip",
  "replay",
  "ignored",
]);

export function isPublication(msg: ServerMessage): msg is Publication {
  return PUBLICATION_TYPES.has(msg.type);
}

export function encodeClientMessage(msg: ClientMessage): string {
  return JSON.stringify(msg);
}
