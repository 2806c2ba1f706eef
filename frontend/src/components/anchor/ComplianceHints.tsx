import { useMemo, useState } from "react";
import { alertKey } from "../../lib/stock";
import type { Alert, ComplianceAlert } from "../../live/protocol";

/** How long a hint stays on the anchor's screen. */
export const HINT_MS = 10_000;
const SHOWN = 2;

/**
 * The compliance alerts still worth showing at `serverNow`, newest first: not a resolved one
 * (field control or the assistant has dealt with it). Pure.
 */
export function freshHints(alerts: readonly Alert[], serverNow: number, lifeMs = HINT_MS): ComplianceAlert[] {
  return alerts
    .filter(
      (a): a is ComplianceAlert =>
        a.kind === "compliance" && a.state !== "resolved" && serverNow - a.ts < lifeMs && a.ts <= serverNow + 5_000,
    )
    .sort((a, b) => b.ts - a.ts)
    .slice(0, SHOWN);
}

/**
 * A flagged word in the anchor's speech, said quietly: the anchor is on camera, so no red
 * flash, only a small line with the term and a better wording, that fades out by itself.
 */
export function ComplianceHints({ alerts, serverNow }: { alerts: readonly Alert[]; serverNow: number }) {
  const hints = useMemo(() => freshHints(alerts, serverNow), [alerts, serverNow]);
  if (hints.length === 0) return null;
  return (
    <ul className="hints" aria-live="polite" data-testid="compliance-hints">
      {hints.map((a) => (
        <Hint key={alertKey(a)} alert={a} age={serverNow - a.ts} />
      ))}
    </ul>
  );
}

function Hint({ alert, age }: { alert: ComplianceAlert; age: number }) {
  // The fade runs on the alert's own age, taken once: a hint shown late (a reconnect) is
  // that much further into its fade, and a re-render never restarts or skips it.
  const [delay] = useState(() => -Math.max(0, age));
  const terms = [...new Map(alert.violations.map((v) => [v.term, v])).values()];
  return (
    <li className="hint" data-testid="compliance-hint" style={{ animationDelay: `${delay}ms` }} title={alert.line}>
      <span className="hint__label">用语提醒</span>
      {terms.map((v) => (
        <span key={v.term} className="hint__term">
          “{v.term}”{v.suggestion !== null && v.suggestion !== "" && <> → {v.suggestion}</>}
        </span>
      ))}
    </li>
  );
}
