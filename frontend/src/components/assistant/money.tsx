/**
 * The money-moving flow of the assistant console (助播台): a form's body → preview (summary,
 * before → after, warnings in red) → confirm, sent with the preview's undo window → the held
 * action shows in the undo bar (HeldBar) until it applies or is undone.
 */
import { useCallback, useState } from "react";
import { errorText, performAction, previewAction, type ActionPreview, type MoneyBody } from "../../lib/actionsApi";
import { formatMoney } from "../../lib/format";
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

/** A preview's before/after value, readable: money keys in yuan. */
export function previewValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number" && /price|amount|threshold/.test(key)) return formatMoney(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const KEY_LABEL: Record<string, string> = {
  live_price: "直播价",
  list_price: "原价",
  amount_off: "面额",
  threshold: "门槛",
  quantity: "数量",
  coupon_id: "券号",
  state: "状态",
};

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
  const keys = p === null ? [] : [...new Set([...Object.keys(p.before), ...Object.keys(p.after)])];
  return (
    <div className="as-preview" data-testid="preview" role="group" aria-label="预览 preview">
      {p !== null && (
        <>
          <p className="as-preview__summary" data-testid="preview-summary">
            {p.summary}
          </p>
          {keys.length > 0 && (
            <dl className="as-preview__diff">
              {keys.map((k) => (
                <div key={k} className="as-preview__row">
                  <dt>{KEY_LABEL[k] ?? k}</dt>
                  <dd>
                    <span className="as-preview__before">{previewValue(k, p.before[k])}</span>
                    <span aria-hidden="true"> → </span>
                    <strong className="as-preview__after">{previewValue(k, p.after[k])}</strong>
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
