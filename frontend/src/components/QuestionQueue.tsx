import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import "../questions.css";
import { errorText } from "../lib/actionsApi";
import { isTextEntry } from "../lib/keys";
import {
  ageTone,
  closedHere,
  formatQuestionAge,
  openClusters,
  pruneSettled,
  questionAge,
  settledFrom,
  type Settled,
} from "../lib/questions";
import { answerQuestion, dismissQuestion, getReplies, type ReplyTemplate } from "../lib/questionsApi";
import type { QuestionCluster, QuestionsState } from "../live/protocol";

/** Roles that may close a question (contract §11: not the anchor, not an integrator). */
const CLOSE_ROLES: ReadonlySet<string> = new Set(["field_control", "assistant", "operations", "admin"]);
/** The key that brings the queue up, outside text fields (P N G: the action bar, C: cues, A: alerts). */
const QUEUE_KEY = "Q";
/** Rows shown before 更多: one row of cards on a wide screen, the top of the list on a phone. */
const SHOWN = 4;
/** What the room's announcement takes (as the action bar's notice). */
const REPLY_MAX = 500;

interface Props {
  showId: string;
  role: string;
  questions: QuestionsState | null;
  /** Server-clock epoch ms, for the ages. */
  serverNow: number;
  /** The product's name for a SKU (the lineup's), for the row's product. */
  nameOf?: (sku: string) => string;
  /** The assistant's reply picker under each question (templates, edit, 发公告并标记已答). */
  replies?: boolean;
  /** The key Q (outside text fields) focuses the top question's 已回答 and scrolls it into view. */
  hotkey?: boolean;
}

type RowStatus = { state: "sending"; what: "answer" | "dismiss" } | { state: "error"; text: string };

/**
 * The question queue (问题队列, issue #12): similar viewer questions clustered by the server and
 * ranked most pressing first; per cluster its topic (尺码, 发货时间…), a viewer's wording, how
 * many comments and distinct viewers in this wave, and how long it has been open (amber from a
 * minute, red from two, when the server's question_unanswered alert fires). 已回答 and 忽略
 * close one on the server; the row leaves when the server's `questions` message no longer lists
 * it (until then it says what the server answered, never before). A refusal is said in the row.
 */
export function QuestionQueue({ showId, role, questions, serverNow, nameOf, replies = false, hotkey = false }: Props) {
  const canClose = CLOSE_ROLES.has(role);
  const open = useMemo(() => openClusters(questions), [questions]);
  const [settled, setSettled] = useState<ReadonlyMap<string, Settled>>(new Map());
  const [status, setStatus] = useState<ReadonlyMap<string, RowStatus>>(new Map());
  const [more, setMore] = useState(false);
  const [called, setCalled] = useState(false);
  const panelRef = useRef<HTMLElement | null>(null);
  const listRef = useRef<HTMLOListElement | null>(null);

  // Closes the live state has caught up with are forgotten.
  useEffect(() => setSettled((s) => pruneSettled(s, open)), [open]);

  const setRow = useCallback((id: string, st: RowStatus | null) => {
    setStatus((m) => {
      const next = new Map(m);
      if (st === null) next.delete(id);
      else next.set(id, st);
      return next;
    });
  }, []);

  const close = useCallback(
    async (c: QuestionCluster, what: "answer" | "dismiss", reply?: string): Promise<boolean> => {
      setRow(c.id, { state: "sending", what });
      try {
        const answer =
          what === "answer" ? await answerQuestion(showId, c.id, reply) : await dismissQuestion(showId, c.id);
        const s = settledFrom(answer, serverNow);
        if (s !== null) setSettled((m) => new Map(m).set(c.id, s));
        setRow(c.id, null);
        return true;
      } catch (err) {
        setRow(c.id, { state: "error", text: errorText(err) });
        return false;
      }
    },
    [showId, serverNow, setRow],
  );

  // Q: the top question's 已回答, focused, in view, flashed once so that the eye finds it.
  const callUp = useCallback(() => {
    const first = listRef.current?.querySelector<HTMLButtonElement>("[data-testid='question-answer']:not(:disabled)");
    const reduced = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
    panelRef.current?.scrollIntoView({ block: "nearest", behavior: reduced ? "auto" : "smooth" });
    (first ?? panelRef.current)?.focus({ preventScroll: true });
    setCalled(false);
    requestAnimationFrame(() => setCalled(true));
  }, []);
  useEffect(() => {
    if (!hotkey) return;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key.toUpperCase() !== QUEUE_KEY && ev.code !== `Key${QUEUE_KEY}`) return;
      if (ev.repeat || ev.isComposing || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (isTextEntry(ev.target)) return;
      ev.preventDefault();
      callUp();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [hotkey, callUp]);

  // ↑ ↓ move between the questions' 已回答 buttons (Tab reaches the rest of a row).
  const onListKey = (ev: ReactKeyboardEvent<HTMLOListElement>) => {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    if (isTextEntry(ev.target)) return;
    const buttons = [
      ...(listRef.current?.querySelectorAll<HTMLButtonElement>("[data-testid='question-answer']") ?? []),
    ];
    if (buttons.length === 0) return;
    const row = (ev.target as HTMLElement).closest("[data-testid='question']");
    const at = buttons.findIndex((b) => b.closest("[data-testid='question']") === row);
    const next = ev.key === "ArrowDown" ? Math.min(buttons.length - 1, at + 1) : Math.max(0, at - 1);
    ev.preventDefault();
    buttons[next]?.focus();
  };

  const shown = more ? open : open.slice(0, SHOWN);
  const total = questions?.open ?? open.length;

  return (
    <section
      ref={panelRef}
      tabIndex={-1}
      className={`panel qq${replies ? " qq--replies" : ""}${called ? " qq--called" : ""}`}
      data-testid="question-queue"
      aria-label="观众问题 viewer questions"
      onAnimationEnd={(e) => {
        if (e.target === e.currentTarget) setCalled(false);
      }}
    >
      <div className="panel__head">
        <h2>
          观众问题 <span className="en">Questions</span>
          {hotkey && (
            <kbd className="qq__kbd" title={`快捷键 ${QUEUE_KEY}（光标不在输入框时）/ key ${QUEUE_KEY}`}>
              {QUEUE_KEY}
            </kbd>
          )}
        </h2>
        <span className={`qq__count${total > 0 ? " qq__count--open" : ""}`} data-testid="question-open-count">
          {questions === null ? "—" : total > 0 ? `待答 ${total}` : "无待答"}
        </span>
      </div>
      {open.length === 0 ? (
        <p className="qq__empty muted small">
          {questions === null ? "等待问题聚类… waiting for the server" : "暂无待答问题 No open questions"}
        </p>
      ) : (
        <ol className="qq__list" ref={listRef} onKeyDown={onListKey}>
          {shown.map((c, i) => (
            <QuestionRow
              key={c.id}
              rank={i + 1}
              cluster={c}
              serverNow={serverNow}
              productName={c.sku === null ? null : (nameOf?.(c.sku) ?? c.sku)}
              canClose={canClose}
              replies={replies && canClose}
              showId={showId}
              settled={closedHere(c, settled.get(c.id)) ? settled.get(c.id) : undefined}
              status={status.get(c.id) ?? null}
              onClose={close}
            />
          ))}
        </ol>
      )}
      {open.length > SHOWN && (
        <button
          type="button"
          className="btn qq__more"
          onClick={() => setMore((m) => !m)}
          aria-expanded={more}
          data-testid="question-more"
        >
          {more ? "收起 Less" : `更多 ${open.length - SHOWN} 个 More`}
        </button>
      )}
    </section>
  );
}

function QuestionRow({
  rank,
  cluster: c,
  serverNow,
  productName,
  canClose,
  replies,
  showId,
  settled,
  status,
  onClose,
}: {
  rank: number;
  cluster: QuestionCluster;
  serverNow: number;
  productName: string | null;
  canClose: boolean;
  replies: boolean;
  showId: string;
  settled: Settled | undefined;
  status: RowStatus | null;
  onClose: (c: QuestionCluster, what: "answer" | "dismiss", reply?: string) => Promise<boolean>;
}) {
  const [examples, setExamples] = useState(false);
  const [picking, setPicking] = useState(false);
  const age = questionAge(c, serverNow);
  const tone = ageTone(age);
  const sending = status?.state === "sending";

  return (
    <li
      className={`qrow qrow--${tone}${settled !== undefined ? " qrow--closed" : ""}`}
      data-testid="question"
      data-id={c.id}
      data-intent={c.intent}
      data-tone={tone}
      data-status={settled?.status ?? "open"}
    >
      <div className="qrow__main">
        <span className="qrow__rank num" aria-hidden="true">
          {rank}
        </span>
        <span className="qrow__label" data-testid="question-label">
          {c.label || c.topic}
        </span>
        <span className="qrow__text" data-testid="question-text" title={c.representative}>
          {c.representative}
        </span>
        {c.examples.length > 0 && (
          <button
            type="button"
            className="qrow__toggle"
            aria-expanded={examples}
            aria-label={examples ? "收起其他问法 hide wordings" : `另 ${c.examples.length} 种问法 other wordings`}
            title="其他问法 other wordings"
            onClick={() => setExamples((e) => !e)}
            data-testid="question-examples-toggle"
          >
            +{c.examples.length} {examples ? "▴" : "▾"}
          </button>
        )}
      </div>
      <div className="qrow__bar">
        <div className="qrow__meta">
          <span className="qrow__count num" data-testid="question-count" title={`本轮 ${c.count} 条，共 ${c.total} 条`}>
            ×{c.count}
          </span>
          <span className="qrow__viewers num" data-testid="question-viewers">
            {c.viewers} 人
          </span>
          <span className={`qrow__age qrow__age--${tone} num`} data-testid="question-age" title="已等待 open for">
            {formatQuestionAge(age)}
          </span>
          {productName !== null && (
            <span className="qrow__sku" title={c.sku ?? undefined}>
              {productName}
            </span>
          )}
        </div>
        {settled !== undefined ? (
          <div className="qrow__done" role="status" data-testid="question-result">
            {settled.status === "answered" ? "✓ 已回答" : "已忽略"} <span className="muted">· 同步中 syncing…</span>
          </div>
        ) : (
          canClose && (
            <div className="qrow__actions">
              <button
                type="button"
                className="btn qbtn qbtn--answer"
                disabled={sending}
                onClick={() => void onClose(c, "answer")}
                data-testid="question-answer"
              >
                {status?.state === "sending" && status.what === "answer" ? "发送中…" : "✓ 已回答"}
              </button>
              <button
                type="button"
                className="btn qbtn"
                disabled={sending}
                onClick={() => void onClose(c, "dismiss")}
                data-testid="question-dismiss"
              >
                {status?.state === "sending" && status.what === "dismiss" ? "发送中…" : "忽略"}
              </button>
              {replies && (
                <button
                  type="button"
                  className={`btn qbtn qbtn--reply${picking ? " qbtn--on" : ""}`}
                  aria-expanded={picking}
                  onClick={() => setPicking((p) => !p)}
                  data-testid="question-reply-toggle"
                >
                  回复 <span className="en">Reply</span> {picking ? "▴" : "▾"}
                </button>
              )}
            </div>
          )
        )}
      </div>
      {examples && (
        <ul className="qrow__examples" data-testid="question-examples">
          {c.examples.map((e, i) => (
            <li key={`${i}:${e}`}>{e}</li>
          ))}
        </ul>
      )}
      {status?.state === "error" && (
        <div className="qrow__error" role="alert" data-testid="question-error">
          ✗ {status.text}
        </div>
      )}
      {picking && settled === undefined && (
        <ReplyPicker
          showId={showId}
          cluster={c}
          sending={sending}
          onSend={(text) => onClose(c, "answer", text).then((ok) => ok && setPicking(false))}
        />
      )}
    </li>
  );
}

type Templates = { state: "loading" } | { state: "error"; text: string } | { state: "ok"; list: ReplyTemplate[] };

/**
 * The assistant's reply to one question: the server's templates for it (the product's live
 * price, stock and shipping filled in; the best match first, picked to start with), editable,
 * then 发公告并标记已答: the reply goes up as the room's announcement and the question closes as
 * answered, in one call.
 */
function ReplyPicker({
  showId,
  cluster,
  sending,
  onSend,
}: {
  showId: string;
  cluster: QuestionCluster;
  sending: boolean;
  onSend: (text: string) => void;
}) {
  const [templates, setTemplates] = useState<Templates>({ state: "loading" });
  const [text, setText] = useState("");
  const [picked, setPicked] = useState<number | null>(null);
  const edited = useRef(false);

  useEffect(() => {
    let cancelled = false;
    getReplies(showId, cluster.id).then(
      (list) => {
        if (cancelled) return;
        setTemplates({ state: "ok", list });
        const first = list[0];
        if (first !== undefined && !edited.current) {
          setText(first.text);
          setPicked(0);
        }
      },
      (err: unknown) => !cancelled && setTemplates({ state: "error", text: errorText(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [showId, cluster.id]);

  const reply = text.trim();
  return (
    <div className="qreply" data-testid="question-replies">
      {templates.state === "loading" && <p className="muted small">读取回复模板… loading templates</p>}
      {templates.state === "error" && (
        <p className="qrow__error" role="alert">
          ✗ 模板读取失败 / {templates.text}
        </p>
      )}
      {templates.state === "ok" && templates.list.length === 0 && (
        <p className="muted small">没有这类问题的模板，直接写回复 / no template: write one</p>
      )}
      {templates.state === "ok" && templates.list.length > 0 && (
        <div className="qreply__templates" role="group" aria-label="回复模板 templates">
          {templates.list.map((t, i) => (
            <button
              key={`${i}:${t.text}`}
              type="button"
              aria-pressed={picked === i}
              className={`qreply__template${picked === i ? " qreply__template--on" : ""}`}
              onClick={() => {
                setText(t.text);
                setPicked(i);
                edited.current = false;
              }}
              data-testid="question-reply-template"
            >
              {t.label !== "" && <span className="qreply__tlabel">{t.label}</span>}
              {t.text}
            </button>
          ))}
        </div>
      )}
      <textarea
        className="input qreply__text"
        rows={3}
        maxLength={REPLY_MAX}
        value={text}
        placeholder="回复内容，会作为直播间公告 / the reply, posted as the room's announcement"
        onChange={(e) => {
          setText(e.target.value);
          setPicked(null);
          edited.current = true;
        }}
        data-testid="question-reply-text"
        aria-label="回复内容 reply"
      />
      <div className="qreply__foot">
        <span className="muted small num">
          {text.length}/{REPLY_MAX}
        </span>
        <button
          type="button"
          className="btn btn--primary qbtn"
          disabled={sending || reply === ""}
          onClick={() => onSend(reply)}
          data-testid="question-reply-send"
        >
          {sending ? "发送中…" : "发公告并标记已答"}
        </button>
      </div>
    </div>
  );
}
