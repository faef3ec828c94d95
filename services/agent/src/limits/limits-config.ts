import type { Role } from "@texera-agent/auth";
import type { AgentEnvValues } from "../config.schema.ts";

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
export function loadRunLimits(vars: AgentEnvValues): RunLimitsConfig {
  return {
    maxConcurrentRunsPerUser: vars.AGENT_MAX_CONCURRENT_RUNS_PER_USER,
    maxRunsPerMinutePerUser: vars.AGENT_MAX_RUNS_PER_MINUTE_PER_USER,
    dailyTokenBudget: {
      REGULAR: vars.AGENT_DAILY_TOKEN_BUDGET_REGULAR,
      ADMIN: vars.AGENT_DAILY_TOKEN_BUDGET_ADMIN,
    },
  };
}
