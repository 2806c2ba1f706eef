import { useState } from "react";
import {
  drawSeed,
  errorText,
  newPromoId,
  parseWhole,
  parseYuan,
  performAction,
  type ActionBody,
} from "../../lib/actionsApi";
import { formatClock, formatMoney } from "../../lib/format";
import type { ActionRecord, CommerceState } from "../../live/protocol";
import { PreviewCard, useMoneyFlow } from "./money";

/** Send a non-money action; its error shown in place. */
function useSimpleAction(showId: string, onActions: (a: ActionRecord[]) => void) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = async (key: string, body: ActionBody): Promise<boolean> => {
    setBusy(key);
    setError(null);
    try {
      onActions([await performAction(showId, body)]);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, send };
}

// --- coupons ---------------------------------------------------------------------------------

export function CouponPanel({
  showId,
  commerce,
  onActions,
}: {
  showId: string;
  commerce: CommerceState | null;
  onActions: (a: ActionRecord[]) => void;
}) {
  const [id, setId] = useState(() => newPromoId("券"));
  const [off, setOff] = useState("");
  const [threshold, setThreshold] = useState("");
  const [quantity, setQuantity] = useState("100");
  const [invalid, setInvalid] = useState<string | null>(null);
  const { flow, preview, confirm, cancel } = useMoneyFlow(showId, (a) => {
    onActions([a]);
    setId(newPromoId("券"));
  });
  const stop = useSimpleAction(showId, onActions);
  const coupons = [...(commerce?.coupons ?? [])].reverse();

  const submit = () => {
    const o = parseYuan(off);
    if (!o.ok || o.fen < 1) return setInvalid(o.ok ? "面额至少 ¥0.01" : `面额：${o.error}`);
    const t = threshold.trim() === "" ? null : parseYuan(threshold);
    if (t !== null && !t.ok) return setInvalid(`门槛：${t.error}`);
    const q = parseWhole(quantity);
    if (!q.ok) return setInvalid(`数量：${q.error}`);
    if (id.trim() === "") return setInvalid("请填写券号 / coupon id");
    setInvalid(null);
    const body: ActionBody & { type: "coupon.issue" } = {
      type: "coupon.issue",
      coupon_id: id.trim(),
      amount_off: o.fen,
      quantity: q.n,
    };
    if (t !== null && t.ok && t.fen > 0) body.threshold = t.fen;
    void preview(body);
  };

  return (
    <section className="panel as-panel" data-testid="coupon-panel">
      <div className="panel__head">
        <h2>
          优惠券 <span className="en">Coupons</span>
        </h2>
      </div>
      <form
        className="as-form as-form--grid"
        data-testid="coupon-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="as-field">
          <span className="as-label">面额（元）Off</span>
          <input
            className="input as-input"
            inputMode="decimal"
            data-testid="coupon-off"
            value={off}
            onChange={(e) => setOff(e.target.value)}
          />
        </label>
        <label className="as-field">
          <span className="as-label">门槛（元，可空）Min spend</span>
          <input
            className="input as-input"
            inputMode="decimal"
            data-testid="coupon-threshold"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
          />
        </label>
        <label className="as-field">
          <span className="as-label">数量 Quantity</span>
          <input
            className="input as-input"
            inputMode="numeric"
            data-testid="coupon-quantity"
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
          />
        </label>
        <label className="as-field">
          <span className="as-label">券号 Coupon id</span>
          <input
            className="input as-input"
            data-testid="coupon-id"
            value={id}
            onChange={(e) => setId(e.target.value)}
          />
        </label>
        {invalid !== null && <p className="as-error as-form__wide">{invalid}</p>}
        <div className="as-form__wide">
          {flow.phase === "idle" ? (
            <button type="submit" className="btn btn--primary as-btn" data-testid="coupon-preview">
              预览发券 <span className="en">Preview</span>
            </button>
          ) : (
            <PreviewCard flow={flow} confirmLabel="确认发券" onConfirm={() => void confirm()} onCancel={cancel} />
          )}
        </div>
      </form>
      {stop.error !== null && (
        <p className="as-error" role="alert">
          {stop.error}
        </p>
      )}
      <ul className="as-list" data-testid="coupon-list">
        {coupons.length === 0 && <li className="muted">还没有发券 No coupons yet</li>}
        {coupons.map((c) => (
          <li
            key={c.coupon_id}
            className={`as-list__item as-list__item--${c.state}`}
            data-testid="coupon"
            data-coupon-id={c.coupon_id}
          >
            <div className="as-list__main">
              <strong>
                {c.threshold !== null && c.threshold > 0 ? `满${formatMoney(c.threshold)}减` : "无门槛减"}
                {formatMoney(c.amount_off)}
              </strong>
              <span className="muted small">
                {c.coupon_id} · 共 {c.quantity} 张 · {formatClock(c.issued_at)} 发放
              </span>
            </div>
            {c.state === "issued" ? (
              <button
                type="button"
                className="btn as-btn as-btn--danger"
                disabled={stop.busy === c.coupon_id}
                onClick={() => void stop.send(c.coupon_id, { type: "coupon.stop", coupon_id: c.coupon_id })}
              >
                停止发放
              </button>
            ) : (
              <span className="as-badge">已停止 {c.stopped_at !== null ? formatClock(c.stopped_at) : ""}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

// --- lucky bags ------------------------------------------------------------------------------

export function LuckyBagPanel({
  showId,
  commerce,
  onActions,
}: {
  showId: string;
  commerce: CommerceState | null;
  onActions: (a: ActionRecord[]) => void;
}) {
  const [prize, setPrize] = useState("");
  const [winners, setWinners] = useState("3");
  const [condition, setCondition] = useState<"comment" | "follow">("comment");
  // A 福袋 is entered while it is open (its comment password), unless opened to the whole show.
  const [entriesFrom, setEntriesFrom] = useState<"start" | "show">("start");
  const [invalid, setInvalid] = useState<string | null>(null);
  const act = useSimpleAction(showId, onActions);
  const bags = [...(commerce?.lucky_bags ?? [])].reverse();

  return (
    <section className="panel as-panel" data-testid="lucky-bag-panel">
      <div className="panel__head">
        <h2>
          福袋 <span className="en">Lucky bags</span>
        </h2>
      </div>
      <form
        className="as-form as-form--grid"
        data-testid="lucky-bag-form"
        onSubmit={(e) => {
          e.preventDefault();
          const w = parseWhole(winners);
          if (prize.trim() === "") return setInvalid("请填写奖品 / prize");
          if (!w.ok) return setInvalid(`中奖人数：${w.error}`);
          setInvalid(null);
          void act
            .send("start", {
              type: "lucky_bag.start",
              bag_id: newPromoId("福袋"),
              prize: prize.trim(),
              winners: w.n,
              condition,
              entries_from: entriesFrom,
            })
            .then((ok) => {
              if (ok) setPrize("");
            });
        }}
      >
        <label className="as-field as-form__wide">
          <span className="as-label">奖品 Prize</span>
          <input
            className="input as-input"
            data-testid="bag-prize"
            value={prize}
            onChange={(e) => setPrize(e.target.value)}
          />
        </label>
        <label className="as-field">
          <span className="as-label">中奖人数 Winners</span>
          <input
            className="input as-input"
            inputMode="numeric"
            data-testid="bag-winners"
            value={winners}
            onChange={(e) => setWinners(e.target.value)}
          />
        </label>
        <fieldset className="as-field as-seg">
          <legend className="as-label">参与条件 Condition</legend>
          <div className="as-seg__options">
            {(["comment", "follow"] as const).map((c) => (
              <label key={c} className={`as-seg__option${condition === c ? " as-seg__option--on" : ""}`}>
                <input
                  type="radio"
                  name="bag-condition"
                  value={c}
                  checked={condition === c}
                  onChange={() => setCondition(c)}
                />
                {c === "comment" ? "评论" : "关注"}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="as-field as-seg">
          <legend className="as-label">参与时段 Entries</legend>
          <div className="as-seg__options">
            {(["start", "show"] as const).map((e) => (
              <label key={e} className={`as-seg__option${entriesFrom === e ? " as-seg__option--on" : ""}`}>
                <input
                  type="radio"
                  name="bag-entries"
                  value={e}
                  data-testid={`bag-entries-${e}`}
                  checked={entriesFrom === e}
                  onChange={() => setEntriesFrom(e)}
                />
                {e === "start" ? "开袋后" : "全场"}
              </label>
            ))}
          </div>
        </fieldset>
        {invalid !== null && <p className="as-error as-form__wide">{invalid}</p>}
        <div className="as-form__wide">
          <button
            type="submit"
            className="btn btn--primary as-btn"
            data-testid="bag-start"
            disabled={act.busy === "start"}
          >
            开始福袋 <span className="en">Start</span>
          </button>
        </div>
      </form>
      {act.error !== null && (
        <p className="as-error" role="alert" data-testid="bag-error">
          {act.error}
        </p>
      )}
      <ul className="as-list" data-testid="bag-list">
        {bags.length === 0 && <li className="muted">还没有福袋 No lucky bags yet</li>}
        {bags.map((b) => (
          <li
            key={b.bag_id}
            className={`as-list__item as-list__item--${b.state}`}
            data-testid="bag"
            data-bag-id={b.bag_id}
            data-state={b.state}
          >
            <div className="as-list__main">
              <strong>{b.prize}</strong>
              <span className="muted small">
                {b.winners} 人 · {b.condition === "comment" ? "评论参与" : "关注参与"}
                {b.entries_from === "show" ? "（全场）" : "（开袋后）"} · {formatClock(b.started_at)} 开始
              </span>
              {b.state === "drawn" && (
                <div className="as-draw" data-testid="bag-draw">
                  <span>
                    中奖 {b.winner_ids.length} 人：
                    <span className="mono" data-testid="bag-winners-list">
                      {b.winner_ids.length === 0 ? "无人符合条件" : b.winner_ids.join("、")}
                    </span>
                  </span>
                  <span className="muted small">
                    候选 <span data-testid="bag-candidates">{b.candidates ?? "—"}</span> 人 · 种子 seed{" "}
                    <span className="mono" data-testid="bag-seed">
                      {b.seed ?? "—"}
                    </span>
                  </span>
                </div>
              )}
            </div>
            {b.state === "running" && (
              <button
                type="button"
                className="btn btn--primary as-btn"
                data-testid="bag-draw-button"
                disabled={act.busy === b.bag_id}
                onClick={() => void act.send(b.bag_id, { type: "lucky_bag.draw", bag_id: b.bag_id, seed: drawSeed() })}
              >
                开奖 <span className="en">Draw</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

// --- announcement ----------------------------------------------------------------------------

export function AnnouncementEditor({
  showId,
  commerce,
  onActions,
}: {
  showId: string;
  commerce: CommerceState | null;
  onActions: (a: ActionRecord[]) => void;
}) {
  const current = commerce?.announcement ?? null;
  const [text, setText] = useState<string | null>(null);
  const act = useSimpleAction(showId, onActions);
  const value = text ?? current ?? "";
  const set = (t: string) =>
    void act.send("set", { type: "announcement.set", text: t }).then((ok) => {
      if (ok) setText(null);
    });
  return (
    <section className="panel as-panel" data-testid="announcement">
      <div className="panel__head">
        <h2>
          公告 <span className="en">Announcement</span>
        </h2>
      </div>
      <p className="as-announce__now">
        <span className="as-label">当前</span>{" "}
        <span data-testid="announcement-now">{current === null || current === "" ? "（无公告）" : current}</span>
      </p>
      <textarea
        className="input as-input as-textarea"
        maxLength={500}
        rows={3}
        data-testid="announcement-input"
        value={value}
        onChange={(e) => setText(e.target.value)}
      />
      {act.error !== null && (
        <p className="as-error" role="alert">
          {act.error}
        </p>
      )}
      <div className="as-form__buttons">
        <button
          type="button"
          className="btn btn--primary as-btn"
          data-testid="announcement-save"
          disabled={act.busy !== null || value === (current ?? "")}
          onClick={() => set(value)}
        >
          发布公告
        </button>
        <button type="button" className="btn as-btn" disabled={act.busy !== null || !current} onClick={() => set("")}>
          清空
        </button>
      </div>
    </section>
  );
}
