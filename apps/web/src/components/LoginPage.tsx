import type { LoginResponse } from "@texera-agent/protocol";
import { type FormEvent, useMemo, useState } from "react";
import { ApiClient } from "../api.ts";
import { describeError } from "../api-errors.ts";
import { ThemeToggle } from "./ThemeToggle.tsx";
import { CurrentPasswordField, Notice } from "./ui.tsx";

export function LoginPage({
  message,
  onSignedIn,
}: {
  /** why the user is here: signed out, session expired */
  message: { tone: "info" | "warning"; text: string } | null;
  onSignedIn: (login: LoginResponse) => void;
}) {
  const api = useMemo(() => new ApiClient({ getToken: () => null }), []);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.login({ username: username.trim(), password }));
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  }

  return (
    <main className="login-page">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title" data-testid="login-form">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          <span>Texera Agents</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p className="muted">Build and run dataflow workflows with an AI agent.</p>
        {message && (
          <Notice tone={message.tone} testId="login-message">
            {message.text}
          </Notice>
        )}
        {error && (
          <Notice tone="error" testId="login-error">
            {error}
          </Notice>
        )}
        <label className="field">
          <span>User name</span>
          <input
            name="username"
            autoComplete="username"
            required
            // biome-ignore lint/a11y/noAutofocus: the only task on this page
            autoFocus
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            data-testid="login-username"
          />
        </label>
        <CurrentPasswordField value={password} onChange={setPassword} testId="login-password" />
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy}
          data-testid="login-submit"
        >
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
