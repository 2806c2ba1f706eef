import { useEffect, useMemo, useState } from "react";
import "../../review.css";
import type { Me } from "../../lib/api";
import { bestColumns, compareIds, getCompare, LOWER_IS_BETTER, type CompareShow } from "../../lib/compare";
import { formatCount, formatDateTime } from "../../lib/format";
import { KPIS } from "../../lib/kpis";
import { onLinkClick, reviewPath } from "../../lib/route";
import { PlatformBadge } from "../Badges";
import { formatMetric } from "../KpiGrid";

/** Every metric of contract §4 but the viewers online now, which is none once a show ended. */
const COMPARED = KPIS.filter((k) => k.key !== "online");

type Load = { status: "loading" } | { status: "ok"; shows: CompareShow[] } | { status: "error"; message: string };

/** `/reviews/compare?shows=a,b,…`: the shows' review summaries side by side, the best of each row marked. */
export function ComparePage({ me }: { me: Me }) {
  const ids = useMemo(() => compareIds(window.location.search), []);
  const [load, setLoad] = useState<Load>({ status: "loading" });

  useEffect(() => {
    document.title = "场次对比 · LiveOps";
    if (ids.length === 0) {
      setLoad({ status: "error", message: "没有选择场次 no shows chosen (?shows=ID,ID)" });
      return;
    }
    let cancelled = false;
    getCompare(ids).then(
      (shows) => !cancelled && setLoad({ status: "ok", shows }),
      (err: unknown) =>
        !cancelled && setLoad({ status: "error", message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [ids]);

  return (
    <div className="page review" data-testid="compare-page">
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => onLinkClick(e, "/")} title="返回场次列表 back to shows">
          LiveOps <span className="brand__sub">复盘</span>
        </a>
        <div className="topbar__show">
          <h1 className="topbar__title">
            场次对比 <span className="en">Compare shows</span>
          </h1>
        </div>
        <div className="topbar__right">
          <span className="topbar__role muted">{me.role}</span>
        </div>
      </header>
      <main className="review__main">
        {load.status === "loading" && <p className="muted">加载中… Loading…</p>}
        {load.status === "error" && (
          <p className="notice notice--bad" data-testid="compare-error">
            对比失败 / cannot compare: {load.message}
          </p>
        )}
        {load.status === "ok" && <CompareTable shows={load.shows} />}
      </main>
    </div>
  );
}

function CompareTable({ shows }: { shows: readonly CompareShow[] }) {
  return (
    <section className="panel rpanel rpanel--wide">
      <div className="panel__head">
        <h2>
          汇总对比 <span className="en">Summaries side by side</span>
        </h2>
        <span className="small muted">
          <span className="rbest-key">高亮</span> 每行最好的一场（退款类越低越好）
        </span>
      </div>
      <div className="table-scroll rpanel__scroll rpanel__scroll--tall">
        <table className="table rtable compare__table" data-testid="compare-table">
          <thead>
            <tr>
              <th className="compare__metric">指标 Metric</th>
              {shows.map((s) => (
                <th key={s.id} className="num compare__show" data-testid={`compare-col-${s.id}`}>
                  <a href={reviewPath(s.id)} onClick={(e) => onLinkClick(e, reviewPath(s.id))}>
                    {s.title || s.id}
                  </a>
                  <div className="small muted">
                    <PlatformBadge platform={s.platform} /> {formatDateTime(s.startedAt)}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {COMPARED.map((k) => {
              const values = shows.map((s) => s.summary[k.key]);
              const best = bestColumns(k.key, values);
              return (
                <tr key={k.key} data-testid={`compare-row-${k.key}`}>
                  <th scope="row" className="compare__metric">
                    {k.zh} <span className="en">{k.en}</span>
                    {LOWER_IS_BETTER.has(k.key) && <span className="muted small"> ↓</span>}
                  </th>
                  {values.map((v, i) => (
                    <td
                      key={shows[i]?.id ?? i}
                      className={`num${best.has(i) ? " compare__best" : ""}`}
                      data-best={best.has(i) ? "true" : undefined}
                    >
                      {formatMetric(k.unit, v)}
                    </td>
                  ))}
                </tr>
              );
            })}
            <tr>
              <th scope="row" className="compare__metric">
                事件数 <span className="en">Events</span>
              </th>
              {shows.map((s) => (
                <td key={s.id} className="num">
                  {formatCount(s.events)}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}
