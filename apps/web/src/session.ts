import type { LoginResponse, User } from "@texera-agent/protocol";

/** What the browser keeps: the login answer, in sessionStorage only (gone when the tab closes). */
export interface Session {
  accessToken: string;
  expiresAt: string;
  user: User;
}

export const SESSION_KEY = "texera-agent.session";

type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export type LoadedSession = { session: Session } | { session: null; expired: boolean };

/** Reads the stored session; an expired or unreadable one is removed. */
export function loadSession(storage: StorageLike, now: Date = new Date()): LoadedSession {
  const raw = storage.getItem(SESSION_KEY);
  if (raw === null) return { session: null, expired: false };
  const session = parseSession(raw);
  if (!session) {
    storage.removeItem(SESSION_KEY);
    return { session: null, expired: false };
  }
  if (isExpired(session, now)) {
    storage.removeItem(SESSION_KEY);
    return { session: null, expired: true };
  }
  return { session };
}

export function saveSession(storage: StorageLike, login: LoginResponse): Session {
  const session: Session = { accessToken: login.accessToken, expiresAt: login.expiresAt, user: login.user };
  storage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function clearSession(storage: StorageLike): void {
  storage.removeItem(SESSION_KEY);
}

export function isExpired(session: Session, now: Date = new Date()): boolean {
  const expires = Date.parse(session.expiresAt);
  return Number.isFinite(expires) && expires <= now.getTime();
}

/** Milliseconds until the session expires (0 when it has), or null when the expiry is unknown. */
export function msUntilExpiry(session: Session, now: Date = new Date()): number | null {
  const expires = Date.parse(session.expiresAt);
  if (!Number.isFinite(expires)) return null;
  return Math.max(0, expires - now.getTime());
}

function parseSession(raw: string): Session | null {
  try {
    const value = JSON.parse(raw) as Partial<Session> | null;
    if (
      value &&
      typeof value.accessToken === "string" &&
      value.accessToken !== "" &&
      typeof value.expiresAt === "string" &&
      value.user &&
      typeof value.user === "object" &&
      typeof value.user.name === "string" &&
      typeof value.user.role === "string"
    ) {
      return { accessToken: value.accessToken, expiresAt: value.expiresAt, user: value.user };
    }
  } catch {
    // unreadable: treated as no session
  }
  return null;
}
