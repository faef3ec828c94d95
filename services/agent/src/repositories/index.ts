import type { Dialect } from "@texera-agent/db";
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

/** The repositories over a connection, or over a transaction (`db` may be a Transaction). */
export function createRepositories(db: Kysely<AgentDatabase>, dialect: Dialect): Repositories {
  const sql = { db, dialect };
  return {
    agents: new AgentsRepository(sql),
    steps: new StepsRepository(sql),
    workflows: new WorkflowsRepository(sql),
    runs: new RunsRepository(sql),
  };
}

/** Runs `fn` in one transaction, with repositories bound to it. */
export function inTransaction<T>(
  db: Kysely<AgentDatabase>,
  dialect: Dialect,
  fn: (repos: Repositories) => Promise<T>,
): Promise<T> {
  return db.transaction().execute((trx) => fn(createRepositories(trx, dialect)));
}

export type { AgentRecord } from "./agents.repository.ts";
export type { RunRecord } from "./runs.repository.ts";
export { AgentsRepository, RunsRepository, StepsRepository, WorkflowsRepository };
