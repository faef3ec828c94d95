import type { SqlClient } from "../repositories/sql.ts";

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
const READ =
  "select (select tokens from token_usage where user_id = ? and day = ?) as tokens, " +
  "count(*) filter (where r.status = 'running') as running, " +
  "count(*) filter (where r.started_at > ?) as started, " +
  "min(r.started_at) filter (where r.started_at > ?) as oldest " +
  "from runs r join agents a on a.id = r.agent_id " +
  "where a.owner_id = ? and (r.status = 'running' or r.started_at > ?) and r.id <> all(?::text[])";

interface Row {
  tokens: number | string | null;
  running: number | string;
  started: number | string;
  oldest: string | null;
}

/** One SELECT over `runs` ⋈ `agents` and `token_usage` per admitted run. */
export class SqlSharedRunCounts implements SharedRunCounts {
  constructor(private readonly sql: SqlClient) {}

  async read(userId: number, { day, since, exclude }: UserRunQuery): Promise<UserRunCounts> {
    const [row] = await this.sql.query<Row>(READ, [userId, day, since, since, userId, since, [...exclude]]);
    return {
      tokens: Number(row?.tokens ?? 0),
      running: Number(row?.running ?? 0),
      started: Number(row?.started ?? 0),
      oldestStart: row?.oldest ?? null,
    };
  }
}
