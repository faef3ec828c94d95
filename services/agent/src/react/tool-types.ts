// The tool contract of the whole service: the run loop calls tools through it, and the workflow-editing
// tools (src/workflow/) and the execution tools (src/engine/) implement it.
import type { AgentSettings, OperatorResultSummary, Workflow } from "@texera-agent/protocol";

export interface ToolContext {
  /** The workflow as it is before this call. */
  workflow: Workflow;
  /** The run's signal merged with this call's timeout: stop work when it aborts. */
  signal: AbortSignal;
  settings: AgentSettings;
  userId: number;
  agentId: string;
  /** The agent's HEAD while the call runs (ROOT_STEP_ID before any step): an execution's results hang on it. */
  headId: string;
}

export interface ToolOutcome {
  /** What goes back to the model (text, or a value sent as JSON). */
  output: unknown;
  /** The new workflow, when the tool changed it. */
  workflow?: Workflow;
  touchedOperators?: string[];
  /** Per-operator row counts and columns when the tool executed the workflow (shown on the DAG's edges). */
  operatorResults?: OperatorResultSummary[];
}

/** A tool is a plain object: a name, a description and a JSON Schema for the model, and execute. */
export interface AgentTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  execute(args: unknown, ctx: ToolContext): Promise<ToolOutcome>;
}
