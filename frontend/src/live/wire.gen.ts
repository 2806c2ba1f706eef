// Generated from docs/asyncapi.json; do not edit. After a change to the message models
// (src/liveops/live/), regenerate the document, then this file:
//     python -m liveops.live.typescript > frontend/src/live/wire.gen.ts
// tests/unit/test_wire_types.py fails while it is stale.

/** The close codes the server ends a console websocket with (`x-close-codes`). */
export const CLOSE_CODES = {
  /** handshake refused by policy (bad `Origin`): stop; fix the page's origin. */
  PolicyViolation: 1008,
  /** server error: reconnect with backoff and resume. */
  ServerError: 1011,
  /**
   * server restarting, or the show's stream restarted (Redis lost it): reconnect soon, with jitter,
   * and resume (you may get `resync`).
   */
  ServiceRestart: 1012,
  /**
   * the show's live state is not ready (Redis unreachable, or a handover under way): reconnect with
   * backoff and resume.
   */
  TryAgainLater: 1013,
  /** the console fell too far behind: reconnect and resume. */
  TooSlow: 4008,
  /** bad resume position (not an integer offset): reconnect without a position. */
  BadPosition: 4400,
  /** not authenticated (no or unknown credentials): sign in again. */
  Unauthenticated: 4401,
  /** the credentials may not read this show: stop. */
  Forbidden: 4403,
  /** no such show: stop. */
  NoSuchShow: 4404,
  /**
   * `?replay=` on a show that has not ended (only an ended show can be replayed): open the live
   * stream without `replay`, or wait for the end.
   */
  NotEnded: 4409,
  /** bad `?replay=` speed (a number from 1 to 120): reconnect with a speed from 1 to 120. */
  BadReplay: 4422,
} as const;

/** An operator action was performed (contract §10): the stored record. */
export interface ActionMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "action";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly action: ActionRead;
}

/**
 * A stored action: `{id, type, by, at}` and the type's own fields, with what applying it
 * added (the value before: `live_price_before`, `previous_sku`…; a draw's `seed`,
 * `candidates`, `winner_ids`).
 */
export interface ActionRead {
  readonly id: number;
  readonly type: string;
  readonly by: Actor;
  /** Format: date-time. */
  readonly at: string;
  /** Format: date-time. */
  readonly applies_at?: string | null;
  /**
   * `held`: sent with an undo window, applies at `applies_at` unless undone; `undone`: taken back
   * in its window, never applied; `failed`: could not apply when its window ended (`error` says
   * why)
   */
  readonly state?: "applied" | "held" | "undone" | "failed";
  /** Format: date-time. */
  readonly undone_at?: string | null;
  readonly undone_by?: Actor | null;
  readonly [key: string]: unknown;
}

export interface Actor {
  readonly label: string;
  readonly role: string;
}

/**
 * An alert as the API shows it (contract §12, `GET …/alerts`), with the fields consoles
 * built before §12 read (`kind`, `text`, `ts`, `available`, `line`, `violations`, `cue_id`,
 * `segment_id`: copies of `rule`, `message`, `fired_at` and the detail's own).
 */
export interface Alert {
  /** `al_` and 16 hex digits; the same alert again is an update */
  readonly id: string;
  readonly rule: AlertRule;
  /** what the rule watched: SKU, cue, segment, line, or '' */
  readonly subject: string;
  readonly severity: "info" | "warning" | "critical";
  readonly state: "firing" | "acknowledged" | "resolved";
  /** the consoles that should show it: the roles that can act on it */
  readonly roles: readonly ("field_control" | "assistant" | "anchor" | "operations")[];
  /** ready to show, Chinese then English */
  readonly message: string;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly sku: string | null;
  /** RFC 3339, UTC */
  readonly fired_at: string;
  readonly acked_at: string | null;
  readonly resolved_at: string | null;
  readonly acked_by: Actor | null;
  readonly resolved_by: Actor | null;
  readonly ack_seconds: number | null;
  readonly resolve_seconds: number | null;
  readonly detail: { readonly [key: string]: unknown };
  /** = `rule` */
  readonly kind: AlertRule;
  /** = `message` */
  readonly text: string;
  /** = `fired_at` */
  readonly ts: number;
  /** stock rules: units left; null otherwise */
  readonly available: number | null;
  /** `compliance`: the transcript line flagged */
  readonly line: string | null;
  /** `compliance`: what was found in `line` (contract §9) */
  readonly violations: readonly ViolationOut[] | null;
  /** `cue_unacked`: the cue still open */
  readonly cue_id: number | null;
  /** `segment_overrun`: the segment past its plan */
  readonly segment_id: string | null;
}

/**
 * Sent at once, never coalesced, whenever an alert fires, is acknowledged, resolves or
 * escalates: replace the alert with that `id`. Only to the roles in `roles` (and admin,
 * operations).
 */
export interface AlertMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  /** `al_` and 16 hex digits; the same alert again is an update */
  readonly id: string;
  readonly rule: AlertRule;
  /** what the rule watched: SKU, cue, segment, line, or '' */
  readonly subject: string;
  readonly severity: "info" | "warning" | "critical";
  readonly state: "firing" | "acknowledged" | "resolved";
  /** the consoles that should show it: the roles that can act on it */
  readonly roles: readonly ("field_control" | "assistant" | "anchor" | "operations")[];
  /** ready to show, Chinese then English */
  readonly message: string;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly sku: string | null;
  /** RFC 3339, UTC */
  readonly fired_at: string;
  readonly acked_at: string | null;
  readonly resolved_at: string | null;
  readonly acked_by: Actor | null;
  readonly resolved_by: Actor | null;
  readonly ack_seconds: number | null;
  readonly resolve_seconds: number | null;
  readonly detail: { readonly [key: string]: unknown };
  /** = `rule` */
  readonly kind: AlertRule;
  /** = `message` */
  readonly text: string;
  /** = `fired_at` */
  readonly ts: number;
  /** stock rules: units left; null otherwise */
  readonly available: number | null;
  /** `compliance`: the transcript line flagged */
  readonly line: string | null;
  /** `compliance`: what was found in `line` (contract §9) */
  readonly violations: readonly ViolationOut[] | null;
  /** `cue_unacked`: the cue still open */
  readonly cue_id: number | null;
  /** `segment_overrun`: the segment past its plan */
  readonly segment_id: string | null;
  readonly type: "alert";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
}

export type AlertRule = "low_stock" | "sold_out" | "stream_unhealthy" | "stale_feed" | "online_drop" | "gmv_pace" | "complaint_spike" | "compliance" | "question_unanswered" | "cue_unacked" | "segment_overrun";

/** A question cluster (contract §11): one question about one product, however worded. */
export interface ClusterRead {
  readonly id: string;
  readonly intent: "spam" | "complaint_quality" | "complaint_logistics" | "complaint_service" | "question_size" | "question_price" | "question_shipping" | "question_quality" | "purchase_intent" | "praise" | "interaction" | "other";
  /** which question of the intent's family (docs/comments.md) */
  readonly topic: string;
  /** the topic as a console shows it (尺码, 发货时间…) */
  readonly label: string;
  /** the product pinned when it was asked */
  readonly sku: string | null;
  /** the wording viewers used most in this wave */
  readonly representative: string;
  /** up to three other wordings */
  readonly examples: readonly string[];
  /** comments in the current wave (at most 3 per viewer) */
  readonly count: number;
  /** distinct viewers in the current wave */
  readonly viewers: number;
  /** Format: date-time. */
  readonly first_at: string;
  /** Format: date-time. */
  readonly last_at: string;
  readonly status: "open" | "answered" | "dismissed";
  /** comments ever counted in the cluster, every wave */
  readonly total: number;
  /**
   * when it was last answered or dismissed
   * Format: date-time.
   */
  readonly answered_at: string | null;
}

export interface CommentItem {
  readonly kind: "comment";
  readonly id: string;
  /** milliseconds since the Unix epoch (UTC) */
  readonly ts: number;
  readonly viewer_id: string;
  readonly text: string;
  /** what the comment wants (contract §11) */
  readonly intent: Intent;
}

/**
 * The pinned product, prices, coupons, lucky bags, announcement or held actions changed:
 * replace the whole `commerce` state held (it is small).
 */
export interface CommerceMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "commerce";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly commerce: CommerceState;
}

/**
 * What the room's viewers see now, as actions left it (`GET …/commerce`, and the live
 * `commerce` message).
 */
export interface CommerceState {
  readonly pinned_sku: string | null;
  readonly announcement: string | null;
  readonly prices: readonly PriceRow[];
  readonly coupons: readonly CouponRow[];
  readonly lucky_bags: readonly LuckyBagRow[];
  /** money-moving actions still in their undo window */
  readonly held: readonly ActionRead[];
}

export interface CouponRow {
  readonly coupon_id: string;
  readonly amount_off: number;
  readonly threshold: number | null;
  readonly quantity: number;
  readonly state: "issued" | "stopped";
  /** Format: date-time. */
  readonly issued_at: string;
  /** Format: date-time. */
  readonly stopped_at: string | null;
}

/**
 * A cue was sent (`acked_at` null), or acknowledged (with `ack_seconds`): replace the cue
 * of that `id`. For the anchor, field control and the assistant.
 */
export interface CueMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "cue";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly cue: CueRead;
}

export interface CueRead {
  readonly id: number;
  readonly text: string;
  readonly by: Actor;
  /** Format: date-time. */
  readonly created_at: string;
  /** Format: date-time. */
  readonly acked_at: string | null;
  readonly ack_seconds: number | null;
  readonly acked_by: Actor | null;
  readonly open_seconds: number;
}

/** A console frame could not be understood; the connection stays open. */
export interface ErrorMessage {
  readonly type: "error";
  readonly code: "bad_frame" | "unknown_type";
  readonly message: string;
}

export type Family = "viewers" | "comments" | "engagement" | "products" | "orders" | "stock" | "stream";

/** Comments and order events, batched, never dropped. */
export interface FeedMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "feed";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly items: readonly (CommentItem | OrderItem)[];
}

export interface FlashSaleState {
  /** at most this many units go in the sale */
  readonly cap: number;
  /** units a buyer can still get in it */
  readonly remaining: number;
  /** count down to this; `not_started` before it */
  readonly starts_at: number;
  readonly state: "running" | "sold_out";
}

export interface Freshness {
  /** the newest source time seen in this family */
  readonly ts: number;
  /** when the newest event of this family arrived */
  readonly received_at: number;
}

/** Every `Intent`, in the document's order. */
export const INTENTS = [
  "spam",
  "complaint_quality",
  "complaint_logistics",
  "complaint_service",
  "question_size",
  "question_price",
  "question_shipping",
  "question_quality",
  "purchase_intent",
  "praise",
  "interaction",
  "other",
] as const;

export type Intent = (typeof INTENTS)[number];

export interface LuckyBagRow {
  readonly bag_id: string;
  readonly prize: string;
  readonly winners: number;
  readonly condition: "comment" | "follow";
  readonly entries_from: "show" | "start";
  readonly state: "running" | "drawn";
  /** Format: date-time. */
  readonly started_at: string;
  /** Format: date-time. */
  readonly drawn_at: string | null;
  readonly seed: number | null;
  readonly candidates: number | null;
  readonly winner_ids: readonly string[];
}

/** Every `MetricKey`, in the document's order. */
export const METRIC_KEYS = [
  "online",
  "peak_online",
  "uv",
  "views",
  "avg_watch_seconds",
  "comments",
  "shares",
  "new_followers",
  "likes",
  "gift_value",
  "interacting_viewers",
  "interaction_rate",
  "product_clicks",
  "click_viewers",
  "click_rate",
  "orders_created",
  "orders_paid",
  "gmv_paid",
  "buyers",
  "conversion_rate",
  "click_to_pay_rate",
  "aov",
  "uv_value",
  "gpm",
  "orders_refunded",
  "refund_amount",
  "refund_rate",
  "net_gmv",
] as const;

export type MetricKey = (typeof METRIC_KEYS)[number];

/** What changed: merge into the snapshot held. At most ~10 a second per show. */
export interface MetricsMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "metrics";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  /** only the keys that changed */
  readonly metrics: { readonly [K in MetricKey]?: number };
  /** milliseconds since the Unix epoch (UTC) */
  readonly metrics_at: number | null;
  /** only changed SKUs, whole rows */
  readonly products: readonly ProductFigures[];
  /** only changed minutes, whole points */
  readonly series: readonly MinutePoint[];
  /** only changed families */
  readonly feeds: { readonly [K in Family]?: Freshness };
  /** present when a new reading arrived */
  readonly stream_health?: StreamHealth | null;
}

export interface MinutePoint {
  /** the minute's start, in SECONDS since the Unix epoch */
  readonly minute: number;
  readonly online: number;
  readonly joins: number;
  readonly comments: number;
  readonly likes: number;
  readonly orders: number;
  readonly gmv: number;
}

export interface OrderItem {
  readonly kind: "order";
  readonly id: string;
  /** milliseconds since the Unix epoch (UTC) */
  readonly ts: number;
  readonly event: "created" | "paid" | "cancelled" | "refunded";
  readonly order_id: string;
  readonly amount?: number | null;
  readonly qty?: number | null;
  readonly sku?: string | null;
  readonly viewer_id?: string | null;
}

/** Console → server liveness check, answered with `pong`. */
export interface PingMessage {
  readonly type: "ping";
}

export interface PongMessage {
  readonly type: "pong";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
}

export interface PriceRow {
  readonly sku: string;
  readonly name: string;
  readonly list_price: number;
  readonly live_price: number;
}

export interface ProductFigures {
  readonly sku: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly cart_adds: number;
  readonly orders: number;
  readonly units: number;
  readonly paid_orders: number;
  readonly paid_units: number;
  /** paid amount in minor units (fen) */
  readonly gmv: number;
  /**
   * the stock ledger's `available` when it holds the SKU (the number the stock rows show); else
   * estimated from the lineup or ERP events; null when neither
   */
  readonly stock_left: number | null;
}

export interface Prompter {
  readonly segment: PrompterSegment | null;
  readonly text: string;
  readonly next: PrompterNext | null;
  readonly cues: readonly CueRead[];
  readonly parts: readonly PrompterPart[];
  readonly values: { readonly [key: string]: string | null };
  readonly remaining_seconds: number | null;
  readonly overrun_seconds: number | null;
  readonly version: number;
  /**
   * the newest question-like comments of the live feed, newest first (at most 3), until question
   * clusters exist (contract §11)
   */
  readonly questions?: readonly string[];
}

/**
 * What the anchor sees changed (a value, the segment, the cues, the second). For the
 * anchor, field control and the assistant.
 */
export interface PrompterMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "prompter";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly prompter: Prompter;
}

export interface PrompterNext {
  readonly id: string;
  readonly title: string;
  readonly beat?: string | null;
}

export interface PrompterPart {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly missing: boolean;
}

export interface PrompterSegment {
  readonly id: string;
  readonly title: string;
  readonly sku: string | null;
  readonly planned_seconds: number;
  readonly elapsed_seconds: number;
  /** hook, push, welfare, … (the plan's) */
  readonly beat?: string | null;
}

/**
 * The question queue changed (a cluster grew, opened, was answered or dismissed): replace
 * the whole `questions` view held. At most two a second.
 */
export interface QuestionsMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "questions";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly questions: QuestionsView;
}

/** The queue as consoles hold it (the `questions` live message and snapshot key). */
export interface QuestionsView {
  /** open clusters, most pressing first (≤ 50) */
  readonly clusters: readonly ClusterRead[];
  /** open clusters in all */
  readonly open: number;
  /** answered or dismissed, newest first (≤ 20) */
  readonly closed: readonly ClusterRead[];
}

/**
 * Where a replay stands (only on a websocket opened with `?replay=SPEED`): sent when it
 * starts, on every change of state or speed, after a seek, and about once a second while it
 * plays. Times are the show's source times: `start_ms` of its first event, `end_ms` of its
 * last event on air, `position_ms` of the replay now.
 */
export interface ReplayMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "replay";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly state: "playing" | "paused" | "ended";
  readonly speed: number;
  /** milliseconds since the Unix epoch (UTC) */
  readonly position_ms: number;
  /** milliseconds since the Unix epoch (UTC) */
  readonly start_ms: number;
  /** milliseconds since the Unix epoch (UTC) */
  readonly end_ms: number;
}

/** Replay only: hold the position; nothing is published until `replay.play`. */
export interface ReplayPauseMessage {
  readonly type: "replay.pause";
}

/** Replay only: play on from the position (a `replay` message answers). */
export interface ReplayPlayMessage {
  readonly type: "replay.play";
}

/**
 * Replay only: jump to a source time (clamped to the show). A fresh `snapshot` at that
 * position follows, then a `replay` message; the replay keeps its state (playing/paused).
 */
export interface ReplaySeekMessage {
  readonly type: "replay.seek";
  /** milliseconds since the Unix epoch (UTC) */
  readonly position_ms: number;
}

/** Replay only: play on at another speed (1–120 times real time). */
export interface ReplaySpeedMessage {
  readonly type: "replay.speed";
  readonly speed: number;
}

/** The resume succeeded: exactly the publications after `offset` follow. */
export interface ResumedMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "resumed";
}

/** The position cannot be resumed: drop state; a fresh snapshot follows. */
export interface ResyncMessage {
  readonly type: "resync";
  readonly reason: string;
}

/** The show was started, ended or edited. */
export interface ShowMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "show";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly show: ShowRead;
}

export interface ShowRead {
  readonly id: string;
  readonly title: string;
  readonly platform: string;
  readonly room: string | null;
  readonly status: "scheduled" | "live" | "ended";
  /** Format: date-time. */
  readonly planned_start_at: string | null;
  readonly planned_minutes: number | null;
  readonly anchors: readonly string[];
  readonly targets: TargetsRead;
  /** Format: date-time. */
  readonly created_at: string;
  /** Format: date-time. */
  readonly started_at: string | null;
  /** Format: date-time. */
  readonly ended_at: string | null;
  /** A/B tags (name → variant) */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * A position whose publication is for other roles (an alert routed to field control and
 * the assistant, on an anchor's console): take the position, nothing else changes.
 */
export interface SkipMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "skip";
}

/** The whole picture at `offset`: first frame of a fresh connection, or after `resync`. */
export interface SnapshotMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "snapshot";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly show: ShowRead;
  /** every contract §4 metric */
  readonly metrics: { readonly [K in MetricKey]?: number };
  /** milliseconds since the Unix epoch (UTC) */
  readonly metrics_at: number | null;
  readonly products: readonly ProductFigures[];
  readonly series: readonly MinutePoint[];
  /** the most recent feed items, oldest first */
  readonly feed: readonly (CommentItem | OrderItem)[];
  readonly feeds: { readonly [K in Family]?: Freshness };
  readonly stream_health: StreamHealth | null;
  /** every SKU of the show's stock ledger */
  readonly stock: readonly StockLevels[];
  /** the most recent alerts, oldest first */
  readonly alerts: readonly Alert[];
  /**
   * what the anchor sees (as `GET …/prompter`); null before the run-sheet is read, and for roles
   * outside the anchor's desk
   */
  readonly prompter: Prompter | null;
  /**
   * recent cues, oldest first: every open one and the newest acknowledged (at most 20); empty for
   * roles outside the anchor's desk
   */
  readonly cues: readonly CueRead[];
  /**
   * what the room's viewers see, as actions left it (as `GET …/commerce`), read with the show's
   * events
   */
  readonly commerce?: CommerceState | null;
  /** the question queue (contract §11; as `GET …/questions`), rebuilt with the show's events */
  readonly questions?: QuestionsView | null;
}

/** One SKU's ledger (contract §7) with its sell-out forecast. */
export interface StockLevels {
  readonly sku: string;
  readonly allocated: number;
  readonly reserved: number;
  readonly sold: number;
  /** reserved + sold + available = allocated; never < 0 */
  readonly available: number;
  /** of the newest ERP count applied */
  readonly version: number | null;
  readonly limit_per_viewer: number | null;
  readonly flash_sale: FlashSaleState | null;
  /** when it ran out, while it is out */
  readonly sold_out_at: number | null;
  /** grows with every change: keep the row with the highest */
  readonly rev: number;
  /** reserved + sold growth over the last minute */
  readonly units_per_minute: number;
  /** time to zero at that pace; null when nothing is selling */
  readonly sell_out_in_seconds: number | null;
}

/** Ledger rows that changed, whole; at most ~10 a second per show (latest wins). */
export interface StockMessage {
  /** names one continuous history of the show's stream */
  readonly epoch: string;
  /** position in the stream; one more per publication */
  readonly offset: number;
  readonly type: "stock";
  /** milliseconds since the Unix epoch (UTC) */
  readonly server_time: number;
  readonly items: readonly StockLevels[];
}

export interface StreamHealth {
  /** milliseconds since the Unix epoch (UTC) */
  readonly ts: number;
  readonly bitrate_kbps: number;
  readonly fps: number;
  readonly latency_ms: number;
  readonly stall_ratio: number;
  readonly line: string | null;
}

/**
 * The targets as stored: read back as they are (a show set before a rule tightened still
 * reads).
 */
export interface TargetsRead {
  readonly aov?: number | null;
  readonly conversion_rate?: number | null;
  readonly gmv?: number | null;
  readonly uv?: number | null;
}

export interface ViolationOut {
  /** the text's own characters: text[start:end] */
  readonly term: string;
  /** absolute, efficacy, platform, or a deployment's own kind */
  readonly kind: string;
  /** character offset (Unicode code points) of the term */
  readonly start: number;
  readonly end: number;
  readonly reason: string;
  readonly suggestion: string | null;
}

/** Every message of `receiveFromServer`, told apart by `type`. */
export type ServerMessage =
  | SnapshotMessage
  | MetricsMessage
  | FeedMessage
  | StockMessage
  | AlertMessage
  | ShowMessage
  | PrompterMessage
  | CueMessage
  | ActionMessage
  | CommerceMessage
  | QuestionsMessage
  | ReplayMessage
  | SkipMessage
  | ResumedMessage
  | ResyncMessage
  | PongMessage
  | ErrorMessage;

/** Every message of `sendToServer`, told apart by `type`. */
export type ClientMessage =
  | PingMessage
  | ReplayPlayMessage
  | ReplayPauseMessage
  | ReplaySpeedMessage
  | ReplaySeekMessage;
