import type { RunStatus } from "../db/schema.ts";
import type { SqlClient, SqlStatement } from "./sql.ts";

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
const START = `insert into runs (${COLUMNS}) values (?, ?, 'running', ?, null, null)`;
const FINISH = "update runs set status = ?, ended_at = ?, error = ? where id = ?";
const RUNNING = `select ${COLUMNS} from runs where status = 'running' order by started_at, id`;
const GET = `select ${COLUMNS} from runs where id = ?`;

/** One row per answered message: 'running' until it ends, so a restart can tell which runs were cut short. */
export class RunsRepository {
  constructor(private readonly sql: SqlClient) {}

  async start(id: string, agentId: string, at: string): Promise<void> {
    const { text, params } = this.startStatement(id, agentId, at);
    await this.sql.execute(text, params);
  }

  startStatement(id: string, agentId: string, at: string): SqlStatement {
    return { text: START, params: [id, agentId, at] };
  }

  async finish(id: string, status: Exclude<RunStatus, "running">, at: string, error?: string): Promise<void> {
    const { text, params } = this.finishStatement(id, status, at, error);
    await this.sql.execute(text, params);
  }

  finishStatement(
    id: string,
    status: Exclude<RunStatus, "running">,
    at: string,
    error?: string,
  ): SqlStatement {
    return { text: FINISH, params: [status, at, error ?? null, id] };
  }

  async listRunning(): Promise<RunRecord[]> {
    return (await this.sql.query<Row>(RUNNING, [])).map(fromRow);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.sql.query<Row>(GET, [id]);
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
