import type { Kysely } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";
import { AgentsRepository } from "./agents.repository.ts";
import { RunsRepository } from "./runs.repository.ts";
import { StepsRepository } from "./steps.repository.ts";
import { WorkflowsRepository } from "./workflows.repository.ts";

export interface Repositories {
  agents: AgentsRepository;
  steps: StepsRepository;
  workflows: WorkflowsRepository;
  runs: RunsRepository;
}

export function createRepositories(db: Kysely<AgentDatabase>): Repositories {
  return {
    agents: new AgentsRepository(db),
    steps: new StepsRepository(db),
    workflows: new WorkflowsRepository(db),
    runs: new RunsRepository(db),
  };
}

export type { AgentRecord } from "./agents.repository.ts";
export type { RunRecord } from "./runs.repository.ts";
export { AgentsRepository, RunsRepository, StepsRepository, WorkflowsRepository };
