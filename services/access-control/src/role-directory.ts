import type { Role } from "@texera-agent/auth";
import type { DirectoryEntry } from "./users.repository.ts";

export interface DirectorySource {
  version(): Promise<number>;
  snapshot(): Promise<{ version: number; users: DirectoryEntry[] }>;
}

export interface RoleDirectoryOptions {
  source: DirectorySource;
  /** How often to ask the database whether anything changed. */
  refreshMs: number;
  /** With no successful check started within this long, `lookup` answers "stale" (fail closed). */
  maxStalenessMs: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** Called when a check fails and when the directory recovers (for the service log). */
  onHealthChange?: (healthy: boolean, error?: unknown) => void;
}

/** The current role of a user the directory knows, "unknown" for anyone else, "stale" when out of date. */
export type LookupResult = Role | "unknown" | "stale";

/**
 * An in-memory copy of every user's id, name and role, so the authorize hot path never waits for the
 * database. A replica asks the database for the directory version every `refreshMs` and reloads the copy
 * when the version moved; its own writes are applied at once. If checks keep failing, lookups answer
 * "stale" once the last successful check started more than `maxStalenessMs` ago: a deactivation is thus
 * in force within `maxStalenessMs` on every replica, whatever happens to the database.
 */
export class RoleDirectory {
  readonly #options: RoleDirectoryOptions;
  readonly #now: () => number;
  #users = new Map<number, DirectoryEntry>();
  #version = -1;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #healthy = true;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  // own writes since the start of the snapshot in progress, re-applied over it
  #localWrites = new Map<number, DirectoryEntry>();

  constructor(options: RoleDirectoryOptions) {
    if (!(options.refreshMs > 0) || !(options.maxStalenessMs >= options.refreshMs)) {
      throw new TypeError("refreshMs must be > 0 and maxStalenessMs >= refreshMs");
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The hot path: a map lookup and a clock read. A user is known by id and the same name. */
  lookup(userId: number, name: string): LookupResult {
    if (this.#now() - this.#checkedAt > this.#options.maxStalenessMs) return "stale";
    const entry = this.#users.get(userId);
    return entry !== undefined && entry.name === name ? entry.role : "unknown";
  }

  get fresh(): boolean {
    return this.#now() - this.#checkedAt <= this.#options.maxStalenessMs;
  }

  get size(): number {
    return this.#users.size;
  }

  /** A change made through this replica: in force at once, before the next check. */
  apply(entry: DirectoryEntry): void {
    this.#users.set(entry.id, entry);
    if (this.#inFlight) this.#localWrites.set(entry.id, entry);
  }

  /** One check (and reload when the version moved). Concurrent callers share the check in progress. */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#check().finally(() => {
      this.#inFlight = undefined;
      this.#localWrites.clear();
    });
    return this.#inFlight;
  }

  /** Loads the directory (throws when the database cannot be read), then checks every `refreshMs`. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer ??= setInterval(() => {
      this.refresh().catch(() => {});
    }, this.#options.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    const startedAt = this.#now();
    try {
      const version = await this.#options.source.version();
      if (version !== this.#version) {
        const snapshot = await this.#options.source.snapshot();
        const users = new Map(snapshot.users.map((u) => [u.id, u]));
        for (const [id, entry] of this.#localWrites) users.set(id, entry);
        this.#users = users;
        this.#version = snapshot.version;
      }
      this.#checkedAt = Math.max(this.#checkedAt, startedAt);
      if (!this.#healthy) {
        this.#healthy = true;
        this.#options.onHealthChange?.(true);
      }
    } catch (error) {
      if (this.#healthy) {
        this.#healthy = false;
        this.#options.onHealthChange?.(false, error);
      }
      throw error;
    }
  }
}
