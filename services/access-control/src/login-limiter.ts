import { canonicalUserName } from "./user-name.ts";

/**
 * Counts attempts per key in a sliding window (a log of their times, at most `limit` per key). A key that
 * reached its limit is refused until its oldest entry leaves the window. An attempt is counted from the
 * moment it is reserved, before the password is checked, so parallel attempts cannot all pass the check;
 * a released reservation is taken back. Memory is bounded: at most `maxKeys` keys, the least recently
 * touched go first.
 */
export class SlidingWindowLimiter {
  readonly #entries = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly maxKeys = 100_000,
  ) {
    if (!(limit >= 1) || !(windowMs >= 1)) throw new TypeError("limit and windowMs must be >= 1");
  }

  /** Milliseconds until `key` may try again; 0 when it may try now. */
  retryAfterMs(key: string, now: number): number {
    const times = this.#live(key, now);
    if (!times || times.length < this.limit) return 0;
    return times[times.length - this.limit]! + this.windowMs - now;
  }

  /** Counts one attempt (a failure, or one in flight) at `now`. */
  fail(key: string, now: number): void {
    const times = this.#live(key, now) ?? [];
    times.push(now);
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    this.#entries.delete(key);
    this.#entries.set(key, times);
    if (this.#entries.size > this.maxKeys) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }

  /** Takes back one attempt counted at `at` (a reservation that did not fail). */
  release(key: string, at: number): void {
    const times = this.#entries.get(key);
    const index = times?.lastIndexOf(at) ?? -1;
    if (index >= 0) times!.splice(index, 1);
    if (times?.length === 0) this.#entries.delete(key);
  }

  reset(key: string): void {
    this.#entries.delete(key);
  }

  #live(key: string, now: number): number[] | undefined {
    const times = this.#entries.get(key);
    if (!times) return undefined;
    const firstLive = times.findIndex((t) => t > now - this.windowMs);
    if (firstLive === -1) {
      this.#entries.delete(key);
      return undefined;
    }
    if (firstLive > 0) times.splice(0, firstLive);
    return times;
  }
}

export interface LoginLimits {
  windowMs: number;
  /** Attempts per user name from one client address (refused beyond, 429). */
  perNameAndAddress: number;
  /** Attempts per client address, any names (refused beyond, 429). */
  perAddress: number;
  /** Failures per user name from all addresses after which its attempts are slowed (never refused). */
  slowAfterPerName: number;
  /** How long each attempt on a slowed name waits before its password is checked. */
  slowDelayMs: number;
}

/** One admitted sign-in attempt: counted against its limits until it ends one way or the other. */
export interface LoginAttemptSlot {
  /** Wait this long before checking the password (the name has many recent failures). */
  readonly slowDownMs: number;
  /** Wrong password or unknown user: the reservation stays, a failure counts against the name. */
  failed(now: number): void;
  /** The right password: the reservations are taken back and the name's count from this address cleared. */
  succeeded(): void;
  /** Neither (the directory could not be read): the reservations are taken back. */
  abandoned(): void;
}

export type LoginAdmission = LoginAttemptSlot | { retryAfterSeconds: number };

/**
 * The limits of the login route. Refusals (429) are per user name and address together, and per address:
 * an attacker can refuse only the addresses they send from, never lock a user out of an address the user
 * signs in from. Per user name alone, failures from all addresses only slow every attempt down, so a
 * name under attack from many addresses costs each guess a delay without anyone being refused.
 */
export class LoginLimiter {
  readonly #byPair: SlidingWindowLimiter;
  readonly #byAddress: SlidingWindowLimiter;
  readonly #byName: SlidingWindowLimiter;
  readonly #slowDelayMs: number;

  constructor(limits: LoginLimits) {
    this.#byPair = new SlidingWindowLimiter(limits.perNameAndAddress, limits.windowMs);
    this.#byAddress = new SlidingWindowLimiter(limits.perAddress, limits.windowMs);
    this.#byName = new SlidingWindowLimiter(limits.slowAfterPerName, limits.windowMs);
    this.#slowDelayMs = limits.slowDelayMs;
  }

  /**
   * Admits an attempt and counts it at once (before scrypt), or says how many whole seconds to wait (for
   * Retry-After). Check and reservation happen in one synchronous step, so concurrent attempts see each
   * other.
   */
  admit(name: string, address: string, now: number): LoginAdmission {
    const nameKey = canonicalUserName(name);
    const pairKey = `${nameKey}\u0000${address}`;
    const ms = Math.max(this.#byPair.retryAfterMs(pairKey, now), this.#byAddress.retryAfterMs(address, now));
    if (ms > 0) return { retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) };
    this.#byPair.fail(pairKey, now);
    this.#byAddress.fail(address, now);
    const slowDownMs = this.#byName.retryAfterMs(nameKey, now) > 0 ? this.#slowDelayMs : 0;
    let open = true;
    const release = () => {
      if (!open) return false;
      open = false;
      this.#byPair.release(pairKey, now);
      this.#byAddress.release(address, now);
      return true;
    };
    return {
      slowDownMs,
      failed: (at) => {
        if (!open) return;
        open = false;
        this.#byName.fail(nameKey, at);
      },
      succeeded: () => {
        if (release()) this.#byPair.reset(pairKey);
      },
      abandoned: () => {
        release();
      },
    };
  }
}
