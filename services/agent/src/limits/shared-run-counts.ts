import { sql } from "kysely";
import { agentQuery } from "../db/schema.ts";
import type { Params, SqlClient } from "../repositories/sql.ts";

/** What the database knows of one user's runs (on every replica) and spend, read at once. */
export interface UserRunCounts {
  /** Tokens spent on the given UTC day. */
  tokens: number;
  /** Runs with status 'running'. */
  running: number;
  /** Runs started after `since`. */
  started: number;
  /** started_at of the oldest of those (ISO-8601), or null when there is none. */
  oldestStart: string | null;
}

export interface UserRunQuery {
  /** YYYY-MM-DD (UTC) of the token counter. */
  day: string;
  /** ISO-8601 UTC: runs started strictly after it count as started. */
  since: string;
  /** Run ids left out of the counts (the ones this replica counts itself). */
  exclude: readonly string[];
}

/** Run counts that every replica sharing one database sees alike. */
export interface SharedRunCounts {
  read(userId: number, query: UserRunQuery): Promise<UserRunCounts>;
}

// PostgreSQL only (`filter`, `<> all(array)`). started_at is ISO-8601 UTC text from toISOString(): text order
// is time order. The `or` keeps the join to the user's running runs and those of the last minute.
const READ = agentQuery(
  (db, p: Params<{ userId: number; day: string; since: string; exclude: readonly string[] }>) =>
    db
      .selectFrom("runs as r")
      .innerJoin("agents as a", "a.id", "r.agent_id")
      .select((eb) => [
        eb
          .selectFrom("token_usage")
          .select("tokens")
          .where("user_id", "=", p("userId"))
          .where("day", "=", p("day"))
          .as("tokens"),
        eb.fn.countAll<number | string>().filterWhere("r.status", "=", sql.lit("running")).as("running"),
        eb.fn.countAll<number | string>().filterWhere("r.started_at", ">", p("since")).as("started"),
        eb.fn.min<string | null>("r.started_at").filterWhere("r.started_at", ">", p("since")).as("oldest"),
      ])
      .where("a.owner_id", "=", p("userId"))
      .where((eb) => eb.or([eb("r.status", "=", sql.lit("running")), eb("r.started_at", ">", p("since"))]))
      .where(sql<boolean>`${sql.ref("r.id")} <> all(${p("exclude")}::text[])`),
);

/** One SELECT over `runs` ⋈ `agents` and `token_usage` per admitted run. */
export class SqlSharedRunCounts implements SharedRunCounts {
  constructor(private readonly sql: SqlClient) {}

  async read(userId: number, { day, since, exclude }: UserRunQuery): Promise<UserRunCounts> {
    const [row] = await this.sql.query(READ, { userId, day, since, exclude: [...exclude] });
    return {
      tokens: Number(row?.tokens ?? 0),
      running: Number(row?.running ?? 0),
      started: Number(row?.started ?? 0),
      oldestStart: row?.oldest ?? null,
    };
  }
}
