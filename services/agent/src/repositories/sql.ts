import type { SqlClient as DatabaseSqlClient } from "@texera-agent/db";
import type { AgentDatabase } from "../db/schema.ts";

/**
 * The repositories' queries are written once with Kysely's builder over AgentDatabase (`agentQuery` in
 * db/schema.ts) and run through the database's SqlClient: each is compiled once and, on SQLite, prepared
 * once and reused, with no query built on the run path (building and compiling a query tree, then
 * preparing it again, cost more than the statement itself). Writes that must land together are
 * SqlStatements for one batch.
 */
export type SqlClient = DatabaseSqlClient<AgentDatabase>;
export type { Params, SqlStatement } from "@texera-agent/db";
