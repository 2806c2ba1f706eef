import { useCallback, useEffect, useRef, useState } from "react";
import { ackCue, HttpError } from "../../lib/api";
import { senderName } from "../../lib/prompter";
import { openSeconds } from "../../live/cues";
import type { Cue } from "../../live/protocol";

/**
 * A cue must be on screen this long before a key or tap acknowledges it: a double tap, or a
 * press meant for the cue before, must not acknowledge one the anchor has not yet seen.
 */
const SETTLE_MS = 350;

interface Props {
  showId: string;
  /** Open cues, oldest first; the banner shows the first. */
  open: readonly Cue[];
  /** Only an anchor (or admin, operations) may acknowledge; others see a preview. */
  canAck: boolean;
  serverNow: number;
  /** The acknowledged cue, from the server's answer. */
  onAcked: (cue: Cue) => void;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * The oldest open cue, across the whole width, flashing until the anchor acknowledges it:
 * one key (Space or Enter) or one tap anywhere on it. The anchor's hands are busy and eyes
 * on the camera, so the banner is big, the gesture is one, and what it acknowledges is the
 * cue on screen (an answer for another never clears this one).
 */
export function CueBanner({ showId, open, canAck, serverNow, onAcked }: Props) {
  const cue = open[0];
  const [pending, setPending] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shownAt = useRef(0);

  const ack = useCallback(async () => {
    if (cue === undefined || !canAck || pending !== null) return;
    if (performance.now() - shownAt.current < SETTLE_MS) return;
    setPending(cue.id);
    setError(null);
    try {
      const answer = await ackCue(showId, cue.id);
      if (answer !== null) onAcked(answer);
    } catch (err) {
      setError(err instanceof HttpError ? err.detail : err instanceof Error ? err.message : String(err));
    } finally {
      setPending(null);
    }
  }, [cue, canAck, pending, showId, onAcked]);

  useEffect(() => {
    if (cue === undefined || !canAck) return;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key !== " " && ev.key !== "Enter") return;
      if (ev.repeat || ev.altKey || ev.ctrlKey || ev.metaKey || isTyping(ev.target)) return;
      ev.preventDefault();
      void ack();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [cue, canAck, ack]);

  // A new cue on screen: its settle time starts, the last one's error no longer applies.
  const cueId = cue?.id;
  useEffect(() => {
    shownAt.current = performance.now();
    setError(null);
  }, [cueId]);

  if (cue === undefined) return null;
  const more = open.length - 1;
  const waited = Math.floor(openSeconds(cue, serverNow));

  return (
    <div
      className={`cue-banner${pending === cue.id ? " cue-banner--pending" : ""}${canAck ? "" : " cue-banner--preview"}`}
      role={canAck ? "button" : "alert"}
      aria-live="assertive"
      aria-label={`提示：${cue.text}。${canAck ? "按空格或回车确认" : ""}`}
      data-testid="cue-banner"
      data-cue-id={cue.id}
      onClick={() => void ack()}
    >
      {/* keyed by cue: a new cue starts its entrance (and flash) from the beginning */}
      <div className="cue-banner__inner" key={cue.id}>
        <div className="cue-banner__meta">
          <span className="cue-banner__tag">提示 CUE</span>
          <span className="cue-banner__from">
            {senderName(cue.by)} · <span className="num">{waited}</span> 秒前
          </span>
          {more > 0 && (
            <span className="cue-banner__more" data-testid="cue-more">
              还有 {more} 条
            </span>
          )}
        </div>
        <p className="cue-banner__text" data-testid="cue-text">
          {cue.text}
        </p>
        <div className="cue-banner__hint">
          {canAck ? (
            pending === cue.id ? (
              "确认中…"
            ) : (
              <>
                按 <kbd>空格</kbd> / <kbd>回车</kbd> 或轻点确认 <span className="en">Space, Enter or tap: got it</span>
              </>
            )
          ) : (
            <>
              预览：仅主播可确认 <span className="en">preview: only the anchor acknowledges</span>
            </>
          )}
        </div>
        {error !== null && (
          <div className="cue-banner__error" role="alert">
            确认失败，请重试 / {error}
          </div>
        )}
      </div>
    </div>
  );
}
