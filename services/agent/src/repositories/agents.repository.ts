import type { AgentSettings } from "@texera-agent/protocol";
import type { SqlClient, SqlStatement } from "./sql.ts";

/** An agent as stored: the owner and the settings that are not the model. */
export interface AgentRecord {
  id: string;
  ownerId: number;
  name: string;
  modelType: string;
  settings: Omit<AgentSettings, "modelType">;
  createdAt: string;
  /** HEAD of the version tree: a step id, or null for the root ("step-initial"). */
  headId: string | null;
}

interface Row {
  id: string;
  owner_id: number | string;
  name: string;
  model_type: string;
  settings: string;
  created_at: string;
  head_id: string | null;
}

const COLUMNS = "id, owner_id, name, model_type, settings, created_at, head_id";
const INSERT = `insert into agents (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?)`;
const BY_ID = `select ${COLUMNS} from agents where id = ?`;
const BY_OWNER = `select ${COLUMNS} from agents where owner_id = ? order by created_at, id`;
const ALL = `select ${COLUMNS} from agents order by created_at, id`;
const UPDATE_SETTINGS = "update agents set model_type = ?, settings = ? where id = ?";
const DELETE = "delete from agents where id = ?";
const SET_HEAD = "update agents set head_id = ? where id = ?";
const RENAME = "update agents set name = ? where id = ?";

export class AgentsRepository {
  constructor(private readonly sql: SqlClient) {}

  async insert(a: AgentRecord): Promise<void> {
    await this.sql.execute(INSERT, [
      a.id,
      a.ownerId,
      a.name,
      a.modelType,
      JSON.stringify(a.settings),
      a.createdAt,
      a.headId,
    ]);
  }

  async setHead(id: string, headId: string | null): Promise<void> {
    await this.sql.execute(SET_HEAD, [headId, id]);
  }

  /** Moves HEAD (null: back to the root). */
  setHeadStatement(id: string, headId: string | null): SqlStatement {
    return { text: SET_HEAD, params: [headId, id] };
  }

  async findById(id: string): Promise<AgentRecord | undefined> {
    const [row] = await this.sql.query<Row>(BY_ID, [id]);
    return row && fromRow(row);
  }

  async listByOwner(ownerId: number): Promise<AgentRecord[]> {
    return (await this.sql.query<Row>(BY_OWNER, [ownerId])).map(fromRow);
  }

  async listAll(): Promise<AgentRecord[]> {
    return (await this.sql.query<Row>(ALL, [])).map(fromRow);
  }

  async updateSettings(id: string, modelType: string, settings: AgentRecord["settings"]): Promise<void> {
    await this.sql.execute(UPDATE_SETTINGS, [modelType, JSON.stringify(settings), id]);
  }

  async rename(id: string, name: string): Promise<void> {
    await this.sql.execute(RENAME, [name, id]);
  }

  /** Deletes the agent; its steps, workflow and runs go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    return (await this.sql.execute(DELETE, [id])) > 0;
  }
}

function fromRow(row: Row): AgentRecord {
  return {
    id: row.id,
    ownerId: Number(row.owner_id),
    name: row.name,
    modelType: row.model_type,
    settings: JSON.parse(row.settings),
    createdAt: row.created_at,
    headId: row.head_id ?? null,
  };
}
