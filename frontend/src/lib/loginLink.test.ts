import { describe, expect, it } from "vitest";
import { HttpError, type Me } from "./api";
import { landingPath, parseLoginFragment, redeemFrom } from "./loginLink";

const ADMIN: Me = { role: "admin", show_id: null };
const ANCHOR: Me = { role: "anchor", show_id: "show_b" };

function fakeHistory() {
  const urls: string[] = [];
  return { urls, replaceState: (_d: unknown, _u: string, url?: string | null) => void urls.push(url ?? "") };
}

describe("login links", () => {
  it("reads the code and the landing show from the fragment", () => {
    expect(parseLoginFragment("#code=loc_abc-_1&show=show_a")).toEqual({ code: "loc_abc-_1", show: "show_a" });
    expect(parseLoginFragment("#code=loc_abc")).toEqual({ code: "loc_abc", show: null });
    expect(parseLoginFragment("")).toBeNull();
    expect(parseLoginFragment("#show=show_a")).toBeNull();
    expect(parseLoginFragment("#code=")).toBeNull();
  });

  it("lands on the named show, else the session's show, else the list, always on our own pages", () => {
    expect(landingPath({ code: "c", show: "show_a" }, ADMIN)).toBe("/shows/show_a");
    expect(landingPath({ code: "c", show: null }, ANCHOR)).toBe("/shows/show_b");
    expect(landingPath({ code: "c", show: null }, ADMIN)).toBe("/");
    expect(landingPath({ code: "c", show: "//evil.example/x" }, ADMIN)).toBe("/shows/%2F%2Fevil.example%2Fx");
  });

  it("takes the code out of the address bar before redeeming it", async () => {
    const history = fakeHistory();
    const seen: string[] = [];
    const outcome = await redeemFrom(
      { hash: "#code=loc_1&show=show_a", pathname: "/", search: "" },
      history,
      (code) => {
        seen.push(code);
        expect(history.urls).toEqual(["/"]);
        return Promise.resolve(ADMIN);
      },
    );
    expect(seen).toEqual(["loc_1"]);
    expect(outcome).toEqual({ ok: true, me: ADMIN, landing: "/shows/show_a" });
  });

  it("says why a used link did not sign in", async () => {
    const history = fakeHistory();
    const outcome = await redeemFrom({ hash: "#code=loc_1", pathname: "/", search: "" }, history, () =>
      Promise.reject(new HttpError(401, "this sign-in link has expired or was already used")),
    );
    expect(outcome).toEqual({ ok: false, reason: "登录链接无效 / this sign-in link has expired or was already used" });
    expect(history.urls).toEqual(["/"]);
  });

  it("does nothing without a code", async () => {
    const history = fakeHistory();
    expect(
      await redeemFrom({ hash: "", pathname: "/", search: "" }, history, () => Promise.reject(new Error("no"))),
    ).toBeNull();
    expect(history.urls).toEqual([]);
  });
});
