import type { Role } from "@texera-agent/auth";
import { AgentServiceError } from "../errors.ts";

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

/** The user's tokens today reached the role's budget: retry after 00:00 UTC. */
export function budgetReached(spent: number, budget: number, role: Role, at: Date): RunLimitError {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
  const wait = Math.max(1, Math.ceil((midnight - at.getTime()) / 1000));
  return new RunLimitError(
    "AGENT_DAILY_TOKEN_BUDGET",
    wait,
    `daily token budget reached: ${spent} of ${budget} tokens used today (AGENT_DAILY_TOKEN_BUDGET_${role}); ` +
      `it resets at 00:00 UTC, in ${formatWait(wait)}`,
  );
}

export function tooManyActive(running: number, max: number): RunLimitError {
  return new RunLimitError(
    "AGENT_MAX_CONCURRENT_RUNS_PER_USER",
    5,
    `too many runs at once: you have ${running} in progress (AGENT_MAX_CONCURRENT_RUNS_PER_USER = ${max}); ` +
      "stop one or retry when one ends",
  );
}

/** `oldestMs`: the start of the oldest run of the last minute (the first to leave the window). */
export function tooManyStarted(started: number, max: number, oldestMs: number, nowMs: number): RunLimitError {
  const wait = Math.max(1, Math.ceil((oldestMs + 60_000 - nowMs) / 1000));
  return new RunLimitError(
    "AGENT_MAX_RUNS_PER_MINUTE_PER_USER",
    wait,
    `too many runs started: ${started} in the last minute (AGENT_MAX_RUNS_PER_MINUTE_PER_USER = ${max}); ` +
      `retry in ${formatWait(wait)}`,
  );
}

function formatWait(sec: number): string {
  if (sec < 120) return `${sec} s`;
  if (sec < 7200) return `${Math.ceil(sec / 60)} min`;
  return `${Math.floor(sec / 3600)} h ${Math.ceil((sec % 3600) / 60)} min`;
}
