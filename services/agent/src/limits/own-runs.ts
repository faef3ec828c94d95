/** A run this replica admitted. */
export interface OwnRun {
  /** When it was admitted (ms since the epoch). */
  readonly at: number;
  /** Known once the run started (its row in `runs` has this id). */
  runId: string | undefined;
  ended: boolean;
}

/**
 * The runs this replica admitted, per user, for the shared counts: this replica counts them itself (their
 * rows may not be in the database yet) and leaves their rows out of the database's counts by id. A run is
 * kept while it runs and, once ended, until `keepMs` after its admission (so that its row, still in the
 * database's last minute, is not counted twice).
 */
export class OwnRuns {
  private readonly byUser = new Map<number, OwnRun[]>();
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly keepMs: number) {}

  /** The user's runs in admission order, after dropping the ones no longer needed at `nowMs`. */
  list(userId: number, nowMs: number): readonly OwnRun[] {
    const runs = this.byUser.get(userId);
    if (!runs) return [];
    const kept = runs.filter((r) => !r.ended || r.at > nowMs - this.keepMs);
    if (kept.length === 0) this.byUser.delete(userId);
    else if (kept.length < runs.length) this.byUser.set(userId, kept);
    return kept;
  }

  /** Drops what no user needs any more (of users who do not come back), at most once a minute. */
  sweep(nowMs: number): void {
    if (nowMs - this.sweptAt < Math.max(this.keepMs, 60_000)) return;
    this.sweptAt = nowMs;
    for (const userId of [...this.byUser.keys()]) this.list(userId, nowMs);
  }

  add(userId: number, at: number): OwnRun {
    const run: OwnRun = { at, runId: undefined, ended: false };
    const runs = this.byUser.get(userId);
    if (runs) runs.push(run);
    else this.byUser.set(userId, [run]);
    return run;
  }

  /** Users with runs kept (for tests and metrics). */
  get users(): number {
    return this.byUser.size;
  }
}
