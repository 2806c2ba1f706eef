/**
 * The console's live state, held outside React.
 *
 * Frames can arrive far faster than a screen can usefully repaint (metrics ~10/s, feed
 * batches every ~20 ms in a busy room). The store applies every frame at once to mutable
 * working copies, but publishes a new immutable snapshot for `useSyncExternalStore` at most
 * once per animation frame, so React renders at most once per frame however busy the room.
 */
import type { ConnStatus, LiveSink } from "./client";
import { boundCues, compareCues, mergeCues } from "./cues";
import type {
  ActionRecord,
  Alert,
  CommerceState,
  AlertMessage,
  Cue,
  CommentItem,
  Feeds,
  FeedItem,
  Metrics,
  OrderItem,
  ProductRow,
  PrompterView,
  Publication,
  QuestionsState,
  SeriesPoint,
  ShowInfo,
  SnapshotMessage,
  StockLevels,
  StreamHealth,
} from "./protocol";

/** A stock row as held: the ledger row with the highest `rev`, and when it arrived. */
export interface StockRow extends StockLevels {
  /** Server-clock epoch ms at which this row arrived (its forecast is as of then). */
  received_at: number;
}

export interface LiveState {
  conn: ConnStatus;
  show: ShowInfo | null;
  metrics: Metrics;
  /** Source time of the newest counted event, or null. */
  metricsAt: string | null;
  feeds: Feeds;
  streamHealth: StreamHealth | null;
  /** In the server's order; SKUs first seen later are appended. */
  products: readonly ProductRow[];
  /** Sorted by minute. */
  series: readonly SeriesPoint[];
  /** Oldest first, at most `maxComments`. */
  comments: readonly CommentItem[];
  /** Oldest first, at most `maxOrders`. */
  orders: readonly OrderItem[];
  /** One row per SKU, in the order first seen. */
  stock: readonly StockRow[];
  /** In stream order, at most `maxAlerts` (the oldest resolved ones go first). */
  alerts: readonly Alert[];
  /** What the anchor sees, as of `prompterAt`; null without a run-sheet. */
  prompter: PrompterView | null;
  /** Server-clock epoch ms at which `prompter` was true (its message's `server_time`). */
  prompterAt: number | null;
  /** Recent cues, oldest first, at most `maxCues` (open ones are dropped last). */
  cues: readonly Cue[];
  /**
   * The most recent operator actions (contract §10), by id (oldest first), at most
   * `maxActions` (200 by default): one record per id, the newest news of it (a held
   * `price.set` is replaced by its `undone`, `applied` or `failed` record). What the trend
   * chart's action markers and the consoles' action lists read.
   */
  actions: readonly ActionRecord[];
  /**
   * What the room's viewers see, as actions left it (pinned product, prices, coupons, lucky
   * bags, announcement, held actions): the latest `commerce` message or snapshot, replaced
   * whole; null until the server first sent one.
   */
  commerce: CommerceState | null;
  /**
   * The open question clusters, most pressing first, and how many are open in all: the latest
   * `questions` message or snapshot, replaced whole; null until the server first sent them.
   */
  questions: QuestionsState | null;
  /**
   * Viewers banned in this show as far as the actions seen say (`viewer.ban` not followed by
   * `viewer.unban`): viewer id → the ban's `at` (RFC 3339). Their comments from `at` on are
   * dropped from `comments`; their orders stay (the order tape flags them).
   */
  bannedViewers: ReadonlyMap<string, string>;
  /** Stock rows and alerts that failed the strict check, plus publications of unknown types. */
  rejected: number;
  /** serverNow ≈ Date.now() + clockOffsetMs (from the last `server_time` seen). */
  clockOffsetMs: number;
  /** Why the state was last dropped (a `resync` reason), until the next snapshot. */
  resyncReason: string | null;
  /** How many snapshots/publications were applied; handy for diagnostics and tests. */
  applied: number;
}

/** Runs `cb` before the next paint; returns a cancel function. */
export type FrameScheduler = (cb: () => void) => () => void;

export const animationFrameScheduler: FrameScheduler = (cb) => {
  if (typeof requestAnimationFrame === "function") {
    const id = requestAnimationFrame(() => cb());
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(cb, 16);
  return () => clearTimeout(id);
};

export interface LiveStoreOptions {
  maxComments?: number;
  maxOrders?: number;
  maxAlerts?: number;
  maxCues?: number;
  maxActions?: number;
  schedule?: FrameScheduler;
}

const INITIAL_CONN: ConnStatus = {
  state: "connecting",
  position: null,
  attempt: 0,
  nextRetryAt: null,
  lastCloseCode: null,
  error: null,
};

/** The alert a frame carries, without the frame's envelope. */
function alertOf(msg: AlertMessage): Alert {
  const { type: _type, epoch: _epoch, offset: _offset, server_time: _serverTime, ...alert } = msg;
  return alert;
}

function pushBounded<T>(list: T[], items: readonly T[], max: number): void {
  for (const item of items) list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

const STATE_ORDER: Readonly<Record<Alert["state"], number>> = { firing: 0, acknowledged: 1, resolved: 2 };

/**
 * Alerts in, bounded. One with the id of an alert held replaces it in place (docs/protocol.md),
 * unless it says less than the held one: an alert's state only moves forward, so an answer
 * that arrives after newer news (an HTTP answer "acknowledged" after the `alert` message
 * "resolved") changes nothing. Answers true when anything changed. Over `max`, the oldest
 * resolved alerts go first: an open one is what someone still has to act on.
 */
function mergeAlerts(list: Alert[], items: readonly Alert[], max: number): boolean {
  let changed = false;
  for (const item of items) {
    const at = item.id === null ? -1 : list.findIndex((a) => a.id === item.id);
    const held = list[at];
    if (held === undefined) list.push(item);
    else if (STATE_ORDER[item.state] >= STATE_ORDER[held.state]) list[at] = item;
    else continue;
    changed = true;
  }
  let excess = list.length - max;
  for (let i = 0; excess > 0 && i < list.length;) {
    if (list[i]?.state === "resolved") {
      list.splice(i, 1);
      excess -= 1;
    } else i += 1;
  }
  if (excess > 0) list.splice(0, excess);
  return changed;
}

export class LiveStore implements LiveSink {
  readonly maxComments: number;
  readonly maxOrders: number;
  readonly maxAlerts: number;
  readonly maxCues: number;
  readonly maxActions: number;
  private readonly schedule: FrameScheduler;
  private readonly listeners = new Set<() => void>();
  private cancelFlush: (() => void) | null = null;

  // Working copies, mutated as frames arrive.
  private conn: ConnStatus = INITIAL_CONN;
  private show: ShowInfo | null = null;
  private metrics: Metrics = {};
  private metricsAt: string | null = null;
  private feeds: Feeds = {};
  private streamHealth: StreamHealth | null = null;
  private productMap = new Map<string, ProductRow>();
  private seriesMap = new Map<string, SeriesPoint>();
  private commentList: CommentItem[] = [];
  private orderList: OrderItem[] = [];
  private stockMap = new Map<string, StockRow>();
  private alertList: Alert[] = [];
  private prompter: PrompterView | null = null;
  private prompterAt: number | null = null;
  private cueMap = new Map<number, Cue>();
  private actionList: ActionRecord[] = [];
  private commerce: CommerceState | null = null;
  private questions: QuestionsState | null = null;
  private bans = new Map<string, string>();
  private rejected = 0;
  private clockOffsetMs = 0;
  private resyncReason: string | null = null;
  private applied = 0;

  // Which derived arrays must be rebuilt at the next flush.
  private productsDirty = false;
  private seriesDirty = false;
  private commentsDirty = false;
  private ordersDirty = false;
  private stockDirty = false;
  private alertsDirty = false;
  private cuesDirty = false;
  private actionsDirty = false;
  private bansDirty = false;

  private state: LiveState;

  constructor(options: LiveStoreOptions = {}) {
    this.maxComments = options.maxComments ?? 500;
    this.maxOrders = options.maxOrders ?? 200;
    this.maxAlerts = options.maxAlerts ?? 100;
    this.maxCues = options.maxCues ?? 50;
    this.maxActions = options.maxActions ?? 200;
    this.schedule = options.schedule ?? animationFrameScheduler;
    this.state = this.build(null);
  }

  // --- useSyncExternalStore ------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): LiveState => this.state;

  // --- LiveSink ------------------------------------------------------------------------

  snapshot(msg: SnapshotMessage, receivedAt: number): void {
    this.show = msg.show;
    this.metrics = { ...msg.metrics };
    this.metricsAt = msg.metrics_at;
    this.feeds = { ...msg.feeds };
    this.streamHealth = msg.stream_health;
    this.productMap = new Map(msg.products.map((p) => [p.sku, p]));
    this.seriesMap = new Map(msg.series.map((p) => [p.minute, p]));
    this.commentList = [];
    this.orderList = [];
    this.appendFeed(msg.feed);
    this.resyncReason = null;
    this.observeClock(msg.server_time, receivedAt);
    this.stockMap = new Map();
    this.mergeStock(msg.stock, this.serverTimeOf(msg.server_time, receivedAt));
    this.alertList = [];
    mergeAlerts(this.alertList, msg.alerts, this.maxAlerts);
    this.prompter = msg.prompter;
    this.prompterAt = msg.prompter === null ? null : this.serverTimeOf(msg.server_time, receivedAt);
    this.cueMap = new Map();
    mergeCues(this.cueMap, msg.cues);
    if (msg.prompter !== null) mergeCues(this.cueMap, msg.prompter.cues);
    boundCues(this.cueMap, this.maxCues);
    // Actions are facts of the show, not of the stream: a snapshot (a reconnect that could not
    // resume) keeps them; only a resync, a new history, drops them.
    // null: the server has not read it yet; what was held stays until it does.
    if (msg.commerce !== null) this.commerce = msg.commerce;
    if (msg.questions !== null) this.questions = msg.questions;
    // The snapshot's feed is shown as the server filters it; the bans seen still hold.
    this.dropBannedComments();
    this.rejected += msg.rejected;
    this.productsDirty = this.seriesDirty = this.commentsDirty = this.ordersDirty = true;
    this.stockDirty = this.alertsDirty = this.cuesDirty = this.actionsDirty = true;
    this.applied += 1;
    this.changed();
  }

  publication(msg: Publication, receivedAt: number): void {
    // A position only: its publication is for other roles, and nothing here changes.
    if (msg.type === "skip") return;
    this.observeClock(msg.server_time, receivedAt);
    this.applied += 1;
    switch (msg.type) {
      case "metrics":
        // Frames carry only what changed: merge, never replace.
        this.metrics = { ...this.metrics, ...msg.metrics };
        if (msg.metrics_at !== undefined) this.metricsAt = msg.metrics_at;
        if (Object.keys(msg.feeds).length > 0) this.feeds = { ...this.feeds, ...msg.feeds };
        if (msg.stream_health !== undefined) this.streamHealth = msg.stream_health;
        for (const row of msg.products) this.productMap.set(row.sku, row);
        for (const point of msg.series) this.seriesMap.set(point.minute, point);
        if (msg.products.length > 0) this.productsDirty = true;
        if (msg.series.length > 0) this.seriesDirty = true;
        break;
      case "feed":
        this.appendFeed(msg.items);
        break;
      case "show":
        this.show = msg.show;
        break;
      case "stock":
        this.mergeStock(msg.items, this.serverTimeOf(msg.server_time, receivedAt));
        this.rejected += msg.rejected;
        break;
      case "alert":
        if (mergeAlerts(this.alertList, [alertOf(msg)], this.maxAlerts)) this.alertsDirty = true;
        break;
      case "prompter":
        this.prompter = msg.prompter;
        this.prompterAt = this.serverTimeOf(msg.server_time, receivedAt);
        this.takeCues(msg.prompter.cues);
        break;
      case "cue":
        this.takeCues([msg.cue]);
        break;
      case "action":
        this.takeActions([msg.action]);
        break;
      case "commerce":
        this.commerce = msg.commerce;
        break;
      case "questions":
        this.questions = msg.questions;
        this.rejected += msg.rejected;
        break;
      case "ignored":
        this.rejected += 1;
        break;
      case "replay":
        // Where a replay stands is the replay bar's (live/useReplay.ts), not the show's state.
        return;
    }
    this.changed();
  }

  resync(reason: string): void {
    // The held numbers belong to a history that no longer exists; showing them while the
    // new snapshot is on its way would mix two histories, so they go now.
    this.show = null;
    this.metrics = {};
    this.metricsAt = null;
    this.feeds = {};
    this.streamHealth = null;
    this.productMap = new Map();
    this.seriesMap = new Map();
    this.commentList = [];
    this.orderList = [];
    this.stockMap = new Map();
    this.alertList = [];
    this.prompter = null;
    this.prompterAt = null;
    this.cueMap = new Map();
    this.actionList = [];
    this.commerce = null;
    this.questions = null;
    this.bans = new Map();
    this.bansDirty = true;
    this.resyncReason = reason;
    this.productsDirty = this.seriesDirty = this.commentsDirty = this.ordersDirty = true;
    this.stockDirty = this.alertsDirty = this.cuesDirty = this.actionsDirty = true;
    this.changed();
  }

  /**
   * A cue as an HTTP answer gave it (the one we just sent, or acknowledged): shown at once,
   * before the server's `cue` message, which then changes nothing.
   */
  cue(cue: Cue): void {
    this.takeCues([cue]);
    this.changed();
  }

  /**
   * An alert as an HTTP answer gave it (acknowledged or resolved here): shown at once, before
   * the server's `alert` message, which then changes nothing. Only an alert held already: the
   * answer never brings back one the stream no longer holds.
   */
  alert(alert: Alert): void {
    if (alert.id === null || !this.alertList.some((a) => a.id === alert.id)) return;
    if (mergeAlerts(this.alertList, [alert], this.maxAlerts)) {
      this.alertsDirty = true;
      this.changed();
    }
  }

  /**
   * Actions as an HTTP answer gave them (one just performed or undone here, or a page of the
   * audit log, `GET …/actions`): folded in as a live `action` message would be, so a held
   * action shows at once and a console opened late still knows the bans and hides.
   */
  actions(actions: readonly ActionRecord[]): void {
    this.takeActions(actions);
    this.changed();
  }

  /**
   * The commerce state as an HTTP answer gave it (`GET …/commerce`): taken only while the
   * stream has not sent one, since a message that follows it is newer than the answer.
   */
  takeCommerce(commerce: CommerceState): void {
    if (this.commerce !== null) return;
    this.commerce = commerce;
    this.changed();
  }

  /**
   * The open clusters as an HTTP answer gave them (`GET …/questions`): taken only while the
   * stream has sent none, since a message that follows it is newer than the answer.
   */
  takeQuestions(questions: QuestionsState): void {
    if (this.questions !== null) return;
    this.questions = questions;
    this.changed();
  }

  status(status: ConnStatus): void {
    this.conn = status;
    this.changed();
  }

  serverTime(serverTime: string, receivedAt: number): void {
    this.observeClock(serverTime, receivedAt);
    this.changed();
  }

  /** Publish pending changes now instead of at the next frame. */
  flush(): void {
    if (this.cancelFlush !== null) {
      this.cancelFlush();
      this.cancelFlush = null;
    }
    this.state = this.build(this.state);
    for (const listener of [...this.listeners]) listener();
  }

  // --- internals -----------------------------------------------------------------------

  private takeCues(cues: readonly Cue[]): void {
    if (!mergeCues(this.cueMap, cues)) return;
    boundCues(this.cueMap, this.maxCues);
    this.cuesDirty = true;
  }

  /**
   * Actions in, one per id (a later record of the same id replaces it: held → undone,
   * applied, failed), kept in id order and bounded. `comment.hide` drops that comment;
   * `viewer.ban` drops the viewer's comments from the ban's time on (the server stops sending
   * them); `viewer.unban` lifts the ban for what comes next.
   */
  private takeActions(actions: readonly ActionRecord[]): void {
    if (actions.length === 0) return;
    for (const action of actions) {
      const at = this.actionList.findIndex((a) => a.id === action.id);
      if (at >= 0) this.actionList[at] = action;
      else {
        let i = this.actionList.length;
        while (i > 0 && (this.actionList[i - 1]?.id ?? 0) > action.id) i -= 1;
        this.actionList.splice(i, 0, action);
      }
      this.foldModeration(action);
    }
    if (this.actionList.length > this.maxActions) this.actionList.splice(0, this.actionList.length - this.maxActions);
    this.actionsDirty = true;
  }

  private foldModeration(action: ActionRecord): void {
    const f = action.fields;
    if (f.state !== undefined && f.state !== "applied") return; // held/undone/failed: nothing happened
    if (action.type === "comment.hide" && typeof f.event_id === "string") {
      const before = this.commentList.length;
      this.commentList = this.commentList.filter((c) => c.id !== f.event_id);
      if (this.commentList.length !== before) this.commentsDirty = true;
    } else if (action.type === "viewer.ban" && typeof f.viewer_id === "string") {
      const held = this.bans.get(f.viewer_id);
      if (held === undefined || Date.parse(action.at) < Date.parse(held)) this.bans.set(f.viewer_id, action.at);
      this.bansDirty = true;
      this.dropBannedComments();
    } else if (action.type === "viewer.unban" && typeof f.viewer_id === "string") {
      if (this.bans.delete(f.viewer_id)) this.bansDirty = true;
    }
  }

  /** Drop the comments of banned viewers made at or after their ban. */
  private dropBannedComments(): void {
    if (this.bans.size === 0) return;
    const before = this.commentList.length;
    this.commentList = this.commentList.filter((c) => {
      const at = this.bans.get(c.viewer_id);
      return at === undefined || Date.parse(c.ts) < Date.parse(at);
    });
    if (this.commentList.length !== before) this.commentsDirty = true;
  }

  private appendFeed(items: readonly FeedItem[]): void {
    const comments: CommentItem[] = [];
    const orders: OrderItem[] = [];
    for (const item of items) {
      if (item.kind === "comment") comments.push(item);
      else orders.push(item);
    }
    if (comments.length > 0) {
      pushBounded(this.commentList, comments, this.maxComments);
      this.commentsDirty = true;
      this.dropBannedComments();
    }
    if (orders.length > 0) {
      pushBounded(this.orderList, orders, this.maxOrders);
      this.ordersDirty = true;
    }
  }

  /**
   * Rows arrive whole; per SKU the highest `rev` wins, so a row that arrives after a newer
   * one (a late notification) never takes the level back. An equal `rev` replaces: the
   * ledger is the same, the forecast newer.
   */
  private mergeStock(rows: readonly StockLevels[], at: number): void {
    for (const row of rows) {
      const held = this.stockMap.get(row.sku);
      if (held !== undefined && held.rev > row.rev) continue;
      this.stockMap.set(row.sku, { ...row, received_at: at });
      this.stockDirty = true;
    }
  }

  /** A frame's server time in epoch ms; the local clock shifted by the offset without one. */
  private serverTimeOf(serverTime: string, receivedAt: number): number {
    const t = Date.parse(serverTime);
    return Number.isNaN(t) ? receivedAt + this.clockOffsetMs : t;
  }

  private observeClock(serverTime: string, receivedAt: number): void {
    const t = Date.parse(serverTime);
    if (!Number.isNaN(t)) this.clockOffsetMs = t - receivedAt;
  }

  private changed(): void {
    if (this.cancelFlush !== null) return;
    this.cancelFlush = this.schedule(() => {
      this.cancelFlush = null;
      this.flush();
    });
  }

  private build(prev: LiveState | null): LiveState {
    const state: LiveState = {
      conn: this.conn,
      show: this.show,
      metrics: this.metrics,
      metricsAt: this.metricsAt,
      feeds: this.feeds,
      streamHealth: this.streamHealth,
      products: this.productsDirty || prev === null ? [...this.productMap.values()] : prev.products,
      series:
        this.seriesDirty || prev === null
          ? [...this.seriesMap.values()].sort((a, b) => Date.parse(a.minute) - Date.parse(b.minute))
          : prev.series,
      comments: this.commentsDirty || prev === null ? this.commentList.slice() : prev.comments,
      orders: this.ordersDirty || prev === null ? this.orderList.slice() : prev.orders,
      stock: this.stockDirty || prev === null ? [...this.stockMap.values()] : prev.stock,
      alerts: this.alertsDirty || prev === null ? this.alertList.slice() : prev.alerts,
      prompter: this.prompter,
      prompterAt: this.prompterAt,
      cues: this.cuesDirty || prev === null ? [...this.cueMap.values()].sort(compareCues) : prev.cues,
      actions: this.actionsDirty || prev === null ? this.actionList.slice() : prev.actions,
      commerce: this.commerce,
      questions: this.questions,
      bannedViewers: this.bansDirty || prev === null ? new Map(this.bans) : prev.bannedViewers,
      rejected: this.rejected,
      clockOffsetMs: this.clockOffsetMs,
      resyncReason: this.resyncReason,
      applied: this.applied,
    };
    this.productsDirty = this.seriesDirty = this.commentsDirty = this.ordersDirty = false;
    this.stockDirty = this.alertsDirty = this.cuesDirty = this.actionsDirty = this.bansDirty = false;
    return state;
  }
}
