import { useState } from "react";
import {
  ApiError,
  endShow,
  errorSentence,
  mayControl,
  startShow,
  type Finding,
  type ShowDetail,
} from "../../lib/showsApi";

interface Props {
  show: { id: string; title: string; status: string };
  role: string;
  onChanged: (show: ShowDetail) => void;
  /** `row`: beside a show in the list; `page`: the setup page's big buttons. */
  size: "row" | "page";
}

type Phase =
  | { step: "idle" }
  | { step: "busy" }
  | { step: "confirm_end" }
  | { step: "blocked"; findings: Finding[]; detail: string };

/**
 * Start (scheduled → live) and end (live → ended) for roles with SHOW_CONTROL. Ending cannot
 * be undone, so it asks first, in place (no browser dialog: it would block the console's
 * updates and cannot be read at a glance). A start the run-sheet's compliance findings refuse
 * lists them and offers a start with a reason, which the server keeps in the audit log.
 */
export function ShowControls({ show, role, onChanged, size }: Props) {
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState("");

  if (!mayControl(role) || show.status === "ended") return null;

  const run = async (op: () => Promise<ShowDetail>) => {
    setPhase({ step: "busy" });
    setError(null);
    try {
      const next = await op();
      setPhase({ step: "idle" });
      setReason("");
      onChanged(next);
    } catch (err) {
      if (err instanceof ApiError && err.code === "compliance_findings") {
        setPhase({ step: "blocked", findings: err.findings, detail: err.detail });
      } else {
        setPhase({ step: "idle" });
        setError(errorSentence(err));
      }
    }
  };

  const busy = phase.step === "busy";
  const cls = `scontrols scontrols--${size}`;
  const name = show.title || show.id;

  return (
    <div className={cls} data-testid={`controls-${show.id}`}>
      {show.status === "scheduled" && phase.step !== "blocked" && (
        <button
          type="button"
          className="sbtn sbtn--start"
          data-testid={`start-${show.id}`}
          disabled={busy}
          onClick={() => void run(() => startShow(show.id))}
        >
          {busy ? "开播中…" : "▶ 开播"} <span className="en">Start</span>
        </button>
      )}
      {show.status === "live" && phase.step !== "confirm_end" && (
        <button
          type="button"
          className="sbtn sbtn--end"
          data-testid={`end-${show.id}`}
          disabled={busy}
          onClick={() => {
            setError(null);
            setPhase({ step: "confirm_end" });
          }}
        >
          {busy ? "结束中…" : "■ 结束直播"} <span className="en">End</span>
        </button>
      )}
      {phase.step === "confirm_end" && (
        <div className="sconfirm" role="alertdialog" aria-labelledby={`end-q-${show.id}`}>
          <p className="sconfirm__q" id={`end-q-${show.id}`}>
            确认结束「{name}」？结束后不能再开播。
            <span className="en"> End the show? This cannot be undone.</span>
          </p>
          <div className="sconfirm__buttons">
            <button
              type="button"
              className="sbtn sbtn--end"
              data-testid={`end-confirm-${show.id}`}
              onClick={() => void run(() => endShow(show.id))}
            >
              确认结束 <span className="en">End now</span>
            </button>
            <button
              type="button"
              className="sbtn"
              data-testid={`end-cancel-${show.id}`}
              autoFocus
              onClick={() => setPhase({ step: "idle" })}
            >
              取消 <span className="en">Keep live</span>
            </button>
          </div>
        </div>
      )}
      {phase.step === "blocked" && (
        <div className="sconfirm sconfirm--warn" role="alert" data-testid={`start-blocked-${show.id}`}>
          <p className="sconfirm__q">
            话术有 {phase.findings.length} 处合规问题，开播被拦下。
            <span className="en"> The run-sheet has compliance findings.</span>
          </p>
          <ul className="sconfirm__findings">
            {phase.findings.slice(0, 8).map((f, i) => (
              <li key={i}>
                <b>「{f.term}」</b> {f.reason}
                {f.suggestion !== null && <span className="muted">（建议：{f.suggestion}）</span>}
                <span className="muted small"> · {f.segment_id}</span>
              </li>
            ))}
            {phase.findings.length > 8 && <li className="muted">…另有 {phase.findings.length - 8} 处</li>}
          </ul>
          <label className="sfield__label" htmlFor={`override-${show.id}`}>
            仍要开播：填写原因（记入审计日志） <span className="en">reason, kept in the audit log</span>
          </label>
          <input
            id={`override-${show.id}`}
            className="sfield__input"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="sconfirm__buttons">
            <button
              type="button"
              className="sbtn sbtn--start"
              disabled={reason.trim() === ""}
              onClick={() => void run(() => startShow(show.id, reason.trim()))}
            >
              仍然开播 <span className="en">Start anyway</span>
            </button>
            <button type="button" className="sbtn" onClick={() => setPhase({ step: "idle" })}>
              取消 <span className="en">Cancel</span>
            </button>
          </div>
        </div>
      )}
      {error !== null && (
        <p className="scontrols__error" role="alert" data-testid={`control-error-${show.id}`}>
          {error}
        </p>
      )}
    </div>
  );
}
