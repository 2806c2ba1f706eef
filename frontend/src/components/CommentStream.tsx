import { memo, useLayoutEffect, useRef, useState } from "react";
import { formatClock, shortId } from "../lib/format";
import type { CommentItem } from "../live/protocol";

/** A stable hue per viewer so that a repeat commenter is recognisable at a glance. */
function viewerHue(viewerId: string): number {
  let h = 0;
  for (let i = 0; i < viewerId.length; i++) h = (h * 31 + viewerId.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** Pixels from the bottom within which the list counts as "following" new comments. */
const STICK_PX = 40;

/**
 * Newest at the bottom, chat-style. It follows new comments while the operator is at the
 * bottom and stops following once they scroll up to read, so the text does not jump away
 * under their eyes; a button brings them back. The list is bounded (~500) by the store, so
 * plain DOM rows are cheap enough without virtualisation.
 */
// memo: the page re-renders every second for the age clocks; this only needs new data.
export const CommentStream = memo(function CommentStream({ comments }: { comments: readonly CommentItem[] }) {
  const listRef = useRef<HTMLOListElement | null>(null);
  const [following, setFollowing] = useState(true);
  // Id of the newest comment the operator has seen; counts what arrived while scrolled up.
  const [seenId, setSeenId] = useState<string | null>(null);
  const newest = comments.length > 0 ? comments[comments.length - 1] : undefined;

  useLayoutEffect(() => {
    const el = listRef.current;
    if (el !== null && following) el.scrollTop = el.scrollHeight;
  }, [comments, following]);

  useLayoutEffect(() => {
    if (following) setSeenId(newest?.id ?? null);
  }, [newest, following]);

  function onScroll() {
    const el = listRef.current;
    if (el === null) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_PX;
    if (atBottom !== following) setFollowing(atBottom);
  }

  let unseen = "";
  if (!following && newest !== undefined && newest.id !== seenId) {
    const idx = seenId === null ? -1 : comments.findIndex((c) => c.id === seenId);
    // The seen comment may have been trimmed off the bounded list: then everything is new.
    unseen = idx < 0 ? `${comments.length}+` : String(comments.length - 1 - idx);
  }

  return (
    <section className="panel comments" data-testid="comment-stream">
      <div className="panel__head">
        <h2>
          评论 <span className="en">Comments</span>
        </h2>
        <span className="muted small num">
          {comments.length} 条{newest !== undefined ? ` · 最新 ${formatClock(newest.ts)}` : ""}
        </span>
      </div>
      <ol className="comments__list" ref={listRef} onScroll={onScroll}>
        {comments.length === 0 && <li className="comments__empty muted">暂无评论 No comments yet</li>}
        {comments.map((c, i) => (
          <li key={c.id || `i${i}`} className="comment" data-testid="comment">
            <span className="comment__time num">{formatClock(c.ts)}</span>
            <span
              className="comment__viewer"
              style={{ color: `hsl(${viewerHue(c.viewer_id)} 70% 68%)` }}
              title={c.viewer_id}
            >
              {shortId(c.viewer_id, 10)}
            </span>
            <span className="comment__text">{c.text}</span>
          </li>
        ))}
      </ol>
      {!following && (
        <button
          type="button"
          className="btn btn--small comments__jump"
          onClick={() => {
            setFollowing(true);
          }}
        >
          {unseen !== "" ? `${unseen} 条新评论 ↓` : "回到最新 ↓"}
        </button>
      )}
    </section>
  );
});
