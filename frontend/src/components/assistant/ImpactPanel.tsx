import { useEffect, useMemo, useRef, useState } from "react";
import { errorText } from "../../lib/actionsApi";
import {
  actionTime,
  describeAction,
  formatChange,
  formatImpactRate,
  getImpacts,
  measuredKey,
  newestFirst,
  partialText,
  RATE_KEYS,
  type ActionImpacts,
  type RateKey,
} from "../../lib/impact";
import type { ActionRecord } from "../../live/protocol";

const WINDOW_MINUTES = 5;
const REFRESH_MS = 30_000;
const SHOWN = 8;

const RATE_LABEL: Record<RateKey, { zh: string; title: string }> = {
  entry_rate: { zh: "进场/分", title: "进场人数每分钟 viewer joins a minute" },
  click_rate: { zh: "点击率", title: "点击 ÷ 曝光 clicks ÷ impressions (of the product when the action names one)" },
  conversion: { zh: "转化", title: "下单人数 ÷ 在场人数 viewers who ordered ÷ viewers seen" },
};

/**
 * 效果 Impact (issue #11 item 2): each applied pin, price change, coupon and lucky bag, newest
 * first, with entry rate, click rate and conversion in the 5 minutes before it → after it and
 * the change as an arrow. An after window still running says so (进行中): not a final figure.
 * Fetched every 30 s and whenever a new measured action applies in the live state.
 */
export function ImpactPanel({ showId, actions }: { showId: string; actions: readonly ActionRecord[] }) {
  const [data, setData] = useState<ActionImpacts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);
  const key = useMemo(() => measuredKey(actions), [actions]);
  const seq = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const load = () => {
      const mine = ++seq.current;
      getImpacts(showId, WINDOW_MINUTES, controller.signal).then(
        (d) => {
          if (mine !== seq.current) return; // a newer fetch is on its way
          setData(d);
          setError(null);
        },
        (err: unknown) => {
          if (controller.signal.aborted || mine !== seq.current) return;
          setError(errorText(err));
        },
      );
    };
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [showId, key]);

  const rows = useMemo(() => (data === null ? [] : newestFirst(data.actions)), [data]);
  const shown = showAll ? rows : rows.slice(0, SHOWN);
  const windowMinutes = data?.window_minutes ?? WINDOW_MINUTES;

  return (
    <section className="panel as-impact" data-testid="impact-panel">
      <div className="panel__head">
        <h2>
          效果 <span className="en">Impact</span>
        </h2>
        <span className="muted small">前后各 {windowMinutes} 分钟</span>
      </div>
      <p className="as-impact__note muted small">
        前后对比，不是对照实验：同时段的流量变化也算在内。Before/after comparisons, not experiments.
      </p>
      {error !== null && (
        <p className="as-error as-impact__error" role="alert" data-testid="impact-error">
          效果无法读取 / impact unavailable: {error}
        </p>
      )}
      {data === null && error === null && <p className="as-empty muted">加载中… Loading</p>}
      {data !== null && rows.length === 0 && (
        <p className="as-empty muted" data-testid="impact-empty">
          还没有可衡量的动作 <span className="en">No measured actions yet</span>
        </p>
      )}
      {shown.length > 0 && (
        <ol className="as-impact__list">
          {shown.map((r) => {
            const { label, detail } = describeAction(r.action);
            const partial = partialText(r, windowMinutes);
            return (
              <li
                key={r.action.id}
                className={`as-impact__row${partial !== null ? " as-impact__row--partial" : ""}`}
                data-testid="impact-row"
                data-action-id={r.action.id}
                data-type={r.action.type}
              >
                <div className="as-impact__what">
                  <span className="as-impact__label">{label}</span>{" "}
                  {detail !== "" && <span className="as-impact__detail">{detail}</span>}{" "}
                  <span className="as-impact__when">
                    {partial !== null && (
                      <span className="as-badge as-impact__partial" data-testid="impact-partial">
                        {partial}
                      </span>
                    )}{" "}
                    <span className="num muted" title={r.action.at}>
                      {actionTime(r.action)}
                    </span>
                  </span>
                </div>
                <dl className="as-impact__rates">
                  {RATE_KEYS.map((k) => {
                    const change = formatChange(r.change[k]);
                    return (
                      <div key={k} className="as-impact__rate" data-testid={`impact-${k}`}>
                        <dt title={RATE_LABEL[k].title}>
                          {RATE_LABEL[k].zh}
                          <span
                            className={`as-impact__change as-impact__change--${change.direction}`}
                            data-direction={change.direction}
                          >
                            {change.text}
                          </span>
                        </dt>
                        <dd className="num">
                          <span className="muted">{formatImpactRate(k, r.before[k])}</span>
                          {" → "}
                          <span className="as-impact__after" data-testid="impact-after">
                            {formatImpactRate(k, r.after[k])}
                          </span>
                        </dd>
                      </div>
                    );
                  })}
                </dl>
              </li>
            );
          })}
        </ol>
      )}
      {rows.length > SHOWN && (
        <div className="as-impact__more">
          <button type="button" className="btn as-btn" onClick={() => setShowAll((v) => !v)} data-testid="impact-more">
            {showAll ? "收起 Less" : `更多 More (${rows.length - SHOWN})`}
          </button>
        </div>
      )}
    </section>
  );
}
