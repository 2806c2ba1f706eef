import type { ConnStatus } from "../live/client";
import { SignIn } from "./SignIn";

/** The sign-in form over the page once the session has ended; it restarts the stream when signed in. */
export function SignedOutOverlay({ conn, onSignedIn }: { conn: ConnStatus; onSignedIn: () => void }) {
  if (conn.state !== "signed_out") return null;
  return (
    <div className="overlay">
      <SignIn reason="会话已过期，请重新登录 / your session ended, sign in again" onSignedIn={onSignedIn} />
    </div>
  );
}

/**
 * What a console says about its stream under the header: the stream stopped (with why), the
 * stream's history lost and the state being read again, or signed out (the sign-in form over
 * the page). Nothing while the stream is in step.
 */
export function ConnectionBanners({
  conn,
  resyncReason,
  onSignedIn,
}: {
  conn: ConnStatus;
  resyncReason: string | null;
  onSignedIn: () => void;
}) {
  return (
    <>
      {conn.state === "failed" && (
        <div className="banner banner--bad" role="alert" data-testid="conn-error">
          {conn.error ?? "连接已停止 / stopped"}
        </div>
      )}
      {conn.state === "resyncing" && resyncReason !== null && (
        <div className="banner banner--warn" role="status">
          数据流已重置，正在重新同步 / stream history lost, resyncing: {resyncReason}
        </div>
      )}
      <SignedOutOverlay conn={conn} onSignedIn={onSignedIn} />
    </>
  );
}
