/**
 * The money-moving flow of the assistant console (助播台): a form's body → preview (summary,
 * before → after, warnings in red) → confirm, sent with the preview's undo window → the held
 * action shows in the undo bar (HeldBar) until it applies or is undone.
 */
import { useCallback, useState } from "react";
import {
  errorText,
  performAction,
  previewAction,
  previewRows,
  type ActionPreview,
  type MoneyBody,
} from "../../lib/actionsApi";
import type { ActionRecord } from "../../live/protocol";

export type MoneyFlow =
  | { phase: "idle" }
  | { phase: "previewing"; body: MoneyBody }
  | { phase: "preview"; body: MoneyBody; preview: ActionPreview }
  | { phase: "sending"; body: MoneyBody; preview: ActionPreview }
  | { phase: "error"; body: MoneyBody; preview: ActionPreview | null; error: string };

/** One form's preview-then-confirm flow. `onSent` gets the stored (held) action. */
export function useMoneyFlow(showId: string, onSent: (a: ActionRecord) => void) {
  const [flow, setFlow] = useState<MoneyFlow>({ phase: "idle" });
  const preview = useCallback(
    async (body: MoneyBody) => {
      setFlow({ phase: "previewing", body });
      try {
        setFlow({ phase: "preview", body, preview: await previewAction(showId, body) });
      } catch (err) {
        setFlow({ phase: "error", body, preview: null, error: errorText(err) });
      }
    },
    [showId],
  );
  const confirm = useCallback(async () => {
    if (flow.phase !== "preview" && !(flow.phase === "error" && flow.preview !== null)) return;
    const { body, preview: p } = flow;
    if (p === null) return;
    setFlow({ phase: "sending", body, preview: p });
    try {
      const action = await performAction(showId, body, p.undo_seconds);
      onSent(action);
      setFlow({ phase: "idle" });
    } catch (err) {
      setFlow({ phase: "error", body, preview: p, error: errorText(err) });
    }
  }, [flow, showId, onSent]);
  const cancel = useCallback(() => setFlow({ phase: "idle" }), []);
  return { flow, preview, confirm, cancel };
}

/** The preview card: what will change, the warnings in red, confirm / cancel. */
export function PreviewCard({
  flow,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  flow: MoneyFlow;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  if (flow.phase === "idle") return null;
  if (flow.phase === "previewing") {
    return <p className="as-preview as-preview--loading">正在预览… previewing…</p>;
  }
  const p = flow.preview;
  const rows = p === null ? [] : previewRows(p);
  return (
    <div className="as-preview" data-testid="preview" role="group" aria-label="预览 preview">
      {p !== null && (
        <>
          <p className="as-preview__summary" data-testid="preview-summary">
            {p.summary}
          </p>
          {rows.length > 0 && (
            <dl className="as-preview__diff">
              {rows.map((r, i) => (
                <div key={i} className={`as-preview__row${r.warn === true ? " as-preview__row--warn" : ""}`}>
                  <dt>{r.label}</dt>
                  <dd>
                    {r.before !== null && (
                      <>
                        <span className="as-preview__before">{r.before}</span>
                        <span aria-hidden="true"> → </span>
                      </>
                    )}
                    <strong className="as-preview__after">{r.after}</strong>
                  </dd>
                </div>
              ))}
            </dl>
          )}
          {p.warnings.length > 0 && (
            <ul className="as-preview__warnings" data-testid="preview-warnings">
              {p.warnings.map((w) => (
                <li key={w}>⚠ {w}</li>
              ))}
            </ul>
          )}
          <p className="as-preview__undo muted small">
            {p.undo_seconds > 0
              ? `确认后 ${p.undo_seconds} 秒内可撤销 · undo within ${p.undo_seconds}s`
              : "确认后立即生效 · applies at once"}
          </p>
        </>
      )}
      {flow.phase === "error" && (
        <p className="as-error" role="alert" data-testid="action-error">
          {flow.error}
        </p>
      )}
      <div className="as-preview__buttons">
        {p !== null && (
          <button
            type="button"
            className="btn btn--primary as-btn as-btn--confirm"
            data-testid="confirm"
            disabled={flow.phase === "sending"}
            onClick={onConfirm}
          >
            {flow.phase === "sending" ? "发送中…" : confirmLabel}
          </button>
        )}
        <button type="button" className="btn as-btn" onClick={onCancel} disabled={flow.phase === "sending"}>
          取消 <span className="en">Cancel</span>
        </button>
      </div>
    </div>
  );
}
