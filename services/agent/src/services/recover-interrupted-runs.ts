import type { Database } from "@texera-agent/db";
import type { ReActStep } from "@texera-agent/protocol";
import type { AgentDatabase } from "../db/schema.ts";
import { createRepositories, type Repositories, type RunRecord } from "../repositories/index.ts";
import type { SqlClient } from "../repositories/sql.ts";
import { noticeStep } from "../steps/step-builders.ts";

export const INTERRUPTED_NOTICE =
  "This run was cut short: agent-service stopped before it finished (a restart or a crash). The steps above were saved; send the message again to continue.";

/**
 * Closes a run whose process is gone: the run row marked interrupted and a system step saying so, in one
 * transaction. The caller makes sure nothing else writes the agent's steps meanwhile. Returns the step.
 */
export async function closeInterruptedRun(
  sql: SqlClient,
  repos: Repositories,
  run: Pick<RunRecord, "id" | "agentId">,
  now: () => Date,
): Promise<ReActStep> {
  const at = now();
  const agent = await repos.agents.findById(run.agentId);
  const head = agent?.headId ? await repos.steps.find(run.agentId, agent.headId) : undefined;
  const step = noticeStep(
    { runId: run.id, index: await repos.steps.nextIndex(run.agentId), parentId: head?.id ?? null, at },
    head?.runId === run.id ? head.stepId + 1 : 1,
    INTERRUPTED_NOTICE,
    "INTERRUPTED",
  );
  await sql.batch([
    repos.steps.appendStatement(run.agentId, step),
    repos.agents.setHeadStatement(run.agentId, step.id),
    repos.runs.finishStatement(run.id, "interrupted", at.toISOString(), "INTERRUPTED"),
  ]);
  return step;
}

/**
 * At start-up of the only process (SQLite), before any request: runs still marked 'running' belong to a
 * process that is gone. Each is marked interrupted and its agent gets a system step saying so. Returns how
 * many were found. (Replicas over PostgreSQL do this for runs whose replica is gone: cluster/.)
 */
export async function recoverInterruptedRuns(
  database: Database<AgentDatabase>,
  now: () => Date,
): Promise<number> {
  const repos = createRepositories(database.sql);
  const running = await repos.runs.listRunning();
  for (const run of running) await closeInterruptedRun(database.sql, repos, run, now);
  return running.length;
}
