import { useEffect, useState } from "react";
import { listShows, type Me, type ShowSummary } from "../lib/api";
import { formatDateTime } from "../lib/format";
import { onLinkClick, showPath } from "../lib/route";
import { PlatformBadge, StatusBadge } from "./Badges";

type Load = { status: "loading" } | { status: "ok"; shows: ShowSummary[] } | { status: "error"; message: string };

export function ShowList({ me }: { me: Me }) {
  const [load, setLoad] = useState<Load>({ status: "loading" });

  useEffect(() => {
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

  useEffect(() => {
    document.title = "直播场次 · LiveOps";
  }, []);

  return (
    <div className="page">
      <header className="topbar">
        <div className="brand">
          LiveOps <span className="brand__sub">场控台</span>
        </div>
        <div className="topbar__title">
          直播场次 <span className="en">Shows</span>
        </div>
        <div className="topbar__right muted">角色 role: {me.role}</div>
      </header>
      <main className="shows">
        {load.status === "loading" && <p className="muted">加载中… Loading…</p>}
        {load.status === "error" && <p className="notice notice--bad">加载失败 / failed to load: {load.message}</p>}
        {load.status === "ok" && load.shows.length === 0 && <p className="muted">暂无直播场次 No shows yet.</p>}
        {load.status === "ok" && load.shows.length > 0 && (
          <div className="table-scroll">
            <table className="table shows__table" data-testid="show-list">
              <thead>
                <tr>
                  <th>场次 Show</th>
                  <th>平台 Platform</th>
                  <th>状态 Status</th>
                  <th>开播 Started</th>
                  <th>结束 Ended</th>
                  <th>创建 Created</th>
                </tr>
              </thead>
              <tbody>
                {load.shows.map((show) => (
                  <tr key={show.id}>
                    <td>
                      <a
                        className="shows__link"
                        href={showPath(show.id)}
                        data-testid={`show-link-${show.id}`}
                        onClick={(e) => onLinkClick(e, showPath(show.id))}
                      >
                        {show.title || show.id}
                      </a>
                    </td>
                    <td>
                      <PlatformBadge platform={show.platform} />
                    </td>
                    <td>
                      <StatusBadge status={show.status} />
                    </td>
                    <td className="num">{formatDateTime(show.started_at)}</td>
                    <td className="num">{formatDateTime(show.ended_at)}</td>
                    <td className="num">{formatDateTime(show.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </main>
    </div>
  );
}
