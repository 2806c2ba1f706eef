import { describe, expect, it } from "vitest";
import { CUE_PRESETS_KEY, DEFAULT_CUE_PRESETS, cleanPresets, loadPresets, localStore, savePresets } from "./cuePresets";

function memory(initial: string | null) {
  let value = initial;
  return {
    getItem: (k: string) => (k === CUE_PRESETS_KEY ? value : null),
    setItem: (k: string, v: string) => {
      if (k === CUE_PRESETS_KEY) value = v;
    },
    get value() {
      return value;
    },
  };
}

describe("cue presets", () => {
  it("defaults when nothing (or garbage) is kept", () => {
    expect(loadPresets(memory(null))).toEqual([...DEFAULT_CUE_PRESETS]);
    expect(loadPresets(memory("{oops"))).toEqual([...DEFAULT_CUE_PRESETS]);
    expect(loadPresets(memory('{"a": 1}'))).toEqual([...DEFAULT_CUE_PRESETS]);
    expect(loadPresets(null)).toEqual([...DEFAULT_CUE_PRESETS]);
  });

  it("the defaults are a clean list", () => {
    expect(cleanPresets(DEFAULT_CUE_PRESETS)).toEqual([...DEFAULT_CUE_PRESETS]);
  });

  it("keeps an edited list, cleaned", () => {
    const store = memory(null);
    expect(savePresets(store, [" 讲尺码 ", "催单", "催单", ""])).toEqual(["讲尺码", "催单"]);
    expect(store.value).toBe('["讲尺码","催单"]');
    expect(loadPresets(store)).toEqual(["讲尺码", "催单"]);
    expect(cleanPresets(Array.from({ length: 20 }, (_, i) => `p${i}`))).toHaveLength(12);
    expect(cleanPresets(["x".repeat(50)])).toEqual(["x".repeat(40)]);
  });

  it("an emptied list stays empty; stored non-strings are dropped", () => {
    const store = memory(null);
    expect(savePresets(store, [])).toEqual([]);
    expect(loadPresets(store)).toEqual([]);
    expect(loadPresets(memory('["上链接", 3, null, "上链接"]'))).toEqual(["上链接"]);
  });

  it("a storage that refuses to keep still answers the list", () => {
    const full = {
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(savePresets(full, ["催单"])).toEqual(["催单"]);
    expect(savePresets(null, ["催单"])).toEqual(["催单"]);
  });

  it("finds no localStorage outside a browser", () => {
    // vitest runs in node here: no localStorage, and no throw.
    expect(() => localStore()).not.toThrow();
  });
});
