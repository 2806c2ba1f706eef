import { useState } from "react";
import {
  errorText,
  parseWhole,
  parseYuan,
  performAction,
  startFlashSale,
  stopFlashSale,
  type RunsheetSegment,
} from "../../lib/actionsApi";
import type { LineupProduct } from "../../lib/api";
import { formatMoney } from "../../lib/format";
import { flashPhase, formatFlash, formatSellOut, sellable } from "../../lib/stock";
import type { ActionRecord, CommerceState } from "../../live/protocol";
import type { StockRow } from "../../live/store";
import { PreviewCard, useMoneyFlow } from "./money";

/** One product of the queue, in run-sheet order. */
export interface QueueItem {
  sku: string;
  name: string;
  /** The run-sheet segment(s) that present it, first one's title. */
  segment: string | null;
  /** It is the product of the segment on air. */
  current: boolean;
}

/**
 * The product queue: the run-sheet's products in its order (a product presented twice, 返场,
 * once, where it first comes), then lineup products the run-sheet does not present; without a
 * run-sheet, the lineup's order.
 */
export function productQueue(
  segments: readonly RunsheetSegment[],
  currentSegmentId: string | null,
  lineup: readonly LineupProduct[],
  names: ReadonlyMap<string, string>,
): QueueItem[] {
  const currentSku = segments.find((s) => s.id === currentSegmentId)?.sku ?? null;
  const out = new Map<string, QueueItem>();
  const nameOf = (sku: string) => names.get(sku) ?? lineup.find((p) => p.sku === sku)?.name ?? sku;
  for (const s of segments) {
    if (s.sku === null || out.has(s.sku)) continue;
    out.set(s.sku, { sku: s.sku, name: nameOf(s.sku), segment: s.title, current: s.sku === currentSku });
  }
  for (const p of lineup) {
    if (!out.has(p.sku)) out.set(p.sku, { sku: p.sku, name: nameOf(p.sku), segment: null, current: false });
  }
  return [...out.values()];
}

interface Props {
  showId: string;
  items: readonly QueueItem[];
  commerce: CommerceState | null;
  lineup: readonly LineupProduct[];
  stock: readonly StockRow[];
  serverNow: number;
  onActions: (a: ActionRecord[]) => void;
}

export function ProductQueue({ showId, items, commerce, lineup, stock, serverNow, onActions }: Props) {
  return (
    <section className="panel as-queue" data-testid="product-queue">
      <div className="panel__head">
        <h2>
          商品队列 <span className="en">Product queue</span>
        </h2>
        <span className="muted small">按脚本顺序 run-sheet order</span>
      </div>
      {items.length === 0 && <p className="muted as-empty">暂无商品 No products yet</p>}
      <ol className="as-queue__list">
        {items.map((item, i) => (
          <ProductCard
            key={item.sku}
            index={i + 1}
            showId={showId}
            item={item}
            commerce={commerce}
            plan={lineup.find((p) => p.sku === item.sku) ?? null}
            row={stock.find((r) => r.sku === item.sku) ?? null}
            serverNow={serverNow}
            onActions={onActions}
          />
        ))}
      </ol>
    </section>
  );
}

type Open = "none" | "price" | "flash";

function ProductCard({
  index,
  showId,
  item,
  commerce,
  plan,
  row,
  serverNow,
  onActions,
}: {
  index: number;
  showId: string;
  item: QueueItem;
  commerce: CommerceState | null;
  plan: LineupProduct | null;
  row: StockRow | null;
  serverNow: number;
  onActions: (a: ActionRecord[]) => void;
}) {
  const [open, setOpen] = useState<Open>("none");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const price = commerce?.prices.find((p) => p.sku === item.sku) ?? null;
  const live = price?.live_price ?? plan?.live_price ?? null;
  const list = price?.list_price ?? plan?.list_price ?? null;
  const pinned = commerce?.pinned_sku === item.sku;
  const sale = row?.flash_sale ?? null;
  const phase = sale === null ? null : flashPhase(sale, serverNow);
  const sellOut = row === null ? null : formatSellOut(row.sell_out_in_seconds);
  const left = row === null ? null : sellable(row);

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const pin = () =>
    run(async () => {
      onActions([await performAction(showId, { type: pinned ? "product.unpin" : "product.pin", sku: item.sku })]);
    });

  return (
    <li
      className={`as-product${item.current ? " as-product--current" : ""}${pinned ? " as-product--pinned" : ""}`}
      data-testid="queue-item"
      data-sku={item.sku}
    >
      <div className="as-product__head">
        <span className="as-product__index num">{index}</span>
        <div className="as-product__title">
          <strong className="as-product__name">{item.name}</strong>
          <span className="mono muted small">{item.sku}</span>
        </div>
        <div className="as-product__badges">
          {item.current && <span className="as-badge as-badge--current">讲解中</span>}
          {pinned && (
            <span className="as-badge as-badge--pinned" data-testid="pinned-badge">
              置顶中
            </span>
          )}
          {phase !== null && (
            <span className={`as-badge as-badge--flash-${phase.phase}`}>秒杀 · {formatFlash(phase).zh}</span>
          )}
        </div>
      </div>
      <div className="as-product__figures">
        <span>
          <span className="as-label">直播价</span>{" "}
          <strong className="as-price num" data-testid="live-price">
            {formatMoney(live)}
          </strong>
        </span>
        <span>
          <span className="as-label">原价</span> <s className="num muted">{formatMoney(list)}</s>
        </span>
        <span>
          <span className="as-label">可售</span>{" "}
          <strong className={`num${left === 0 ? " as-bad" : ""}`} data-testid="available">
            {left === null ? "—" : left}
          </strong>
        </span>
        <span className="muted">{sellOut === null ? "暂无售罄预测" : sellOut.zh}</span>
      </div>
      <div className="as-product__buttons">
        <button
          type="button"
          className={`btn as-btn${pinned ? "" : " btn--primary"}`}
          data-testid="pin"
          disabled={busy}
          onClick={() => void pin()}
        >
          {pinned ? "取消置顶" : "上车/置顶"}
        </button>
        <button
          type="button"
          className="btn as-btn"
          data-testid="price-open"
          aria-expanded={open === "price"}
          onClick={() => setOpen(open === "price" ? "none" : "price")}
        >
          改价
        </button>
        <button
          type="button"
          className="btn as-btn"
          data-testid="flash-open"
          aria-expanded={open === "flash"}
          onClick={() => setOpen(open === "flash" ? "none" : "flash")}
        >
          秒杀
        </button>
      </div>
      {error !== null && (
        <p className="as-error" role="alert">
          {error}
        </p>
      )}
      {open === "price" && (
        <PriceForm
          showId={showId}
          sku={item.sku}
          current={live}
          onSent={(a) => {
            onActions([a]);
            setOpen("none");
          }}
          onClose={() => setOpen("none")}
        />
      )}
      {open === "flash" && (
        <FlashForm
          running={sale !== null && phase?.phase !== "sold_out"}
          hasSale={sale !== null}
          available={row?.available ?? null}
          busy={busy}
          onStart={(cap) =>
            void run(async () => {
              await startFlashSale(showId, item.sku, cap);
              setOpen("none");
            })
          }
          onStop={() =>
            void run(async () => {
              await stopFlashSale(showId, item.sku);
              setOpen("none");
            })
          }
        />
      )}
    </li>
  );
}

function PriceForm({
  showId,
  sku,
  current,
  onSent,
  onClose,
}: {
  showId: string;
  sku: string;
  current: number | null;
  onSent: (a: ActionRecord) => void;
  onClose: () => void;
}) {
  const [text, setText] = useState(current === null ? "" : String(current / 100));
  const [invalid, setInvalid] = useState<string | null>(null);
  const { flow, preview, confirm, cancel } = useMoneyFlow(showId, onSent);
  return (
    <form
      className="as-form"
      data-testid="price-form"
      onSubmit={(e) => {
        e.preventDefault();
        const p = parseYuan(text);
        if (!p.ok) return setInvalid(p.error);
        setInvalid(null);
        void preview({ type: "price.set", sku, live_price: p.fen });
      }}
    >
      <label className="as-field">
        <span className="as-label">新直播价（元）New live price, yuan</span>
        <input
          className="input as-input"
          inputMode="decimal"
          data-testid="price-input"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (flow.phase !== "idle") cancel();
          }}
        />
      </label>
      {invalid !== null && <p className="as-error">{invalid}</p>}
      {flow.phase === "idle" ? (
        <div className="as-form__buttons">
          <button type="submit" className="btn btn--primary as-btn" data-testid="preview-button">
            预览 <span className="en">Preview</span>
          </button>
          <button type="button" className="btn as-btn" onClick={onClose}>
            关闭
          </button>
        </div>
      ) : (
        <PreviewCard flow={flow} confirmLabel="确认改价" onConfirm={() => void confirm()} onCancel={cancel} />
      )}
    </form>
  );
}

function FlashForm({
  running,
  hasSale,
  available,
  busy,
  onStart,
  onStop,
}: {
  running: boolean;
  hasSale: boolean;
  available: number | null;
  busy: boolean;
  onStart: (cap: number) => void;
  onStop: () => void;
}) {
  const [cap, setCap] = useState(available === null ? "50" : String(Math.max(1, Math.min(50, available))));
  const [invalid, setInvalid] = useState<string | null>(null);
  return (
    <div className="as-form" data-testid="flash-form">
      {hasSale && (
        <div className="as-form__buttons">
          <button type="button" className="btn as-btn as-btn--danger" disabled={busy} onClick={onStop}>
            {running ? "停止秒杀" : "结束秒杀（恢复正常售卖）"}
          </button>
        </div>
      )}
      {!running && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const n = parseWhole(cap);
            if (!n.ok) return setInvalid(n.error);
            setInvalid(null);
            onStart(n.n);
          }}
        >
          <label className="as-field">
            <span className="as-label">
              秒杀数量 Units in the sale{available !== null ? `（可售 ${available}）` : ""}
            </span>
            <input
              className="input as-input"
              inputMode="numeric"
              value={cap}
              onChange={(e) => setCap(e.target.value)}
            />
          </label>
          {invalid !== null && <p className="as-error">{invalid}</p>}
          <div className="as-form__buttons">
            <button type="submit" className="btn btn--primary as-btn" disabled={busy}>
              立即开始秒杀 <span className="en">Start now</span>
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
