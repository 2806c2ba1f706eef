import { useEffect, useMemo, useState, type ReactNode } from "react";
import "../../review.css";
import type { Me } from "../../lib/api";
import {
  formatCount,
  formatDateTime,
  formatDuration,
  formatMoney,
  formatRate,
  formatHourMinute,
} from "../../lib/format";
import { ruleLabel } from "../../lib/alerts";
import { formatChange } from "../../lib/impact";
import { INTENT_GROUP } from "../../lib/intents";
import { KPIS } from "../../lib/kpis";
import {
  channelName,
  exportCsvPath,
  exportEventsPath,
  funnelDropOffs,
  getReview,
  productConversion,
  reportPath,
  reviewFindings,
  showSeconds,
  sortProducts,
  timelineMarkers,
  type ExportTable,
  type ProductSort,
  type Review,
  type SliceRow,
  type TargetKey,
} from "../../lib/review";
import { livePath, onLinkClick, replayPath } from "../../lib/route";
import type { Intent } from "../../live/protocol";
import { PlatformBadge, StatusBadge } from "../Badges";
import { formatMetric } from "../KpiGrid";
import { ReviewChart } from "./ReviewChart";

type Load = { status: "loading" } | { status: "ok"; review: Review } | { status: "error"; message: string };

const TARGET_NAMES: Record<TargetKey, { zh: string; en: string; money: boolean; rate: boolean }> = {
  gmv: { zh: "成交额", en: "GMV", money: true, rate: false },
  uv: { zh: "观看人数", en: "UV", money: false, rate: false },
  conversion_rate: { zh: "转化率", en: "Conversion", money: false, rate: true },
  aov: { zh: "客单价", en: "AOV", money: true, rate: false },
};

const AUDIENCE_NAMES: Readonly<Record<string, string>> = {
  region: "地域 Region",
  age_band: "年龄 Age",
  device: "设备 Device",
  tier: "城市线级 City tier",
};

/**
 * The headline KPIs of the review: the live console's hero and main tiles as final figures,
 * without the viewers online now (none, after the end: the peak says more) and with click → pay.
 */
const HEADLINE = KPIS.filter((k) => (k.tier !== "more" && k.key !== "online") || k.key === "click_to_pay_rate");

/** The post-show review (复盘) of one show, for the person who runs the review meeting. */
export function ReviewPage({ showId, me }: { showId: string; me: Me }) {
  const [load, setLoad] = useState<Load>({ status: "loading" });

  useEffect(() => {
    let cancelled = false;
    getReview(showId).then(
      (review) => !cancelled && setLoad({ status: "ok", review }),
      (err: unknown) =>
        !cancelled && setLoad({ status: "error", message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [showId]);

  const review = load.status === "ok" ? load.review : null;
  useEffect(() => {
    document.title = `复盘 ${review?.show.title || showId} · LiveOps`;
  }, [review, showId]);

  return (
    <div className="page review" data-testid="review-page">
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => onLinkClick(e, "/")} title="返回场次列表 back to shows">
          LiveOps <span className="brand__sub">复盘</span>
        </a>
        <div className="topbar__show">
          <h1 className="topbar__title" data-testid="show-title" title={showId}>
            {review?.show.title || showId}
          </h1>
          {review !== null && <PlatformBadge platform={review.show.platform} />}
          {review !== null && <StatusBadge status={review.show.status} />}
        </div>
        <nav className="topbar__right review__links">
          {review?.show.status === "ended" && (
            <a
              className="btn btn--small btn--replay"
              href={replayPath(showId)}
              data-testid="replay-link"
              onClick={(e) => onLinkClick(e, replayPath(showId))}
            >
              ▶ 回放 <span className="en">Replay</span>
            </a>
          )}
          <a
            className="btn btn--small"
            href={reportPath(showId)}
            data-testid="export-report"
            target="_blank"
            rel="noreferrer"
          >
            报告 <span className="en">HTML report</span>
          </a>
          <a className="btn btn--small" href={exportEventsPath(showId)} data-testid="export-events" download>
            事件 <span className="en">NDJSON</span>
          </a>
          <a
            className="btn btn--small"
            href={livePath(showId)}
            data-testid="console-link"
            onClick={(e) => onLinkClick(e, livePath(showId))}
          >
            控制台 <span className="en">Console</span>
          </a>
          <span className="topbar__role muted">{me.role}</span>
        </nav>
      </header>

      {load.status === "loading" && <p className="review__note muted">加载复盘… Loading the review…</p>}
      {load.status === "error" && (
        <p className="review__note notice notice--bad" data-testid="review-error">
          复盘加载失败 / the review failed to load: {load.message}
        </p>
      )}
      {review !== null && <ReviewBody review={review} showId={showId} />}
    </div>
  );
}

function ReviewBody({ review, showId }: { review: Review; showId: string }) {
  const { show, summary } = review;
  const markers = useMemo(() => timelineMarkers(review), [review]);
  const findings = useMemo(() => reviewFindings(review), [review]);
  const seconds = showSeconds(show);

  return (
    <main className="review__main">
      <section className="review__hero panel" data-testid="review-hero">
        <div className="review__facts">
          <div className="review__fact">
            <span className="muted">直播间 Room</span> {show.room || "—"}
          </div>
          <div className="review__fact">
            <span className="muted">开播 Started</span>{" "}
            <span className="num">{formatDateTime(iso(show.startedAt))}</span>
          </div>
          <div className="review__fact">
            <span className="muted">时长 Duration</span>{" "}
            <span className="num" data-testid="review-duration">
              {seconds !== null ? formatDuration(seconds) : "—"}
            </span>
            {show.plannedMinutes !== null && (
              <span className="muted small"> / 计划 {formatDuration(show.plannedMinutes * 60)}</span>
            )}
          </div>
          {review.events !== null && (
            <div className="review__fact">
              <span className="muted">事件 Events</span> <span className="num">{formatCount(review.events)}</span>
            </div>
          )}
        </div>
        <div className="review__net">
          <div className="review__net-label">
            净成交额 <span className="en">Net GMV</span>
          </div>
          <div className="review__net-value num" data-testid="review-net-gmv" title={`${summary.net_gmv ?? ""} fen`}>
            {formatMoney(summary.net_gmv)}
          </div>
          <div className="review__net-sub small muted num">
            成交 {formatMoney(summary.gmv_paid)} − 退款 {formatMoney(summary.refund_amount)}
          </div>
        </div>
        {review.targets.length > 0 && (
          <ul className="review__targets" data-testid="review-targets">
            {review.targets.map((t) => {
              const name = TARGET_NAMES[t.key];
              const fmt = (v: number | null) =>
                name.money ? formatMoney(v) : name.rate ? formatRate(v, 1) : formatCount(v);
              const pct = t.progress ?? 0;
              return (
                <li
                  key={t.key}
                  className={`rtarget${pct >= 1 ? " rtarget--met" : ""}`}
                  data-testid={`review-target-${t.key}`}
                >
                  <div className="rtarget__head">
                    <span>
                      {name.zh} <span className="en">{name.en}</span>
                    </span>
                    <span className="num rtarget__pct">{formatRate(t.progress, 0)}</span>
                  </div>
                  <div className="rtarget__bar" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, pct * 100)}%` }} />
                  </div>
                  <div className="small muted num">
                    {fmt(t.actual)} / 目标 {fmt(t.target)}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {findings.length > 0 && (
        <section className="panel review__findings" data-testid="review-findings">
          <div className="panel__head">
            <h2>
              复盘要点 <span className="en">What to talk about</span>
            </h2>
          </div>
          <ul>
            {findings.map((f) => (
              <li key={f.id} className={`finding finding--${f.tone}`} data-testid={`finding-${f.id}`}>
                {f.text}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="panel review__kpis" data-testid="review-kpis">
        <div className="panel__head">
          <h2>
            核心指标 <span className="en">Headline KPIs</span>
          </h2>
        </div>
        <div className="rkpis">
          {HEADLINE.map((k) => (
            <div key={k.key} className={`rkpi rkpi--${k.tier}`}>
              <div className="rkpi__label">
                {k.zh} <span className="en">{k.en}</span>
              </div>
              <div className="rkpi__value num" data-testid={`review-kpi-${k.key}`}>
                {formatMetric(k.unit, summary[k.key])}
              </div>
            </div>
          ))}
        </div>
      </section>

      <Panel title="分钟趋势" en="Per minute" csv={["minutes", showId]} wide testId="review-minutes">
        <ReviewChart minutes={review.minutes} markers={markers} endedAt={show.endedAt} />
      </Panel>

      <div className="review__grid">
        {review.funnel !== null && review.funnel.length > 0 && <FunnelPanel review={review} />}
        <ProductsPanel review={review} showId={showId} />
        {review.segments !== null && <SegmentsPanel review={review} showId={showId} />}
        {review.channels !== null && (
          <Panel title="流量来源" en="Channels" csv={["channels", showId]} testId="review-channels">
            <SliceTable rows={review.channels} nameLabel="来源 Channel" testId="channels-table" />
          </Panel>
        )}
        {review.audience !== null && review.audience.length > 0 && <AudiencePanel review={review} />}
        <CommentsPanel review={review} showId={showId} />
        <AlertsPanel review={review} showId={showId} />
        <ActionsPanel review={review} showId={showId} />
      </div>
    </main>
  );
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function Panel({
  title,
  en,
  csv,
  wide = false,
  testId,
  extra,
  children,
}: {
  title: string;
  en: string;
  csv?: [ExportTable, string];
  wide?: boolean;
  testId: string;
  extra?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className={`panel rpanel${wide ? " rpanel--wide" : ""}`} data-testid={testId}>
      <div className="panel__head">
        <h2>
          {title} <span className="en">{en}</span>
        </h2>
        <div className="rpanel__tools">
          {extra}
          {csv !== undefined && (
            <a
              className="rpanel__csv small"
              href={exportCsvPath(csv[1], csv[0])}
              data-testid={`export-${csv[0]}`}
              download
            >
              ⤓ CSV
            </a>
          )}
        </div>
      </div>
      {children}
    </section>
  );
}

/**
 * A review table in its scroll box (`head`: the header row's cells, `children`: the body's
 * rows); when `empty` is given, that line instead: the panel has no rows.
 */
function RTable({
  testId,
  head,
  empty = null,
  children,
}: {
  testId: string;
  head: ReactNode;
  empty?: string | null;
  children: ReactNode;
}) {
  if (empty !== null) return <p className="rpanel__empty muted">{empty}</p>;
  return (
    <div className="table-scroll rpanel__scroll">
      <table className="table rtable" data-testid={testId}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function FunnelPanel({ review }: { review: Review }) {
  const steps = review.funnel ?? [];
  const drops = funnelDropOffs(steps);
  const top = steps[0]?.viewers ?? 0;
  return (
    <Panel title="转化漏斗" en="Funnel" testId="review-funnel">
      <ol className="funnel">
        {steps.map((s, i) => {
          const share = s.rateFromTop ?? (top > 0 ? s.viewers / top : 0);
          return (
            <li key={s.step} className="funnel__step" data-testid={`funnel-${s.step}`}>
              <div className="funnel__label">
                <span>{s.label}</span>
                <span className="num">{formatCount(s.viewers)}</span>
              </div>
              <div className="funnel__bar" aria-hidden="true">
                <span style={{ width: `${Math.max(0.5, Math.min(100, share * 100))}%` }} />
              </div>
              {i > 0 && (
                <div className="funnel__drop small num">
                  上一步的 {formatRate(s.rateFromPrevious, 1)} · 流失 {formatCount(drops[i])} 人
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </Panel>
  );
}

const PRODUCT_SORTS: readonly { key: ProductSort; label: string }[] = [
  { key: "gmv", label: "成交额 GMV" },
  { key: "conversion", label: "转化 Conv." },
  { key: "paid_units", label: "件数 Units" },
  { key: "clicks", label: "点击 Clicks" },
];

function ProductsPanel({ review, showId }: { review: Review; showId: string }) {
  const [sort, setSort] = useState<ProductSort>("gmv");
  const rows = useMemo(() => sortProducts(review.products, sort), [review.products, sort]);
  const total = review.products.reduce((s, p) => s + p.gmv, 0);
  const th = (key: ProductSort, label: ReactNode) => (
    <th className={`num sortable${sort === key ? " sorted" : ""}`} aria-sort={sort === key ? "descending" : "none"}>
      <button type="button" onClick={() => setSort(key)} data-testid={`sort-${key}`}>
        {label}
      </button>
    </th>
  );
  return (
    <Panel
      title="商品"
      en="Products"
      csv={["products", showId]}
      testId="review-products"
      extra={<span className="small muted">排序 sort: {PRODUCT_SORTS.find((s) => s.key === sort)?.label}</span>}
    >
      <RTable
        testId="products-table"
        head={
          <>
            <th>商品 Product</th>
            {th("gmv", "成交额")}
            <th className="num">占比</th>
            {th("conversion", "点击转化")}
            {th("paid_units", "件数")}
            <th className="num">支付单</th>
            {th("clicks", "点击")}
            <th className="num">加购</th>
            <th className="num">曝光</th>
          </>
        }
      >
        {rows.map((p) => (
          <tr key={p.sku} data-testid={`review-product-${p.sku}`}>
            <td className="rtable__name" title={p.sku}>
              {p.name || p.sku}
              {p.role !== "" && <span className="tag">{p.role}</span>}
            </td>
            <td className="num" data-testid={`review-product-gmv-${p.sku}`}>
              {formatMoney(p.gmv)}
            </td>
            <td className="num">{total > 0 ? formatRate(p.gmv / total, 0) : "—"}</td>
            <td className="num">{formatRate(productConversion(p), 1)}</td>
            <td className="num">{formatCount(p.paidUnits)}</td>
            <td className="num">{formatCount(p.paidOrders)}</td>
            <td className="num">{formatCount(p.clicks)}</td>
            <td className="num">{formatCount(p.cartAdds)}</td>
            <td className="num">{formatCount(p.impressions)}</td>
          </tr>
        ))}
      </RTable>
    </Panel>
  );
}

function SegmentsPanel({ review, showId }: { review: Review; showId: string }) {
  const segments = review.segments ?? [];
  return (
    <Panel
      title="环节 计划 vs 实际"
      en="Segments, planned vs actual"
      csv={["segments", showId]}
      testId="review-segments"
    >
      <RTable
        empty={segments.length === 0 ? "本场没有环节 No segments" : null}
        testId="segments-table"
        head={
          <>
            <th>环节 Segment</th>
            <th className="num">计划</th>
            <th className="num">实际</th>
            <th className="num">超时</th>
            <th className="num">成交额</th>
            <th className="num">每分钟</th>
            <th className="num">转化</th>
            <th className="num">在线峰值</th>
            <th className="num">开始</th>
          </>
        }
      >
        {segments.map((s) => {
          const over = (s.overrunSeconds ?? 0) > 0;
          return (
            <tr key={s.id} className={over ? "rtable__row--bad" : undefined} data-testid={`segment-${s.id}`}>
              <td className="rtable__name" title={s.id}>
                {s.title || s.id}
              </td>
              <td className="num">{formatDuration(s.plannedSeconds)}</td>
              <td className="num">{formatDuration(s.actualSeconds)}</td>
              <td className={`num${over ? " rtable__bad" : ""}`} data-overrun={over ? "true" : "false"}>
                {over ? `+${formatDuration(s.overrunSeconds)}` : "—"}
              </td>
              <td className="num">{formatMoney(s.gmv)}</td>
              <td className="num">{formatMoney(s.gmvPerMinute)}</td>
              <td className="num">{formatRate(s.conversionRate, 1)}</td>
              <td className="num">{formatCount(s.peakOnline)}</td>
              <td className="num">{s.startedAt !== null ? formatHourMinute(s.startedAt) : "—"}</td>
            </tr>
          );
        })}
      </RTable>
    </Panel>
  );
}

function SliceTable({ rows, nameLabel, testId }: { rows: readonly SliceRow[]; nameLabel: string; testId: string }) {
  return (
    <RTable
      empty={rows.length === 0 ? "无数据 No data" : null}
      testId={testId}
      head={
        <>
          <th>{nameLabel}</th>
          <th className="num">UV</th>
          <th className="num">占比</th>
          <th className="num">人均时长</th>
          <th className="num">成交人数</th>
          <th className="num">转化</th>
          <th className="num">成交额</th>
          <th className="num">UV 价值</th>
        </>
      }
    >
      {rows.map((r) => (
        <tr key={r.name}>
          <td className="rtable__name">{channelName(r.name)}</td>
          <td className="num">{formatCount(r.uv)}</td>
          <td className="num">{formatRate(r.share, 1)}</td>
          <td className="num">{formatDuration(r.avgWatchSeconds)}</td>
          <td className="num">{formatCount(r.buyers)}</td>
          <td className="num">{formatRate(r.conversionRate, 1)}</td>
          <td className="num">{formatMoney(r.gmv)}</td>
          <td className="num">{formatMoney(r.uvValue)}</td>
        </tr>
      ))}
    </RTable>
  );
}

function AudiencePanel({ review }: { review: Review }) {
  const dims = review.audience ?? [];
  const [key, setKey] = useState(dims[0]?.key ?? "");
  const dim = dims.find((d) => d.key === key) ?? dims[0];
  return (
    <Panel
      title="观众画像"
      en="Audience"
      testId="review-audience"
      extra={
        <span className="rtabs" role="tablist">
          {dims.map((d) => (
            <button
              key={d.key}
              type="button"
              role="tab"
              aria-selected={d.key === dim?.key}
              className={`cfilter${d.key === dim?.key ? " cfilter--on" : ""}`}
              onClick={() => setKey(d.key)}
            >
              {(AUDIENCE_NAMES[d.key] ?? d.key).split(" ")[0]}
            </button>
          ))}
        </span>
      }
    >
      {dim !== undefined && (
        <SliceTable rows={dim.rows} nameLabel={AUDIENCE_NAMES[dim.key] ?? dim.key} testId="audience-table" />
      )}
    </Panel>
  );
}

function CommentsPanel({ review, showId }: { review: Review; showId: string }) {
  const comments = [...review.comments].sort((a, b) => b.count - a.count);
  const max = Math.max(1, ...comments.map((c) => c.count));
  const q = review.questions;
  return (
    <Panel title="评论意图与问题" en="Comments and questions" csv={["comments", showId]} testId="review-comments">
      <div className="rcomments">
        <ul className="intents" data-testid="intent-bars">
          {comments.map((c) => (
            <li key={c.intent} className="intents__row">
              <span className={`itag itag--${INTENT_GROUP[c.intent as Intent] ?? "other"}`}>{c.label}</span>
              <span className="intents__bar" aria-hidden="true">
                <span style={{ width: `${(c.count / max) * 100}%` }} />
              </span>
              <span className="num intents__n">
                {formatCount(c.count)} <span className="muted small">{formatRate(c.share, 0)}</span>
              </span>
            </li>
          ))}
        </ul>
        {q !== null && (
          <div className="rquestions" data-testid="review-questions">
            <div className="small muted num">
              提问 {formatCount(q.asked)} · 已回答 {formatCount(q.answered)} 组 · 结束时未答 {formatCount(q.openAtEnd)}{" "}
              组{q.medianAnswerSeconds !== null && ` · 回答用时中位 ${formatDuration(q.medianAnswerSeconds)}`}
            </div>
            <ol className="rquestions__list">
              {q.top.slice(0, 6).map((t) => (
                <li key={t.id}>
                  <span className="itag itag--question">{t.label}</span> {t.text}{" "}
                  <span className="num muted">×{t.count}</span>{" "}
                  <span className={`rstate rstate--${t.status}`}>
                    {t.status === "answered" ? "已答" : t.status === "dismissed" ? "已忽略" : "未答"}
                  </span>
                </li>
              ))}
            </ol>
          </div>
        )}
      </div>
    </Panel>
  );
}

function AlertsPanel({ review, showId }: { review: Review; showId: string }) {
  return (
    <Panel title="告警" en="Alerts" csv={["alerts", showId]} testId="review-alerts">
      <RTable
        empty={review.alerts.length === 0 ? "本场没有告警 No alerts" : null}
        testId="alerts-table"
        head={
          <>
            <th>时间</th>
            <th>规则 Rule</th>
            <th className="num">确认用时</th>
            <th className="num">解决用时</th>
            <th>内容</th>
          </>
        }
      >
        {review.alerts.map((a) => (
          <tr key={a.id} className={a.ackSeconds === null && a.state !== "resolved" ? "rtable__row--bad" : undefined}>
            <td className="num">{a.firedAt !== null ? formatHourMinute(a.firedAt) : "—"}</td>
            <td>
              <span className={`rsev rsev--${a.severity}`} title={a.rule}>
                {ruleLabel(a).zh}
              </span>
            </td>
            <td className="num">{a.ackSeconds !== null ? formatDuration(a.ackSeconds) : "未确认"}</td>
            <td className="num">{a.resolveSeconds !== null ? formatDuration(a.resolveSeconds) : "—"}</td>
            <td className="rtable__text" title={a.message}>
              {a.message}
            </td>
          </tr>
        ))}
      </RTable>
    </Panel>
  );
}

const ACTION_LABEL: Readonly<Record<string, string>> = {
  "product.pin": "挂车",
  "product.unpin": "取消挂车",
  "price.set": "改价",
  "coupon.issue": "发券",
  "coupon.stop": "停券",
  "lucky_bag.start": "福袋",
  "lucky_bag.draw": "福袋开奖",
  "announcement.set": "公告",
  "segment.goto": "切环节",
  cue: "提示主播",
  "question.answer": "回答问题",
  "question.dismiss": "忽略问题",
  "comment.hide": "隐藏评论",
  "viewer.ban": "封禁",
  "viewer.unban": "解封",
};

function Change({ v }: { v: number | null }) {
  const view = formatChange(v);
  return <span className={`rchange rchange--${view.direction}`}>{view.text}</span>;
}

function ActionsPanel({ review, showId }: { review: Review; showId: string }) {
  const [all, setAll] = useState(false);
  const names = useMemo(() => new Map(review.products.map((p) => [p.sku, p.name])), [review.products]);
  const withImpact = review.actions.filter((a) => a.impact !== null);
  const rows = all ? review.actions : withImpact.length > 0 ? withImpact : review.actions;
  return (
    <Panel
      title="操作与效果"
      en="Actions and impact"
      csv={["actions", showId]}
      testId="review-actions"
      extra={
        withImpact.length > 0 && withImpact.length < review.actions.length ? (
          <button type="button" className="btn btn--small" onClick={() => setAll((v) => !v)}>
            {all ? `只看有效果的 ${withImpact.length}` : `全部 ${review.actions.length}`}
          </button>
        ) : undefined
      }
    >
      <RTable
        empty={rows.length === 0 ? "本场没有操作 No actions" : null}
        testId="actions-table"
        head={
          <>
            <th>时间</th>
            <th>操作 Action</th>
            <th>谁 By</th>
            <th className="num" title="进入率变化 entry rate, 5 min after vs before">
              进入率
            </th>
            <th className="num" title="点击率变化">
              点击率
            </th>
            <th className="num" title="转化率变化">
              转化
            </th>
          </>
        }
      >
        {rows.map((a) => {
          const sku = typeof a.fields.sku === "string" ? a.fields.sku : "";
          const what = [names.get(sku) || sku, a.fields.segment_id, a.fields.text, a.fields.prize]
            .filter((v): v is string => typeof v === "string" && v !== "")
            .join(" ");
          return (
            <tr key={a.id}>
              <td className="num">{a.at !== null ? formatHourMinute(a.at) : "—"}</td>
              <td className="rtable__text" title={`${a.type} ${what}`}>
                {ACTION_LABEL[a.type] ?? a.type} <span className="muted">{what}</span>
              </td>
              <td className="muted">{a.by}</td>
              <td className="num">{a.impact !== null ? <Change v={a.impact.change.entry_rate} /> : "—"}</td>
              <td className="num">{a.impact !== null ? <Change v={a.impact.change.click_rate} /> : "—"}</td>
              <td className="num">
                {a.impact !== null ? <Change v={a.impact.change.conversion} /> : "—"}
                {a.impact?.partial === true && <span className="muted small"> 进行中</span>}
              </td>
            </tr>
          );
        })}
      </RTable>
    </Panel>
  );
}
