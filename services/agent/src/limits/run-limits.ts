import type { UserClaims } from "@texera-agent/auth";
import type { RunLimitsConfig } from "./limits-config.ts";
import { OwnRuns } from "./own-runs.ts";
import { budgetReached, tooManyActive, tooManyStarted } from "./run-limit-error.ts";
import type { SharedRunCounts } from "./shared-run-counts.ts";
import { type TokenUsage, utcDay } from "./token-usage.ts";

export { RunLimitError } from "./run-limit-error.ts";

/** A run let through by the limits. */
export interface Admission {
  /** Names the run that was started for it (its row in `runs`). Call right after starting it. */
  started(runId: string): void;
  /** Gives the concurrent slot back: once, when the run ends or did not start. */
  release(): void;
}

const UNCOUNTED: Admission = { started() {}, release() {} };

/** Ended runs are kept this long after their admission, so that their rows are not counted twice. */
const KEEP_ENDED_MS = 120_000;

/**
 * Per-user run limits. The daily token budget is summed in the database, so every replica sees the same
 * spend. The concurrent and per-minute counts come in two modes:
 *
 * - Without `shared` (SQLite, one process): kept in this process, with no database read. With N replicas a
 *   user could get up to N times as many.
 * - With `shared` (PostgreSQL, any number of replicas over one database): one SELECT per admission counts
 *   the user's runs on every replica from the `runs` table (status 'running'; started_at in the last 60 s)
 *   and reads the spend. A run row is written a moment after its admission (group commit, after the
 *   agent's history is read), so this replica adds its own runs from memory and leaves their rows out of
 *   the database's counts by id: count = rows of other replicas + own runs. Taking max(db, own) instead
 *   would miss other replicas' runs whenever this one has any; adding both would count a visible own row
 *   twice.
 *
 * Races, shared mode: another replica's run is visible only once its row is committed, a few ms after its
 * admission. Replicas admitting runs for the same user within those ms do not see each other, so with N
 * replicas a user can exceed a limit by up to N − 1 (by one with two). A per-user pg_advisory_xact_lock
 * would not close this, since the lock is gone before the row is written by another transaction; closing it
 * needs a reservation row written in the admission's own transaction. Within one replica there is no race:
 * the decision after the read is synchronous and sees every own run admitted meanwhile. The one error the
 * other way is harmless: an own run admitted while this read was in flight, whose row is already visible to
 * it, is counted twice (a refusal one run early, for an instant).
 *
 * A row left 'running' by a replica that died counts against its user until the run is marked interrupted.
 */
export class RunLimits {
  private readonly active = new Map<number, number>();
  private readonly recent = new Map<number, number[]>();
  private readonly own: OwnRuns | undefined;

  constructor(
    private readonly config: RunLimitsConfig,
    private readonly usage: TokenUsage,
    private readonly now: () => Date,
    private readonly shared?: SharedRunCounts,
  ) {
    this.own = shared && new OwnRuns(config.maxRunsPerMinutePerUser > 0 ? KEEP_ENDED_MS : 0);
  }

  /**
   * Checks every limit for a run the user wants to start and, when all pass, counts it. Returns the
   * admission: name the run once started, release it when the run ends or did not start.
   */
  async admit(user: UserClaims): Promise<Admission> {
    if (this.shared && this.own) return this.admitShared(user, this.shared, this.own);
    const { maxConcurrentRunsPerUser: maxActive, maxRunsPerMinutePerUser: perMinute } = this.config;
    const budget = this.config.dailyTokenBudget[user.role] ?? 0;
    const at = this.now();
    if (budget > 0) {
      const spent = await this.usage.spent(user.userId, utcDay(at));
      if (spent >= budget) throw budgetReached(spent, budget, user.role, at);
    }
    // from here on synchronous: two messages at once cannot both take the last slot
    const running = this.active.get(user.userId) ?? 0;
    if (maxActive > 0 && running >= maxActive) throw tooManyActive(running, maxActive);
    const ms = at.getTime();
    // Start times are pushed in order: the ones older than a minute are at the front.
    const starts = this.recent.get(user.userId) ?? [];
    let old = 0;
    while (old < starts.length && starts[old]! <= ms - 60_000) old++;
    if (old > 0) starts.splice(0, old);
    if (perMinute > 0 && starts.length >= perMinute) {
      this.recent.set(user.userId, starts);
      throw tooManyStarted(starts.length, perMinute, starts[0]!, ms);
    }
    starts.push(ms);
    this.recent.set(user.userId, starts);
    this.active.set(user.userId, running + 1);
    let released = false;
    return {
      started() {},
      release: () => {
        if (released) return;
        released = true;
        const left = (this.active.get(user.userId) ?? 1) - 1;
        if (left > 0) this.active.set(user.userId, left);
        else this.active.delete(user.userId);
      },
    };
  }

  private async admitShared(user: UserClaims, shared: SharedRunCounts, own: OwnRuns): Promise<Admission> {
    const { maxConcurrentRunsPerUser: maxActive, maxRunsPerMinutePerUser: perMinute } = this.config;
    const budget = this.config.dailyTokenBudget[user.role] ?? 0;
    const at = this.now();
    const ms = at.getTime();
    if (maxActive === 0 && perMinute === 0) {
      // no run to count: the budget alone, as without `shared`
      if (budget > 0) {
        const spent = await this.usage.spent(user.userId, utcDay(at));
        if (spent >= budget) throw budgetReached(spent, budget, user.role, at);
      }
      return UNCOUNTED;
    }
    const since = ms - 60_000;
    own.sweep(ms);
    const exclude: string[] = [];
    for (const run of own.list(user.userId, ms)) if (run.runId !== undefined) exclude.push(run.runId);
    const counts = await shared.read(user.userId, {
      day: utcDay(at),
      since: new Date(since).toISOString(),
      exclude,
    });
    const spent = counts.tokens + this.usage.unsaved(user.userId, utcDay(at));
    if (budget > 0 && spent >= budget) throw budgetReached(spent, budget, user.role, at);
    // from here on synchronous: the own runs as they are now, with those admitted during the read
    let running = counts.running;
    let started = counts.started;
    let oldest = counts.oldestStart === null ? ms : Date.parse(counts.oldestStart);
    for (const run of own.list(user.userId, ms)) {
      if (!run.ended) running++;
      if (run.at > since) {
        started++;
        oldest = Math.min(oldest, run.at);
      }
    }
    if (maxActive > 0 && running >= maxActive) throw tooManyActive(running, maxActive);
    if (perMinute > 0 && started >= perMinute) throw tooManyStarted(started, perMinute, oldest, ms);
    const run = own.add(user.userId, ms);
    return {
      started(runId) {
        run.runId = runId;
      },
      release() {
        run.ended = true;
      },
    };
  }

  /** Counts tokens LiteLLM reported for one model turn of the user. */
  spend(userId: number, tokens: number): Promise<void> {
    if (!(tokens > 0)) return Promise.resolve();
    return this.usage.add(userId, utcDay(this.now()), Math.round(tokens));
  }

  /** Writes the token counts summed in memory (at shutdown, before the last commit). */
  flush(): Promise<void> {
    return this.usage.flush();
  }

  spentToday(userId: number): Promise<number> {
    return this.usage.spent(userId, utcDay(this.now()));
  }
}
