/**
 * Moderation's HTTP calls and answers (issue #11 item 6): bans (`viewer.ban` / `viewer.unban`
 * actions, sent with actionsApi's `performAction`), the user card (`GET …/viewers/{id}`), the
 * show's room and the room's keyword filter (`GET|PUT /rooms/{room}/moderation`), and their
 * labels. Answers are read leniently: a field the console does not know is dropped, a missing
 * one becomes null, so a newer server never blanks a panel.
 */
import { call, showApi } from "./actionsApi";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Where a ban holds: this show, or every show of the show's room. */
export type BanScope = "show" | "room";

/** The show's room (`show.room`), or null when it has none: room bans and the keyword filter need one. */
export async function getShowRoom(showId: string): Promise<string | null> {
  const room = str(obj(await call(showApi(showId))).room);
  return room === "" ? null : room;
}

// --- the user card -----------------------------------------------------------------------

export type HiddenReason = "hidden" | "banned" | "keyword";

export interface CardComment {
  id: string;
  ts: string;
  text: string;
  hidden: boolean;
  reason: HiddenReason | (string & {}) | null;
}

export interface CardOrder {
  order_id: string;
  sku: string | null;
  qty: number | null;
  /** fen */
  amount: number | null;
  created_at: string;
  state: string;
}

export interface Ban {
  id: number;
  viewer_id: string;
  scope: BanScope;
  show_id: string;
  room: string | null;
  banned_at: string;
  by: string;
  lifted_at: string | null;
  lifted_by: string | null;
  active: boolean;
}

export interface ViewerCard {
  viewer_id: string;
  room: string | null;
  tier: string | null;
  channel: string | null;
  joins: number;
  watch_seconds: number | null;
  comments: CardComment[];
  comments_hidden: number;
  orders: { created: number; paid: number; cancelled: number; refunded: number };
  recent_orders: CardOrder[];
  bans: { show: boolean; room: boolean; history: Ban[] };
}

export function parseBan(v: unknown): Ban | null {
  const o = obj(v);
  const id = num(o.id);
  const viewer = str(o.viewer_id);
  const scope = o.scope === "show" || o.scope === "room" ? o.scope : null;
  if (id === null || viewer === null || scope === null) return null;
  const lifted = str(o.lifted_at);
  return {
    id,
    viewer_id: viewer,
    scope,
    show_id: str(o.show_id) ?? "",
    room: str(o.room),
    banned_at: str(o.banned_at) ?? "",
    by: str(o.by) ?? "—",
    lifted_at: lifted,
    lifted_by: str(o.lifted_by),
    active: typeof o.active === "boolean" ? o.active : lifted === null,
  };
}

export function parseViewerCard(v: unknown, viewerId: string): ViewerCard {
  const o = obj(v);
  const orders = obj(o.orders);
  const bans = obj(o.bans);
  const comments: CardComment[] = [];
  for (const raw of arr(o.comments)) {
    const c = obj(raw);
    const id = str(c.id);
    if (id === null) continue;
    comments.push({
      id,
      ts: str(c.ts) ?? "",
      text: str(c.text) ?? "",
      hidden: c.hidden === true,
      reason: str(c.reason),
    });
  }
  const recent: CardOrder[] = [];
  for (const raw of arr(o.recent_orders)) {
    const r = obj(raw);
    const id = str(r.order_id);
    if (id === null) continue;
    recent.push({
      order_id: id,
      sku: str(r.sku),
      qty: num(r.qty),
      amount: num(r.amount),
      created_at: str(r.created_at) ?? "",
      state: str(r.state) ?? "created",
    });
  }
  return {
    viewer_id: str(o.viewer_id) ?? viewerId,
    room: str(o.room),
    tier: str(o.tier),
    channel: str(o.channel),
    joins: num(o.joins) ?? 0,
    watch_seconds: num(o.watch_seconds),
    comments,
    comments_hidden: num(o.comments_hidden) ?? comments.filter((c) => c.hidden).length,
    orders: {
      created: num(orders.created) ?? 0,
      paid: num(orders.paid) ?? 0,
      cancelled: num(orders.cancelled) ?? 0,
      refunded: num(orders.refunded) ?? 0,
    },
    recent_orders: recent,
    bans: {
      show: bans.show === true,
      room: bans.room === true,
      history: arr(bans.history)
        .map(parseBan)
        .filter((b): b is Ban => b !== null),
    },
  };
}

export async function getViewerCard(showId: string, viewerId: string): Promise<ViewerCard> {
  return parseViewerCard(await call(showApi(showId, `viewers/${encodeURIComponent(viewerId)}`)), viewerId);
}

export const REASON_LABELS: Readonly<Record<string, string>> = {
  hidden: "已隐藏 hidden",
  banned: "禁言中发送 banned",
  keyword: "屏蔽词 keyword",
};

export const TIER_LABELS: Readonly<Record<string, string>> = {
  new: "新客 new",
  returning: "老客 returning",
  vip: "VIP",
};

export const SCOPE_LABELS: Readonly<Record<BanScope, string>> = {
  show: "本场 show",
  room: "直播间 room",
};

// --- the room's keyword filter -------------------------------------------------------------

export interface RoomModeration {
  room: string;
  keywords: string[];
  version: number;
  updated_at: string | null;
  updated_by: string | null;
}

export function parseRoomModeration(v: unknown, room: string): RoomModeration {
  const o = obj(v);
  return {
    room: str(o.room) ?? room,
    keywords: arr(o.keywords).filter((k): k is string => typeof k === "string"),
    version: num(o.version) ?? 0,
    updated_at: str(o.updated_at),
    updated_by: str(o.updated_by),
  };
}

const roomPath = (room: string) => `/api/v1/rooms/${encodeURIComponent(room)}/moderation`;

export async function getRoomModeration(room: string): Promise<RoomModeration> {
  return parseRoomModeration(await call(roomPath(room)), room);
}

/** Save the whole list; `baseVersion` makes a save over someone else's newer one a 409. */
export async function putRoomKeywords(room: string, keywords: string[], baseVersion: number): Promise<RoomModeration> {
  const body = JSON.stringify({ keywords, base_version: baseVersion });
  return parseRoomModeration(await call(roomPath(room), { method: "PUT", body }), room);
}

/**
 * A keyword added to a list: trimmed, and not added twice (compared as the server's filter
 * compares: NFKC, case folded). Answers the list unchanged when there is nothing to add.
 */
export function addKeyword(list: readonly string[], word: string): string[] {
  const w = word.trim();
  if (w === "") return [...list];
  const fold = (s: string) => s.normalize("NFKC").toLowerCase();
  if (list.some((k) => fold(k) === fold(w))) return [...list];
  return [...list, w];
}
