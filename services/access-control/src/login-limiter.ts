/**
 * Counts failed logins per key in a sliding window (a log of failure times, at most `limit` per key).
 * A key that reached its limit is refused until its oldest failure leaves the window. Memory is bounded:
 * at most `maxKeys` keys, the least recently touched go first.
 */
export class SlidingWindowLimiter {
  readonly #failures = new Map<string, number[]>();

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

  fail(key: string, now: number): void {
    const times = this.#live(key, now) ?? [];
    times.push(now);
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    this.#failures.delete(key);
    this.#failures.set(key, times);
    if (this.#failures.size > this.maxKeys) {
      this.#failures.delete(this.#failures.keys().next().value as string);
    }
  }

  reset(key: string): void {
    this.#failures.delete(key);
  }

  #live(key: string, now: number): number[] | undefined {
    const times = this.#failures.get(key);
    if (!times) return undefined;
    const firstLive = times.findIndex((t) => t > now - this.windowMs);
    if (firstLive === -1) {
      this.#failures.delete(key);
      return undefined;
    }
    if (firstLive > 0) times.splice(0, firstLive);
    return times;
  }
}

export interface LoginLimits {
  windowMs: number;
  perName: number;
  perAddress: number;
}

/** The two limits of the login route: per user name (any letter case) and per client address. */
export class LoginLimiter {
  readonly #byName: SlidingWindowLimiter;
  readonly #byAddress: SlidingWindowLimiter;

  constructor(limits: LoginLimits) {
    this.#byName = new SlidingWindowLimiter(limits.perName, limits.windowMs);
    this.#byAddress = new SlidingWindowLimiter(limits.perAddress, limits.windowMs);
  }

  /** Whole seconds to wait (for Retry-After), or 0 when this attempt may go ahead. */
  retryAfterSeconds(name: string, address: string, now: number): number {
    const ms = Math.max(
      this.#byName.retryAfterMs(name.toLowerCase(), now),
      this.#byAddress.retryAfterMs(address, now),
    );
    return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0;
  }

  failed(name: string, address: string, now: number): void {
    this.#byName.fail(name.toLowerCase(), now);
    this.#byAddress.fail(address, now);
  }

  succeeded(name: string): void {
    this.#byName.reset(name.toLowerCase());
  }
}
