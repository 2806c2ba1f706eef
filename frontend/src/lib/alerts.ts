/**
 * The alert feed as field control (场控), the assistant (助播), operations and admin read it
 * (contract §12, docs/alerts.md): what is open, in the order to act on it, and what was
 * resolved lately. Pure functions of the alerts the console holds.
 */
import type { Actor, Alert, AlertSeverity, AlertState, StockAlert } from "../live/protocol";
import { formatDuration } from "./format";
import { senderName } from "./prompter";
import { alertsFor, roleLabel, type Bilingual } from "./stock";

const STATE_RANK: Readonly<Record<AlertState, number>> = { firing: 0, acknowledged: 1, resolved: 2 };
const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { critical: 0, warning: 1, info: 2 };

export function isOpen(a: Alert): boolean {
  return a.state !== "resolved";
}

/**
 * The order of the open list: firing before acknowledged (someone is on those), critical
 * before warning before info, then newest first. Equal alerts keep the order they came in.
 */
export function compareOpen(a: Alert, b: Alert): number {
  return (
    STATE_RANK[a.state] - STATE_RANK[b.state] || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.ts - a.ts
  );
}

/** When an alert resolved, epoch ms: its `resolved_at`, else (a server that sent none) when it fired. */
export function resolvedMs(a: Alert): number {
  const t = a.resolved_at === null ? Number.NaN : Date.parse(a.resolved_at);
  return Number.isNaN(t) ? a.ts : t;
}

/** Seconds from firing to resolved: the server's `resolve_seconds`, else from the two times. */
export function secondsToResolve(a: Alert): number | null {
  if (a.resolve_seconds !== null) return a.resolve_seconds;
  if (a.resolved_at === null) return null;
  const t = Date.parse(a.resolved_at);
  return Number.isNaN(t) ? null : Math.max(0, (t - a.ts) / 1000);
}

export interface AlertFeed {
  /** Firing and acknowledged, in {@link compareOpen}'s order. */
  open: Alert[];
  /** Resolved, the most recently resolved first. */
  resolved: Alert[];
  /** The console's role is none alerts are addressed to (admin): every alert is shown. */
  showingAll: boolean;
}

/** The feed of a console: the alerts addressed to its role, open ones first (see alertsFor). */
export function alertFeed(alerts: readonly Alert[], role: string | null): AlertFeed {
  const view = alertsFor(alerts, role);
  const open: Alert[] = [];
  const resolved: Alert[] = [];
  for (const a of view.alerts) (isOpen(a) ? open : resolved).push(a);
  // Stable sorts of a newest-first list: ties stay newest first.
  open.sort(compareOpen);
  resolved.sort((a, b) => resolvedMs(b) - resolvedMs(a));
  return { open, resolved, showingAll: view.showingAll };
}

/**
 * The alert the one-key acknowledgement acts on: the newest firing one (the one nobody has
 * seen yet), or null when none is firing.
 */
export function ackTarget(open: readonly Alert[]): Alert | null {
  let target: Alert | null = null;
  for (const a of open) {
    if (a.state === "firing" && a.id !== null && (target === null || a.ts > target.ts)) target = a;
  }
  return target;
}

/** How loud the feed is: its most urgent firing alert's severity, "handled" when someone is on every one. */
export function feedTone(open: readonly Alert[]): AlertSeverity | "handled" | "quiet" {
  const firing = open.filter((a) => a.state === "firing");
  if (firing.length > 0) {
    return firing.reduce(
      (top, a) => (SEVERITY_RANK[a.severity] < SEVERITY_RANK[top] ? a.severity : top),
      "info" as AlertSeverity,
    );
  }
  return open.length > 0 ? "handled" : "quiet";
}

/** Roles that may acknowledge and resolve any alert, besides the roles it is addressed to. */
const OVERSEERS: ReadonlySet<string> = new Set(["admin", "operations"]);

/** Whether this console's role may acknowledge and resolve the alert (docs/alerts.md). */
export function canMove(role: string, a: Alert): boolean {
  return a.id !== null && (OVERSEERS.has(role) || a.roles.includes(role));
}

/**
 * The open stock alert of each SKU (sold out over low stock), for the stock panel and the
 * product table. A resolved alert is history, never shown as current.
 */
export function openStockAlerts(alerts: readonly Alert[]): ReadonlyMap<string, StockAlert> {
  const rank = (a: StockAlert) => (a.kind === "sold_out" ? 0 : 1);
  const bySku = new Map<string, StockAlert>();
  for (const a of alerts) {
    if ((a.kind !== "low_stock" && a.kind !== "sold_out") || !isOpen(a)) continue;
    const held = bySku.get(a.sku);
    const first = held === undefined || rank(a) < rank(held) || (rank(a) === rank(held) && compareOpen(a, held) < 0);
    if (first) bySku.set(a.sku, a);
  }
  return bySku;
}

/** Who did something, for a person: 场控小王, 小李（助播）, or the role when the label names a token. */
export function actorName(actor: Actor): string {
  const name = senderName(actor);
  const role = roleLabel(actor.role);
  return name === role || name.includes(role) ? name : `${name}（${role}）`;
}

/** What resolved it: who did, or that its condition cleared by itself. */
export function resolvedByText(a: Alert): string {
  return a.resolved_by === null ? "自动恢复" : `${actorName(a.resolved_by)} 解决`;
}

const KIND_LABEL: Readonly<Record<string, Bilingual>> = {
  sold_out: { zh: "售罄", en: "SOLD OUT" },
  low_stock: { zh: "库存紧张", en: "LOW STOCK" },
  compliance: { zh: "违规用语", en: "WORDING" },
  cue_unacked: { zh: "提示未确认", en: "CUE" },
  segment_overrun: { zh: "段落超时", en: "OVERRUN" },
  stream_unhealthy: { zh: "推流异常", en: "STREAM" },
  stale_feed: { zh: "数据延迟", en: "STALE" },
  online_drop: { zh: "在线下跌", en: "DROP" },
  complaint_spike: { zh: "投诉激增", en: "COMPLAINTS" },
  question_unanswered: { zh: "问题未回复", en: "QUESTIONS" },
  gmv_pace: { zh: "成交落后", en: "GMV PACE" },
};

/** The label of an alert's rule; a rule this console does not know is a plain 提醒. */
export function ruleLabel(a: Pick<Alert, "rule">): Bilingual {
  return KIND_LABEL[a.rule] ?? { zh: "提醒", en: "ALERT" };
}

/** A message is "Chinese / English": the two halves, so the English can be set smaller. */
export function splitMessage(text: string): Bilingual {
  const at = text.indexOf(" / ");
  return at < 0 ? { zh: text, en: "" } : { zh: text.slice(0, at), en: text.slice(at + 3) };
}

/** How long ago an alert fired, to the second: 刚刚, 45秒前, 2分05秒前. */
export function ageText(ms: number): string {
  return ms < 1000 ? "刚刚" : `${formatDuration(Math.floor(ms / 1000))}前`;
}
