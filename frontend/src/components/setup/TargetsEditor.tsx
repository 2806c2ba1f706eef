import { useRef, useState } from "react";
import { formatClock, formatCount, formatMoneyExact, formatRate } from "../../lib/format";
import { putTargets, splitProblems, type ShowDetail, type Targets } from "../../lib/showsApi";
import { FormProblems, TextField, focusFirstError } from "./Field";
import { TARGET_FIELDS, checkTargets, draftFromTargets, type Errors, type TargetsDraft } from "./forms";

interface Props {
  showId: string;
  targets: Targets;
  editable: boolean;
  onSaved: (show: ShowDetail) => void;
}

const LABELS: Record<(typeof TARGET_FIELDS)[number], { zh: string; en: string; hint: string }> = {
  gmv: { zh: "GMV 目标", en: "GMV", hint: "成交金额，元" },
  uv: { zh: "观看人数目标", en: "UV", hint: "去重观众数" },
  conversion_rate: { zh: "转化率目标", en: "conversion", hint: "下单人数 ÷ 观看人数" },
  aov: { zh: "客单价目标", en: "AOV", hint: "每位买家平均成交额，元" },
};

export function TargetsEditor({ showId, targets, editable, onSaved }: Props) {
  if (!editable) {
    const text: Record<(typeof TARGET_FIELDS)[number], string> = {
      gmv: formatMoneyExact(targets.gmv),
      uv: formatCount(targets.uv),
      conversion_rate: formatRate(targets.conversion_rate),
      aov: formatMoneyExact(targets.aov),
    };
    return (
      <dl className="targets__read" data-testid="targets-readonly">
        {TARGET_FIELDS.map((f) => (
          <div key={f} className="targets__item">
            <dt>
              {LABELS[f].zh} <span className="en">{LABELS[f].en}</span>
            </dt>
            <dd className="num" data-testid={`target-${f}`}>
              {targets[f] === null ? "未设" : text[f]}
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <TargetsForm showId={showId} targets={targets} onSaved={onSaved} />;
}

function TargetsForm({ showId, targets, onSaved }: Omit<Props, "editable">) {
  const [draft, setDraft] = useState<TargetsDraft>(() => draftFromTargets(targets));
  const [saved, setSaved] = useState<TargetsDraft>(() => draftFromTargets(targets));
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const check = checkTargets(draft);
  const errors = tried ? check.errors : {};
  const dirty = TARGET_FIELDS.some((f) => draft[f].trim() !== saved[f]);

  const save = async () => {
    setTried(true);
    setGeneral([]);
    setServerErrors({});
    if (check.targets === null) {
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    setBusy(true);
    try {
      const show = await putTargets(showId, check.targets);
      const next = draftFromTargets(show.targets);
      setDraft(next);
      setSaved(next);
      setTried(false);
      setSavedAt(Date.now());
      onSaved(show);
    } catch (err) {
      const split = splitProblems(err, (k) => (TARGET_FIELDS as readonly string[]).includes(k));
      setServerErrors(split.fields);
      setGeneral(split.general);
      requestAnimationFrame(() => focusFirstError(formRef.current));
    } finally {
      setBusy(false);
    }
  };

  const field = (f: (typeof TARGET_FIELDS)[number], extra: { prefix?: string; suffix?: string; numeric?: boolean }) => (
    <TextField
      name={f}
      label={LABELS[f].zh}
      en={LABELS[f].en}
      hint={LABELS[f].hint}
      value={draft[f]}
      placeholder="不设"
      inputMode={extra.numeric === true ? "numeric" : "decimal"}
      prefix={extra.prefix}
      suffix={extra.suffix}
      error={errors[f] ?? serverErrors[f]}
      onChange={(v) => {
        setDraft((d) => ({ ...d, [f]: v }));
        setServerErrors(({ [f]: _gone, ...rest }) => rest);
      }}
    />
  );

  return (
    <form
      ref={formRef}
      className="targets"
      data-testid="targets-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="targets__fields">
        {field("gmv", { prefix: "¥" })}
        {field("uv", { suffix: "人", numeric: true })}
        {field("conversion_rate", { suffix: "%" })}
        {field("aov", { prefix: "¥" })}
      </div>
      <p className="muted small targets__note">
        留空即不设该目标；保存会替换全部目标。Empty = no target; saving replaces all targets.
      </p>
      <FormProblems items={general} testId="targets-problems" />
      <div className="sform__bar">
        <button type="submit" className="sbtn sbtn--primary" data-testid="targets-save" disabled={busy}>
          {busy ? "保存中…" : "保存目标"} <span className="en">Save targets</span>
        </button>
        <span className="sform__state" data-testid="targets-state" role="status">
          {Object.keys(errors).length + Object.keys(serverErrors).length > 0
            ? "有需要修改的地方"
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
