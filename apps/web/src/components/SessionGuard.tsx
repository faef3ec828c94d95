import type { LoginResponse } from "@texera-agent/protocol";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { ApiClient } from "../api.ts";
import { describeError } from "../api-errors.ts";
import { formatCountdown, msUntilExpiry, type Session, WARN_BEFORE_MS } from "../session.ts";
import { CurrentPasswordField, Notice } from "./ui.tsx";

/** setTimeout's limit; a longer wait is simply re-armed when the timer fires */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The session's end: a warning with a countdown in the last minutes, and a dialog that asks for the
 * password to stay signed in (before expiry, or after it: the page behind it is kept as it was, so an
 * unsent message is still there after signing in again).
 */
export function SessionGuard({
  session,
  expired,
  onExpired,
  onRenewed,
  onSignOut,
}: {
  session: Session;
  expired: boolean;
  onExpired: () => void;
  onRenewed: (login: LoginResponse) => void;
  onSignOut: () => void;
}) {
  const [now, setNow] = useState(() => Date.now());
  const [asking, setAsking] = useState(false);
  const left = msUntilExpiry(session, new Date(now));
  const warning = !expired && left !== null && left <= WARN_BEFORE_MS;

  // Wakes at the warning time, then every second for the countdown, and marks the session expired at 0.
  // biome-ignore lint/correctness/useExhaustiveDependencies: each tick (now) arms the next timer
  useEffect(() => {
    if (expired) return;
    const ms = msUntilExpiry(session);
    if (ms === null) return;
    if (ms === 0) {
      onExpired();
      return;
    }
    const untilWarning = ms - WARN_BEFORE_MS;
    const wait = untilWarning > 0 ? untilWarning : ms % 1000 || 1000; // next whole second of the countdown
    const timer = setTimeout(() => setNow(Date.now()), Math.min(wait, MAX_TIMER_MS));
    return () => clearTimeout(timer);
  }, [session, expired, now, onExpired]);

  // A renewed session (here or in another tab) closes the dialog.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the token changes
  useEffect(() => {
    setAsking(false);
    setNow(Date.now());
  }, [session.accessToken]);

  return (
    <>
      {warning && !asking && (
        <div className="session-warning" role="status" data-testid="session-warning">
          <span>
            Your session ends in <strong>{formatCountdown(left ?? 0)}</strong>.
          </span>
          <button
            type="button"
            className="button button-small"
            onClick={() => setAsking(true)}
            data-testid="session-stay"
          >
            Stay signed in
          </button>
        </div>
      )}
      {(expired || asking) && (
        <RenewDialog
          session={session}
          expired={expired}
          onRenewed={onRenewed}
          onCancel={expired ? null : () => setAsking(false)}
          onSignOut={onSignOut}
        />
      )}
    </>
  );
}

function RenewDialog({
  session,
  expired,
  onRenewed,
  onCancel,
  onSignOut,
}: {
  session: Session;
  expired: boolean;
  onRenewed: (login: LoginResponse) => void;
  /** null when there is nothing to go back to (the session has run out) */
  onCancel: (() => void) | null;
  onSignOut: () => void;
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const api = useMemo(() => new ApiClient({ getToken: () => null }), []);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const login = await api.login({ username: session.user.name, password });
      if (login.user.id !== session.user.id) throw new Error("That sign-in belongs to another user.");
      onRenewed(login);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialogRef}
      className="dialog dialog-narrow"
      aria-labelledby="session-title"
      aria-describedby="session-why"
      data-testid="session-dialog"
      data-expired={expired ? "true" : "false"}
      onCancel={(event) => {
        event.preventDefault(); // Escape: back to the page only while the session still runs
        onCancel?.();
      }}
    >
      <form onSubmit={submit} className="dialog-form">
        <header className="dialog-head">
          <h2 id="session-title">{expired ? "Your session expired" : "Stay signed in"}</h2>
        </header>
        <div className="dialog-body">
          <p id="session-why">
            {expired
              ? `Enter the password of ${session.user.name} to carry on where you left off; nothing on the page is lost.`
              : `Enter the password of ${session.user.name} to start a new session.`}
          </p>
          {error && (
            <Notice tone="error" testId="session-error">
              {error}
            </Notice>
          )}
          <input type="hidden" name="username" autoComplete="username" value={session.user.name} readOnly />
          <CurrentPasswordField value={password} onChange={setPassword} testId="session-password" autoFocus />
        </div>
        <footer className="dialog-foot">
          <button
            type="button"
            className="button button-quiet"
            onClick={onSignOut}
            data-testid="session-sign-out"
          >
            Sign out
          </button>
          {onCancel && (
            <button type="button" className="button button-quiet" onClick={onCancel}>
              Not now
            </button>
          )}
          <button type="submit" className="button button-primary" disabled={busy} data-testid="session-renew">
            {busy ? "Signing in…" : expired ? "Sign in again" : "Stay signed in"}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
