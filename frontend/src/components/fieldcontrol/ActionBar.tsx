import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import type { LineupProduct } from "../../lib/api";
import { formatClock } from "../../lib/format";
import { errorText, getRunsheet, performAction, type ActionBody, type RunsheetSegment } from "../../lib/actionsApi";
import type { ActionRecord } from "../../live/protocol";
import { isTextEntry } from "../../lib/keys";

export type BarTab = "pin" | "notice" | "segment";

/**
 * One key per tab, outside text fields. A stays the alert feed's, C the cue panel's (cues are
 * composed and followed there, components/CuePanel.tsx, not here).
 */
const TAB_KEYS: Readonly<Record<string, BarTab>> = { P: "pin", N: "notice", G: "segment" };
const TABS: readonly { id: BarTab; label: string; en: string; key: string }[] = [
  { id: "pin", label: "挂车", en: "Pin", key: "P" },
  { id: "notice", label: "公告", en: "Notice", key: "N" },
  { id: "segment", label: "环节", en: "Segment", key: "G" },
];

/** Roles that may run segments (contract §10: field control, besides admin and operations). */
const SEGMENT_ROLES: ReadonlySet<string> = new Set(["field_control", "admin", "operations"]);
const NOTICE_MAX = 500;

interface Status {
  state: "sending" | "ok" | "error";
  text: string;
  at: number;
}

interface Props {
  showId: string;
  role: string;
  lineup: readonly LineupProduct[];
  pinnedSku: string | null;
  announcement: string | null;
  /** The segment on air (the live prompter's), or null. */
  currentSegmentId: string | null;
  /** The stored action, as the server answered it (the console folds it before its echo). */
  onActed: (action: ActionRecord) => void;
  onOpenKeywords: (() => void) | null;
}

/**
 * Field control's action bar: pin a lineup product, set the room's announcement, put a
 * run-sheet segment on air. One tab open at a time so that the bar stays one or two rows high
 * and never pushes the live numbers off the screen; every action says what happened right
 * under its buttons (sent ✓, or the server's words). Cues to the anchor are the cue panel's.
 */
export function ActionBar({
  showId,
  role,
  lineup,
  pinnedSku,
  announcement,
  currentSegmentId,
  onActed,
  onOpenKeywords,
}: Props) {
  const [tab, setTab] = useState<BarTab>("pin");
  const [status, setStatus] = useState<Partial<Record<BarTab, Status>>>({});
  const noticeRef = useRef<HTMLInputElement | null>(null);
  const tabs = TABS.filter((t) => t.id !== "segment" || SEGMENT_ROLES.has(role));

  const run = useCallback(async (where: BarTab, okText: string, send: () => Promise<void>): Promise<boolean> => {
    setStatus((s) => ({ ...s, [where]: { state: "sending", text: "发送中… sending", at: Date.now() } }));
    try {
      await send();
      setStatus((s) => ({ ...s, [where]: { state: "ok", text: `✓ ${okText}`, at: Date.now() } }));
      return true;
    } catch (err) {
      setStatus((s) => ({ ...s, [where]: { state: "error", text: errorText(err), at: Date.now() } }));
      return false;
    }
  }, []);

  const perform = useCallback(
    (where: BarTab, okText: string, action: ActionBody) =>
      run(where, okText, async () => onActed(await performAction(showId, action))),
    [run, showId, onActed],
  );

  const open = useCallback((t: BarTab) => {
    setTab(t);
    // Focus the text box of the tab that has one, after it renders.
    requestAnimationFrame(() => {
      if (t === "notice") noticeRef.current?.focus();
    });
  }, []);

  useEffect(() => {
    function onKey(ev: KeyboardEvent) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.repeat) return;
      if (ev.key === "Escape" && isTextEntry(ev.target)) {
        (ev.target as HTMLElement).blur();
        return;
      }
      if (isTextEntry(ev.target)) return;
      const t = TAB_KEYS[ev.key.toUpperCase()];
      if (t === undefined || (t === "segment" && !SEGMENT_ROLES.has(role))) return;
      ev.preventDefault();
      open(t);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, role]);

  const pinned = pinnedSku !== null ? lineup.find((p) => p.sku === pinnedSku) : undefined;
  const st = status[tab];

  return (
    <section className="panel fcbar" data-testid="action-bar" aria-label="场控操作 field-control actions">
      <div className="fcbar__head">
        <h2 className="fcbar__title">
          场控 <span className="en">Actions</span>
        </h2>
        <div className="fcbar__tabs" role="tablist" aria-label="操作类型">
          {tabs.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              className={`fcbar__tab${tab === t.id ? " fcbar__tab--on" : ""}`}
              onClick={() => open(t.id)}
              data-testid={`bar-tab-${t.id}`}
              title={`快捷键 ${t.key}（光标不在输入框时）/ key ${t.key}`}
            >
              {t.label} <span className="en">{t.en}</span> <kbd className="fcbar__kbd">{t.key}</kbd>
            </button>
          ))}
        </div>
        <span
          className={`fcbar__pinned${pinnedSku !== null ? " fcbar__pinned--on" : ""}`}
          data-testid="pinned-badge"
          data-sku={pinnedSku ?? ""}
          title="观众看到的小黄车讲解卡 the product pinned in the room"
        >
          {pinnedSku !== null ? `已挂车 ${pinned?.name || pinnedSku}` : "未挂车 nothing pinned"}
        </span>
        {onOpenKeywords !== null && (
          <button type="button" className="btn fcbar__kw" onClick={onOpenKeywords} data-testid="keywords-open">
            屏蔽词 <span className="en">Filter</span>
          </button>
        )}
      </div>
      <div className="fcbar__body" role="tabpanel">
        {tab === "pin" && (
          <PinTab
            lineup={lineup}
            pinnedSku={pinnedSku}
            onPin={(p) => void perform("pin", `已挂车 ${p.name || p.sku}`, { type: "product.pin", sku: p.sku })}
            onUnpin={(sku) => void perform("pin", "已取消挂车", { type: "product.unpin", sku })}
            busy={st?.state === "sending"}
          />
        )}
        {tab === "notice" && (
          <NoticeTab
            inputRef={noticeRef}
            current={announcement}
            busy={st?.state === "sending"}
            onSet={(text) =>
              perform("notice", text === "" ? "公告已清空" : "公告已更新", { type: "announcement.set", text })
            }
          />
        )}
        {tab === "segment" && (
          <SegmentTab
            showId={showId}
            currentId={currentSegmentId}
            busy={st?.state === "sending"}
            onGoto={(s) => void perform("segment", `已切到 ${s.title}`, { type: "segment.goto", segment_id: s.id })}
          />
        )}
        {st !== undefined && (
          <div
            className={`fcbar__status fcbar__status--${st.state}`}
            role={st.state === "error" ? "alert" : "status"}
            data-testid="action-status"
            data-state={st.state}
          >
            {st.state === "error" ? `✗ 失败 / ${st.text}` : st.text}
            {st.state !== "sending" && <span className="muted num"> · {formatClock(st.at)}</span>}
          </div>
        )}
      </div>
    </section>
  );
}

function PinTab({
  lineup,
  pinnedSku,
  onPin,
  onUnpin,
  busy,
}: {
  lineup: readonly LineupProduct[];
  pinnedSku: string | null;
  onPin: (p: LineupProduct) => void;
  onUnpin: (sku: string) => void;
  busy: boolean;
}) {
  if (lineup.length === 0) return <div className="muted small fcbar__empty">排品为空 No lineup products</div>;
  return (
    <div className="fcbar__chips" data-testid="pin-list">
      {lineup.map((p) => {
        const on = p.sku === pinnedSku;
        return (
          <span key={p.sku} className={`fcbar__product${on ? " fcbar__product--on" : ""}`}>
            <button
              type="button"
              className="btn fcbar__chip"
              disabled={busy || on}
              aria-pressed={on}
              onClick={() => onPin(p)}
              data-testid={`pin-${p.sku}`}
              title={on ? "已挂车 pinned" : `挂车 pin ${p.sku}`}
            >
              {on && <span className="fcbar__pin-mark">已挂</span>}
              {p.name || p.sku}
              <span className="fcbar__sku">{p.sku}</span>
            </button>
            {on && (
              <button
                type="button"
                className="btn fcbar__chip fcbar__chip--undo"
                disabled={busy}
                onClick={() => onUnpin(p.sku)}
                data-testid="unpin"
              >
                取消挂车
              </button>
            )}
          </span>
        );
      })}
    </div>
  );
}

function NoticeTab({
  inputRef,
  current,
  busy,
  onSet,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  current: string | null;
  busy: boolean;
  onSet: (text: string) => Promise<boolean>;
}) {
  const [text, setText] = useState(current ?? "");
  return (
    <div className="fcbar__notice">
      <div className="fcbar__now small">
        当前公告 Now：
        <span data-testid="announcement-now">{current !== null && current !== "" ? current : "（无 none）"}</span>
      </div>
      <form
        className="fcbar__row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && text.trim() !== "") void onSet(text.trim());
        }}
      >
        <input
          ref={inputRef}
          className="input fcbar__input"
          value={text}
          maxLength={NOTICE_MAX}
          onChange={(e) => setText(e.target.value)}
          placeholder="直播间公告 / room announcement"
          aria-label="公告内容 announcement"
          data-testid="notice-input"
        />
        <button
          type="submit"
          className="btn btn--primary fcbar__send"
          disabled={busy || text.trim() === ""}
          data-testid="notice-set"
        >
          设置
        </button>
        <button
          type="button"
          className="btn fcbar__send"
          disabled={busy || current === null || current === ""}
          onClick={() => {
            setText("");
            void onSet("");
          }}
          data-testid="notice-clear"
        >
          清空
        </button>
      </form>
    </div>
  );
}

function SegmentTab({
  showId,
  currentId,
  busy,
  onGoto,
}: {
  showId: string;
  currentId: string | null;
  busy: boolean;
  onGoto: (s: RunsheetSegment) => void;
}) {
  const [segments, setSegments] = useState<RunsheetSegment[] | null>(null);
  const [fallbackCurrent, setFallbackCurrent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    getRunsheet(showId).then(
      (rs) => {
        if (cancelled) return;
        setSegments(rs.segments);
        setFallbackCurrent(rs.current_segment_id);
      },
      (err: unknown) => {
        if (!cancelled) setError(errorText(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [showId]);
  const current = currentId ?? fallbackCurrent;
  if (error !== null) return <div className="fcbar__status fcbar__status--error">✗ 读取串词失败 / {error}</div>;
  if (segments === null) return <div className="muted small fcbar__empty">读取串词… loading run-sheet</div>;
  if (segments.length === 0) return <div className="muted small fcbar__empty">没有串词 No run-sheet</div>;
  return (
    <ol className="fcbar__chips fcbar__segments" data-testid="segment-list">
      {segments.map((s, i) => {
        const on = s.id === current;
        return (
          <li key={s.id}>
            <button
              type="button"
              className={`btn fcbar__chip${on ? " fcbar__chip--current" : ""}`}
              disabled={busy || on}
              aria-current={on ? "step" : undefined}
              onClick={() => onGoto(s)}
              data-testid={`segment-${s.id}`}
            >
              <span className="fcbar__idx num">{i + 1}</span>
              {on ? "▶ " : ""}
              {s.title}
              {on && <span className="fcbar__sku">当前 on air</span>}
            </button>
          </li>
        );
      })}
    </ol>
  );
}
