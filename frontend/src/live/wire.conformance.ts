/**
 * Compile-time checks that the console's message types (protocol.ts: what its parser hands
 * the rest of the console) still match the wire types generated from docs/asyncapi.json
 * (wire.gen.ts), for the fields the console reads. Nothing here runs: `tsc --noEmit` (in
 * `npm run build`, so in `make test`) fails on the line of the pair that drifted, naming the
 * field.
 *
 * The two are not the same types on purpose: the parser turns epoch times into RFC 3339
 * strings, leaves out what it cannot use and tells alerts apart by kind. So each pair says
 * which fields differ and how; every other field must take the wire's values as they are.
 */

import type * as C from "./protocol";
import type * as W from "./wire.gen";

/** The wire type with its arrays made mutable, which the console's types are. */
type Plain<T> = T extends readonly (infer I)[]
  ? Plain<I>[]
  : T extends object
    ? { -readonly [K in keyof T]: Plain<T[K]> }
    : T;

/**
 * The fields of the console's type `Console` that drifted from the wire type `Wire` (never
 * when none did):
 * - a field the console reads that the server does not send, unless it is in `Own` (the
 *   console's own: computed by the parser, or not sent yet);
 * - a field whose wire values the console's type does not accept, unless it is in `Converted`
 *   (the parser turns the value into something else, checked on its own pair below) or in
 *   `Narrowed`;
 * - a field in `Narrowed` (the console takes only some of the wire's values, such as a stock
 *   alert's `sku`, never null) whose console type has values the wire never carries.
 */
type Drift<
  Console,
  Wire,
  Own extends keyof Console = never,
  Converted extends keyof Console = never,
  Narrowed extends keyof Console = never,
> =
  | Exclude<keyof Console, keyof Wire | Own>
  | {
      [K in Exclude<keyof Console & keyof Wire, Own | Converted | Narrowed>]: [Plain<Wire[K]>] extends [Console[K]]
        ? never
        : K;
    }[Exclude<keyof Console & keyof Wire, Own | Converted | Narrowed>]
  | { [K in Narrowed & keyof Wire]: [Console[K]] extends [Plain<Wire[K]>] ? never : K }[Narrowed & keyof Wire];

/** The fields a message the console sends holds that the server would refuse, or lacks. */
type Unsendable<Console, Wire> =
  | Drift<Console, Wire, never, never, keyof Console>
  | Exclude<{ [K in keyof Wire]-?: object extends Pick<Wire, K> ? never : K }[keyof Wire], keyof Console>;

/** Compiles only when `T` is never: otherwise the error names what drifted. */
type None<T extends never> = T;

/** Times the server sends as epoch numbers and the console holds as RFC 3339 strings. */
type Time = "server_time";

type StockAlertMessage = Extract<C.AlertMessage, { kind: C.StockAlertKind }>;
type ComplianceAlertMessage = Extract<C.AlertMessage, { kind: "compliance" }>;
type CueUnackedAlertMessage = Extract<C.AlertMessage, { kind: "cue_unacked" }>;
type SegmentOverrunAlertMessage = Extract<C.AlertMessage, { kind: "segment_overrun" }>;
type OtherAlertMessage = Extract<C.AlertMessage, { kind: "other" }>;

export type WireConformance = [
  // Every message type the server sends is one the console reads.
  None<Exclude<W.ServerMessage["type"], C.ServerMessage["type"]>>,
  // What the console sends is what the server accepts (it refuses unknown fields).
  None<Exclude<C.ClientMessage["type"], W.ClientMessage["type"]>>,
  None<Unsendable<C.PingMessage, W.PingMessage>>,

  // The messages.
  None<
    Drift<
      C.SnapshotMessage,
      W.SnapshotMessage,
      "rejected",
      | Time
      | "metrics_at"
      | "show"
      | "products"
      | "series"
      | "feed"
      | "feeds"
      | "stream_health"
      | "alerts"
      | "prompter"
      | "commerce"
      | "questions"
    >
  >,
  None<
    Drift<
      C.MetricsMessage,
      W.MetricsMessage,
      never,
      Time | "metrics_at" | "products" | "series" | "feeds" | "stream_health"
    >
  >,
  None<Drift<C.FeedMessage, W.FeedMessage, never, Time | "items">>,
  None<Drift<C.StockMessage, W.StockMessage, "rejected", Time>>,
  None<Drift<StockAlertMessage, W.AlertMessage, "escalated", Time, "kind" | "sku" | "available">>,
  None<
    Drift<
      ComplianceAlertMessage,
      W.AlertMessage,
      "escalated",
      Time,
      "kind" | "sku" | "available" | "line" | "violations"
    >
  >,
  None<Drift<CueUnackedAlertMessage, W.AlertMessage, "escalated", Time, "kind" | "sku" | "available" | "cue_id">>,
  None<
    Drift<SegmentOverrunAlertMessage, W.AlertMessage, "escalated", Time, "kind" | "sku" | "available" | "segment_id">
  >,
  // `escalated` is the console's own: `detail.escalated`, read by the parser.
  // Every kind the server raises today has its own type above (the parser reads each by its
  // fields). A kind it adds later is read as kind "other", by its envelope, the wire's kind
  // kept as `server_kind`: that is not drift, but each kind the console names (narrowed
  // above) must still be one the server raises.
  None<Drift<OtherAlertMessage, W.AlertMessage, "server_kind" | "escalated", Time | "kind">>,
  None<Drift<C.PrompterMessage, W.PrompterMessage, never, Time | "prompter">>,
  None<Drift<C.CueMessage, W.CueMessage, never, Time>>,
  None<Drift<C.ActionMessage, W.ActionMessage, never, Time | "action">>,
  None<Drift<C.CommerceMessage, W.CommerceMessage, never, Time | "commerce">>,
  // `rejected`: how many clusters the parser left out.
  None<Drift<C.QuestionsMessage, W.QuestionsMessage, "rejected", Time>>,
  None<Drift<C.ShowMessage, W.ShowMessage, never, Time | "show">>,
  None<Drift<C.SkipMessage, W.SkipMessage>>,
  None<Drift<C.ReplayMessage, W.ReplayMessage, never, Time>>,
  None<Unsendable<Extract<C.ClientMessage, { type: "replay.seek" }>, W.ReplaySeekMessage>>,
  None<Unsendable<Extract<C.ClientMessage, { type: "replay.speed" }>, W.ReplaySpeedMessage>>,
  None<Drift<C.ResumedMessage, W.ResumedMessage>>,
  None<Drift<C.ResyncMessage, W.ResyncMessage>>,
  None<Drift<C.PongMessage, W.PongMessage, never, Time>>,
  None<Drift<C.ErrorMessage, W.ErrorMessage>>,

  // What the messages hold.
  None<Drift<C.StockAlert, W.Alert, "escalated", never, "kind" | "sku" | "available">>,
  None<Drift<C.ComplianceAlert, W.Alert, "escalated", never, "kind" | "sku" | "available" | "line" | "violations">>,
  None<Drift<C.CueUnackedAlert, W.Alert, "escalated", never, "kind" | "sku" | "available" | "cue_id">>,
  None<Drift<C.SegmentOverrunAlert, W.Alert, "escalated", never, "kind" | "sku" | "available" | "segment_id">>,
  None<Drift<C.OtherAlert, W.Alert, "server_kind" | "escalated", "kind">>,
  // `targets` is read as metrics (`gmv` becomes `gmv_paid`).
  None<Drift<C.ShowInfo, W.ShowRead, never, "targets">>,
  None<Exclude<W.ShowRead["status"], C.ShowStatus>>,
  // `name`: the console shows one when sent; the server sends none yet (the parser sets null).
  None<Drift<C.ProductRow, W.ProductFigures, "name">>,
  None<Drift<C.SeriesPoint, W.MinutePoint, never, "minute">>,
  None<Drift<C.FeedFreshness, W.Freshness, never, "ts" | "received_at">>,
  None<Drift<C.StreamHealth, W.StreamHealth, never, "ts">>,
  None<Drift<C.CommentItem, W.CommentItem, never, "ts">>,
  // The parser leaves a null optional field out.
  None<Drift<C.OrderItem, W.OrderItem, never, "ts", "viewer_id" | "sku" | "qty" | "amount">>,
  None<Drift<C.StockLevels, W.StockLevels>>,
  None<Drift<C.FlashSale, W.FlashSaleState>>,
  None<Drift<C.ComplianceViolation, W.ViolationOut>>,
  // `segment` and `next`: their beats are narrowed (checked on their pairs below);
  // `questions`: a server from before the field sends none, read as an empty list.
  None<Drift<C.PrompterView, W.Prompter, never, "segment" | "next", "questions">>,
  None<Drift<C.PrompterSegment, W.PrompterSegment, never, never, "beat">>,
  None<Drift<C.PrompterNext, W.PrompterNext, never, never, "beat">>,
  None<Drift<C.PrompterPart, W.PrompterPart>>,
  None<Drift<C.Cue, W.CueRead>>,
  None<Drift<C.Actor, W.Actor>>,
  // `fields`: the record's other keys, gathered by the parser.
  None<Drift<C.ActionRecord, W.ActionRead, "fields">>,
  // `held`: action records, read as ActionRecord (checked above).
  None<Drift<C.CommerceState, W.CommerceState, never, "held">>,
  None<Drift<C.PriceRow, W.PriceRow>>,
  None<Drift<C.CouponRow, W.CouponRow>>,
  None<Drift<C.LuckyBagRow, W.LuckyBagRow>>,
  None<Drift<C.QuestionsState, W.QuestionsView>>,
  None<Drift<C.QuestionCluster, W.ClusterRead>>,
  None<Exclude<W.Intent, C.Intent>>,
];
