import { queryOf } from "@texera-agent/db";
import type { ColumnType, Generated } from "kysely";

/**
 * agent-service's tables, every one of them, as the migrations (migrations.ts) make them: each column and
 * the TypeScript type it reads as. Every query is typed from this (`agentQuery` below, or the Kysely
 * instance `Database<AgentDatabase>["db"]`); no row type is written anywhere else. JSON documents are
 * stored as text, so SQLite and PostgreSQL read alike.
 */
export interface AgentDatabase {
  agents: AgentsTable;
  steps: StepsTable;
  workflows: WorkflowsTable;
  runs: RunsTable;
  step_operator_results: StepOperatorResultsTable;
  ws_ticket_uses: WsTicketUsesTable;
  token_usage: TokenUsageTable;
  audit_events: AuditEventsTable;
}

/** The queries of agent-service (packages/db query.ts): typed from AgentDatabase. */
export const agentQuery = queryOf<AgentDatabase>();

/** A `bigint` column: PostgreSQL returns it as a string, SQLite as a number; it is written as a number. */
type Int8 = ColumnType<number | string, number, number>;

export interface AgentsTable {
  id: string;
  owner_id: Int8;
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
  /** Texera's WorkflowContent as JSON. */
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

/**
 * Executions' results by the step they hang on (the agent's HEAD when the workflow ran, ROOT_STEP_ID before
 * any step), as Texera keeps them: one row per (agent, step), the operators of every execution at that step
 * merged (a later one wins per operator). What an agent shows is the nearest row on the path to its HEAD,
 * per operator (results-store.ts).
 */
export interface StepOperatorResultsTable {
  agent_id: string;
  step_id: string;
  /** OperatorResultList as JSON (bounded by the engine: at most maxExecutionBytes of rows each). */
  json: string;
  updated_at: string;
}

/**
 * Spent WebSocket tickets (tickets/ticket-uses.ts). Rows outlive their ticket briefly and are swept as new
 * tickets are spent.
 */
export interface WsTicketUsesTable {
  jti: string;
  /** ISO time after which the ticket is expired anyway and the row can go. */
  expires_at: string;
}

/** Tokens each user spent per UTC day, as LiteLLM reported them (`usage.total_tokens`). */
export interface TokenUsageTable {
  user_id: Int8;
  /** YYYY-MM-DD (UTC) */
  day: string;
  tokens: Int8;
}

/**
 * Who created, deleted and ran which agent, with which model, how many tokens, from which address.
 * `detail` is a small JSON object without secrets: never a token; the user's message only when the service
 * runs with AUDIT_PROMPTS=1.
 */
export interface AuditEventsTable {
  /** bigserial on PostgreSQL (read as a string), integer on SQLite. */
  id: Generated<number | string>;
  at: string;
  user_id: Int8;
  user_name: string;
  action: string;
  agent_id: string | null;
  model: string | null;
  tokens: ColumnType<number | string | null, number | null, number | null>;
  address: string | null;
  detail: string;
}
