import type { UserClaims } from "@texera-agent/auth";
import { AgentServiceError } from "../errors.ts";
import type { RunLimitsConfig } from "./limits-config.ts";
import { type TokenUsage, utcDay } from "./token-usage.ts";

/** A run refused by a limit: `RATE_LIMITED`, 429 with Retry-After over REST, an `error` frame on a socket. */
export class RunLimitError extends AgentServiceError {
  constructor(
    readonly limit: string,
    readonly retryAfterSec: number,
    message: string,
  ) {
    super("RATE_LIMITED", message);
    (this.headers as Record<string, string>)["retry-after"] = String(retryAfterSec);
  }
}

/**
 * Per-user run limits. Concurrent and per-minute counts are kept in this process (per replica: with N
 * replicas a user may get up to N times as many); the daily token budget is summed in the database, so
 * every replica sees the same spend.
 */
export class RunLimits {
  private readonly active = new Map<number, number>();
  private readonly recent = new Map<number, number[]>();

  constructor(
    private readonly config: RunLimitsConfig,
    private readonly usage: TokenUsage,
    private readonly now: () => Date,
  ) {}

  /**
   * Checks every limit for a run the user wants to start and, when all pass, counts it. Returns the
   * function that gives the concurrent slot back (call it once, when the run ends or did not start).
   */
  async admit(user: UserClaims): Promise<() => void> {
    const { maxConcurrentRunsPerUser: maxActive, maxRunsPerMinutePerUser: perMinute } = this.config;
    const budget = this.config.dailyTokenBudget[user.role] ?? 0;
    const at = this.now();
    if (budget > 0) {
      const spent = await this.usage.spent(user.userId, utcDay(at));
      if (spent >= budget) {
        const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
        const wait = Math.max(1, Math.ceil((midnight - at.getTime()) / 1000));
        throw new RunLimitError(
          "AGENT_DAILY_TOKEN_BUDGET",
          wait,
          `daily token budget reached: ${spent} of ${budget} tokens used today (AGENT_DAILY_TOKEN_BUDGET_${user.role}); ` +
            `it resets at 00:00 UTC, in ${formatWait(wait)}`,
        );
      }
    }
    // from here on synchronous: two messages at once cannot both take the last slot
    const running = this.active.get(user.userId) ?? 0;
    if (maxActive > 0 && running >= maxActive) {
      throw new RunLimitError(
        "AGENT_MAX_CONCURRENT_RUNS_PER_USER",
        5,
        `too many runs at once: you have ${running} in progress (AGENT_MAX_CONCURRENT_RUNS_PER_USER = ${maxActive}); ` +
          "stop one or retry when one ends",
      );
    }
    const ms = at.getTime();
    // Start times are pushed in order: the ones older than a minute are at the front.
    const starts = this.recent.get(user.userId) ?? [];
    let old = 0;
    while (old < starts.length && starts[old]! <= ms - 60_000) old++;
    if (old > 0) starts.splice(0, old);
    if (perMinute > 0 && starts.length >= perMinute) {
      const wait = Math.max(1, Math.ceil((starts[0]! + 60_000 - ms) / 1000));
      this.recent.set(user.userId, starts);
      throw new RunLimitError(
        "AGENT_MAX_RUNS_PER_MINUTE_PER_USER",
        wait,
        `too many runs started: ${starts.length} in the last minute (AGENT_MAX_RUNS_PER_MINUTE_PER_USER = ${perMinute}); ` +
          `retry in ${formatWait(wait)}`,
      );
    }
    starts.push(ms);
    this.recent.set(user.userId, starts);
    this.active.set(user.userId, running + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.active.get(user.userId) ?? 1) - 1;
      if (left > 0) this.active.set(user.userId, left);
      else this.active.delete(user.userId);
    };
  }

  /** Counts tokens LiteLLM reported for one model turn of the user. */
  spend(userId: number, tokens: number): Promise<void> {
    if (!(tokens > 0)) return Promise.resolve();
    return this.usage.add(userId, utcDay(this.now()), Math.round(tokens));
  }

  spentToday(userId: number): Promise<number> {
    return this.usage.spent(userId, utcDay(this.now()));
  }
}

function formatWait(sec: number): string {
  if (sec < 120) return `${sec} s`;
  if (sec < 7200) return `${Math.ceil(sec / 60)} min`;
  return `${Math.floor(sec / 3600)} h ${Math.ceil((sec % 3600) / 60)} min`;
}
