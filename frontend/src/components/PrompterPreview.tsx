import { beatLabel, clockTone, formatMinSec, segmentClock } from "../lib/prompter";
import { anchorPath, onLinkClick } from "../lib/route";
import type { PrompterView } from "../live/protocol";
import { ScriptText } from "./anchor/ScriptText";

interface Props {
  showId: string;
  prompter: PrompterView | null;
  /** Server-clock ms at which `prompter` was true. */
  prompterAt: number | null;
  running: boolean;
  serverNow: number;
}

/**
 * What the anchor's prompter shows now, small: segment and beat, clock, the script with its
 * values, next. On a wide screen a strip above the tiles (what is on air, always in sight);
 * on a narrow one a panel after the cue composer.
 */
export function PrompterPreview({ showId, prompter, prompterAt, running, serverNow }: Props) {
  const clock = prompter !== null ? segmentClock(prompter, prompterAt, serverNow, running) : null;
  const tone = clock !== null ? clockTone(clock) : "calm";
  const seg = prompter?.segment ?? null;
  const beat = beatLabel(seg?.beat);
  const path = anchorPath(showId);
  return (
    <section className="panel prompter-preview" data-testid="prompter-preview" aria-label="主播提词器 prompter">
      <div className="panel__head">
        <h2>
          主播提词器 <span className="en">Prompter</span>
        </h2>
        <a href={path} onClick={(e) => onLinkClick(e, path)} className="small" data-testid="anchor-view-link">
          主播视图 ↗
        </a>
      </div>
      {prompter === null ? (
        <p className="prompter-preview__empty muted small">暂无提词（未保存串词单） No run-sheet yet</p>
      ) : (
        <div className="prompter-preview__body">
          <div className="prompter-preview__line">
            <span className="prompter-preview__title">
              {seg?.title ?? "等待开播 not on air"}
              {beat !== null && <span className="prompter-preview__beat"> · {beat}</span>}
            </span>
            {clock !== null && (
              <span className={`prompter-preview__clock num prompter-preview__clock--${tone}`}>
                {tone === "over" ? `超时 +${formatMinSec(clock.overrun)}` : formatMinSec(clock.remaining)}
              </span>
            )}
          </div>
          {seg !== null && (
            <ScriptText
              className="prompter-preview__script"
              text={prompter.text}
              parts={prompter.parts}
              testId="prompter-preview-text"
            />
          )}
          <div className="prompter-preview__next muted small">
            {prompter.next !== null ? `${seg === null ? "第一段" : "下一段"}: ${prompter.next.title}` : "最后一段"}
          </div>
        </div>
      )}
    </section>
  );
}
