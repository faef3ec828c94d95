import type { Role } from "@texera-agent/auth";

/** What agent-service needs of one user of access-control's directory. */
export interface DirectoryUser {
  id: number;
  name: string;
  role: Role;
}

/** Where the directory is read from (directory-source.ts: access-control's database, read-only). */
export interface DirectorySource {
  /** A counter access-control bumps with every write to the directory. */
  version(): Promise<number>;
  snapshot(): Promise<{ version: number; users: DirectoryUser[] }>;
}

/** The current role of a user the directory knows, "unknown" for anyone else, "stale" when out of date. */
export type Standing = Role | "unknown" | "stale";

export interface UserDirectoryOptions {
  source: DirectorySource;
  /** How often to ask whether the directory changed (DIRECTORY_REFRESH_MS). */
  refreshMs: number;
  /** With no successful check started within this long, every lookup answers "stale" (fail closed). */
  maxStalenessMs: number;
  /** Milliseconds clock (tests). */
  now?: () => number;
  /** Told when checks start failing and when they recover (for the service log). */
  onHealthChange?: (healthy: boolean, error?: unknown) => void;
}

/**
 * agent-service's copy of access-control's user directory (id, name, role of every user), so that a role
 * change or a deactivation holds here as it does at the gateway: the database is asked every `refreshMs`
 * whether anything changed (one row), and the copy is reloaded when it did. Lookups never wait for the
 * database. If checks keep failing, lookups answer "stale" once the last successful check started more
 * than `maxStalenessMs` ago. So what the directory says is in force here within `maxStalenessMs`, the same
 * bound and the same rule (a user is known by id and the same name) as access-control's RoleDirectory.
 */
export class UserDirectory {
  readonly #options: UserDirectoryOptions;
  readonly #now: () => number;
  #users = new Map<number, DirectoryUser>();
  #version = Number.NaN;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #healthy = true;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: UserDirectoryOptions) {
    if (!(options.refreshMs > 0) || !(options.maxStalenessMs >= options.refreshMs)) {
      throw new TypeError("refreshMs must be > 0 and maxStalenessMs >= refreshMs");
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A map lookup and a clock read. */
  standing(userId: number, name: string): Standing {
    if (this.#now() - this.#checkedAt > this.#options.maxStalenessMs) return "stale";
    const user = this.#users.get(userId);
    return user !== undefined && user.name === name ? user.role : "unknown";
  }

  /** One check, and a reload when the version moved. Concurrent callers share the check in progress. */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#check().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /**
   * The first check (a failure is only reported: the directory may not exist yet while access-control
   * starts, and lookups answer "stale" meanwhile), then one every `refreshMs`.
   */
  async start(): Promise<void> {
    await this.refresh().catch(() => {});
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
        this.#users = new Map(snapshot.users.map((u) => [u.id, u]));
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
