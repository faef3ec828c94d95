import { type Database, migrateToLatest, openDatabase } from "@texera-agent/db";
import { sql } from "kysely";
import { migrations } from "./migrations.ts";
import type { AgentDatabase } from "./schema.ts";

export interface OpenAgentDatabaseOptions {
  /** DATABASE_URL: postgres://… or sqlite:<path>; unset for `agent.sqlite` under dataDir. */
  url: string | undefined;
  dataDir: string;
}

/** Opens agent-service's database and brings its schema up to date. */
export async function openAgentDatabase(options: OpenAgentDatabaseOptions): Promise<Database<AgentDatabase>> {
  const database = openDatabase<AgentDatabase>({ ...options, fileName: "agent.sqlite" });
  try {
    if (database.dialect === "sqlite") {
      // WAL + NORMAL: a commit survives the process being killed (kill -9); only a power cut can lose the
      // last commits. FULL would fsync every saved step on the event loop.
      await sql`PRAGMA synchronous = NORMAL`.execute(database.db);
    }
    await migrateToLatest(database.db, "agent", migrations);
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return database;
}
