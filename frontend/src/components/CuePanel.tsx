import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { HttpError, sendCue } from "../lib/api";
import {
  CUE_PRESETS_KEY,
  PRESETS_MAX,
  PRESET_MAX_CHARS,
  loadPresets,
  localStore,
  savePresets,
} from "../lib/cuePresets";
import { senderName } from "../lib/prompter";
import { compareCues, openSeconds } from "../live/cues";
import type { Alert, Cue } from "../live/protocol";
import { isTextEntry } from "../lib/keys";

const MAX_CHARS = 200;
/** The key that brings the composer up, outside text fields (A is the alert feed's). */
const CUE_KEY = "C";
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
  /** The key C (outside text fields) focuses the text box and scrolls the panel into view. */
  hotkey?: boolean;
}

/** The ids of cues the server escalated (a `cue_unacked` alert): left open too long. */
export function escalatedCueIds(alerts: readonly Alert[]): ReadonlySet<number> {
  const ids = new Set<number>();
  for (const a of alerts) if (a.kind === "cue_unacked") ids.add(a.cue_id);
  return ids;
}

/**
 * The one place to cue the anchor silently: type and press Enter, or tap a preset (编辑预设
 * edits them; they are kept in this browser, lib/cuePresets.ts). Below, the recent cues,
 * newest first: open ones count the seconds they have waited (red once the server escalated
 * one), acknowledged ones say how long the anchor took. With `hotkey`, the key C brings the
 * text box up from anywhere on the page.
 */
export function CuePanel({ showId, role, cues, alerts, serverNow, onSent, hotkey = false }: Props) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [presets, setPresets] = useState<string[]>(() => loadPresets(localStore()));
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [called, setCalled] = useState(false);
  const panelRef = useRef<HTMLElement | null>(null);
  const inputRef = useRef<HTMLInputElement | null>(null);
  const late = useMemo(() => escalatedCueIds(alerts), [alerts]);
  const recent = useMemo(() => [...cues].sort((a, b) => compareCues(b, a)).slice(0, SHOWN), [cues]);
  const openCount = cues.filter((c) => c.acked_at === null).length;
  const canSend = CUE_ROLES.has(role);

  // Presets edited in another tab of this browser show here too.
  useEffect(() => {
    const onStorage = (ev: StorageEvent) => {
      if (ev.key === CUE_PRESETS_KEY) setPresets(loadPresets(localStore()));
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);
  const keep = (list: readonly string[]) => setPresets(savePresets(localStore(), list));
  const addDraft = () => {
    if (draft.trim() === "") return;
    keep([...presets, draft]);
    setDraft("");
  };

  // C: the text box, focused, and the panel in view (on a phone it is further down the page),
  // flashed once so that the eye finds it.
  const callUp = useCallback(() => {
    inputRef.current?.focus({ preventScroll: true });
    const reduced = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
    panelRef.current?.scrollIntoView({ block: "nearest", behavior: reduced ? "auto" : "smooth" });
    setCalled(false);
    requestAnimationFrame(() => setCalled(true));
  }, []);
  useEffect(() => {
    if (!hotkey || !canSend) return;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key.toUpperCase() !== CUE_KEY && ev.code !== `Key${CUE_KEY}`) return;
      if (ev.repeat || ev.isComposing || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (isTextEntry(ev.target)) return;
      ev.preventDefault(); // the C is not typed into the box it focuses
      callUp();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [hotkey, canSend, callUp]);

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
    <section
      ref={panelRef}
      className={`panel cues${called ? " cues--called" : ""}`}
      data-testid="cue-panel"
      aria-label="提示主播 cue the anchor"
      onAnimationEnd={(e) => {
        if (e.target === e.currentTarget) setCalled(false);
      }}
    >
      <div className="panel__head">
        <h2>
          提示主播 <span className="en">Cue</span>
          {hotkey && canSend && (
            <kbd className="cues__kbd" title={`快捷键 ${CUE_KEY}（光标不在输入框时）/ key ${CUE_KEY}`}>
              {CUE_KEY}
            </kbd>
          )}
        </h2>
        <span className={`small num${openCount > 0 ? " cues__open" : " muted"}`} data-testid="cue-open-count">
          {openCount > 0 ? `未确认 ${openCount}` : "全部已确认"}
        </span>
      </div>
      {canSend && (
        <div className="cues__compose">
          <form className="cues__form" onSubmit={onSubmit}>
            <input
              ref={inputRef}
              className="input cues__input"
              value={text}
              maxLength={MAX_CHARS}
              onChange={(e) => setText(e.target.value)}
              placeholder="输入提示，回车发送 / type, Enter"
              aria-label="提示内容 cue text"
              data-testid="cue-input"
              enterKeyHint="send"
              aria-keyshortcuts={hotkey ? CUE_KEY : undefined}
            />
            <button
              type="submit"
              className="btn btn--primary cues__send"
              disabled={sending || text.trim() === ""}
              data-testid="cue-send"
            >
              发送
            </button>
          </form>
          <div className="cues__presets" data-testid="cue-presets">
            {presets.map((p) =>
              editing ? (
                <span key={p} className="cues__preset-edit" data-testid="cue-preset-edit">
                  {p}
                  <button
                    type="button"
                    className="btn cues__x"
                    aria-label={`删除预设 ${p} / remove`}
                    title="删除 remove"
                    onClick={() => keep(presets.filter((x) => x !== p))}
                  >
                    ×
                  </button>
                </span>
              ) : (
                <button
                  key={p}
                  type="button"
                  className="btn cues__preset"
                  disabled={sending}
                  onClick={() => void send(p)}
                  data-testid="cue-preset"
                  title={`发送 send：${p}`}
                >
                  {p}
                </button>
              ),
            )}
            {!editing && presets.length === 0 && <span className="muted small">没有预设 No presets</span>}
            <button
              type="button"
              className="btn cues__preset cues__preset--ghost"
              onClick={() => setEditing((e) => !e)}
              aria-pressed={editing}
              data-testid="cue-presets-edit"
            >
              {editing ? "完成 Done" : "编辑预设"}
            </button>
          </div>
          {editing && (
            <div className="cues__preset-add">
              <input
                className="input cues__input"
                value={draft}
                maxLength={PRESET_MAX_CHARS}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && !e.nativeEvent.isComposing) {
                    e.preventDefault();
                    addDraft();
                  }
                }}
                placeholder={
                  presets.length >= PRESETS_MAX
                    ? `最多 ${PRESETS_MAX} 个 / at most ${PRESETS_MAX}`
                    : "新预设 new preset"
                }
                aria-label="新预设 new preset"
                disabled={presets.length >= PRESETS_MAX}
                data-testid="cue-preset-new"
              />
              <button
                type="button"
                className="btn cues__send"
                disabled={draft.trim() === "" || presets.length >= PRESETS_MAX}
                onClick={addDraft}
                data-testid="cue-preset-add"
              >
                添加
              </button>
            </div>
          )}
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
