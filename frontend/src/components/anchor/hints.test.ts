import { describe, expect, it } from "vitest";
import { parseAlert, type Alert } from "../../live/protocol";
import { alertFrame } from "../../live/testing";
import { escalatedCueIds } from "../CuePanel";
import { freshHints, HINT_MS } from "./ComplianceHints";

function alert(extra: Record<string, unknown>): Alert {
  const a = parseAlert(alertFrame("E", 1, extra));
  if (a === null) throw new Error("bad fixture");
  return a;
}

const compliance = (ts: number, term = "最好") =>
  alert({
    kind: "compliance",
    severity: "warning",
    roles: ["anchor"],
    sku: null,
    available: null,
    ts,
    line: `全网${term}`,
    violations: [{ term, kind: "absolute", start: 2, end: 4, reason: "绝对化用语", suggestion: "很好" }],
  });

describe("the anchor's compliance hints", () => {
  it("shows the newest two compliance alerts younger than ten seconds, nothing else", () => {
    const now = 1_000_000;
    const alerts = [
      compliance(now - HINT_MS - 1),
      compliance(now - 9_000, "第一"),
      alert({ ts: now - 1_000 }), // sold out: not for the anchor's hints
      compliance(now - 2_000, "治愈"),
      compliance(now - 500, "100%有效"),
    ];
    expect(freshHints(alerts, now).map((a) => a.kind === "compliance" && a.violations[0]?.term)).toEqual([
      "100%有效",
      "治愈",
    ]);
    expect(freshHints(alerts, now + HINT_MS)).toEqual([]);
  });

  it("drops a hint once its alert is resolved", () => {
    const now = 1_000_000;
    const shown = compliance(now - 500);
    const resolved: Alert = { ...shown, state: "resolved", resolved_at: "2025-11-11T12:00:00Z" };
    expect(freshHints([shown], now)).toHaveLength(1);
    expect(freshHints([resolved], now)).toEqual([]);
    expect(freshHints([{ ...shown, state: "acknowledged" }], now)).toHaveLength(1);
  });
});

describe("escalated cues", () => {
  it("collects the cue ids of cue_unacked alerts", () => {
    const late = alert({ kind: "cue_unacked", severity: "warning", sku: null, available: null, cue_id: 7 });
    expect([...escalatedCueIds([late, alert({}), compliance(1)])]).toEqual([7]);
  });
});
