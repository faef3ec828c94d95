export {
  type Database,
  type DatabaseOptions,
  type Dialect,
  isPostgresUrl,
  openDatabase,
  redactUrl,
} from "./database.ts";
export { migrateToLatest } from "./migrate.ts";
export type { SqlClient, SqlStatement } from "./sql-client.ts";
export { isDatabaseUnreachable } from "./unreachable.ts";
