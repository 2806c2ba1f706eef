import { useState, type FormEvent } from "react";
import { HttpError, login } from "../lib/api";

interface Props {
  onSignedIn: () => void;
  /** Shown above the form, e.g. why the user has to sign in again. */
  reason?: string;
}

/**
 * Paste-a-token sign-in. The token goes only into the login request body; the server
 * answers with an HttpOnly session cookie, and the token is dropped from memory.
 */
export function SignIn({ onSignedIn, reason }: Props) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(ev: FormEvent<HTMLFormElement>) {
    ev.preventDefault();
    const value = token.trim();
    if (value === "") {
      setError("请粘贴令牌 / paste a token");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(value);
      setToken("");
      onSignedIn();
    } catch (err) {
      if (err instanceof HttpError) setError(err.detail);
      else setError(`无法连接服务器 / cannot reach the server (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel signin" data-testid="signin-form" onSubmit={(ev) => void submit(ev)}>
      <div className="brand brand--large">
        LiveOps <span className="brand__sub">场控台</span>
      </div>
      <h1 className="signin__title">
        登录 <span className="en">Sign in</span>
      </h1>
      {reason !== undefined && <p className="muted">{reason}</p>}
      <label className="field">
        <span className="field__label">访问令牌 Access token</span>
        <input
          className="input"
          type="password"
          name="token"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          data-testid="signin-token"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="粘贴令牌 paste token"
        />
      </label>
      {error !== null && (
        <p className="signin__error" role="alert" data-testid="signin-error">
          {error}
        </p>
      )}
      <button className="btn btn--primary" type="submit" disabled={busy} data-testid="signin-submit">
        {busy ? "登录中…" : "登录 Sign in"}
      </button>
      <p className="muted small">也可以打开管理员发给你的一次性登录链接。 Or open a one-time login link.</p>
    </form>
  );
}
