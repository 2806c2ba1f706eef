import { describe, expect, it } from "vitest";
import { HttpError } from "./api";
import {
  ApiError,
  apiErrorFrom,
  errorSentence,
  fieldKey,
  mayControl,
  mayCreateShows,
  mayPlan,
  parseShowDetail,
  problemText,
  splitProblems,
} from "./showsApi";

// A 422 as src/liveops/http_errors.py writes it.
const INVALID = {
  detail: "title: String should have at least 1 character; …",
  code: "invalid_body",
  errors: [
    { type: "string_too_short", loc: ["body", "title"], msg: "String should have at least 1 character", input: "" },
    {
      type: "value_error",
      loc: ["body", "planned_start_at"],
      msg: "Value error, must lie in the years 2000–2099 (got year 2150)",
      input: "2150-01-01T12:00:00.000Z",
    },
    { type: "less_than_equal", loc: ["body", "planned_minutes"], msg: "Input should be less than or equal to 1440" },
    { type: "string_too_long", loc: ["body", "anchors", 3], msg: "String should have at most 100 characters" },
    { type: "extra_forbidden", loc: ["body", "id"], msg: "Extra inputs are not permitted" },
  ],
};

const NEW_SHOW_FIELDS = ["title", "platform", "room", "planned_start_at", "planned_minutes", "anchors"];

describe("permissions, as src/liveops/auth/principal.py has them", () => {
  it.each([
    ["admin", true, true, true],
    ["operations", true, true, true],
    ["field_control", false, false, true],
    ["assistant", false, false, false],
    ["anchor", false, false, false],
    ["integrator", false, false, false],
  ])("%s: create %s, plan %s, start and end %s", (role, create, plan, control) => {
    expect(mayCreateShows(role)).toBe(create);
    expect(mayPlan(role)).toBe(plan);
    expect(mayControl(role)).toBe(control);
  });
});

describe("server errors on form fields", () => {
  it("reads a 422's problems and keeps its detail and code", () => {
    const err = apiErrorFrom(422, "Unprocessable Entity", INVALID);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe("invalid_body");
    expect(err.problems).toHaveLength(5);
    expect(err.problems[3]).toEqual({
      type: "string_too_long",
      loc: ["body", "anchors", 3],
      msg: "String should have at most 100 characters",
    });
    expect(err.detail).toBe(INVALID.detail);
  });

  it("names a field by the API's path", () => {
    expect(fieldKey(["body", "products", 2, "live_price"])).toBe("products.2.live_price");
    expect(fieldKey(["body", "gmv"])).toBe("gmv");
    expect(fieldKey(["path", "show_id"])).toBe("path.show_id");
  });

  it("puts each problem on its field, in words, and the rest apart", () => {
    const split = splitProblems(apiErrorFrom(422, "", INVALID), (k) => NEW_SHOW_FIELDS.includes(k));
    expect(split.fields.title).toBe("不能为空 · String should have at least 1 character");
    expect(split.fields.planned_start_at).toBe(
      "年份须在 2000–2099 之间（填的是 2150 年） · Value error, must lie in the years 2000–2099 (got year 2150)",
    );
    expect(split.fields.planned_minutes).toMatch(/^不能大于 1440 · /);
    expect(split.fields.anchors).toMatch(/^太长了：最多 100 个字 · /);
    expect(split.general).toEqual(["id: 服务器不接受这一项 · Extra inputs are not permitted"]);
  });

  it("reads money limits in yuan and rates as percentages", () => {
    expect(
      problemText({
        type: "less_than_equal",
        loc: ["body", "products", 0, "live_price"],
        msg: "Input should be less than or equal to 1000000000000",
      }).zh,
    ).toBe("不能大于 ¥10,000,000,000.00");
    expect(
      problemText({
        type: "less_than_equal",
        loc: ["body", "conversion_rate"],
        msg: "Input should be less than or equal to 1",
      }).zh,
    ).toBe("不能大于 100%");
    expect(
      problemText({
        type: "greater_than_equal",
        loc: ["body", "uv"],
        msg: "Input should be greater than or equal to 0",
      }).zh,
    ).toBe("不能小于 0");
  });

  it("joins two problems of one field, and lists those of no field", () => {
    const err = new ApiError(
      422,
      "d",
      "invalid_body",
      [
        { loc: ["body", "products", 0, "sku"], type: "string_too_short", msg: "m1" },
        { loc: ["body", "products", 0, "sku"], type: "value_error", msg: "must not contain control characters" },
        { loc: ["body", "products"], type: "too_long", msg: "List should have at most 500 items" },
      ],
      [],
    );
    const split = splitProblems(err, (k) => /^products\.\d+\.sku$/.test(k));
    expect(split.fields).toEqual({
      "products.0.sku": "不能为空 · m1；不能包含换行、制表符等控制字符 · must not contain control characters",
    });
    expect(split.general).toEqual(["products: 项数太多了 · List should have at most 500 items"]);
  });

  it("says what a refusal means when it names no field", () => {
    const dup = apiErrorFrom(409, "Conflict", {
      detail: "each SKU may appear once in a lineup; repeated: A",
      code: "conflict",
    });
    expect(splitProblems(dup, () => true)).toEqual({
      fields: {},
      general: ["与当前状态冲突 · each SKU may appear once in a lineup; repeated: A"],
    });
    expect(errorSentence(apiErrorFrom(403, "Forbidden", { detail: "no", code: "forbidden" }))).toBe(
      "你的角色无权执行此操作 · no",
    );
    expect(errorSentence(new TypeError("Failed to fetch"))).toBe("无法连接服务器 · Failed to fetch");
  });

  it("lists a refused start's compliance findings", () => {
    const err = apiErrorFrom(409, "Conflict", {
      detail: "the run-sheet has 1 compliance finding",
      code: "compliance_findings",
      findings: [
        {
          segment_id: "s1",
          field: "script",
          term: "最好",
          kind: "absolute",
          start: 0,
          end: 2,
          reason: "绝对化用语",
          suggestion: "很好",
        },
      ],
    });
    expect(err.findings).toEqual([{ segment_id: "s1", term: "最好", reason: "绝对化用语", suggestion: "很好" }]);
  });
});

describe("a show as the API answers it", () => {
  it("reads every field, and nothing that is not a show", () => {
    const show = parseShowDetail({
      id: "show_1",
      title: "双11",
      platform: "douyin",
      room: null,
      status: "live",
      planned_start_at: "2031-11-11T12:00:00Z",
      planned_minutes: 120,
      anchors: ["小美", 3],
      targets: { gmv: 100, conversion_rate: 0.05 },
      created_at: "2031-11-01T00:00:00Z",
      started_at: "2031-11-11T12:01:00Z",
      ended_at: null,
    });
    expect(show).toEqual({
      id: "show_1",
      title: "双11",
      platform: "douyin",
      room: null,
      status: "live",
      planned_start_at: "2031-11-11T12:00:00Z",
      planned_minutes: 120,
      anchors: ["小美"],
      targets: { gmv: 100, uv: null, conversion_rate: 0.05, aov: null },
      created_at: "2031-11-01T00:00:00Z",
      started_at: "2031-11-11T12:01:00Z",
      ended_at: null,
    });
    expect(parseShowDetail({ title: "no id" })).toBeNull();
    expect(parseShowDetail("show_1")).toBeNull();
  });
});
