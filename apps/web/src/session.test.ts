import { describe, expect, it } from "vitest";
import {
  clearSession,
  formatCountdown,
  loadSession,
  msUntilExpiry,
  SESSION_KEY,
  saveSession,
  sessionFromStorageEvent,
} from "./session.ts";
import { MemoryStorage } from "./test-fixtures.ts";

const login = {
  accessToken: "jwt",
  expiresAt: "2030-01-01T00:00:00.000Z",
  user: { id: 7, name: "ada", role: "ADMIN" as const },
};

describe("session", () => {
  it("keeps only the login answer and reads it back", () => {
    const storage = new MemoryStorage();
    saveSession(storage, login);
    expect([...storage.items.keys()]).toEqual([SESSION_KEY]);
    expect(loadSession(storage, new Date("2029-01-01"))).toEqual({ session: login });
    clearSession(storage);
    expect(loadSession(storage)).toEqual({ session: null, expired: false });
  });

  it("drops an expired session and says it expired", () => {
    const storage = new MemoryStorage();
    saveSession(storage, login);
    expect(loadSession(storage, new Date("2030-01-01T00:00:01Z"))).toEqual({ session: null, expired: true });
    expect(storage.items.size).toBe(0);
  });

  it("drops unreadable entries", () => {
    for (const raw of ["{", "null", '{"accessToken":""}', JSON.stringify({ ...login, user: null })]) {
      const storage = new MemoryStorage();
      storage.setItem(SESSION_KEY, raw);
      expect(loadSession(storage)).toEqual({ session: null, expired: false });
      expect(storage.items.size).toBe(0);
    }
  });

  it("counts down to expiry", () => {
    expect(msUntilExpiry(login, new Date("2029-12-31T23:59:59Z"))).toBe(1000);
    expect(msUntilExpiry(login, new Date("2031-01-01"))).toBe(0);
    expect(msUntilExpiry({ ...login, expiresAt: "soon" })).toBeNull();
  });

  it("reads another tab's change from a storage event", () => {
    const now = new Date("2029-01-01");
    const stored = JSON.stringify(login);
    expect(sessionFromStorageEvent({ key: SESSION_KEY, newValue: stored }, now)).toEqual(login);
    expect(sessionFromStorageEvent({ key: SESSION_KEY, newValue: null }, now)).toBeNull(); // signed out
    expect(sessionFromStorageEvent({ key: null, newValue: null }, now)).toBeNull(); // storage cleared
    expect(sessionFromStorageEvent({ key: SESSION_KEY, newValue: "{" }, now)).toBeNull();
    expect(
      sessionFromStorageEvent({ key: SESSION_KEY, newValue: stored }, new Date("2031-01-01")),
    ).toBeNull();
    expect(sessionFromStorageEvent({ key: "texera-agent.theme", newValue: "dark" }, now)).toBeUndefined();
  });

  it("counts the last minutes down as m:ss, reaching 0:00 at the expiry", () => {
    expect(formatCountdown(5 * 60_000)).toBe("5:00");
    expect(formatCountdown(61_001)).toBe("1:02");
    expect(formatCountdown(999)).toBe("0:01");
    expect(formatCountdown(0)).toBe("0:00");
    expect(formatCountdown(-5)).toBe("0:00");
  });
});
