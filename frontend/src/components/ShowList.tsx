import { useCallback, useEffect, useState } from "react";
import { listShows, type Me, type ShowSummary } from "../lib/api";
import { formatDateTime } from "../lib/format";
import { comparePath } from "../lib/compare";
import { mayReview, navigate, onLinkClick, reviewPath, setupPath, showPath } from "../lib/route";
import { mayControl, mayCreateShows, mayPlan, type ShowDetail } from "../lib/showsApi";
import { PlatformBadge, StatusBadge } from "./Badges";
import { NewShowForm } from "./setup/NewShowForm";
import { ShowControls } from "./setup/ShowControls";
import "../setup.css";
import "../review.css";

type Load = { status: "loading" } | { status: "ok"; shows: ShowSummary[] } | { status: "error"; message: string };

export function ShowList({ me }: { me: Me }) {
  const [load, setLoad] = useState<Load>({ status: "loading" });
  const canCreate = mayCreateShows(me.role);
  const canSetUp = mayPlan(me.role) || mayControl(me.role);
  const canReview = mayReview(me.role);
  // Shows ticked for the comparison, in the order ticked.
  const [picked, setPicked] = useState<readonly string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));

  const reload = useCallback(() => {
    let cancelled = false;
    listShows().then(
      (shows) => !cancelled && setLoad({ status: "ok", shows }),
      (err: unknown) =>
        !cancelled && setLoad({ status: "error", message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => reload(), [reload]);

  useEffect(() => {
    document.title = "直播场次 · LiveOps";
  }, []);

  // A start or end answers the show as it now is: the row changes at once, the list follows.
  const changed = (show: ShowDetail) => {
    setLoad((l) =>
      l.status === "ok"
        ? {
            ...l,
            shows: l.shows.map((s) =>
              s.id === show.id
                ? { ...s, status: show.status, started_at: show.started_at, ended_at: show.ended_at }
                : s,
            ),
          }
        : l,
    );
    reload();
  };

  return (
    <div className="page">
      <header className="topbar topbar--shows">
        <div className="brand">
          LiveOps <span className="brand__sub">场控台</span>
        </div>
        <div className="topbar__title">
          直播场次 <span className="en">Shows</span>
        </div>
        <div className="topbar__right muted">角色 role: {me.role}</div>
      </header>
      <main className="shows">
        {canCreate && <NewShowForm onCreated={() => reload()} />}
        {load.status === "loading" && <p className="muted">加载中… Loading…</p>}
        {load.status === "error" && <p className="notice notice--bad">加载失败 / failed to load: {load.message}</p>}
        {load.status === "ok" && load.shows.length === 0 && <p className="muted">暂无直播场次 No shows yet.</p>}
        {load.status === "ok" && load.shows.length > 0 && canReview && (
          <div className="shows__compare">
            <button
              type="button"
              className="sbtn"
              data-testid="compare-open"
              disabled={picked.length < 2}
              title="勾选两场或更多 tick two shows or more"
              onClick={() => navigate(comparePath(picked))}
            >
              对比所选 <span className="en">Compare</span> ({picked.length})
            </button>
            <span className="small muted">勾选两场或更多，并排比较复盘汇总 Tick two or more shows to compare</span>
          </div>
        )}
        {load.status === "ok" && load.shows.length > 0 && (
          <div className="table-scroll shows__scroll">
            <table className="table shows__table" data-testid="show-list">
              <thead>
                <tr>
                  {canReview && (
                    <th className="shows__pick">
                      <span className="sr-only">对比 Compare</span>
                    </th>
                  )}
                  <th>场次 Show</th>
                  <th>平台 Platform</th>
                  <th>状态 Status</th>
                  <th>开播 Started</th>
                  <th>结束 Ended</th>
                  <th>创建 Created</th>
                  {canSetUp && <th>操作 Actions</th>}
                </tr>
              </thead>
              <tbody>
                {load.shows.map((show) => {
                  // An ended show's page is its review (复盘) for those who may read it.
                  const ended = show.status === "ended" && canReview;
                  const path = ended ? reviewPath(show.id) : showPath(show.id);
                  return (
                    <tr key={show.id} data-testid={`show-row-${show.id}`}>
                      {canReview && (
                        <td className="shows__pick">
                          <input
                            type="checkbox"
                            aria-label={`对比 ${show.title || show.id}`}
                            data-testid={`compare-pick-${show.id}`}
                            checked={picked.includes(show.id)}
                            onChange={() => toggle(show.id)}
                          />
                        </td>
                      )}
                      <td className="shows__name">
                        <a
                          className="shows__link"
                          href={path}
                          data-testid={`show-link-${show.id}`}
                          onClick={(e) => onLinkClick(e, path)}
                        >
                          {show.title || show.id}
                        </a>
                        {ended && (
                          <span className="shows__review small" data-testid={`review-link-${show.id}`}>
                            复盘 <span className="en">review</span>
                          </span>
                        )}
                      </td>
                      <td className="shows__platform">
                        <PlatformBadge platform={show.platform} />
                      </td>
                      <td className="shows__status">
                        <StatusBadge status={show.status} />
                      </td>
                      <td className="num shows__time" data-label="开播">
                        {formatDateTime(show.started_at)}
                      </td>
                      <td className="num shows__time" data-label="结束">
                        {formatDateTime(show.ended_at)}
                      </td>
                      <td className="num shows__time" data-label="创建">
                        {formatDateTime(show.created_at)}
                      </td>
                      {canSetUp && (
                        <td className="shows__actions">
                          <div className="shows__buttons">
                            <ShowControls show={show} role={me.role} size="row" onChanged={changed} />
                            <a
                              className="sbtn sbtn--link"
                              href={setupPath(show.id)}
                              data-testid={`setup-link-${show.id}`}
                              onClick={(e) => onLinkClick(e, setupPath(show.id))}
                            >
                              {mayPlan(me.role) ? "设置" : "查看设置"} <span className="en">Setup</span>
                            </a>
                          </div>
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </main>
    </div>
  );
}
