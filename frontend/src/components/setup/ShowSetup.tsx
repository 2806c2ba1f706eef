import { useCallback, useEffect, useState } from "react";
import { getLineup, type LineupProduct, type Me } from "../../lib/api";
import { formatDateTime } from "../../lib/format";
import { onLinkClick, showPath } from "../../lib/route";
import { errorSentence, getShow, mayControl, mayPlan, type ShowDetail } from "../../lib/showsApi";
import { PlatformBadge, StatusBadge } from "../Badges";
import { LineupEditor } from "./LineupEditor";
import { ShowControls } from "./ShowControls";
import { TargetsEditor } from "./TargetsEditor";
import "../../setup.css";

type Load =
  | { status: "loading" }
  | { status: "ok"; show: ShowDetail; lineup: LineupProduct[]; version: number }
  | { status: "error"; message: string };

const ROLE_ZH: Record<string, string> = {
  admin: "管理员",
  operations: "运营",
  field_control: "场控",
  anchor: "主播",
  assistant: "助播",
  integrator: "对接系统",
};

/**
 * `/shows/{id}/setup`: the show's plan (lineup, targets) and its start and end, for the roles
 * that may change them; everyone else who may read the show sees the same, read-only.
 */
export function ShowSetup({ showId, me }: { showId: string; me: Me }) {
  const [load, setLoad] = useState<Load>({ status: "loading" });
  const canPlan = mayPlan(me.role);
  const canControl = mayControl(me.role);

  const fetchAll = useCallback(async () => {
    try {
      const [show, lineup] = await Promise.all([getShow(showId), getLineup(showId)]);
      setLoad((l) => ({ status: "ok", show, lineup, version: l.status === "ok" ? l.version + 1 : 0 }));
    } catch (err) {
      setLoad({ status: "error", message: errorSentence(err) });
    }
  }, [showId]);

  useEffect(() => {
    void fetchAll();
  }, [fetchAll]);

  const title = load.status === "ok" ? load.show.title || showId : showId;
  useEffect(() => {
    document.title = `直播设置 · ${title} · LiveOps`;
  }, [title]);

  const setShow = (show: ShowDetail) => setLoad((l) => (l.status === "ok" ? { ...l, show } : l));

  return (
    <div className="page">
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => onLinkClick(e, "/")} title="返回场次列表 back to shows">
          LiveOps <span className="brand__sub">直播设置</span>
        </a>
        <div className="topbar__show">
          <h1 className="topbar__title" data-testid="setup-title" title={showId}>
            {title}
          </h1>
          {load.status === "ok" && <PlatformBadge platform={load.show.platform} />}
          {load.status === "ok" && <StatusBadge status={load.show.status} />}
        </div>
        <div className="topbar__right">
          <a
            className="sbtn sbtn--link"
            href={showPath(showId)}
            data-testid="setup-console-link"
            onClick={(e) => onLinkClick(e, showPath(showId))}
          >
            控制台 <span className="en">Console</span> →
          </a>
          <span className="topbar__role muted">{ROLE_ZH[me.role] ?? me.role}</span>
        </div>
      </header>
      <main className="setup">
        {load.status === "loading" && <p className="muted">加载中… Loading…</p>}
        {load.status === "error" && (
          <div className="panel notice notice--bad" role="alert">
            <p>{load.message}</p>
            <button type="button" className="sbtn" onClick={() => void fetchAll()}>
              重试 Retry
            </button>
          </div>
        )}
        {load.status === "ok" && (
          <>
            {!canPlan && (
              <p className="setup__readonly" data-testid="setup-readonly">
                只读：{ROLE_ZH[me.role] ?? me.role}不能修改商品和目标
                {canControl ? "，可以开播和结束直播" : ""}。
                <span className="en"> Read only: your role cannot change the lineup or targets.</span>
              </p>
            )}
            {canPlan && load.show.status === "live" && (
              <p className="setup__note setup__note--live">
                直播中：保存后商品和目标立即推送到所有控制台。
                <span className="en"> Live: changes reach every console at once.</span>
              </p>
            )}
            {canPlan && load.show.status === "ended" && (
              <p className="setup__note">
                本场已结束：修改只影响复盘。<span className="en"> Ended: changes only affect the review.</span>
              </p>
            )}
            <div className="setup__grid">
              <section className="panel setup__section setup__status" aria-labelledby="setup-status-h">
                <div className="panel__head">
                  <h2 id="setup-status-h">
                    场次 <span className="en">Show</span>
                  </h2>
                  <StatusBadge status={load.show.status} />
                </div>
                <div className="setup__body">
                  <ShowFacts show={load.show} />
                  <ShowControls show={load.show} role={me.role} size="page" onChanged={setShow} />
                </div>
              </section>
              <section className="panel setup__section setup__lineup" aria-labelledby="setup-lineup-h">
                <div className="panel__head">
                  <h2 id="setup-lineup-h">
                    商品 <span className="en">Lineup</span>
                  </h2>
                  <span className="muted small">按讲解顺序排列 · in the order they go on air</span>
                </div>
                <div className="setup__body">
                  <LineupEditor
                    key={`lineup-${load.version}`}
                    showId={showId}
                    products={load.lineup}
                    editable={canPlan}
                    onSaved={(lineup) => setLoad((l) => (l.status === "ok" ? { ...l, lineup } : l))}
                  />
                </div>
              </section>
              <section className="panel setup__section setup__targets" aria-labelledby="setup-targets-h">
                <div className="panel__head">
                  <h2 id="setup-targets-h">
                    目标 <span className="en">Targets</span>
                  </h2>
                </div>
                <div className="setup__body">
                  <TargetsEditor
                    key={`targets-${load.version}`}
                    showId={showId}
                    targets={load.show.targets}
                    editable={canPlan}
                    onSaved={setShow}
                  />
                </div>
              </section>
            </div>
          </>
        )}
      </main>
    </div>
  );
}

function ShowFacts({ show }: { show: ShowDetail }) {
  const rows: [string, string][] = [
    ["直播间 room", show.room ?? "—"],
    ["计划开播 planned", formatDateTime(show.planned_start_at)],
    ["计划时长 minutes", show.planned_minutes !== null ? `${show.planned_minutes} 分钟` : "—"],
    ["主播 anchors", show.anchors.length > 0 ? show.anchors.join("、") : "—"],
    ["开播 started", formatDateTime(show.started_at)],
    ["结束 ended", formatDateTime(show.ended_at)],
  ];
  return (
    <dl className="setup__facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt className="muted">{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
      <div className="setup__fact--wide">
        <dt className="muted">场次 ID</dt>
        <dd className="mono" data-testid="setup-show-id">
          {show.id}
        </dd>
      </div>
    </dl>
  );
}
