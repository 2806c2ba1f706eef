import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from "react";
import { formatClock, shortId } from "../lib/format";
import { errorText } from "../lib/actionsApi";
import { NOT_FROZEN, frozenView, isFrozen, nextHeld, queuedText, type FreezeCauses } from "../lib/commentFreeze";
import {
  FILTERS,
  INTENT_GROUP,
  INTENT_TAG,
  countByFilter,
  filterComments,
  matchesFilter,
  type IntentFilter,
} from "../lib/intents";
import type { BanScope } from "../lib/moderationApi";
import type { CommentItem } from "../live/protocol";

/** A stable hue per viewer so that a repeat commenter is recognisable at a glance. */
function viewerHue(viewerId: string): number {
  let h = 0;
  for (let i = 0; i < viewerId.length; i++) h = (h * 31 + viewerId.charCodeAt(i)) >>> 0;
  return h % 360;
}

/**
 * What field control can do to a comment from the stream. Each call resolves once the server
 * stored the action and rejects with its error; the stream shows either in place.
 */
export interface CommentModeration {
  /** Whether bans are offered (field control, admin, operations; not the assistant). */
  canBan: boolean;
  /** Whether the show has a room (a room ban needs one). */
  hasRoom: boolean;
  hide: (comment: CommentItem) => Promise<void>;
  ban: (viewerId: string, scope: BanScope) => Promise<void>;
  openViewer: (viewerId: string) => void;
}

/** Pixels from the bottom within which the list counts as "following" new comments. */
const STICK_PX = 40;
/** After a finger leaves the list, it stays frozen this long (the eye is still on the row). */
const TOUCH_GRACE_MS = 1500;

/**
 * Newest at the bottom, chat-style, each comment tagged with its intent (尺码? 想买 物流投诉 …;
 * spam greyed) and filter chips by intent family with their counts. It follows new comments
 * while the operator is at the bottom and stops following once they scroll up to read. While
 * the pointer is over the list, a finger holds it or a comment's tools are open, it freezes:
 * rows stay put, new comments wait below ("N 条新评论 ▼", a tap shows them), and show when the
 * pointer leaves (lib/commentFreeze.ts). The list is bounded (~500) by the store, so plain DOM
 * rows are cheap enough without virtualisation.
 */
// memo: the page re-renders every second for the age clocks; this only needs new data.
export const CommentStream = memo(function CommentStream({
  comments,
  moderation = null,
}: {
  comments: readonly CommentItem[];
  moderation?: CommentModeration | null;
}) {
  const listRef = useRef<HTMLOListElement | null>(null);
  const [following, setFollowing] = useState(true);
  // The one comment whose tools are open (hide, ban): one strip, however busy the stream.
  const [selected, setSelected] = useState<string | null>(null);
  // Id of the newest comment the operator has seen; counts what arrived while scrolled up.
  const [seenId, setSeenId] = useState<string | null>(null);
  const [filter, setFilter] = useState<IntentFilter>("all");
  const [causes, setCauses] = useState<FreezeCauses>(NOT_FROZEN);
  const touchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The list on screen when the stream froze (null while live). Set while rendering, so that
  // the very render that freezes already shows the held list.
  const held = useRef<readonly CommentItem[] | null>(null);
  // Bumped to catch up while still frozen (the 新评论 button under a resting pointer).
  const [catchUps, setCatchUps] = useState(0);
  const caughtUp = useRef(0);

  const toolsOpen = selected !== null && comments.some((c) => c.id === selected);
  const frozen = isFrozen({ ...causes, tools: toolsOpen });
  if (caughtUp.current !== catchUps) {
    caughtUp.current = catchUps;
    held.current = null;
  }
  held.current = nextHeld(held.current, frozen, comments);
  const heldList = held.current;

  const view = useMemo(
    () => (heldList === null ? { rows: comments, queued: [], overflow: false } : frozenView(heldList, comments)),
    [heldList, comments],
  );
  const counts = useMemo(() => countByFilter(view.rows), [view.rows]);
  const shown = useMemo(() => filterComments(view.rows, filter), [view.rows, filter]);
  const waiting = useMemo(
    () => view.queued.filter((c) => matchesFilter(c.intent, filter)).length,
    [view.queued, filter],
  );
  const newest = shown.length > 0 ? shown[shown.length - 1] : undefined;

  useLayoutEffect(() => {
    const el = listRef.current;
    if (el !== null && following) el.scrollTop = el.scrollHeight;
  }, [shown, following]);

  useLayoutEffect(() => {
    if (following) setSeenId(newest?.id ?? null);
  }, [newest, following]);

  useEffect(
    () => () => {
      if (touchTimer.current !== null) clearTimeout(touchTimer.current);
    },
    [],
  );

  const select = useCallback((id: string | null) => {
    setSelected(id);
    // Acting on a comment: stop following, so that it does not scroll away under the finger.
    if (id !== null) setFollowing(false);
  }, []);

  function onScroll() {
    const el = listRef.current;
    if (el === null) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_PX;
    if (atBottom !== following) setFollowing(atBottom);
  }

  // A mouse or pen over the list freezes it while there; a finger while down, and a moment after.
  const onPointerEnter = (e: PointerEvent) => {
    if (e.pointerType !== "touch") setCauses((c) => (c.hover ? c : { ...c, hover: true }));
  };
  const onPointerLeave = (e: PointerEvent) => {
    if (e.pointerType !== "touch") setCauses((c) => (c.hover ? { ...c, hover: false } : c));
  };
  const onPointerDown = (e: PointerEvent) => {
    if (e.pointerType !== "touch") return;
    if (touchTimer.current !== null) clearTimeout(touchTimer.current);
    touchTimer.current = null;
    setCauses((c) => (c.touch ? c : { ...c, touch: true }));
  };
  const onPointerUp = (e: PointerEvent) => {
    if (e.pointerType !== "touch") return;
    if (touchTimer.current !== null) clearTimeout(touchTimer.current);
    touchTimer.current = setTimeout(() => {
      touchTimer.current = null;
      setCauses((c) => ({ ...c, touch: false }));
    }, TOUCH_GRACE_MS);
  };

  const showQueued = () => {
    setCatchUps((n) => n + 1);
    setFollowing(true);
  };

  let unseen = "";
  if (!following && newest !== undefined && newest.id !== seenId) {
    const idx = seenId === null ? -1 : shown.findIndex((c) => c.id === seenId);
    // The seen comment may have been trimmed off the bounded list: then everything is new.
    unseen = idx < 0 ? `${shown.length}+` : String(shown.length - 1 - idx);
  }
  const queued = queuedText(waiting, view.overflow);

  return (
    <section className="panel comments" data-testid="comment-stream" data-frozen={frozen ? "true" : "false"}>
      {/* One row: the title, then the chips (they scroll sideways when they do not fit); the
          count and the newest time are the title's tooltip (全部 N says the count). */}
      <div className="panel__head comments__head">
        <h2
          title={`Comments · ${view.rows.length} 条${
            view.rows.length > 0 ? ` · 最新 ${formatClock(view.rows[view.rows.length - 1]?.ts ?? "")}` : ""
          }`}
        >
          评论 <span className="en">Comments</span>
        </h2>
        <div className="comments__filters" role="group" aria-label="按意图筛选 filter by intent">
          {FILTERS.map((f) => (
            <button
              key={f.id}
              type="button"
              className={`cfilter cfilter--${f.id}${filter === f.id ? " cfilter--on" : ""}`}
              aria-pressed={filter === f.id}
              onClick={() => setFilter(f.id)}
              data-testid={`comment-filter-${f.id}`}
              data-count={counts[f.id]}
              title={f.en}
            >
              {f.label} <span className="cfilter__n num">{counts[f.id]}</span>
            </button>
          ))}
        </div>
      </div>
      <div
        className="comments__body"
        onPointerEnter={onPointerEnter}
        onPointerLeave={onPointerLeave}
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        <ol className="comments__list" ref={listRef} onScroll={onScroll}>
          {shown.length === 0 && (
            <li className="comments__empty muted">
              {view.rows.length === 0 ? "暂无评论 No comments yet" : "没有这类评论 None of this kind"}
            </li>
          )}
          {shown.map((c, i) => (
            <CommentRow
              key={c.id || `i${i}`}
              comment={c}
              moderation={moderation}
              open={moderation !== null && c.id !== "" && c.id === selected}
              onSelect={select}
            />
          ))}
        </ol>
        {frozen && queued === "" && (
          <span className="comments__paused" aria-hidden="true">
            ⏸ 已暂停滚动
          </span>
        )}
        {queued !== "" ? (
          <button
            type="button"
            className="btn btn--small comments__jump comments__jump--queued"
            onClick={showQueued}
            data-testid="comments-queued"
          >
            {queued}
          </button>
        ) : (
          !following &&
          !toolsOpen && (
            <button
              type="button"
              className="btn btn--small comments__jump"
              onClick={() => {
                setSelected(null);
                setFollowing(true);
              }}
            >
              {unseen !== "" ? `${unseen} 条新评论 ↓` : "回到最新 ↓"}
            </button>
          )
        )}
      </div>
    </section>
  );
});

/** One comment; memo: a new comment re-renders only itself, not the 500 before it. */
const CommentRow = memo(function CommentRow({
  comment: c,
  moderation,
  open,
  onSelect,
}: {
  comment: CommentItem;
  moderation: CommentModeration | null;
  open: boolean;
  onSelect: (id: string | null) => void;
}) {
  const color = `hsl(${viewerHue(c.viewer_id)} 70% 68%)`;
  const group = INTENT_GROUP[c.intent];
  return (
    <li
      className={`comment comment--${group}${moderation !== null ? " comment--tools" : ""}${open ? " comment--open" : ""}`}
      data-testid="comment"
      data-id={c.id}
      data-viewer={c.viewer_id}
      data-intent={c.intent}
    >
      <span className="comment__time num">{formatClock(c.ts)}</span>
      {moderation !== null ? (
        <button
          type="button"
          className="comment__viewer comment__viewer--link"
          style={{ color }}
          title={`${c.viewer_id} · 用户卡片 user card`}
          onClick={() => moderation.openViewer(c.viewer_id)}
          data-testid="comment-viewer"
        >
          {shortId(c.viewer_id, 10)}
        </button>
      ) : (
        <span className="comment__viewer" style={{ color }} title={c.viewer_id}>
          {shortId(c.viewer_id, 10)}
        </span>
      )}
      <span className="comment__text">
        <span className={`itag itag--${group}`} data-testid="comment-intent">
          {INTENT_TAG[c.intent]}
        </span>
        {c.text}
      </span>
      {moderation !== null && c.id !== "" && (
        <button
          type="button"
          className="comment__more"
          aria-expanded={open}
          aria-label="管理这条评论 moderate"
          onClick={() => onSelect(open ? null : c.id)}
          data-testid="comment-more"
        >
          {open ? "×" : "⋯"}
        </button>
      )}
      {open && moderation !== null && (
        <CommentTools comment={c} moderation={moderation} onClose={() => onSelect(null)} />
      )}
    </li>
  );
});

type Step = { kind: "menu" } | { kind: "scope" } | { kind: "confirm"; scope: BanScope };

/** Hide, or ban (pick 本场 / 直播间, then confirm); the result in place. */
function CommentTools({
  comment,
  moderation,
  onClose,
}: {
  comment: CommentItem;
  moderation: CommentModeration;
  onClose: () => void;
}) {
  const [step, setStep] = useState<Step>({ kind: "menu" });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async (send: () => Promise<void>, okText: string) => {
    setBusy(true);
    setResult(null);
    try {
      await send();
      setResult({ ok: true, text: okText });
      setStep({ kind: "menu" });
    } catch (err) {
      setResult({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const who = shortId(comment.viewer_id, 10);
  const ref = useRef<HTMLDivElement | null>(null);
  useLayoutEffect(() => {
    // The strip opens under its comment: keep it on screen inside the list.
    ref.current?.scrollIntoView({ block: "nearest" });
  }, [step]);

  return (
    <div
      className="comment__tools"
      data-testid="comment-tools"
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
      }}
    >
      {step.kind === "menu" && (
        <>
          <button
            type="button"
            className="btn ctool"
            disabled={busy}
            onClick={() => void run(() => moderation.hide(comment), "已隐藏 ✓")}
            data-testid="comment-hide"
          >
            隐藏 <span className="en">Hide</span>
          </button>
          {moderation.canBan && (
            <button
              type="button"
              className="btn ctool ctool--bad"
              disabled={busy}
              onClick={() => setStep({ kind: "scope" })}
              data-testid="comment-ban"
            >
              禁言 <span className="en">Ban</span>
            </button>
          )}
          <button
            type="button"
            className="btn ctool"
            onClick={() => moderation.openViewer(comment.viewer_id)}
            data-testid="comment-card"
          >
            用户卡 <span className="en">Card</span>
          </button>
        </>
      )}
      {step.kind === "scope" && (
        <>
          <span className="ctool__ask">禁言 {who}：</span>
          <button
            type="button"
            className="btn ctool"
            onClick={() => setStep({ kind: "confirm", scope: "show" })}
            data-testid="ban-scope-show"
          >
            本场 <span className="en">show</span>
          </button>
          <button
            type="button"
            className="btn ctool"
            disabled={!moderation.hasRoom}
            title={moderation.hasRoom ? undefined : "本场没有直播间 the show has no room"}
            onClick={() => setStep({ kind: "confirm", scope: "room" })}
            data-testid="ban-scope-room"
          >
            直播间 <span className="en">room</span>
          </button>
          <button type="button" className="btn ctool" onClick={() => setStep({ kind: "menu" })}>
            取消
          </button>
        </>
      )}
      {step.kind === "confirm" && (
        <>
          <span className="ctool__ask">
            确认禁言 {who}（{step.scope === "show" ? "本场" : "整个直播间"}）？
          </span>
          <button
            type="button"
            className="btn ctool ctool--bad"
            disabled={busy}
            onClick={() =>
              void run(
                () => moderation.ban(comment.viewer_id, step.scope),
                step.scope === "show" ? "已禁言本场 ✓" : "已禁言直播间 ✓",
              )
            }
            data-testid="ban-confirm"
          >
            确认禁言
          </button>
          <button type="button" className="btn ctool" disabled={busy} onClick={() => setStep({ kind: "menu" })}>
            取消
          </button>
        </>
      )}
      {result !== null && (
        <span
          className={`ctool__result${result.ok ? "" : " ctool__result--bad"}`}
          role={result.ok ? "status" : "alert"}
          data-testid="comment-result"
        >
          {result.ok ? result.text : `✗ ${result.text}`}
        </span>
      )}
    </div>
  );
}
