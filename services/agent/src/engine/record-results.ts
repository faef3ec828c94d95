import type { AgentTool, ToolOutcome } from "../react/tool-types.ts";
import type { Execution } from "./execute-workflow.ts";
import { resultSummaries } from "./results-store.ts";
import type { ExecutionTool } from "./tools.ts";

/**
 * The execution tools as the run loop uses them: an execution's full (bounded) results are stored for
 * GET /api/agents/:id/operator-results, and the step gets their summaries (row counts, columns) instead.
 */
export function withResultRecording(
  tools: readonly ExecutionTool[],
  save: (agentId: string, headId: string, execution: Execution) => Promise<void>,
): AgentTool[] {
  return tools.map((tool) => ({
    ...tool,
    async execute(args, ctx): Promise<ToolOutcome> {
      const { execution, ...outcome } = await tool.execute(args, ctx);
      if (!execution) return outcome;
      await save(ctx.agentId, ctx.headId, execution);
      return { ...outcome, operatorResults: resultSummaries(execution) };
    },
  }));
}
