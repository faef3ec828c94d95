import { type AgentState, type CompleteFrame, type ReActStep, stepKind } from "@texera-agent/protocol";

/** How a run ended: the `complete` frame's reasons, plus a run cut short by a service restart. */
export type RunEndReason = CompleteFrame["reason"] | "interrupted";

export interface RunEnd {
  runId: string;
  reason: RunEndReason;
}

/**
 * How the latest run ended, read from the saved steps (after a reload no `complete` frame comes): null
 * while the agent still runs or when the steps do not tell. agent-service saves a system step for every
 * end but a plain finish (runs.service.ts `finish`, recover-interrupted-runs.ts), so the run's last step
 * says it: an agent step is done; a system step is interrupted (error code INTERRUPTED, or the service
 * shut down), failed (any other error code), the step limit ("Stopped after N steps …"), or stopped.
 */
export function lastRunEnd(steps: readonly ReActStep[], agentState: AgentState | null): RunEnd | null {
  if (agentState === "GENERATING" || agentState === "STOPPING") return null;
  const last = steps[steps.length - 1];
  if (!last) return null;
  const reason = stepEndReason(last);
  return reason === null ? null : { runId: last.runId, reason };
}

function stepEndReason(step: ReActStep): RunEndReason | null {
  const kind = stepKind(step);
  if (kind === "agent") return "done";
  if (kind === "user") return null; // nothing after the message: the steps do not tell
  if (step.error === "INTERRUPTED" || /\bshut down\b/.test(step.content)) return "interrupted";
  if (step.error === "MAX_STEPS" || /^Stopped after \d+ steps/.test(step.content)) return "max_steps";
  if (step.error === "STOPPED") return "stopped";
  if (step.error !== undefined) return "error";
  return "stopped";
}
