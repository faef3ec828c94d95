import type { Kysely, Migration } from "kysely";
import { fromLegacyWorkflow, isLegacyWorkflow } from "../workflow/legacy-workflow.ts";
import type { AgentDatabase } from "./schema.ts";

const BATCH = 200;

/**
 * Migration 007: every stored workflow in this service's old format becomes Texera's WorkflowContent
 * (workflow/legacy-workflow.ts says how; nothing is dropped). Rows already in Texera's format, and rows
 * that do not parse, are left as they are. Reads in batches by agent id, so memory stays bounded.
 */
export const texeraWorkflowMigration: Migration = {
  // The Migrator passes an untyped Kysely; this migration reads `workflows`, unchanged since 001.
  async up(db: Kysely<Pick<AgentDatabase, "workflows">>) {
    let after = "";
    for (;;) {
      const rows = await db
        .selectFrom("workflows")
        .select(["agent_id", "json"])
        .where("agent_id", ">", after)
        .orderBy("agent_id")
        .limit(BATCH)
        .execute();
      for (const row of rows) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(row.json);
        } catch {
          continue;
        }
        if (!isLegacyWorkflow(parsed)) continue;
        await db
          .updateTable("workflows")
          .set({ json: JSON.stringify(fromLegacyWorkflow(parsed)) })
          .where("agent_id", "=", row.agent_id)
          .execute();
      }
      if (rows.length < BATCH) break;
      after = rows.at(-1)!.agent_id;
    }
  },
};
