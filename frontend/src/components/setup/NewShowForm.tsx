import { useRef, useState } from "react";
import { onLinkClick, setupPath } from "../../lib/route";
import { createShow, splitProblems, type ShowDetail } from "../../lib/showsApi";
import { FormProblems, SelectField, TextField, focusFirstError } from "./Field";
import { EMPTY_NEW_SHOW, NEW_SHOW_FIELDS, PLATFORMS, checkNewShow, type Errors, type NewShowDraft } from "./forms";

const PLATFORM_OPTIONS = PLATFORMS.map((p) => ({ value: p.value, label: p.label }));

/**
 * 新建直播: the fields of `POST /api/v1/shows` a planner fills before the day (the server
 * makes the id). Checked before sending; the server's 422 problems land next to their
 * fields, and what was typed stays.
 */
export function NewShowForm({ onCreated }: { onCreated: (show: ShowDetail) => void }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<NewShowDraft>(EMPTY_NEW_SHOW);
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<ShowDetail | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const check = checkNewShow(draft);
  const errors = tried ? check.errors : {};
  // The form's `planned_start` is the API's `planned_start_at`: errors use the API's names.
  const errorOf = (key: string) => errors[key] ?? serverErrors[key];

  const set = (field: keyof NewShowDraft, apiKey: string) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setServerErrors(({ [apiKey]: _gone, ...rest }) => rest);
  };

  const submit = async () => {
    setTried(true);
    setGeneral([]);
    setServerErrors({});
    if (check.body === null) {
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    setBusy(true);
    try {
      const show = await createShow(check.body);
      setCreated(show);
      setDraft(EMPTY_NEW_SHOW);
      setTried(false);
      setOpen(false);
      onCreated(show);
    } catch (err) {
      const split = splitProblems(err, (k) => NEW_SHOW_FIELDS.includes(k));
      setServerErrors(split.fields);
      setGeneral(split.general);
      requestAnimationFrame(() => focusFirstError(formRef.current));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="newshow" aria-label="新建直播 New show">
      {created !== null && (
        <div className="newshow__done" role="status" data-testid="create-done">
          <span>
            已创建「{created.title}」<span className="mono muted"> {created.id}</span>
          </span>
          <a
            className="sbtn sbtn--primary"
            href={setupPath(created.id)}
            data-testid="create-setup-link"
            onClick={(e) => onLinkClick(e, setupPath(created.id))}
          >
            设置商品和目标 <span className="en">Set up</span> →
          </a>
        </div>
      )}
      {!open && (
        <button
          type="button"
          className="sbtn sbtn--primary newshow__open"
          data-testid="create-open"
          onClick={() => {
            setOpen(true);
            setCreated(null);
          }}
        >
          ＋ 新建直播 <span className="en">New show</span>
        </button>
      )}
      {open && (
        <form
          ref={formRef}
          className="panel newshow__form"
          data-testid="create-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <div className="panel__head">
            <h2>
              新建直播 <span className="en">New show</span>
            </h2>
            <span className="muted small">场次 ID 由系统生成 · the id is made by the server</span>
          </div>
          <div className="newshow__fields">
            <TextField
              name="title"
              className="newshow__title"
              label="直播标题"
              en="title"
              placeholder="如：双11 美妆专场"
              maxLength={200}
              autoFocus
              value={draft.title}
              error={errorOf("title")}
              onChange={set("title", "title")}
            />
            <SelectField
              name="platform"
              label="平台"
              en="platform"
              options={PLATFORM_OPTIONS}
              value={draft.platform}
              error={errorOf("platform")}
              onChange={set("platform", "platform")}
            />
            <TextField
              name="room"
              label="直播间"
              en="room"
              placeholder="选填，如直播间号"
              maxLength={200}
              value={draft.room}
              error={errorOf("room")}
              onChange={set("room", "room")}
            />
            <TextField
              name="planned_start_at"
              label="计划开播"
              en="planned start"
              type="datetime-local"
              value={draft.planned_start}
              error={errorOf("planned_start_at")}
              hint="选填，本地时间"
              onChange={set("planned_start", "planned_start_at")}
            />
            <TextField
              name="planned_minutes"
              label="计划时长"
              en="minutes"
              inputMode="numeric"
              suffix="分钟"
              placeholder="如 120"
              value={draft.planned_minutes}
              error={errorOf("planned_minutes")}
              onChange={set("planned_minutes", "planned_minutes")}
            />
            <TextField
              name="anchors"
              className="newshow__anchors"
              label="主播"
              en="anchors"
              placeholder="多位用逗号或顿号分开，如：小美、阿杰"
              value={draft.anchors}
              error={errorOf("anchors")}
              onChange={set("anchors", "anchors")}
            />
          </div>
          <FormProblems items={general} testId="create-problems" />
          <div className="sform__bar">
            <button type="submit" className="sbtn sbtn--primary" data-testid="create-submit" disabled={busy}>
              {busy ? "创建中…" : "创建直播"} <span className="en">Create</span>
            </button>
            <button type="button" className="sbtn" data-testid="create-cancel" onClick={() => setOpen(false)}>
              收起 <span className="en">Close</span>
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
