import type { LoginResponse, User } from "@texera-agent/protocol";

/**
 * What the browser keeps: the login answer, in localStorage, so every tab of the browser shares one session
 * (a sign-in or sign-out in one tab reaches the others through the `storage` event). The token expires on
 * its own (the access-control-service's lifetime), and an expired one is dropped when read.
 */
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

/** How long before expiry the app offers to stay signed in. */
export const WARN_BEFORE_MS = 5 * 60_000;

/**
 * Below this many milliseconds left, a 401 counts as the session running out (the server's clock may be a
 * little ahead of the browser's) rather than as a revoked session.
 */
export const EXPIRY_SKEW_MS = 60_000;

/**
 * The session another tab stored, from a `storage` event: a session, `null` when it was removed (signed out,
 * or dropped as expired), or `undefined` when the event is about something else.
 */
export function sessionFromStorageEvent(
  event: { key: string | null; newValue: string | null },
  now: Date = new Date(),
): Session | null | undefined {
  if (event.key !== SESSION_KEY && event.key !== null) return undefined;
  if (event.newValue === null) return null; // removed (key null: the whole storage was cleared)
  const session = parseSession(event.newValue);
  return session && !isExpired(session, now) ? session : null;
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

/** "4:05" for the expiry warning (minutes:seconds, rounded up so it reaches 0:00 at the expiry). */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}
