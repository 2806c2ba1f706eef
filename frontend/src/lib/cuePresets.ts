// Cue presets: the one-tap cues of the cue panel (components/CuePanel.tsx), kept on this
// device. A field-control person edits them for their own shows (编辑预设); they live in this
// browser's localStorage, so another console or browser starts from the defaults.

/** What field control says to an anchor most often. */
export const DEFAULT_CUE_PRESETS: readonly string[] = [
  "看评论区",
  "上链接",
  "讲库存",
  "报价格",
  "催单",
  "讲尺码",
  "放慢语速",
  "互动一下",
];
export const CUE_PRESETS_KEY = "liveops.fc.cuePresets";
export const PRESETS_MAX = 12;
export const PRESET_MAX_CHARS = 40;

/** The presets kept in storage, or the defaults when none (or unreadable ones) are kept. */
export function loadPresets(storage: Pick<Storage, "getItem"> | null): string[] {
  try {
    const raw = storage?.getItem(CUE_PRESETS_KEY);
    if (raw === null || raw === undefined) return [...DEFAULT_CUE_PRESETS];
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) return [...DEFAULT_CUE_PRESETS];
    return cleanPresets(parsed.filter((p): p is string => typeof p === "string"));
  } catch {
    return [...DEFAULT_CUE_PRESETS];
  }
}

/** Trimmed, no empty ones, no repeats, each at most 40 characters, at most 12. */
export function cleanPresets(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of list) {
    const t = p.trim().slice(0, PRESET_MAX_CHARS);
    if (t !== "" && !out.includes(t)) out.push(t);
  }
  return out.slice(0, PRESETS_MAX);
}

/** Keeps the list (cleaned) and answers it as kept. */
export function savePresets(storage: Pick<Storage, "setItem"> | null, list: readonly string[]): string[] {
  const clean = cleanPresets(list);
  try {
    storage?.setItem(CUE_PRESETS_KEY, JSON.stringify(clean));
  } catch {
    // A full or disabled storage: the list still holds for this page.
  }
  return clean;
}

/** This browser's localStorage, or null where there is none (or it may not be read). */
export function localStore(): Storage | null {
  try {
    return typeof localStorage !== "undefined" ? localStorage : null;
  } catch {
    return null;
  }
}
