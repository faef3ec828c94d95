import type { Role } from "@texera-agent/auth";
import { intFromEnv } from "@texera-agent/service-kit";

/** Per-user limits on agent runs. 0 means no limit. */
export interface RunLimitsConfig {
  /** Runs of one user in progress at once (over all their agents). */
  maxConcurrentRunsPerUser: number;
  /** Runs one user may start in any 60 s. */
  maxRunsPerMinutePerUser: number;
  /** Tokens (LiteLLM's reported total) one user may spend per UTC day, by role. */
  dailyTokenBudget: Partial<Record<Role, number>>;
}

export const DEFAULT_RUN_LIMITS: RunLimitsConfig = {
  maxConcurrentRunsPerUser: 2,
  maxRunsPerMinutePerUser: 10,
  dailyTokenBudget: { REGULAR: 1_000_000, ADMIN: 0 },
};

/** AGENT_MAX_CONCURRENT_RUNS_PER_USER, AGENT_MAX_RUNS_PER_MINUTE_PER_USER, AGENT_DAILY_TOKEN_BUDGET_<ROLE>. */
export function loadRunLimits(env: Record<string, string | undefined>): RunLimitsConfig {
  const d = DEFAULT_RUN_LIMITS;
  return {
    maxConcurrentRunsPerUser: intFromEnv(
      env,
      "AGENT_MAX_CONCURRENT_RUNS_PER_USER",
      d.maxConcurrentRunsPerUser,
    ),
    maxRunsPerMinutePerUser: intFromEnv(env, "AGENT_MAX_RUNS_PER_MINUTE_PER_USER", d.maxRunsPerMinutePerUser),
    dailyTokenBudget: {
      REGULAR: intFromEnv(env, "AGENT_DAILY_TOKEN_BUDGET_REGULAR", d.dailyTokenBudget.REGULAR!),
      ADMIN: intFromEnv(env, "AGENT_DAILY_TOKEN_BUDGET_ADMIN", d.dailyTokenBudget.ADMIN!),
    },
  };
}
