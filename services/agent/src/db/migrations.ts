import { type Kysely, type Migration, sql } from "kysely";
import { auditEventsMigration } from "../audit/audit-events.ts";
import { operatorResultsMigration, resultsByStepMigration } from "../engine/results-store.ts";
import { tokenUsageMigration } from "../limits/token-usage.ts";
import { migrateStoredSteps, type StoredStepV1 } from "../steps/migrate-steps.ts";
import { wsTicketUsesMigration } from "../tickets/ticket-uses.ts";
import { texeraWorkflowMigration } from "./texera-workflow-migration.ts";

/** Append only: a released migration is never edited. Runs on SQLite and PostgreSQL alike. */
export const migrations: Record<string, Migration> = {
  "001_agents": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("agents")
        .addColumn("id", "varchar(36)", (c) => c.primaryKey())
        .addColumn("owner_id", "bigint", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("model_type", "text", (c) => c.notNull())
        .addColumn("settings", "text", (c) => c.notNull())
        .addColumn("created_at", "varchar(32)", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("agents_owner").on("agents").columns(["owner_id", "created_at"]).execute();

      await db.schema
        .createTable("steps")
        .addColumn("agent_id", "varchar(36)", (c) => c.notNull().references("agents.id").onDelete("cascade"))
        .addColumn("idx", "integer", (c) => c.notNull())
        .addColumn("run_id", "varchar(36)", (c) => c.notNull())
        .addColumn("kind", "varchar(16)", (c) => c.notNull())
        .addColumn("json", "text", (c) => c.notNull())
        .addColumn("created_at", "varchar(32)", (c) => c.notNull())
        .addPrimaryKeyConstraint("steps_pk", ["agent_id", "idx"])
        .execute();

      await db.schema
        .createTable("workflows")
        .addColumn("agent_id", "varchar(36)", (c) =>
          c.primaryKey().references("agents.id").onDelete("cascade"),
        )
        .addColumn("json", "text", (c) => c.notNull())
        .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("runs")
        .addColumn("id", "varchar(36)", (c) => c.primaryKey())
        .addColumn("agent_id", "varchar(36)", (c) => c.notNull().references("agents.id").onDelete("cascade"))
        .addColumn("status", "varchar(16)", (c) => c.notNull())
        .addColumn("started_at", "varchar(32)", (c) => c.notNull())
        .addColumn("ended_at", "varchar(32)")
        .addColumn("error", "text")
        .execute();
      await db.schema.createIndex("runs_status").on("runs").column("status").execute();
      await db.schema.createIndex("runs_agent").on("runs").column("agent_id").execute();
    },
  },
  "002_operator_results": operatorResultsMigration,
  "003_ws_ticket_uses": wsTicketUsesMigration,
  "004_token_usage": tokenUsageMigration,
  "005_audit_events": auditEventsMigration,
  // The run limits count a user's runs of the last minute on every start (limits/shared-run-counts.ts).
  "006_runs_agent_started": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex("runs_agent_started")
        .on("runs")
        .columns(["agent_id", "started_at"])
        .execute();
    },
  },
  // Stored workflows take Texera's WorkflowContent format (issue 12).
  "007_texera_workflow_content": texeraWorkflowMigration,
  // Texera's version tree: each step becomes Texera's ReActStep with its parent (the step before it), its
  // string id is indexed for checkout, and each agent gets a HEAD (its last step; null = "step-initial").
  "008_version_tree": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("agents").addColumn("head_id", "varchar(200)").execute();
      await db.schema.alterTable("steps").addColumn("step_key", "varchar(200)").execute();
      const agents = await sql<{ agent_id: string }>`select distinct agent_id from steps`.execute(db);
      for (const { agent_id } of agents.rows) {
        const rows = await sql<{ idx: number; json: string }>`
          select idx, json from steps where agent_id = ${agent_id} order by idx`.execute(db);
        const migrated = migrateStoredSteps(rows.rows.map((r) => JSON.parse(r.json) as StoredStepV1));
        for (const step of migrated) {
          await sql`update steps set json = ${JSON.stringify(step)}, kind = ${step.role}, step_key = ${step.id}
            where agent_id = ${agent_id} and idx = ${step.index}`.execute(db);
        }
        const head = migrated.at(-1)?.id ?? null;
        await sql`update agents set head_id = ${head} where id = ${agent_id}`.execute(db);
      }
      await db.schema.createIndex("steps_key").on("steps").columns(["agent_id", "step_key"]).execute();
    },
  },
  // Operator results follow the version tree (Texera: stored per step, the nearest on the path to HEAD
  // shown). The latest results each agent had are kept, on its HEAD at the time of the migration.
  "009_results_by_step": resultsByStepMigration,
};
