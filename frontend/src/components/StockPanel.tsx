import { useMemo } from "react";
import { actorName, openStockAlerts } from "../lib/alerts";
import type { LineupProduct } from "../lib/api";
import { formatAge, formatClock, formatCount } from "../lib/format";
import {
  currentForecast,
  flashPhase,
  formatFlash,
  formatRatePerMinute,
  sellable,
  stockLevel,
  type StockLevel,
} from "../lib/stock";
import type { Alert, StockAlert } from "../live/protocol";
import type { StockRow } from "../live/store";

interface Props {
  stock: readonly StockRow[];
  /** Every alert held: a SKU's open stock alert is marked on its row (resolved ones are not). */
  alerts: readonly Alert[];
  lineup: readonly LineupProduct[];
  /** Server-clock epoch ms, for countdowns and ages. */
  serverNow: number;
  /** Stock rows, alerts or publications that were malformed and left out. */
  rejected: number;
}

const LEVEL_LABEL: Record<Exclude<StockLevel, "ok">, { zh: string; en: string }> = {
  low: { zh: "库存紧张", en: "low" },
  out: { zh: "已售罄", en: "sold out" },
};

/**
 * The stock ledger per SKU (issue #4): what buyers can still get, what is locked in unpaid
 * orders and what is sold, the pace and the sell-out forecast, and any flash sale. Rows keep
 * the lineup's order, so a row being watched does not move when numbers change.
 */
// Not memoised: countdowns and ages tick every second.
export function StockPanel({ stock, alerts, lineup, serverNow, rejected }: Props) {
  const open = useMemo(() => openStockAlerts(alerts), [alerts]);
  const planned = useMemo(() => new Map(lineup.map((p, i) => [p.sku, { ...p, index: i }])), [lineup]);
  const rows = useMemo(
    () =>
      [...stock].sort(
        (a, b) =>
          (planned.get(a.sku)?.index ?? Infinity) - (planned.get(b.sku)?.index ?? Infinity) ||
          a.sku.localeCompare(b.sku),
      ),
    [stock, planned],
  );
  const levels = rows.map((r) => stockLevel(r));
  const outCount = levels.filter((l) => l === "out").length;
  const lowCount = levels.filter((l) => l === "low").length;

  return (
    <section className="panel stock" data-testid="stock-panel">
      <div className="panel__head">
        <h2>
          库存 <span className="en">Stock</span>
        </h2>
        <span className="stock__summary small">
          {rejected > 0 && (
            <span
              className="stock__rejected"
              title="格式不符的库存行、提醒或未知类型的消息 / malformed rows or unknown messages"
            >
              {rejected} 条数据无法解析已忽略 <span className="en">ignored</span>
            </span>
          )}
          {outCount > 0 && <span className="stock__count stock__count--out">售罄 {outCount}</span>}
          {lowCount > 0 && <span className="stock__count stock__count--low">紧张 {lowCount}</span>}
          <span className="muted">{rows.length} 个 SKU</span>
        </span>
      </div>
      {rows.length === 0 ? (
        <div className="muted products__empty">暂无库存数据 No stock yet</div>
      ) : (
        <div className="stock__scroll">
          <table className="table stock__table">
            <thead>
              <tr>
                <th>
                  商品 <span className="en">Product</span>
                </th>
                <th className="num">
                  可售 <span className="en">available</span>
                </th>
                <th className="num" title="已下单未支付，超时释放 / in unpaid orders, released on timeout">
                  锁定 <span className="en">reserved</span>
                </th>
                <th className="num">
                  已售 <span className="en">sold</span>
                </th>
                <th className="num">
                  分配 <span className="en">allocated</span>
                </th>
                <th className="num" title="最近一分钟 锁定+已售 的增长 / reserved + sold growth, last minute">
                  速度 <span className="en">/min</span>
                </th>
                <th>
                  状态 · 预计 <span className="en">status · forecast</span>
                </th>
                <th>
                  秒杀 <span className="en">flash sale</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <StockRowView
                  key={row.sku}
                  row={row}
                  level={levels[i] ?? "ok"}
                  plan={planned.get(row.sku)}
                  alert={open.get(row.sku)}
                  serverNow={serverNow}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface RowProps {
  row: StockRow;
  level: StockLevel;
  plan: LineupProduct | undefined;
  /** The SKU's open stock alert, if any. */
  alert: StockAlert | undefined;
  serverNow: number;
}

/** A SKU's open stock alert, on its row: nobody on it yet, or who is. */
export function StockAlertMark({ alert, sku }: { alert: StockAlert; sku: string }) {
  const acked = alert.state === "acknowledged";
  const who = acked && alert.acked_by !== null ? actorName(alert.acked_by) : null;
  return (
    <span
      className={`stockalert stockalert--${alert.state}`}
      data-testid={`stock-alert-${sku}`}
      data-state={alert.state}
      title={
        acked
          ? `提醒已确认${who !== null ? `：${who}` : ""} / alert acknowledged`
          : "提醒未确认，见上方提醒 / alert not acknowledged yet, see the alerts above"
      }
    >
      {acked ? `✓ ${who ?? "已确认"}` : "⚠ 未确认"}
    </span>
  );
}

function StockRowView({ row, level, plan, alert, serverNow }: RowProps) {
  const left = sellable(row);
  const basis = row.flash_sale !== null ? row.flash_sale.cap : row.allocated;
  const forecast = level === "out" ? null : currentForecast(row, row.received_at, serverNow);
  const sale = row.flash_sale !== null ? flashPhase(row.flash_sale, serverNow) : null;
  const saleText = sale !== null ? formatFlash(sale) : null;
  return (
    <tr
      className={`stockrow stockrow--${level}`}
      data-testid={`stock-row-${row.sku}`}
      data-level={level}
      data-alert={alert?.state ?? "none"}
    >
      <td className="stockrow__product">
        <div className="stockrow__name">
          {plan !== undefined && plan.role !== "" && <span className="tag">{plan.role}</span>}
          {plan?.name || <span className="muted">—</span>}
        </div>
        <div className="stockrow__sku mono muted">
          {row.sku}
          {row.limit_per_viewer !== null && <span className="stockrow__limit"> · 限购 {row.limit_per_viewer}</span>}
        </div>
      </td>
      <td
        className="num stockrow__available"
        title={row.flash_sale !== null ? `秒杀剩余 ${left} · 库存可售 ${row.available}` : undefined}
      >
        <span data-testid={`stock-available-${row.sku}`}>{formatCount(row.available)}</span>
        {basis > 0 && (
          <span className="stockbar" aria-hidden="true">
            <span className="stockbar__fill" style={{ width: `${Math.min(100, (left / basis) * 100)}%` }} />
          </span>
        )}
      </td>
      <td className="num" data-testid={`stock-reserved-${row.sku}`}>
        {formatCount(row.reserved)}
      </td>
      <td className="num" data-testid={`stock-sold-${row.sku}`}>
        {formatCount(row.sold)}
      </td>
      <td className="num muted">{formatCount(row.allocated)}</td>
      <td className="num">
        {formatRatePerMinute(row.units_per_minute)} <span className="en">件/分</span>
      </td>
      <td className="stockrow__status" data-testid={`stock-status-${row.sku}`}>
        {level === "out" ? (
          <span className="stockstate stockstate--out">
            已售罄 <span className="en">SOLD OUT</span>
            {row.sold_out_at !== null && (
              <span className="stockstate__at num" title={`售罄时间 sold out at ${formatClock(row.sold_out_at)}`}>
                {" "}
                · {formatClock(row.sold_out_at)} ({formatAge(serverNow - row.sold_out_at)})
              </span>
            )}
          </span>
        ) : (
          <>
            {level === "low" && (
              <span className="stockstate stockstate--low">
                {LEVEL_LABEL.low.zh} <span className="en">{LEVEL_LABEL.low.en}</span>
              </span>
            )}
            {forecast !== null ? (
              <span className="forecast" data-testid={`stock-forecast-${row.sku}`}>
                {forecast.zh} <span className="en">{forecast.en}</span>
              </span>
            ) : (
              level === "ok" && alert === undefined && <span className="muted">—</span>
            )}
          </>
        )}
        {alert !== undefined && <StockAlertMark alert={alert} sku={row.sku} />}
      </td>
      <td className="stockrow__flash" data-testid={`stock-flash-${row.sku}`} data-phase={sale?.phase ?? "none"}>
        {saleText !== null && sale !== null ? (
          <span className={`flash flash--${sale.phase}`}>
            {saleText.zh} <span className="en">{saleText.en}</span>
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}
