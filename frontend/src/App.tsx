import { useCallback, useEffect, useState } from "react";
import { AnchorConsole } from "./components/anchor/AnchorConsole";
import { AssistantConsole } from "./components/assistant/AssistantConsole";
import { ConsolePage } from "./components/ConsolePage";
import { ComparePage } from "./components/review/ComparePage";
import { ReplayPage } from "./components/review/ReplayPage";
import { ReviewPage } from "./components/review/ReviewPage";
import { ShowEntry } from "./components/review/ShowEntry";
import { ShowList } from "./components/ShowList";
import { SignIn } from "./components/SignIn";
import { ShowSetup } from "./components/setup/ShowSetup";
import { getMe, type Me } from "./lib/api";
import { signInFromLink } from "./lib/loginLink";
import { consoleFor, navigate, onLinkClick, useRoute } from "./lib/route";

type Auth =
  | { status: "checking" }
  | { status: "signed_out"; reason?: string }
  | { status: "signed_in"; me: Me }
  | { status: "error"; message: string };

/**
 * The console of a show for the signed-in role: the anchor gets its prompter, the assistant its
 * console (助播台); the others field control's console, or the anchor's or assistant's view
 * when they ask for it.
 */
function consoleOf(page: "console" | "anchor" | "assistant", showId: string, me: Me) {
  const which = consoleFor(page, me.role);
  if (which === "anchor") return <AnchorConsole key={`anchor:${showId}`} showId={showId} me={me} />;
  if (which === "assistant") return <AssistantConsole key={`assistant:${showId}`} showId={showId} me={me} />;
  return <ConsolePage key={showId} showId={showId} me={me} />;
}

/** Auth gate (a pasted token, a login link, or the session cookie) + the pages. */
export function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>({ status: "checking" });

  const check = useCallback(async () => {
    try {
      // A login link's code, if the address holds one, becomes the session cookie first.
      const link = await signInFromLink();
      if (link?.ok === true) navigate(link.landing);
      const me = await getMe();
      if (me !== null) setAuth({ status: "signed_in", me });
      else setAuth(link?.ok === false ? { status: "signed_out", reason: link.reason } : { status: "signed_out" });
    } catch (err) {
      setAuth({ status: "error", message: err instanceof Error ? err.message : String(err) });
    }
  }, []);

  useEffect(() => {
    void check();
  }, [check]);

  if (auth.status === "checking") {
    return <div className="centered muted">正在验证身份… Checking session…</div>;
  }
  if (auth.status === "error") {
    return (
      <div className="centered">
        <div className="panel notice notice--bad">
          <p>无法连接服务器 / cannot reach the server: {auth.message}</p>
          <button type="button" className="btn" onClick={() => void check()}>
            重试 Retry
          </button>
        </div>
      </div>
    );
  }
  if (auth.status === "signed_out") {
    return (
      <div className="centered">
        <SignIn reason={auth.reason} onSignedIn={() => void check()} />
      </div>
    );
  }

  switch (route.page) {
    case "shows":
      return <ShowList me={auth.me} />;
    case "console":
      // An ended show opens on its review for those who may read it; the rest as before.
      return (
        <ShowEntry key={`entry:${route.showId}`} showId={route.showId} role={auth.me.role}>
          {consoleOf("console", route.showId, auth.me)}
        </ShowEntry>
      );
    case "anchor":
    case "assistant":
      return consoleOf(route.page, route.showId, auth.me);
    case "live":
      return <ConsolePage key={`live:${route.showId}`} showId={route.showId} me={auth.me} />;
    case "review":
      return <ReviewPage key={`review:${route.showId}`} showId={route.showId} me={auth.me} />;
    case "replay":
      return <ReplayPage key={`replay:${route.showId}`} showId={route.showId} me={auth.me} />;
    case "compare":
      return <ComparePage me={auth.me} />;
    case "setup":
      return <ShowSetup key={`setup:${route.showId}`} showId={route.showId} me={auth.me} />;
    case "not_found":
      return (
        <div className="centered">
          <div className="panel notice">
            <p>页面不存在 / no such page: {route.path}</p>
            <a href="/" onClick={(e) => onLinkClick(e, "/")}>
              返回场次列表 Back to shows
            </a>
          </div>
        </div>
      );
  }
}
