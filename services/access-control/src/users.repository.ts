import type { DirectoryEntry, Role } from "@texera-agent/auth";
import type { Kysely, Selectable } from "kysely";
import type { AccessControlSchema, UsersTable } from "./schema.ts";
import { canonicalUserName } from "./user-name.ts";

/** A user as the service handles it (never a raw row). */
export interface UserRecord {
  id: number;
  name: string;
  email?: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

/** What the authorize path needs of a user (the shared RoleDirectory's entry). */
export type { DirectoryEntry };

export interface NewUser {
  name: string;
  email?: string;
  role: Role;
  passwordHash: string;
}

export interface UsersRepository {
  findById(id: number): Promise<UserRecord | undefined>;
  /** Names compare in any ASCII letter case (unique that way, see migration 002). */
  findByName(name: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  countByRole(role: Role): Promise<number>;
  /** Inserts and bumps the directory version. */
  insert(user: NewUser, now: Date): Promise<UserRecord>;
  /** Changes a role and bumps the directory version; undefined when there is no such user. */
  updateRole(id: number, role: Role, now: Date): Promise<UserRecord | undefined>;
  /** Bumps the directory version first: on PostgreSQL this row lock serialises concurrent writers. */
  bumpVersion(): Promise<void>;
  version(): Promise<number>;
  snapshot(): Promise<{ version: number; users: DirectoryEntry[] }>;
  /** Runs `work` in one transaction, with a repository bound to it. */
  transaction<T>(work: (repository: UsersRepository) => Promise<T>): Promise<T>;
}

type Row = Selectable<UsersTable>;

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

function toRecord(row: Row): UserRecord {
  const record: UserRecord = {
    id: Number(row.id),
    name: row.name,
    role: row.role,
    passwordHash: row.password_hash,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
  if (row.email !== null) record.email = row.email;
  return record;
}

/** All SQL of the user directory; works on SQLite and PostgreSQL alike. */
export function createUsersRepository(db: Kysely<AccessControlSchema>): UsersRepository {
  const repository: UsersRepository = {
    async findById(id) {
      const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByName(name) {
      const row = await db
        .selectFrom("users")
        .selectAll()
        .where((eb) => eb(eb.fn("lower", ["name"]), "=", canonicalUserName(name)))
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async list() {
      const rows = await db.selectFrom("users").selectAll().orderBy("id").execute();
      return rows.map(toRecord);
    },
    async countByRole(role) {
      const row = await db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("role", "=", role)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async insert(user, now) {
      const at = now.toISOString();
      const row = await db
        .insertInto("users")
        .values({
          name: user.name,
          email: user.email ?? null,
          role: user.role,
          password_hash: user.passwordHash,
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async updateRole(id, role, now) {
      const row = await db
        .updateTable("users")
        .set({ role, updated_at: now.toISOString() })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async bumpVersion() {
      await db
        .updateTable("directory_version")
        .set((eb) => ({ version: eb("version", "+", 1) }))
        .where("id", "=", 1)
        .execute();
    },
    async version() {
      const row = await db
        .selectFrom("directory_version")
        .select("version")
        .where("id", "=", 1)
        .executeTakeFirstOrThrow();
      return Number(row.version);
    },
    async snapshot() {
      const version = await repository.version();
      const rows = await db.selectFrom("users").select(["id", "name", "role"]).execute();
      return { version, users: rows.map((r) => ({ id: Number(r.id), name: r.name, role: r.role })) };
    },
    transaction(work) {
      return db.transaction().execute((trx) => work(createUsersRepository(trx)));
    },
  };
  return repository;
}
