import { memo } from "react";
import { ageOf, dataTime } from "../lib/freshness";
import {
  countTexts,
  formatCount,
  formatCountShort,
  formatDuration,
  formatMoney,
  formatMoneyExact,
  formatMoneyShort,
  formatRate,
  moneyTexts,
  rateTexts,
} from "../lib/format";
import { KPIS, type KpiDef, type KpiTier, type KpiUnit } from "../lib/kpis";
import type { Feeds, MetricKey, Metrics } from "../live/protocol";
import { FitText } from "./FitText";

export function formatMetric(unit: KpiUnit, v: number | undefined): string {
  switch (unit) {
    case "count":
      return formatCount(v);
    case "money":
    case "money_ratio":
      return formatMoney(v);
    case "rate":
      return formatRate(v);
    case "duration":
      return formatDuration(v);
  }
}

/** The forms a tile may show, from the most exact to the shortest (see FitText). */
export function metricTexts(unit: KpiUnit, v: number | undefined): string[] {
  switch (unit) {
    case "count":
      return countTexts(v);
    case "money":
    case "money_ratio":
      return moneyTexts(v);
    case "rate":
      return rateTexts(v);
    case "duration":
      return [formatDuration(v)];
  }
}

/** A target in a tile's foot line, where room is short: 目标 ¥5万. */
function shortMetric(unit: KpiUnit, v: number | undefined): string {
  if (unit === "count") return formatCountShort(v);
  if (unit === "money" || unit === "money_ratio") return formatMoneyShort(v);
  return formatMetric(unit, v);
}

function exactMetric(unit: KpiUnit, v: number | undefined): string {
  if (v === undefined) return "暂无 no value";
  if (unit === "money" || unit === "money_ratio") return formatMoneyExact(v);
  if (unit === "rate") return `${(v * 100).toFixed(4)}%`;
  return String(v);
}

interface TileProps {
  def: KpiDef;
  value: number | undefined;
  target: number | undefined;
  dataAt: number | null;
  serverNow: number;
  showEnded: boolean;
}

const KpiTile = memo(function KpiTile({ def, value, target, dataAt, serverNow, showEnded }: TileProps) {
  const age = ageOf(dataAt, serverNow, showEnded);
  const progress = target !== undefined && target > 0 && value !== undefined ? value / target : null;
  return (
    <div className={`kpi kpi--${def.tier} kpi--age-${age.level}`} data-testid={`kpi-${def.key}`} data-stale={age.level}>
      <div className="kpi__label" title={`${def.zh} ${def.en}`}>
        <span className="kpi__zh">{def.zh}</span> <span className="en">{def.en}</span>
      </div>
      <FitText
        className="kpi__value num"
        testId={`kpi-value-${def.key}`}
        title={exactMetric(def.unit, value)}
        texts={metricTexts(def.unit, value)}
      />
      <div className="kpi__foot">
        <span className="kpi__age" data-testid={`kpi-age-${def.key}`} title={age.detail}>
          {age.label}
        </span>
        {progress !== null && (
          <span className="kpi__target" title={`目标 target ${exactMetric(def.unit, target)}`}>
            目标 {shortMetric(def.unit, target)} · {(progress * 100).toFixed(0)}%
          </span>
        )}
      </div>
      {progress !== null && (
        <div className="kpi__bar" aria-hidden="true">
          <div className="kpi__bar-fill" style={{ width: `${Math.min(100, progress * 100)}%` }} />
        </div>
      )}
    </div>
  );
});

interface Props {
  metrics: Metrics;
  metricsAt: string | null;
  feeds: Feeds;
  targets: Partial<Record<MetricKey, number>>;
  showEnded: boolean;
  serverNow: number;
  hasData: boolean;
}

const TIERS: readonly KpiTier[] = ["hero", "main", "more"];

export function KpiGrid({ metrics, metricsAt, feeds, targets, showEnded, serverNow, hasData }: Props) {
  return (
    <div className={`kpis${hasData ? "" : " kpis--empty"}`} data-testid="kpi-grid">
      {TIERS.map((tier) => (
        <div key={tier} className={`kpis__row kpis__row--${tier}`}>
          {KPIS.filter((d) => d.tier === tier).map((def) => (
            <KpiTile
              key={def.key}
              def={def}
              value={metrics[def.key]}
              target={targets[def.key]}
              dataAt={dataTime(def.sources, feeds, metricsAt)}
              serverNow={serverNow}
              showEnded={showEnded}
            />
          ))}
        </div>
      ))}
    </div>
  );
}
