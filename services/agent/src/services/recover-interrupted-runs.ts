import type { Database } from "@texera-agent/db";
import type { ReActStep } from "@texera-agent/protocol";
import type { AgentDatabase } from "../db/schema.ts";
import { createRepositories } from "../repositories/index.ts";

export const INTERRUPTED_NOTICE =
  "This run was cut short: agent-service stopped before it finished (a restart or a crash). The steps above were saved; send the message again to continue.";

/**
 * At start-up, before any request: runs still marked 'running' belong to a process that is gone. Each is
 * marked interrupted and its agent gets a system step saying so. Returns how many were found.
 */
export async function recoverInterruptedRuns(
  database: Database<AgentDatabase>,
  now: () => Date,
): Promise<number> {
  const repos = createRepositories(database.sql);
  const running = await repos.runs.listRunning();
  for (const run of running) {
    // Before any request is served: nothing else writes these agents' steps meanwhile.
    const at = now().toISOString();
    const step: ReActStep = {
      index: await repos.steps.nextIndex(run.agentId),
      kind: "system",
      runId: run.id,
      content: INTERRUPTED_NOTICE,
      toolCalls: [],
      toolResults: [],
      touchedOperators: [],
      error: "INTERRUPTED",
      createdAt: at,
    };
    await database.sql.batch([
      repos.steps.appendStatement(run.agentId, step),
      repos.runs.finishStatement(run.id, "interrupted", at, "INTERRUPTED"),
    ]);
  }
  return running.length;
}
