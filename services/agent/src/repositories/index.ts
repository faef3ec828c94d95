import { AgentsRepository } from "./agents.repository.ts";
import { RunsRepository } from "./runs.repository.ts";
import type { SqlClient } from "./sql.ts";
import { StepsRepository } from "./steps.repository.ts";
import { WorkflowsRepository } from "./workflows.repository.ts";

export interface Repositories {
  agents: AgentsRepository;
  steps: StepsRepository;
  workflows: WorkflowsRepository;
  runs: RunsRepository;
}

/** The repositories over a database's SqlClient; writes that belong together go out as one `sql.batch`. */
export function createRepositories(sql: SqlClient): Repositories {
  return {
    agents: new AgentsRepository(sql),
    steps: new StepsRepository(sql),
    workflows: new WorkflowsRepository(sql),
    runs: new RunsRepository(sql),
  };
}

export type { AgentRecord } from "./agents.repository.ts";
export type { RunRecord } from "./runs.repository.ts";
export { AgentsRepository, RunsRepository, StepsRepository, WorkflowsRepository };
