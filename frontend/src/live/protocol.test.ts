import { describe, expect, it } from "vitest";
import { isPublication, parseAlert, parseCue, parsePrompter, parseServerMessage, parseStockLevels } from "./protocol";
import {
  BEFORE_12,
  actionFrame,
  alertFrame,
  alertJson,
  cueFrame,
  cueJson,
  prompterFrame,
  prompterJson,
  snapshotFrame,
  stockFrame,
  stockRow,
} from "./testing";

describe("parseServerMessage", () => {
  it("reads a snapshot with every part typed", () => {
    const msg = parseServerMessage(JSON.stringify(snapshotFrame("E1", 5)));
    expect(msg?.type).toBe("snapshot");
    if (msg?.type !== "snapshot") return;
    expect(msg.epoch).toBe("E1");
    expect(msg.offset).toBe(5);
    expect(msg.show.targets).toEqual({ gmv_paid: 10_000_000 });
    expect(msg.products[0]).toMatchObject({ sku: "A1", name: "口红", impressions: 0, stock_left: 99 });
    expect(msg.feed.map((f) => f.kind)).toEqual(["comment", "comment"]);
    expect(msg.feeds.viewers).toEqual({ ts: "2025-11-11T12:09:59Z", received_at: "2025-11-11T12:09:59.2Z" });
  });

  it("rejects frames without a usable envelope", () => {
    expect(parseServerMessage("nope")).toBeNull();
    expect(parseServerMessage("[1,2]")).toBeNull();
    expect(parseServerMessage('{"type":"metrics","epoch":"E","offset":"3"}')).toBeNull();
    expect(parseServerMessage('{"type":"metrics","epoch":"E","offset":1.5}')).toBeNull();
    expect(parseServerMessage('{"type":"snapshot","epoch":"E","offset":1,"show":{}}')).toBeNull();
  });

  it("drops unknown metric keys and non-numeric values", () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: "metrics",
        epoch: "E",
        offset: 2,
        metrics: { online: 3, bogus: 1, uv: "7", gmv_paid: null },
      }),
    );
    expect(msg?.type === "metrics" && msg.metrics).toEqual({ online: 3 });
  });

  it("tells a missing metrics_at from a null one", () => {
    const a = parseServerMessage(JSON.stringify({ type: "metrics", epoch: "E", offset: 2, metrics: {} }));
    const b = parseServerMessage(
      JSON.stringify({ type: "metrics", epoch: "E", offset: 2, metrics: {}, metrics_at: null }),
    );
    expect(a?.type === "metrics" && a.metrics_at).toBeUndefined();
    expect(b?.type === "metrics" && b.metrics_at).toBeNull();
  });

  it("reads feed items of both kinds and skips unknown ones", () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: "feed",
        epoch: "E",
        offset: 3,
        items: [
          { kind: "comment", id: "c", ts: "2025-11-11T12:00:00Z", viewer_id: "v", text: "hi" },
          { kind: "order", id: "o", ts: "2025-11-11T12:00:00Z", event: "paid", order_id: "O1", amount: 990 },
          { kind: "order", id: "x", ts: "2025-11-11T12:00:00Z", event: "teleported", order_id: "O2" },
          { kind: "gift", id: "g" },
        ],
      }),
    );
    expect(msg?.type === "feed" && msg.items).toEqual([
      { kind: "comment", id: "c", ts: "2025-11-11T12:00:00Z", viewer_id: "v", text: "hi", intent: "other" },
      { kind: "order", id: "o", ts: "2025-11-11T12:00:00Z", event: "paid", order_id: "O1", amount: 990 },
    ]);
  });

  it("accepts the alternative names a server might use for times", () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: "metrics",
        epoch: 7,
        offset: 2,
        series: [{ ts: "2025-11-11T12:00:00Z", online: 3 }],
        feeds: {
          viewer: { source_ts: "2025-11-11T12:00:01Z", server_time: 1762862401.5 },
          order: "2025-11-11T12:00:02Z",
        },
      }),
    );
    expect(msg?.type).toBe("metrics");
    if (msg?.type !== "metrics") return;
    expect(msg.epoch).toBe("7");
    expect(msg.series[0]?.minute).toBe("2025-11-11T12:00:00Z");
    expect(msg.feeds.viewer?.ts).toBe("2025-11-11T12:00:01Z");
    expect(msg.feeds.viewer?.received_at).toBe(new Date(1762862401500).toISOString());
    expect(msg.feeds.order).toEqual({ ts: "2025-11-11T12:00:02Z", received_at: null });
  });

  it("reads control frames", () => {
    expect(parseServerMessage('{"type":"resumed","epoch":"E","offset":4}')).toEqual({
      type: "resumed",
      epoch: "E",
      offset: 4,
    });
    expect(parseServerMessage('{"type":"resync","reason":"epoch"}')).toEqual({ type: "resync", reason: "epoch" });
    expect(parseServerMessage('{"type":"error","code":"bad_frame","message":"x"}')).toEqual({
      type: "error",
      code: "bad_frame",
      message: "x",
    });
  });
});

describe("stock and alerts (strict)", () => {
  const sale = { cap: 50, remaining: 12, starts_at: 1762862460000, state: "running" };

  it("reads a stock frame's rows whole, times as epoch ms", () => {
    const msg = parseServerMessage(
      JSON.stringify(stockFrame("E", 4, [stockRow("A1"), stockRow("B2", { flash_sale: sale, sold_out_at: null })])),
    );
    expect(msg?.type).toBe("stock");
    if (msg?.type !== "stock") return;
    expect(msg.server_time).toBe(new Date(1762862401000).toISOString());
    expect(msg.rejected).toBe(0);
    expect(msg.items[0]).toEqual({
      sku: "A1",
      allocated: 100,
      reserved: 5,
      sold: 15,
      available: 80,
      version: 1,
      limit_per_viewer: null,
      flash_sale: null,
      sold_out_at: null,
      rev: 1,
      units_per_minute: 12,
      sell_out_in_seconds: 400,
    });
    expect(msg.items[1]?.flash_sale).toEqual(sale);
  });

  it("leaves out, and counts, rows with a missing or mistyped field instead of guessing", () => {
    const bad = [
      stockRow("M1", { available: "80" }),
      stockRow("M2", { available: -1 }),
      stockRow("M3", { rev: 1.5 }),
      stockRow("M4", { sell_out_in_seconds: "soon" }),
      stockRow("M5", { flash_sale: { ...sale, state: "paused" } }),
      stockRow("M6", { flash_sale: { ...sale, cap: null } }),
      stockRow("M7", { sku: "" }),
      stockRow("M8", { sold_out_at: "2025-11-11T12:00:00Z" }),
      "not a row",
      null,
    ];
    const missing = stockRow("M9");
    delete missing.sell_out_in_seconds; // nullable, but required
    const msg = parseServerMessage(JSON.stringify(stockFrame("E", 4, [...bad, missing, stockRow("OK")])));
    expect(msg?.type === "stock" && msg.items.map((r) => r.sku)).toEqual(["OK"]);
    expect(msg?.type === "stock" && msg.rejected).toBe(bad.length + 1);
    // Keys a newer server adds are not an error.
    expect(parseStockLevels(stockRow("N", { warehouse: "HZ-1" }))?.sku).toBe("N");
  });

  it("reads an alert frame, and rejects a malformed alert but keeps its position", () => {
    const msg = parseServerMessage(JSON.stringify(alertFrame("E", 5)));
    expect(msg).toEqual({
      type: "alert",
      epoch: "E",
      offset: 5,
      server_time: new Date(1762862402000).toISOString(),
      kind: "sold_out",
      severity: "critical",
      roles: ["field_control", "assistant"],
      sku: "A1",
      available: 0,
      text: "A1 已售罄 / sold out",
      ts: 1762862402000,
      id: null,
      rule: "sold_out",
      subject: "A1",
      ...BEFORE_12,
    });
    for (const broken of [
      { kind: "" },
      { kind: 3 },
      { severity: "urgent" },
      { sku: null },
      { roles: "field_control" },
      { roles: [1] },
      { available: null },
      { ts: "2025-11-11T12:00:00Z" },
      { sku: 7 },
    ]) {
      const bad = parseServerMessage(JSON.stringify(alertFrame("E", 6, broken)));
      expect(bad).toMatchObject({ type: "ignored", epoch: "E", offset: 6, original: "alert" });
      expect(bad !== null && isPublication(bad)).toBe(true);
    }
    expect(parseAlert({ ...alertFrame("E", 1), roles: ["field_control", "brand_new_role"] })?.roles).toEqual([
      "field_control",
      "brand_new_role",
    ]);
  });

  it("a stock frame without a list of items is ignored, with its position", () => {
    expect(parseServerMessage('{"type":"stock","epoch":"E","offset":3,"items":{}}')).toMatchObject({
      type: "ignored",
      offset: 3,
      original: "stock",
    });
    expect(parseServerMessage('{"type":"stock","epoch":"E","items":[]}')).toBeNull(); // no position
  });

  it("reads stock and alerts in a snapshot; a server without them gives empty lists", () => {
    const msg = parseServerMessage(
      JSON.stringify(
        snapshotFrame("E", 9, {
          stock: [stockRow("A1"), stockRow("B2", { allocated: "many" })],
          alerts: [alertFrame("x", 0), { kind: "sold_out" }],
        }),
      ),
    );
    expect(msg?.type).toBe("snapshot");
    if (msg?.type !== "snapshot") return;
    expect(msg.stock.map((r) => r.sku)).toEqual(["A1"]);
    expect(msg.alerts).toEqual([
      {
        id: null,
        kind: "sold_out",
        severity: "critical",
        roles: ["field_control", "assistant"],
        sku: "A1",
        available: 0,
        text: "A1 已售罄 / sold out",
        ts: 1762862402000,
        rule: "sold_out",
        subject: "A1",
        ...BEFORE_12,
      },
    ]);
    expect(msg.rejected).toBe(2);

    const old = parseServerMessage(JSON.stringify(snapshotFrame("E", 9)));
    expect(old?.type === "snapshot" && [old.stock, old.alerts, old.rejected]).toEqual([[], [], 0]);
  });

  it("turns a positioned frame of an unknown type into an ignored publication", () => {
    const msg = parseServerMessage('{"type":"brand_new","epoch":"E","offset":1,"server_time":1762862401000}');
    expect(msg).toEqual({
      type: "ignored",
      epoch: "E",
      offset: 1,
      server_time: new Date(1762862401000).toISOString(),
      original: "brand_new",
      reason: "unknown type",
    });
    expect(parseServerMessage('{"type":"brand_new"}')).toBeNull();
    expect(parseServerMessage('{"type":"show","epoch":"E","offset":2,"show":{}}')).toMatchObject({
      type: "ignored",
      original: "show",
    });
  });
});

describe("prompter, cues, actions and the new alert kinds", () => {
  it("reads a snapshot's prompter and cues; a server before them gives null and []", () => {
    const msg = parseServerMessage(
      JSON.stringify(
        snapshotFrame("E", 4, {
          prompter: prompterJson({ cues: [cueJson(7)] }),
          cues: [cueJson(6, { acked_at: "2025-11-11T12:06:03.200000Z", ack_seconds: 3.2 }), cueJson(7), { id: "x" }],
        }),
      ),
    );
    if (msg?.type !== "snapshot") throw new Error("not a snapshot");
    expect(msg.prompter?.segment?.title).toBe("羊绒围巾");
    expect(msg.prompter?.values.top_question).toBeNull();
    expect(msg.prompter?.cues.map((c) => c.id)).toEqual([7]);
    expect(msg.cues.map((c) => [c.id, c.ack_seconds])).toEqual([
      [6, 3.2],
      [7, null],
    ]);
    expect(msg.rejected).toBe(1);

    const old = parseServerMessage(JSON.stringify(snapshotFrame("E", 4)));
    expect(old?.type === "snapshot" && [old.prompter, old.cues]).toEqual([null, []]);
  });

  it("reads prompter, cue and action publications", () => {
    const p = parseServerMessage(JSON.stringify(prompterFrame("E", 5)));
    expect(p).toMatchObject({ type: "prompter", offset: 5, prompter: { remaining_seconds: 125, version: 3 } });
    expect(p !== null && isPublication(p)).toBe(true);

    const c = parseServerMessage(JSON.stringify(cueFrame("E", 6, cueJson(9))));
    expect(c).toMatchObject({ type: "cue", offset: 6, cue: { id: 9, by: { role: "field_control" }, acked_at: null } });

    const a = parseServerMessage(JSON.stringify(actionFrame("E", 7, 12, { type: "segment.goto", segment_id: "s2" })));
    expect(a).toMatchObject({ type: "action", action: { id: 12, type: "segment.goto" } });
    expect(a?.type === "action" && a.action.fields).toEqual({ text: "上链接", segment_id: "s2" });
  });

  it("keeps the position of a malformed prompter, cue or action", () => {
    for (const frame of [
      { type: "prompter", epoch: "E", offset: 8, prompter: null },
      { type: "cue", epoch: "E", offset: 8, cue: cueJson(1, { by: "someone" }) },
      { type: "cue", epoch: "E", offset: 8, cue: cueJson(1, { created_at: null }) },
      { type: "action", epoch: "E", offset: 8, action: { id: 1, type: "cue" } },
    ]) {
      expect(parseServerMessage(JSON.stringify(frame))).toMatchObject({ type: "ignored", offset: 8 });
    }
  });

  it("reads a prompter leniently: bad parts and cues are left out, the text stays", () => {
    const view = parsePrompter(
      prompterJson({
        parts: [{ start: 2, end: 6, name: "price", missing: false }, { start: 5, end: 2 }, { start: -1, end: 3 }, "x"],
        cues: [cueJson(1), { id: 2 }],
        values: { price: "199元", odd: 5, none: null },
        segment: null,
        next: null,
        remaining_seconds: null,
        overrun_seconds: null,
      }),
    );
    expect(view?.text).toBe("原价199元，直播间只要99元，只剩37件！");
    expect(view?.parts).toEqual([{ start: 2, end: 6, name: "price", missing: false }]);
    expect(view?.cues.map((c) => c.id)).toEqual([1]);
    expect(view?.values).toEqual({ price: "199元", none: null });
    expect(view?.segment).toBeNull();
    expect(parsePrompter({ segment: null })).toBeNull();
  });

  it("reads the beats of the segment on air and the next one; unknown is other, none is null", () => {
    const view = parsePrompter(prompterJson());
    expect([view?.segment?.beat, view?.next?.beat]).toEqual(["push", "welfare"]);
    const seg = { id: "s", title: "t", sku: null, planned_seconds: 15, elapsed_seconds: 0 };
    const later = parsePrompter(
      prompterJson({ segment: { ...seg, beat: "flash_sale" }, next: { id: "n", title: "收尾", beat: null } }),
    );
    expect([later?.segment?.beat, later?.next?.beat]).toEqual(["other", null]);
    const before = parsePrompter(prompterJson({ segment: seg, next: { id: "n", title: "收尾" } }));
    expect([before?.segment?.beat, before?.next?.beat]).toEqual([null, null]);
  });

  it("reads the viewers' questions newest first; none from a server before them", () => {
    const view = parsePrompter(prompterJson({ questions: ["能不能便宜点？", 3, "", "有L码吗"] }));
    expect(view?.questions).toEqual(["能不能便宜点？", "有L码吗"]);
    const { questions: _, ...older } = prompterJson();
    expect(parsePrompter(older)?.questions).toEqual([]);
  });

  it("reads an acknowledged cue whole", () => {
    expect(
      parseCue(
        cueJson(3, {
          acked_at: "2025-11-11T12:03:03.250000Z",
          ack_seconds: 3.25,
          acked_by: { label: "主播", role: "anchor" },
        }),
      ),
    ).toMatchObject({ id: 3, ack_seconds: 3.25, acked_by: { label: "主播", role: "anchor" } });
    expect(parseCue(cueJson(3, { acked_by: { label: 1 } }))).toBeNull();
  });

  it("reads compliance and cue_unacked alerts, whose sku and available are null", () => {
    const compliance = parseAlert({
      kind: "compliance",
      severity: "warning",
      roles: ["field_control", "assistant", "anchor"],
      sku: null,
      available: null,
      text: "口播违规用语 “最好”",
      ts: 1762862402000,
      line: "这是全网最好的围巾",
      violations: [{ term: "最好", kind: "absolute", start: 5, end: 7, reason: "绝对化用语", suggestion: "很好" }],
    });
    expect(compliance).toMatchObject({ kind: "compliance", sku: null, line: "这是全网最好的围巾" });
    expect(compliance?.kind === "compliance" && compliance.violations[0]?.suggestion).toBe("很好");

    const late = parseServerMessage(
      JSON.stringify(
        alertFrame("E", 9, { kind: "cue_unacked", severity: "warning", sku: null, available: null, cue_id: 41 }),
      ),
    );
    expect(late).toMatchObject({ type: "alert", kind: "cue_unacked", cue_id: 41 });
    const broken = parseServerMessage(
      JSON.stringify(alertFrame("E", 9, { kind: "cue_unacked", sku: null, available: null })),
    );
    expect(broken).toMatchObject({ type: "ignored", original: "alert" });
  });

  it("reads a segment_overrun alert with its segment; without one it is malformed", () => {
    const overrun = parseAlert({
      ...alertFrame("E", 1, { kind: "segment_overrun", severity: "warning", sku: null, available: null }),
      roles: ["field_control"],
      segment_id: "welfare",
    });
    expect(overrun).toMatchObject({ kind: "segment_overrun", segment_id: "welfare", sku: null, available: null });
    expect(parseAlert(alertFrame("E", 1, { kind: "segment_overrun", sku: null, available: null }))).toBeNull();
  });

  it("reads an alert of a kind added later by its envelope, as kind other", () => {
    expect(parseAlert(alertFrame("E", 1, { kind: "restocked" }))).toMatchObject({
      kind: "other",
      server_kind: "restocked",
      sku: "A1",
      available: 0,
    });
  });
});

describe("alerts of contract §12", () => {
  const acked = {
    state: "acknowledged",
    acked_at: "2025-11-11T12:00:08.250000Z",
    acked_by: { label: "助播小李", role: "assistant" },
    ack_seconds: 6.25,
  };

  it("reads an alert frame's state, who acknowledged it and when", () => {
    const msg = parseServerMessage(JSON.stringify({ type: "alert", epoch: "E", offset: 3, ...alertJson(acked) }));
    expect(msg).toEqual({
      type: "alert",
      epoch: "E",
      offset: 3,
      server_time: "",
      id: "al_00000000000000a1",
      kind: "low_stock",
      rule: "low_stock",
      subject: "A1",
      severity: "warning",
      state: "acknowledged",
      roles: ["field_control", "assistant"],
      text: "羊绒围巾 库存只剩 8 件（8 %） / low stock: 8 left",
      ts: 1762862402000,
      acked_at: "2025-11-11T12:00:08.250000Z",
      acked_by: { label: "助播小李", role: "assistant" },
      ack_seconds: 6.25,
      resolved_at: null,
      resolved_by: null,
      resolve_seconds: null,
      escalated: false,
      sku: "A1",
      available: 8,
    });
  });

  it("reads a resolved alert, by hand or by itself", () => {
    const resolved = {
      state: "resolved",
      resolved_at: "2025-11-11T12:02:02.000000Z",
      resolve_seconds: 120,
    };
    expect(parseAlert(alertJson(resolved))).toMatchObject({
      state: "resolved",
      resolved_by: null,
      resolve_seconds: 120,
    });
    expect(
      parseAlert(alertJson({ ...resolved, resolved_by: { label: "场控小王", role: "field_control" } }))?.resolved_by,
    ).toEqual({ label: "场控小王", role: "field_control" });
  });

  it("marks an alert the server escalated (detail.escalated), raised one severity", () => {
    const up = parseAlert(
      alertJson({
        severity: "critical",
        roles: ["field_control", "assistant", "operations"],
        detail: { escalated: true },
      }),
    );
    expect(up).toMatchObject({ severity: "critical", escalated: true, state: "firing" });
    expect(parseAlert(alertJson({ detail: { escalated: "yes" } }))?.escalated).toBe(false);
  });

  it("reads the alert of an HTTP answer, which has only contract §12's keys", () => {
    const { kind: _k, text: _t, ts: _ts, available: _a, line: _l, violations: _v, ...api } = alertJson(acked);
    const { cue_id: _c, segment_id: _s, ...rest } = api;
    expect(parseAlert(rest)).toMatchObject({
      kind: "low_stock",
      ts: Date.parse("2025-11-11T12:00:02.000000Z"),
      text: "羊绒围巾 库存只剩 8 件（8 %） / low stock: 8 left",
      available: 8, // from the detail
      state: "acknowledged",
      acked_by: { label: "助播小李", role: "assistant" },
    });
    const cue = { ...rest, rule: "cue_unacked", sku: null, subject: "41", detail: { cue_id: 41 } };
    expect(parseAlert(cue)).toMatchObject({ kind: "cue_unacked", cue_id: 41 });
    expect(parseAlert({ ...rest, fired_at: "soon" })).toBeNull();
  });

  it("leaves out an alert whose state or actors are not the contract's", () => {
    for (const broken of [
      { state: "snoozed" },
      { state: null },
      { acked_by: { label: 3, role: "assistant" } },
      { acked_by: "助播" },
      { acked_at: true },
      { resolved_by: {} },
      { rule: "" },
      { message: null },
    ]) {
      expect(parseAlert(alertJson(broken)), JSON.stringify(broken)).toBeNull();
    }
  });
});
