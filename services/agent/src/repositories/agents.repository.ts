import type { AgentSettings } from "@texera-agent/protocol";
import type { Insertable, Selectable } from "kysely";
import { type AgentsTable, agentQuery } from "../db/schema.ts";
import type { Params, SqlClient, SqlStatement } from "./sql.ts";

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

const COLUMNS = ["id", "owner_id", "name", "model_type", "settings", "created_at", "head_id"] as const;
const INSERT = agentQuery((db, p: Params<Required<Insertable<AgentsTable>>>) =>
  db.insertInto("agents").values({
    id: p("id"),
    owner_id: p("owner_id"),
    name: p("name"),
    model_type: p("model_type"),
    settings: p("settings"),
    created_at: p("created_at"),
    head_id: p("head_id"),
  }),
);
const BY_ID = agentQuery((db, p: Params<{ id: string }>) =>
  db.selectFrom("agents").select(COLUMNS).where("id", "=", p("id")),
);
const BY_OWNER = agentQuery((db, p: Params<{ ownerId: number }>) =>
  db
    .selectFrom("agents")
    .select(COLUMNS)
    .where("owner_id", "=", p("ownerId"))
    .orderBy("created_at")
    .orderBy("id"),
);
const ALL = agentQuery((db) => db.selectFrom("agents").select(COLUMNS).orderBy("created_at").orderBy("id"));
const UPDATE_SETTINGS = agentQuery((db, p: Params<{ id: string; modelType: string; settings: string }>) =>
  db
    .updateTable("agents")
    .set({ model_type: p("modelType"), settings: p("settings") })
    .where("id", "=", p("id")),
);
const DELETE = agentQuery((db, p: Params<{ id: string }>) =>
  db.deleteFrom("agents").where("id", "=", p("id")),
);
const SET_HEAD = agentQuery((db, p: Params<{ id: string; headId: string | null }>) =>
  db
    .updateTable("agents")
    .set({ head_id: p("headId") })
    .where("id", "=", p("id")),
);
const RENAME = agentQuery((db, p: Params<{ id: string; name: string }>) =>
  db
    .updateTable("agents")
    .set({ name: p("name") })
    .where("id", "=", p("id")),
);

export class AgentsRepository {
  constructor(private readonly sql: SqlClient) {}

  async insert(a: AgentRecord): Promise<void> {
    await this.sql.execute(INSERT, {
      id: a.id,
      owner_id: a.ownerId,
      name: a.name,
      model_type: a.modelType,
      settings: JSON.stringify(a.settings),
      created_at: a.createdAt,
      head_id: a.headId,
    });
  }

  async setHead(id: string, headId: string | null): Promise<void> {
    await this.sql.execute(SET_HEAD, { id, headId });
  }

  /** Moves HEAD (null: back to the root). */
  setHeadStatement(id: string, headId: string | null): SqlStatement {
    return this.sql.statement(SET_HEAD, { id, headId });
  }

  async findById(id: string): Promise<AgentRecord | undefined> {
    const [row] = await this.sql.query(BY_ID, { id });
    return row && fromRow(row);
  }

  async listByOwner(ownerId: number): Promise<AgentRecord[]> {
    return (await this.sql.query(BY_OWNER, { ownerId })).map(fromRow);
  }

  async listAll(): Promise<AgentRecord[]> {
    return (await this.sql.query(ALL, {})).map(fromRow);
  }

  async updateSettings(id: string, modelType: string, settings: AgentRecord["settings"]): Promise<void> {
    await this.sql.execute(UPDATE_SETTINGS, { id, modelType, settings: JSON.stringify(settings) });
  }

  async rename(id: string, name: string): Promise<void> {
    await this.sql.execute(RENAME, { id, name });
  }

  /** Deletes the agent; its steps, workflow and runs go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    return (await this.sql.execute(DELETE, { id })) > 0;
  }
}

function fromRow(row: Selectable<AgentsTable>): AgentRecord {
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
