import type { LoginResponse } from "@texera-agent/protocol";
import { useCallback, useEffect, useState } from "react";
import { LoginPage } from "./components/LoginPage.tsx";
import { Shell } from "./components/Shell.tsx";
import { clearSession, loadSession, msUntilExpiry, type Session, saveSession } from "./session.ts";

type Message = { tone: "info" | "warning"; text: string };
type Auth = { session: Session; message: null } | { session: null; message: Message | null };

const EXPIRED: Message = { tone: "warning", text: "Your session expired. Please sign in again." };
/** setTimeout's limit; a longer session is checked again when the timer fires */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function App() {
  const [auth, setAuth] = useState<Auth>(() => {
    const loaded = loadSession(window.sessionStorage);
    if (loaded.session) return { session: loaded.session, message: null };
    return { session: null, message: loaded.expired ? EXPIRED : null };
  });

  const signOut = useCallback((message: Message | null) => {
    clearSession(window.sessionStorage);
    setAuth({ session: null, message });
  }, []);

  const signIn = useCallback((login: LoginResponse) => {
    setAuth({ session: saveSession(window.sessionStorage, login), message: null });
  }, []);

  // Sign out when the token expires rather than waiting for the next call to fail.
  const session = auth.session;
  useEffect(() => {
    if (!session) return;
    const ms = msUntilExpiry(session);
    if (ms === null) return;
    const timer = setTimeout(
      () => {
        const now = msUntilExpiry(session);
        if (now === 0) signOut(EXPIRED);
        else setAuth({ session: { ...session }, message: null }); // re-arm for very long sessions
      },
      Math.min(ms, MAX_TIMER_MS),
    );
    return () => clearTimeout(timer);
  }, [session, signOut]);

  if (!auth.session) return <LoginPage message={auth.message} onSignedIn={signIn} />;
  return <Shell key={auth.session.accessToken} session={auth.session} onSignOut={signOut} />;
}
