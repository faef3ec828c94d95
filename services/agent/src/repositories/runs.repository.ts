import type { RunStatus } from "../db/schema.ts";
import { execute, query, type SqlRunner, Statement } from "./sql.ts";

export interface RunRecord {
  id: string;
  agentId: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
}

interface Row {
  id: string;
  agent_id: string;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  error: string | null;
}

const COLUMNS = "id, agent_id, status, started_at, ended_at, error";
const START = new Statement(`insert into runs (${COLUMNS}) values (?, ?, 'running', ?, null, null)`);
const FINISH = new Statement("update runs set status = ?, ended_at = ?, error = ? where id = ?");
const RUNNING = new Statement(`select ${COLUMNS} from runs where status = 'running' order by started_at, id`);
const GET = new Statement(`select ${COLUMNS} from runs where id = ?`);

/** One row per answered message: 'running' until it ends, so a restart can tell which runs were cut short. */
export class RunsRepository {
  constructor(private readonly sql: SqlRunner) {}

  async start(id: string, agentId: string, at: string): Promise<void> {
    await execute(this.sql, START, [id, agentId, at]);
  }

  async finish(id: string, status: Exclude<RunStatus, "running">, at: string, error?: string): Promise<void> {
    await execute(this.sql, FINISH, [status, at, error ?? null, id]);
  }

  async listRunning(): Promise<RunRecord[]> {
    return (await query<Row>(this.sql, RUNNING, [])).map(fromRow);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const [row] = await query<Row>(this.sql, GET, [id]);
    return row && fromRow(row);
  }
}

function fromRow(r: Row): RunRecord {
  return {
    id: r.id,
    agentId: r.agent_id,
    status: r.status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
  };
}
