import type { Usage } from "../react/turn.ts";

/** What RunsService tells about each run as it goes (metering and the audit log, see limits/run-gate.ts). */
export interface RunHooks {
  /** A model turn's usage, as LiteLLM reported it, when its step completes. Must not throw. */
  usage(runId: string, usage: Usage): void;
  /** The run is over and its end is saved. Must not throw. */
  ended(runId: string, reason: string): void;
}
