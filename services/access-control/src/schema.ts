import type { Role } from "@texera-agent/auth";
import type { ColumnType, Generated } from "kysely";

/**
 * access-control's tables, as its migrations (migrations.ts) make them: each column and the TypeScript type
 * it reads as. The repository's queries are typed from this, and so are agent-service's reads of the
 * directory (it imports this type; it never writes these tables).
 */
export interface AccessControlSchema {
  users: UsersTable;
  directory_version: DirectoryVersionTable;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  email: string | null;
  role: Role;
  password_hash: string;
  // timestamptz on PostgreSQL (read as Date), ISO text on SQLite
  created_at: ColumnType<Date | string, string, string>;
  updated_at: ColumnType<Date | string, string, string>;
}

export interface DirectoryVersionTable {
  id: number;
  version: number;
}
