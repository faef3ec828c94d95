import type { Role } from "./roles.ts";

/** One user of access-control's directory: what a role check needs. */
export interface DirectoryEntry {
  id: number;
  name: string;
  role: Role;
}

/** Where the directory is read from: access-control's database (its own, or agent-service's read-only view). */
export interface DirectorySource {
  /** A counter access-control bumps with every write to the directory. */
  version(): Promise<number>;
  snapshot(): Promise<{ version: number; users: DirectoryEntry[] }>;
}

/** The current role of a user the directory knows, "unknown" for anyone else, "stale" when out of date. */
export type DirectoryStanding = Role | "unknown" | "stale";

export interface RoleDirectoryOptions {
  source: DirectorySource;
  /** How often to ask the database whether anything changed (DIRECTORY_REFRESH_MS). */
  refreshMs: number;
  /** With no successful check started within this long, `lookup` answers "stale" (fail closed). */
  maxStalenessMs: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** Called when a check fails and when the directory recovers (for the service log). */
  onHealthChange?: (healthy: boolean, error?: unknown) => void;
}

/**
 * An in-memory copy of every user's id, name and role, so that a role check never waits for the database:
 * access-control's authorize (its hot path) and agent-service's guard both read one, so that a role change
 * or a deactivation holds in both within the same bound. The source is asked for the directory version
 * every `refreshMs` (one row) and the copy is reloaded when the version moved; writes made in this process
 * are applied at once (`apply`). If checks keep failing, lookups answer "stale" once the last successful
 * check started more than `maxStalenessMs` ago: what the directory says is thus in force within
 * `maxStalenessMs`, whatever happens to the database. A user is known by id and the same name.
 */
export class RoleDirectory {
  readonly #options: RoleDirectoryOptions;
  readonly #now: () => number;
  #users = new Map<number, DirectoryEntry>();
  #version = Number.NaN;
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

  /** The hot path: a map lookup and a clock read. */
  lookup(userId: number, name: string): DirectoryStanding {
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

  /** A change made through this process: in force at once, before the next check. */
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

  /**
   * Checks every `refreshMs` from now on; resolves once the first check is done, and rejects when it failed
   * (the caller decides whether that stops its start-up: `stop()` ends the checks). Until a check succeeds,
   * lookups answer "stale".
   */
  start(): Promise<void> {
    this.#timer ??= setInterval(() => {
      this.refresh().catch(() => {});
    }, this.#options.refreshMs);
    this.#timer.unref();
    return this.refresh();
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
