import type { OperatorResultsTable } from "../engine/results-store.ts";

/** agent-service's tables. JSON documents are stored as text, so SQLite and PostgreSQL read alike. */
export interface AgentDatabase {
  agents: AgentsTable;
  steps: StepsTable;
  workflows: WorkflowsTable;
  runs: RunsTable;
  operator_results: OperatorResultsTable;
}

export interface AgentsTable {
  id: string;
  /** PostgreSQL returns bigint as a string: the repository converts. */
  owner_id: number | string;
  name: string;
  model_type: string;
  /** AgentSettings without modelType, as JSON. */
  settings: string;
  created_at: string;
  /** The step HEAD points at (Texera's version tree); null: the root, "step-initial". */
  head_id: string | null;
}

export interface StepsTable {
  agent_id: string;
  idx: number;
  run_id: string;
  /** The step's role (user, agent). */
  kind: string;
  /** The ReActStep as JSON. */
  json: string;
  /** The step's string id (ReActStep.id), for checkout. */
  step_key: string | null;
  created_at: string;
}

export interface WorkflowsTable {
  agent_id: string;
  json: string;
  updated_at: string;
}

export type RunStatus = "running" | "done" | "stopped" | "max_steps" | "error" | "interrupted";

export interface RunsTable {
  id: string;
  agent_id: string;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  error: string | null;
}
