import type { ChangeEvent, ReactNode } from "react";

/** A form field's test id and DOM id from its key (`products.2.sku` stays readable). */
export function fieldId(key: string): string {
  return `f-${key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

interface Common {
  /** The API's name for the field (`title`, `products.2.sku`): errors are keyed by it. */
  name: string;
  label: string;
  en?: string;
  error?: string | undefined;
  warning?: string | undefined;
  hint?: ReactNode;
  /** Label hidden (still read by screen readers) where a table header says it. */
  compact?: boolean;
  className?: string;
}

function Message({ name, error, warning, hint }: Pick<Common, "name" | "error" | "warning" | "hint">) {
  if (error !== undefined) {
    // "what to fix · the server's own words": the second part smaller, for whoever reads English.
    const cut = error.indexOf(" · ");
    return (
      <span className="sfield__msg sfield__msg--error" id={`${fieldId(name)}-msg`} data-testid={`error-${name}`}>
        {cut < 0 ? error : error.slice(0, cut)}
        {cut >= 0 && <span className="sfield__server"> {error.slice(cut + 3)}</span>}
      </span>
    );
  }
  if (warning !== undefined)
    return (
      <span className="sfield__msg sfield__msg--warn" id={`${fieldId(name)}-msg`} data-testid={`warning-${name}`}>
        {warning}
      </span>
    );
  if (hint !== undefined)
    return (
      <span className="sfield__msg sfield__msg--hint" id={`${fieldId(name)}-msg`}>
        {hint}
      </span>
    );
  return null;
}

function Label({ name, label, en, compact }: Pick<Common, "name" | "label" | "en" | "compact">) {
  return (
    <label className={`sfield__label${compact === true ? " sfield__label--compact" : ""}`} htmlFor={fieldId(name)}>
      {label}
      {en !== undefined && <span className="en"> {en}</span>}
    </label>
  );
}

function classes(c: Common): string {
  const state = c.error !== undefined ? " sfield--error" : c.warning !== undefined ? " sfield--warn" : "";
  return `sfield${state}${c.className !== undefined ? ` ${c.className}` : ""}`;
}

interface TextProps extends Common {
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "datetime-local";
  inputMode?: "text" | "decimal" | "numeric";
  placeholder?: string;
  maxLength?: number;
  /** Shown inside the box before the value (¥). */
  prefix?: string;
  /** Shown inside the box after the value (%, 分钟). */
  suffix?: string;
  autoFocus?: boolean;
}

export function TextField(p: TextProps) {
  const id = fieldId(p.name);
  const hasMsg = p.error !== undefined || p.warning !== undefined || p.hint !== undefined;
  return (
    <div className={classes(p)}>
      <Label name={p.name} label={p.label} en={p.en} compact={p.compact} />
      <div className="sfield__box">
        {p.prefix !== undefined && <span className="sfield__affix">{p.prefix}</span>}
        <input
          id={id}
          name={p.name}
          className="sfield__input"
          data-testid={`field-${p.name}`}
          type={p.type ?? "text"}
          inputMode={p.inputMode}
          placeholder={p.placeholder}
          maxLength={p.maxLength}
          value={p.value}
          autoFocus={p.autoFocus}
          autoComplete="off"
          aria-invalid={p.error !== undefined}
          aria-describedby={hasMsg ? `${id}-msg` : undefined}
          onChange={(e: ChangeEvent<HTMLInputElement>) => p.onChange(e.target.value)}
        />
        {p.suffix !== undefined && <span className="sfield__affix sfield__affix--after">{p.suffix}</span>}
      </div>
      <Message name={p.name} error={p.error} warning={p.warning} hint={p.hint} />
    </div>
  );
}

interface SelectProps extends Common {
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
  placeholder?: string;
}

export function SelectField(p: SelectProps) {
  const id = fieldId(p.name);
  const hasMsg = p.error !== undefined || p.warning !== undefined || p.hint !== undefined;
  return (
    <div className={classes(p)}>
      <Label name={p.name} label={p.label} en={p.en} compact={p.compact} />
      <div className="sfield__box">
        <select
          id={id}
          name={p.name}
          className="sfield__input sfield__select"
          data-testid={`field-${p.name}`}
          value={p.value}
          aria-invalid={p.error !== undefined}
          aria-describedby={hasMsg ? `${id}-msg` : undefined}
          onChange={(e) => p.onChange(e.target.value)}
        >
          {p.placeholder !== undefined && (
            <option value="" disabled>
              {p.placeholder}
            </option>
          )}
          {p.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <Message name={p.name} error={p.error} warning={p.warning} hint={p.hint} />
    </div>
  );
}

/** Problems that belong to no field: listed above the form's buttons. */
export function FormProblems({ items, testId }: { items: readonly string[]; testId: string }) {
  if (items.length === 0) return null;
  return (
    <div className="sform__problems" role="alert" data-testid={testId}>
      {items.map((t, i) => (
        <p key={i}>{t}</p>
      ))}
    </div>
  );
}

/** Focus the first field with an error, so that a person sees at once what to fix. */
export function focusFirstError(root: HTMLElement | null): void {
  const el = root?.querySelector<HTMLElement>("[aria-invalid='true']");
  if (el !== null && el !== undefined) {
    el.focus();
    el.scrollIntoView({ block: "center", behavior: "smooth" });
  }
}
