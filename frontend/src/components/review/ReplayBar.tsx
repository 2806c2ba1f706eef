import { useState, type PointerEvent } from "react";
import { formatClock } from "../../lib/format";
import { REPLAY_SPEEDS, formatOffset, progressOf, type ReplayEvent, type ReplayState } from "../../lib/replay";
import type { TimelineMarker } from "../../lib/review";

const STATUS_LABEL: Record<ReplayState["status"], string> = {
  connecting: "连接中",
  playing: "播放中",
  paused: "已暂停",
  ended: "已播完",
};

/**
 * Play / pause, the speed (1× … 120×) and a scrubber along the whole show with its moments
 * (segment starts, actions, alerts) to jump to. What it shows comes from the replay state; what
 * it does goes out through `dispatch` (lib/replay.ts decides the frames).
 */
export function ReplayBar({
  replay,
  position,
  markers,
  dispatch,
}: {
  replay: ReplayState;
  /** Where the replay is now (epoch ms of the show), interpolated between server messages. */
  position: number;
  markers: readonly TimelineMarker[];
  dispatch: (e: ReplayEvent) => void;
}) {
  // While the thumb is held, the bar follows it; the seek goes out when it is let go.
  const [dragging, setDragging] = useState<number | null>(null);
  const shown = dragging ?? position;
  const span = Math.max(0, replay.endMs - replay.startMs);
  const playing = replay.status === "playing";
  const commit = () => {
    if (dragging !== null) dispatch({ kind: "seek", positionMs: dragging, at: Date.now() });
    setDragging(null);
  };

  return (
    <section className="replaybar panel" data-testid="replay-bar" data-state={replay.status}>
      <div className="replaybar__row">
        <button
          type="button"
          className="btn btn--primary replaybar__play"
          data-testid="replay-toggle"
          disabled={replay.status === "connecting"}
          onClick={() => dispatch({ kind: playing ? "pause" : "play", at: Date.now() })}
        >
          {playing ? "❚❚ 暂停" : "▶ 播放"}
        </button>
        <div className="replaybar__speeds" role="group" aria-label="播放速度 speed">
          {REPLAY_SPEEDS.map((s) => (
            <button
              key={s}
              type="button"
              className={`cfilter${replay.speed === s ? " cfilter--on" : ""}`}
              aria-pressed={replay.speed === s}
              data-testid={`replay-speed-${s}`}
              onClick={() => dispatch({ kind: "speed", speed: s, at: Date.now() })}
            >
              {s}×
            </button>
          ))}
        </div>
        <div className="replaybar__time num" data-testid="replay-position">
          {formatOffset(shown - replay.startMs)} / {formatOffset(span)}
          <span className="muted small"> · {formatClock(shown)}</span>
        </div>
        <span className={`replaybar__state replaybar__state--${replay.status}`}>{STATUS_LABEL[replay.status]}</span>
      </div>
      <div className="replaybar__track">
        <div className="replaybar__marks">
          {markers
            .filter((m) => m.at >= replay.startMs && m.at <= replay.endMs)
            .map((m, i) => (
              <button
                key={i}
                type="button"
                className={`replaybar__mark replaybar__mark--${m.kind}`}
                style={{ left: `${progressOf(replay, m.at) * 100}%` }}
                title={`${formatClock(m.at)} ${m.label}`}
                aria-label={`跳到 ${m.label}`}
                data-testid="replay-marker"
                onClick={() => dispatch({ kind: "seek", positionMs: m.at, at: Date.now() })}
              />
            ))}
        </div>
        <input
          type="range"
          className="replaybar__scrub"
          aria-label="回放位置 position"
          data-testid="replay-scrubber"
          min={replay.startMs}
          max={Math.max(replay.startMs + 1, replay.endMs)}
          step={1000}
          value={shown}
          onChange={(e) => setDragging(Number(e.currentTarget.value))}
          onPointerUp={(_e: PointerEvent<HTMLInputElement>) => commit()}
          onKeyUp={commit}
          onBlur={commit}
        />
      </div>
    </section>
  );
}
