import { useEffect, useState, type FormEvent } from "react";
import { formatDateTime } from "../../lib/format";
import { errorText } from "../../lib/actionsApi";
import { addKeyword, getRoomModeration, putRoomKeywords, type RoomModeration } from "../../lib/moderationApi";
import { ResultLine, type Result } from "./ResultLine";

/**
 * The room's keyword filter (屏蔽词): comments holding one are kept but never shown on
 * consoles, in every show of the room. A dialog, out of the live view's way: add and remove
 * words, then save the list (a save over someone else's newer one is refused, and says so).
 */
export function KeywordFilter({ room, onClose }: { room: string; onClose: () => void }) {
  const [saved, setSaved] = useState<RoomModeration | null>(null);
  const [words, setWords] = useState<string[]>([]);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);

  const load = async () => {
    try {
      const m = await getRoomModeration(room);
      setSaved(m);
      setWords(m.keywords);
    } catch (err) {
      setResult({ ok: false, text: errorText(err) });
    }
  };

  useEffect(() => {
    void load();
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [room]);

  const add = (ev: FormEvent) => {
    ev.preventDefault();
    if (saved === null) return;
    setWords((w) => addKeyword(w, draft));
    setDraft("");
  };

  const save = async () => {
    if (saved === null) return;
    setBusy(true);
    setResult(null);
    try {
      const m = await putRoomKeywords(room, words, saved.version);
      setSaved(m);
      setWords(m.keywords);
      setResult({ ok: true, text: `已保存 ✓（${m.keywords.length} 个词）` });
    } catch (err) {
      setResult({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const dirty = saved !== null && JSON.stringify(saved.keywords) !== JSON.stringify(words);

  return (
    <div className="ucard__backdrop kw__backdrop" onClick={onClose}>
      <div
        className="kw"
        role="dialog"
        aria-modal="true"
        aria-label="直播间屏蔽词 room keyword filter"
        data-testid="keyword-filter"
        onClick={(e) => e.stopPropagation()}
      >
        <header className="ucard__head">
          <div className="ucard__who">
            <h2>
              屏蔽词 <span className="en">Keyword filter</span>
            </h2>
            <span className="muted small">直播间 {room} · 含这些词的评论不在控制台显示</span>
          </div>
          <button type="button" className="btn ucard__close" onClick={onClose} data-testid="keywords-close">
            关闭
          </button>
        </header>
        <div className="ucard__body">
          {saved === null && result === null && <div className="muted">读取中… loading</div>}
          <form className="fcbar__row" onSubmit={add}>
            <input
              className="input fcbar__input"
              value={draft}
              maxLength={50}
              onChange={(e) => setDraft(e.target.value)}
              placeholder="添加屏蔽词 add a word"
              aria-label="屏蔽词 keyword"
              data-testid="keyword-input"
              // Until the stored list is read: a word added meanwhile would be lost under it.
              disabled={saved === null}
            />
            <button
              type="submit"
              className="btn fcbar__send"
              disabled={saved === null || draft.trim() === ""}
              data-testid="keyword-add"
            >
              添加
            </button>
          </form>
          <ul className="kw__list" data-testid="keyword-list">
            {words.length === 0 && saved !== null && <li className="muted small">还没有屏蔽词 none yet</li>}
            {words.map((w) => (
              <li key={w} className="kw__word">
                <span>{w}</span>
                <button
                  type="button"
                  className="btn fcbar__x"
                  aria-label={`删除 ${w}`}
                  onClick={() => setWords((list) => list.filter((x) => x !== w))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <div className="kw__foot">
            <span className="muted small">
              {saved !== null && saved.version > 0
                ? `上次保存 ${saved.updated_by ?? "—"} · ${formatDateTime(saved.updated_at)}`
                : "尚未保存过 never saved"}
            </span>
            <button
              type="button"
              className="btn btn--primary fcbar__send"
              disabled={busy || !dirty}
              onClick={() => void save()}
              data-testid="keywords-save"
            >
              保存 Save
            </button>
          </div>
          <ResultLine result={result} testId="keywords-result" />
        </div>
      </div>
    </div>
  );
}
