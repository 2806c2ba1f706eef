import { useMemo, useState, type FormEvent } from "react";
import { HttpError, sendCue } from "../lib/api";
import { senderName } from "../lib/prompter";
import { compareCues, openSeconds } from "../live/cues";
import type { Alert, Cue } from "../live/protocol";

/** One tap each: what field control says to an anchor most often. */
export const CUE_PRESETS = ["看评论区", "讲库存", "上链接", "放慢语速", "报价格", "互动一下"] as const;

const MAX_CHARS = 200;
const SHOWN = 12;

/** Roles that may send cues (docs/runsheet.md, "Actions"). */
const CUE_ROLES: ReadonlySet<string> = new Set(["field_control", "assistant", "admin", "operations"]);

interface Props {
  showId: string;
  role: string;
  cues: readonly Cue[];
  alerts: readonly Alert[];
  serverNow: number;
  /** The cue as the server stored it: listed before its `cue` message arrives. */
  onSent: (cue: Cue) => void;
}

/** The ids of cues the server escalated (a `cue_unacked` alert): left open too long. */
export function escalatedCueIds(alerts: readonly Alert[]): ReadonlySet<number> {
  const ids = new Set<number>();
  for (const a of alerts) if (a.kind === "cue_unacked") ids.add(a.cue_id);
  return ids;
}

/**
 * Cue the anchor silently: type and press Enter, or tap a preset. Below, the recent cues,
 * newest first: open ones count the seconds they have waited (red once the server escalated
 * one), acknowledged ones say how long the anchor took.
 */
export function CuePanel({ showId, role, cues, alerts, serverNow, onSent }: Props) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const late = useMemo(() => escalatedCueIds(alerts), [alerts]);
  const recent = useMemo(() => [...cues].sort((a, b) => compareCues(b, a)).slice(0, SHOWN), [cues]);
  const openCount = cues.filter((c) => c.acked_at === null).length;
  const canSend = CUE_ROLES.has(role);

  const send = async (value: string): Promise<boolean> => {
    const cue = value.trim();
    if (cue === "" || sending) return false;
    setSending(true);
    setError(null);
    try {
      const stored = await sendCue(showId, cue);
      if (stored !== null) onSent(stored);
      return true;
    } catch (err) {
      setError(err instanceof HttpError ? err.detail : err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      setSending(false);
    }
  };

  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    void send(text).then((ok) => {
      if (ok) setText("");
    });
  };

  return (
    <section className="panel cues" data-testid="cue-panel" aria-label="提示主播 cue the anchor">
      <div className="panel__head">
        <h2>
          提示主播 <span className="en">Cue</span>
        </h2>
        <span className={`small num${openCount > 0 ? " cues__open" : " muted"}`} data-testid="cue-open-count">
          {openCount > 0 ? `未确认 ${openCount}` : "全部已确认"}
        </span>
      </div>
      {canSend && (
        <div className="cues__compose">
          <form className="cues__form" onSubmit={onSubmit}>
            <input
              className="input cues__input"
              value={text}
              maxLength={MAX_CHARS}
              onChange={(e) => setText(e.target.value)}
              placeholder="输入提示，回车发送 / type, Enter"
              aria-label="提示内容 cue text"
              data-testid="cue-input"
              enterKeyHint="send"
            />
            <button
              type="submit"
              className="btn btn--primary btn--small"
              disabled={sending || text.trim() === ""}
              data-testid="cue-send"
            >
              发送
            </button>
          </form>
          <div className="cues__presets">
            {CUE_PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                className="btn btn--small cues__preset"
                disabled={sending}
                onClick={() => void send(p)}
                data-testid="cue-preset"
              >
                {p}
              </button>
            ))}
          </div>
          {error !== null && (
            <div className="cues__error" role="alert">
              发送失败 / {error}
            </div>
          )}
        </div>
      )}
      <ol className="cues__list" data-testid="cue-list">
        {recent.length === 0 && <li className="cues__empty muted small">还没有提示 No cues yet</li>}
        {recent.map((c) => {
          const open = c.acked_at === null;
          const escalated = open && late.has(c.id);
          return (
            <li
              key={c.id}
              className={`cue${open ? " cue--open" : " cue--acked"}${escalated ? " cue--late" : ""}`}
              data-testid="cue-item"
              data-cue-id={c.id}
              data-state={open ? "open" : "acked"}
              data-escalated={escalated ? "true" : undefined}
            >
              <span className="cue__text">{c.text}</span>
              <span className="cue__by muted">{senderName(c.by)}</span>
              <span className="cue__state num" data-testid="cue-state">
                {open
                  ? `${escalated ? "超时未确认" : "未确认"} · ${Math.floor(openSeconds(c, serverNow))} s`
                  : `已确认 · ${c.ack_seconds !== null ? c.ack_seconds.toFixed(1) : "—"} s`}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
