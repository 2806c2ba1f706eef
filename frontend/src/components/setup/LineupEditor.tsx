import { useMemo, useRef, useState } from "react";
import type { LineupProduct } from "../../lib/api";
import { formatClock, formatCount, formatMoneyExact } from "../../lib/format";
import { putLineup, splitProblems } from "../../lib/showsApi";
import { FormProblems, SelectField, TextField, focusFirstError } from "./Field";
import {
  PRODUCT_FIELDS,
  PRODUCT_ROLES,
  checkLineup,
  draftFromProduct,
  emptyProduct,
  isBlank,
  moveRow,
  type Errors,
  type ProductDraft,
} from "./forms";

interface Props {
  showId: string;
  products: readonly LineupProduct[];
  editable: boolean;
  onSaved: (products: LineupProduct[]) => void;
}

const ROLE_OPTIONS = PRODUCT_ROLES.map((r) => ({ value: r, label: r }));

function same(a: readonly ProductDraft[], b: readonly ProductDraft[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((row, i) => PRODUCT_FIELDS.every((f) => row[f] === b[i]?.[f]));
}

export function LineupEditor({ showId, products, editable, onSaved }: Props) {
  if (!editable) return <LineupReadOnly products={products} />;
  return <LineupForm showId={showId} products={products} onSaved={onSaved} />;
}

function LineupForm({ showId, products, onSaved }: Omit<Props, "editable">) {
  const initial = useMemo(() => products.map(draftFromProduct), [products]);
  const [saved, setSaved] = useState<readonly ProductDraft[]>(initial);
  const [rows, setRows] = useState<readonly ProductDraft[]>(initial.length > 0 ? initial : [emptyProduct()]);
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const nonBlank = rows.filter((r) => !isBlank(r));
  // Checked as typed once a save was tried; before that only the warnings show.
  const check = checkLineup(nonBlank);
  const localErrors = tried ? check.errors : {};
  const dirty = !same(nonBlank, saved);

  // Errors are keyed by position among the rows sent; map them back to the rows shown.
  const indexOf = new Map(nonBlank.map((r, i) => [r.key, i]));
  const errorFor = (row: ProductDraft, field: string): string | undefined => {
    const i = indexOf.get(row.key);
    if (i === undefined) return undefined;
    const k = `products.${i}.${field}`;
    return localErrors[k] ?? serverErrors[k];
  };
  const warningFor = (row: ProductDraft, field: string): string | undefined => {
    const i = indexOf.get(row.key);
    return i === undefined ? undefined : check.warnings[`products.${i}.${field}`];
  };

  const edit = (key: string, field: (typeof PRODUCT_FIELDS)[number], value: string) => {
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, [field]: value } : r)));
    // A server error on a field is answered by editing it.
    const i = indexOf.get(key);
    if (i !== undefined) {
      setServerErrors((e) => {
        const k = `products.${i}.${field}`;
        if (!(k in e)) return e;
        const { [k]: _gone, ...rest } = e;
        return rest;
      });
    }
  };

  const save = async () => {
    setTried(true);
    setGeneral([]);
    setServerErrors({});
    setRows(nonBlank.length > 0 ? nonBlank : rows);
    if (check.products === null) {
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    setBusy(true);
    try {
      const answer = await putLineup(showId, check.products);
      const drafts = answer.map(draftFromProduct);
      // Keep the rows as they are (their keys, what was typed); the saved copy is the answer.
      setSaved(drafts);
      setRows(nonBlank.map((r, i) => ({ ...(drafts[i] ?? r), key: r.key })));
      setTried(false);
      setSavedAt(Date.now());
      onSaved(answer);
    } catch (err) {
      const split = splitProblems(err, (k) => k === "products" || /^products\.\d+\.[a-z_]+$/.test(k));
      setServerErrors(split.fields);
      setGeneral(split.general);
      requestAnimationFrame(() => focusFirstError(formRef.current));
    } finally {
      setBusy(false);
    }
  };

  const errorCount = Object.keys(localErrors).length + Object.keys(serverErrors).length;

  return (
    <form
      ref={formRef}
      className="lineup"
      data-testid="lineup-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <ol className="lineup__rows">
        {rows.map((row, i) => (
          <li key={row.key} className="lrow" data-testid={`lineup-row-${i}`}>
            <div className="lrow__head">
              <span className="lrow__no num">{i + 1}</span>
              <span className="lrow__title">{row.name.trim() || row.sku.trim() || "新商品"}</span>
              <div className="lrow__tools">
                <button
                  type="button"
                  className="sbtn sbtn--icon"
                  aria-label={`上移第 ${i + 1} 个商品`}
                  title="上移 move up"
                  data-testid={`lineup-up-${i}`}
                  disabled={i === 0}
                  onClick={() => setRows((rs) => moveRow(rs, i, -1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="sbtn sbtn--icon"
                  aria-label={`下移第 ${i + 1} 个商品`}
                  title="下移 move down"
                  data-testid={`lineup-down-${i}`}
                  disabled={i === rows.length - 1}
                  onClick={() => setRows((rs) => moveRow(rs, i, 1))}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="sbtn sbtn--icon sbtn--danger"
                  aria-label={`删除第 ${i + 1} 个商品`}
                  title="删除 remove"
                  data-testid={`lineup-remove-${i}`}
                  onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}
                >
                  ✕
                </button>
              </div>
            </div>
            <div className="lrow__fields">
              <TextField
                name={`products.${i}.sku`}
                className="lrow__sku"
                label="SKU"
                value={row.sku}
                maxLength={64}
                error={errorFor(row, "sku")}
                onChange={(v) => edit(row.key, "sku", v)}
              />
              <TextField
                name={`products.${i}.name`}
                className="lrow__name"
                label="商品名称"
                en="name"
                value={row.name}
                maxLength={200}
                error={errorFor(row, "name")}
                onChange={(v) => edit(row.key, "name", v)}
              />
              <SelectField
                name={`products.${i}.role`}
                className="lrow__role"
                label="角色"
                en="role"
                value={row.role}
                placeholder="请选择"
                options={ROLE_OPTIONS}
                error={errorFor(row, "role")}
                onChange={(v) => edit(row.key, "role", v)}
              />
              <TextField
                name={`products.${i}.list_price`}
                className="lrow__money"
                label="原价"
                en="list"
                prefix="¥"
                inputMode="decimal"
                placeholder="0.00"
                value={row.list_price}
                error={errorFor(row, "list_price")}
                onChange={(v) => edit(row.key, "list_price", v)}
              />
              <TextField
                name={`products.${i}.live_price`}
                className="lrow__money"
                label="直播价"
                en="live"
                prefix="¥"
                inputMode="decimal"
                placeholder="0.00"
                value={row.live_price}
                error={errorFor(row, "live_price")}
                warning={warningFor(row, "live_price")}
                onChange={(v) => edit(row.key, "live_price", v)}
              />
              <TextField
                name={`products.${i}.allocated_stock`}
                className="lrow__stock"
                label="库存"
                en="stock"
                suffix="件"
                inputMode="numeric"
                placeholder="0"
                value={row.allocated_stock}
                error={errorFor(row, "allocated_stock")}
                onChange={(v) => edit(row.key, "allocated_stock", v)}
              />
            </div>
          </li>
        ))}
      </ol>
      {rows.length === 0 && <p className="muted lineup__empty">还没有商品。No products yet.</p>}
      <button
        type="button"
        className="sbtn sbtn--add"
        data-testid="lineup-add"
        onClick={() => {
          setRows((rs) => [...rs, emptyProduct()]);
          requestAnimationFrame(() => {
            const inputs = formRef.current?.querySelectorAll<HTMLInputElement>("[name$='.sku']");
            inputs?.[inputs.length - 1]?.focus();
          });
        }}
      >
        ＋ 添加商品 <span className="en">Add product</span>
      </button>
      <FormProblems items={general} testId="lineup-problems" />
      <div className="sform__bar">
        <button type="submit" className="sbtn sbtn--primary" data-testid="lineup-save" disabled={busy}>
          {busy ? "保存中…" : `保存商品（${nonBlank.length}）`} <span className="en">Save lineup</span>
        </button>
        {dirty && (
          <button
            type="button"
            className="sbtn"
            data-testid="lineup-reset"
            onClick={() => {
              setRows(saved.length > 0 ? saved : [emptyProduct()]);
              setServerErrors({});
              setGeneral([]);
              setTried(false);
            }}
          >
            撤销修改 <span className="en">Undo</span>
          </button>
        )}
        <span className="sform__state" data-testid="lineup-state" role="status">
          {errorCount > 0
            ? `有 ${errorCount} 处需要修改`
            : dirty
              ? "有未保存的修改"
              : savedAt !== null
                ? `已保存 ${formatClock(savedAt)}`
                : ""}
        </span>
      </div>
    </form>
  );
}

function LineupReadOnly({ products }: { products: readonly LineupProduct[] }) {
  if (products.length === 0) return <p className="muted">还没有商品。No products yet.</p>;
  return (
    <div className="table-scroll">
      <table className="table lineup__table" data-testid="lineup-readonly">
        <thead>
          <tr>
            <th>#</th>
            <th>商品 Product</th>
            <th>角色</th>
            <th className="num">原价</th>
            <th className="num">直播价</th>
            <th className="num">库存</th>
          </tr>
        </thead>
        <tbody>
          {products.map((p, i) => (
            <tr key={p.sku}>
              <td className="num muted">{i + 1}</td>
              <td>
                <div>{p.name}</div>
                <div className="mono muted">{p.sku}</div>
              </td>
              <td>{p.role}</td>
              <td className="num">{formatMoneyExact(p.list_price)}</td>
              <td className="num">{formatMoneyExact(p.live_price)}</td>
              <td className="num">{formatCount(p.allocated_stock)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
