import type { UserClaims } from "./claims.ts";

/**
 * A bounded map from a whole, already verified token to its claims. Least recently used entries go first.
 * Only the exact same bytes hit, so a cached entry can never vouch for a different token.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, UserClaims>();
  constructor(readonly capacity: number) {}

  get(token: string): UserClaims | undefined {
    const claims = this.#entries.get(token);
    if (claims !== undefined) {
      this.#entries.delete(token);
      this.#entries.set(token, claims);
    }
    return claims;
  }

  set(token: string, claims: UserClaims): void {
    if (this.capacity <= 0) return;
    this.#entries.delete(token);
    this.#entries.set(token, claims);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
