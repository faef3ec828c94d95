/**
 * The repositories write plain statements with `?` placeholders, in the SQL that SQLite and PostgreSQL
 * share, and run them through the database's SqlClient: on SQLite each text is prepared once and reused,
 * with no query builder on the run path (building and compiling a query tree, then preparing it again,
 * cost more than the statement itself). Writes that must land together are SqlStatements for one batch.
 */
export type { SqlClient, SqlStatement } from "@texera-agent/db";
