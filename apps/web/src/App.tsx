import type { LoginResponse } from "@texera-agent/protocol";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { LoginPage } from "./components/LoginPage.tsx";
import { Spinner } from "./components/ui.tsx";
import {
  clearSession,
  loadSession,
  msUntilExpiry,
  type Session,
  saveSession,
  sessionFromStorageEvent,
} from "./session.ts";

// The signed-in app (agents, chat, workflow view, admin) loads after sign-in: the sign-in page needs none
// of it, so a first visit downloads only this file's chunk.
const Shell = lazy(() => import("./components/Shell.tsx").then((m) => ({ default: m.Shell })));

export type Message = { tone: "info" | "warning"; text: string };
/**
 * Signed in; `expired` while the token has run out and the app waits for the password again (the page stays
 * as it was behind the dialog, so an unsent message survives).
 */
type Auth = { session: Session; expired: boolean } | { session: null; message: Message | null };

const EXPIRED: Message = { tone: "warning", text: "Your session expired. Please sign in again." };
const SIGNED_OUT_ELSEWHERE: Message = { tone: "info", text: "You signed out in another tab." };

export function App() {
  const [auth, setAuth] = useState<Auth>(() => {
    const loaded = loadSession(window.localStorage);
    if (loaded.session) return { session: loaded.session, expired: false };
    return { session: null, message: loaded.expired ? EXPIRED : null };
  });

  const signOut = useCallback((message: Message | null) => {
    clearSession(window.localStorage);
    setAuth({ session: null, message });
  }, []);

  const signIn = useCallback((login: LoginResponse) => {
    setAuth({ session: saveSession(window.localStorage, login), expired: false });
  }, []);

  const expire = useCallback(() => {
    setAuth((current) => (current.session && !current.expired ? { ...current, expired: true } : current));
  }, []);

  // The tabs of this browser share one session: a sign-in, renewal or sign-out in another tab arrives here.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.storageArea !== window.localStorage) return;
      const next = sessionFromStorageEvent(event);
      if (next === undefined) return;
      setAuth((current) => {
        if (next) return { session: next, expired: false };
        if (!current.session) return current;
        // Removed while ours had run out too: another tab dropped the expired entry. The dialog stays, so
        // the password brings this tab back as it was.
        if (current.expired || msUntilExpiry(current.session) === 0) return { ...current, expired: true };
        return { session: null, message: SIGNED_OUT_ELSEWHERE };
      });
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);

  if (!auth.session) return <LoginPage message={auth.message} onSignedIn={signIn} />;
  return (
    <Suspense
      fallback={
        <main className="app-loading">
          <Spinner label="Loading…" />
        </main>
      }
    >
      {/* keyed by the user, not the token: renewing the session keeps the page (and its drafts) */}
      <Shell
        key={auth.session.user.id}
        session={auth.session}
        expired={auth.expired}
        onSignOut={signOut}
        onExpired={expire}
        onRenewed={signIn}
      />
    </Suspense>
  );
}
