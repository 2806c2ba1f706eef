import { memo, useMemo, useState, type ReactNode } from "react";
import { openStockAlerts } from "../lib/alerts";
import type { LineupProduct } from "../lib/api";
import { formatCount, formatMoney, formatMoneyExact } from "../lib/format";
import type { Alert, ProductRow } from "../live/protocol";

type SortKey = "plan" | "sku" | "clicks" | "cart_adds" | "orders" | "units" | "gmv" | "stock_left";
type NumericKey = Exclude<SortKey, "plan" | "sku">;

/**
 * Low stock: at most this many units, or at most LOW_STOCK_SHARE of the show's allocation.
 * Units are what the assistant acts on ("只剩 20 件"); the share catches big allocations.
 * The sell-out forecast from order velocity will refine this.
 */
const LOW_STOCK = 20;
const LOW_STOCK_SHARE = 0.1;

function stockLevel(stock: number | null, allocated: number | null): "" | "low" | "out" {
  if (stock === null) return "";
  if (stock <= 0) return "out";
  if (stock <= LOW_STOCK || (allocated !== null && allocated > 0 && stock / allocated <= LOW_STOCK_SHARE)) return "low";
  return "";
}

const COLUMNS: { key: NumericKey; zh: string; en: string }[] = [
  { key: "clicks", zh: "点击", en: "clicks" },
  { key: "cart_adds", zh: "加购", en: "carts" },
  { key: "orders", zh: "订单", en: "orders" },
  { key: "units", zh: "件数", en: "units" },
  { key: "gmv", zh: "成交额", en: "GMV" },
  { key: "stock_left", zh: "库存", en: "stock" },
];

interface Props {
  products: readonly ProductRow[];
  /** Every alert held: a SKU's open stock alert marks its stock cell (resolved ones do not). */
  alerts: readonly Alert[];
  lineup: readonly LineupProduct[];
}

// memo: the page re-renders every second for the age clocks; this only needs new data.
export const ProductTable = memo(function ProductTable({ products, alerts, lineup }: Props) {
  // Planned (lineup) order by default: rows that jump around under live updates are hard to
  // follow. A click on a header sorts by that column; a second click goes back.
  const [sort, setSort] = useState<SortKey>("plan");
  const planned = useMemo(() => new Map(lineup.map((p, i) => [p.sku, { ...p, index: i }])), [lineup]);
  const openAlerts = useMemo(() => openStockAlerts(alerts), [alerts]);

  const rows = useMemo(() => {
    const copy = [...products];
    if (sort === "plan") {
      copy.sort(
        (a, b) =>
          (planned.get(a.sku)?.index ?? Infinity) - (planned.get(b.sku)?.index ?? Infinity) ||
          a.sku.localeCompare(b.sku),
      );
    } else if (sort === "sku") {
      copy.sort((a, b) => a.sku.localeCompare(b.sku));
    } else {
      copy.sort((a, b) => (b[sort] ?? -Infinity) - (a[sort] ?? -Infinity));
    }
    return copy;
  }, [products, sort, planned]);
  const maxGmv = Math.max(1, ...products.map((p) => p.gmv));
  // One precision per column: whole yuan once any row reaches ¥1,000, so digits line up.
  const gmvText = (fen: number) =>
    maxGmv >= 100_000 ? `¥${Math.round(fen / 100).toLocaleString("zh-CN")}` : formatMoney(fen);

  const header = (key: SortKey, children: ReactNode, className = "") => (
    <th className={`${className} sortable${sort === key ? " sorted" : ""}`}>
      <button type="button" onClick={() => setSort(sort === key ? "plan" : key)} title="点击排序 / click to sort">
        {children}
      </button>
    </th>
  );

  return (
    <section className="panel products" data-testid="product-table">
      <div className="panel__head">
        <h2>
          商品 <span className="en">Products</span>
        </h2>
        <span className="muted small">{products.length} 个 SKU</span>
      </div>
      {products.length === 0 ? (
        <div className="muted products__empty">暂无商品数据 No product data yet</div>
      ) : (
        <div className="products__scroll">
          <table className="table">
            <thead>
              <tr>
                {header("sku", "SKU")}
                <th>商品 Name</th>
                <th className="num">
                  直播价 <span className="en">price</span>
                </th>
                {COLUMNS.map((c) =>
                  header(
                    c.key,
                    <>
                      {c.zh} <span className="en">{c.en}</span>
                    </>,
                    "num",
                  ),
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const plan = planned.get(p.sku);
                const name = p.name ?? plan?.name ?? null;
                const allocated = plan?.allocated_stock ?? null;
                const level = stockLevel(p.stock_left, allocated);
                const alert = openAlerts.get(p.sku);
                return (
                  <tr key={p.sku} data-testid={`product-row-${p.sku}`}>
                    <td className="mono">{p.sku}</td>
                    <td className="products__name">
                      {plan !== undefined && plan.role !== "" && <span className="tag">{plan.role}</span>}
                      {name ?? <span className="muted">—</span>}
                    </td>
                    <td
                      className="num"
                      title={plan?.list_price != null ? `划线价 list ${formatMoneyExact(plan.list_price)}` : undefined}
                    >
                      {plan?.live_price != null ? formatMoney(plan.live_price) : "—"}
                    </td>
                    <td className="num">{formatCount(p.clicks)}</td>
                    <td className="num">{formatCount(p.cart_adds)}</td>
                    <td className="num">{formatCount(p.orders)}</td>
                    <td className="num">{formatCount(p.units)}</td>
                    <td className="num products__gmv" title={formatMoneyExact(p.gmv)}>
                      <span
                        className="products__gmv-bar"
                        style={{ width: `${(p.gmv / maxGmv) * 100}%` }}
                        aria-hidden="true"
                      />
                      <span className="products__gmv-val">{gmvText(p.gmv)}</span>
                    </td>
                    <td
                      className={`num products__stock${level !== "" ? ` stock--${level}` : ""}`}
                      title={allocated !== null ? `本场分配 allocated ${formatCount(allocated)}` : undefined}
                      data-testid={`product-stock-${p.sku}`}
                      data-alert={alert?.state ?? "none"}
                    >
                      {alert !== undefined && (
                        <span
                          className={`products__alert products__alert--${alert.state}`}
                          title={
                            alert.state === "firing"
                              ? "库存提醒未确认 / stock alert open"
                              : "库存提醒已确认 / acknowledged"
                          }
                          aria-label={alert.state === "firing" ? "库存提醒未确认" : "库存提醒已确认"}
                        />
                      )}
                      {p.stock_left === null ? "—" : level === "out" ? "售罄 0" : formatCount(p.stock_left)}
                      {allocated !== null && allocated > 0 && p.stock_left !== null && (
                        <span className="stockbar" aria-hidden="true">
                          <span
                            className="stockbar__fill"
                            style={{ width: `${Math.min(100, (p.stock_left / allocated) * 100)}%` }}
                          />
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
});
