export {
  type Database,
  type DatabaseOptions,
  type Dialect,
  isPostgresUrl,
  openDatabase,
  redactUrl,
} from "./database.ts";
export { migrateToLatest } from "./migrate.ts";
export { type Params, type Query, queryOf, type SqlStatement } from "./query.ts";
export type { SqlClient } from "./sql-client.ts";
export { isDatabaseUnreachable } from "./unreachable.ts";
