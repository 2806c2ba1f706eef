/**
 * Test doubles for the live client: a scriptable fake WebSocket, a recording sink and frame
 * builders. Imported by the *.test.ts files only (never by the app bundle).
 */
import type { ConnStatus, LiveSink, SocketLike } from "./client";
import type { Publication, SnapshotMessage, StockAlert } from "./protocol";

export class FakeSocket implements SocketLike {
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: string[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  // --- driven by the test, as the server would ---

  open(): void {
    this.onopen?.();
  }

  receive(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data });
  }

  serverClose(code: number, reason = ""): void {
    this.onclose?.({ code, reason });
  }
}

/** Collects every socket the client creates, in order. */
export class SocketFactory {
  readonly sockets: FakeSocket[] = [];
  readonly create = (url: string): FakeSocket => {
    const s = new FakeSocket(url);
    this.sockets.push(s);
    return s;
  };

  get last(): FakeSocket {
    const s = this.sockets[this.sockets.length - 1];
    if (s === undefined) throw new Error("no socket created yet");
    return s;
  }
}

export type SinkCall =
  | { kind: "snapshot"; offset: number }
  | { kind: "publication"; type: Publication["type"]; offset: number }
  | { kind: "resync"; reason: string };

export class RecordingSink implements LiveSink {
  readonly calls: SinkCall[] = [];
  readonly statuses: ConnStatus[] = [];

  snapshot(msg: SnapshotMessage): void {
    this.calls.push({ kind: "snapshot", offset: msg.offset });
  }
  publication(msg: Publication): void {
    this.calls.push({ kind: "publication", type: msg.type, offset: msg.offset });
  }
  resync(reason: string): void {
    this.calls.push({ kind: "resync", reason });
  }
  status(status: ConnStatus): void {
    this.statuses.push(status);
  }
  serverTime(): void {}

  get lastStatus(): ConnStatus | undefined {
    return this.statuses[this.statuses.length - 1];
  }
}

export const SHOW = {
  id: "show-1",
  title: "双11 美妆专场",
  platform: "douyin",
  status: "live",
  started_at: "2025-11-11T12:00:00Z",
  ended_at: null,
  targets: { gmv_paid: 10_000_000 },
};

export function snapshotFrame(
  epoch: string,
  offset: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "snapshot",
    epoch,
    offset,
    server_time: "2025-11-11T12:10:00Z",
    show: SHOW,
    metrics: { online: 100, uv: 250, gmv_paid: 50_000, comments: 2 },
    metrics_at: "2025-11-11T12:09:59Z",
    products: [{ sku: "A1", name: "口红", clicks: 3, orders: 1, units: 1, gmv: 9_900, stock_left: 99 }],
    series: [{ minute: "2025-11-11T12:09:00Z", online: 100, joins: 5, comments: 2, likes: 9, orders: 1, gmv: 9_900 }],
    feed: [
      { kind: "comment", id: "c1", ts: "2025-11-11T12:09:50Z", viewer_id: "v1", text: "多少钱" },
      { kind: "comment", id: "c2", ts: "2025-11-11T12:09:55Z", viewer_id: "v2", text: "上链接" },
    ],
    feeds: {
      viewers: { ts: "2025-11-11T12:09:59Z", received_at: "2025-11-11T12:09:59.2Z" },
      comments: { ts: "2025-11-11T12:09:55Z", received_at: "2025-11-11T12:09:55.1Z" },
    },
    ...extra,
  };
}

export function metricsFrame(
  epoch: string,
  offset: number,
  metrics: Record<string, number> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "metrics",
    epoch,
    offset,
    server_time: "2025-11-11T12:10:01Z",
    metrics,
    metrics_at: "2025-11-11T12:10:00Z",
    products: [],
    series: [],
    feeds: {},
    ...extra,
  };
}

let commentSeq = 0;

export function feedFrame(epoch: string, offset: number, count = 1): Record<string, unknown> {
  const items = Array.from({ length: count }, () => {
    commentSeq += 1;
    return {
      kind: "comment",
      id: `f${commentSeq}`,
      ts: "2025-11-11T12:10:01Z",
      viewer_id: "v9",
      text: `评论 ${commentSeq}`,
    };
  });
  return { type: "feed", epoch, offset, server_time: "2025-11-11T12:10:01Z", items };
}

/** A whole StockLevels row as the server sends it (docs/asyncapi.json), with overrides. */
export function stockRow(sku: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sku,
    allocated: 100,
    reserved: 5,
    sold: 15,
    available: 80,
    version: 1,
    limit_per_viewer: null,
    flash_sale: null,
    sold_out_at: null,
    rev: 1,
    units_per_minute: 12,
    sell_out_in_seconds: 400,
    ...extra,
  };
}

export function stockFrame(epoch: string, offset: number, items: unknown[]): Record<string, unknown> {
  return { type: "stock", epoch, offset, server_time: 1762862401000, items };
}

export function alertFrame(
  epoch: string,
  offset: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "alert",
    epoch,
    offset,
    server_time: 1762862402000,
    kind: "sold_out",
    severity: "critical",
    roles: ["field_control", "assistant"],
    sku: "A1",
    available: 0,
    text: "A1 已售罄 / sold out",
    ts: 1762862402000,
    ...extra,
  };
}

/**
 * An alert as the live side sends it today (contract §12's keys, and the older ones it copies
 * for consoles built before §12), without the frame's envelope: a firing low-stock alert.
 */
export function alertJson(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "al_00000000000000a1",
    rule: "low_stock",
    subject: "A1",
    severity: "warning",
    state: "firing",
    roles: ["field_control", "assistant"],
    message: "羊绒围巾 库存只剩 8 件（8 %） / low stock: 8 left",
    value: 0.08,
    threshold: 0.1,
    sku: "A1",
    fired_at: "2025-11-11T12:00:02.000000Z",
    acked_at: null,
    resolved_at: null,
    acked_by: null,
    resolved_by: null,
    ack_seconds: null,
    resolve_seconds: null,
    detail: { available: 8 },
    kind: "low_stock",
    text: "羊绒围巾 库存只剩 8 件（8 %） / low stock: 8 left",
    ts: 1762862402000,
    available: 8,
    line: null,
    violations: null,
    cue_id: null,
    segment_id: null,
    ...extra,
  };
}

/** What the parser makes of an alert from a server from before contract §12 (no state, no acks). */
export const BEFORE_12 = {
  state: "firing",
  acked_at: null,
  acked_by: null,
  ack_seconds: null,
  resolved_at: null,
  resolved_by: null,
  resolve_seconds: null,
  escalated: false,
} as const;

/** A parsed stock alert (what the store holds), firing unless `extra` says otherwise. */
export function stockAlert(extra: Partial<StockAlert> = {}): StockAlert {
  return {
    id: "al_00000000000000a1",
    kind: "low_stock",
    rule: extra.kind ?? "low_stock",
    subject: extra.sku ?? "A1",
    severity: "warning",
    ...BEFORE_12,
    roles: ["field_control", "assistant"],
    text: "库存紧张",
    ts: 1_000_000,
    sku: "A1",
    available: 8,
    ...extra,
  };
}

/** A cue as the server sends it (CueRead), with overrides. */
export function cueJson(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    text: `提示 ${id}`,
    by: { label: "场控小王", role: "field_control" },
    created_at: `2025-11-11T12:0${id % 10}:00.000000Z`,
    acked_at: null,
    ack_seconds: null,
    acked_by: null,
    open_seconds: 1.5,
    ...extra,
  };
}

/** A prompter view (GET …/prompter), on air in segment "push-A1", with overrides. */
export function prompterJson(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    segment: { id: "push-A1", title: "羊绒围巾", sku: "A1", planned_seconds: 180, elapsed_seconds: 55, beat: "push" },
    text: "原价199元，直播间只要99元，只剩37件！",
    next: { id: "welfare", title: "福利", beat: "welfare" },
    cues: [],
    parts: [
      { start: 2, end: 6, name: "price", missing: false },
      { start: 12, end: 15, name: "live_price", missing: false },
      { start: 18, end: 20, name: "stock_left", missing: false },
    ],
    values: { price: "199元", live_price: "99元", stock_left: "37", online: "1234", top_question: null },
    remaining_seconds: 125,
    overrun_seconds: 0,
    version: 3,
    questions: [],
    ...extra,
  };
}

export function prompterFrame(
  epoch: string,
  offset: number,
  prompter: Record<string, unknown> = prompterJson(),
  serverTime = 1762862405000,
): Record<string, unknown> {
  return { type: "prompter", epoch, offset, server_time: serverTime, prompter };
}

export function cueFrame(epoch: string, offset: number, cue: Record<string, unknown>): Record<string, unknown> {
  return { type: "cue", epoch, offset, server_time: 1762862406000, cue };
}

export function actionFrame(epoch: string, offset: number, id: number, extra: Record<string, unknown> = {}) {
  return {
    type: "action",
    epoch,
    offset,
    server_time: 1762862407000,
    action: {
      id,
      type: "cue",
      by: { label: "场控小王", role: "field_control" },
      at: "2025-11-11T12:10:07.000000Z",
      text: "上链接",
      ...extra,
    },
  };
}

/** A question cluster as the server sends it (contract §11, issue #12), with overrides. */
export function clusterJson(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    intent: "question_size",
    topic: "size",
    label: "尺码",
    sku: "A1",
    representative: "一米六穿什么码",
    examples: ["160穿多大", "我160选哪个码"],
    count: 12,
    viewers: 9,
    first_at: "2025-11-11T12:08:00Z",
    last_at: "2025-11-11T12:09:58Z",
    status: "open",
    total: 15,
    answered_at: null,
    ...extra,
  };
}
