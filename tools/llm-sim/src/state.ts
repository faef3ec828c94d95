import type { LlmSimCounters } from "./counters.ts";
import type { Fault } from "./fault.ts";
import type { CompiledScenario } from "./scenario.ts";

export type Outcome = "pending" | "completed" | "error" | "faulted" | "aborted";

/** One chat-completion request as the simulator saw it (the Authorization header is never kept). */
export interface RecordedRequest {
  /** 1, 2, 3… in arrival order since start or reset(). */
  seq: number;
  receivedAt: number;
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  /** The model as sent (with any fault suffix), the OpenAI `user` field, and `stream`. */
  model: string | undefined;
  user: string | undefined;
  stream: boolean;
  /** The scenario rule that answered ("fallback" when none matched). */
  rule: string | undefined;
  /** The fault applied after merging every layer and counting failFirst. */
  fault: Fault | undefined;
  status: number | undefined;
  outcome: Outcome;
}

export interface SimState {
  masterKey: string;
  models: Set<string>;
  modelList: string[];
  createdAt: number;
  scenario: CompiledScenario;
  faults: Map<string, Fault>;
  /** failFirst progress: requests seen per model and fault. */
  failSeen: Map<string, number>;
  counters: LlmSimCounters;
  requests: RecordedRequest[];
  maxRecorded: number;
  seq: number;
  log: ((line: string) => void) | undefined;
}
