import type { AgentSettings } from "@texera-agent/protocol";
import type { Kysely, Selectable } from "kysely";
import type { AgentDatabase, AgentsTable } from "../db/schema.ts";

/** An agent as stored: the owner and the settings that are not the model. */
export interface AgentRecord {
  id: string;
  ownerId: number;
  name: string;
  modelType: string;
  settings: Omit<AgentSettings, "modelType">;
  createdAt: string;
}

export class AgentsRepository {
  constructor(private readonly db: Kysely<AgentDatabase>) {}

  async insert(agent: AgentRecord): Promise<void> {
    await this.db.insertInto("agents").values(toRow(agent)).execute();
  }

  async findById(id: string): Promise<AgentRecord | undefined> {
    const row = await this.db.selectFrom("agents").selectAll().where("id", "=", id).executeTakeFirst();
    return row && fromRow(row);
  }

  async listByOwner(ownerId: number): Promise<AgentRecord[]> {
    const rows = await this.db
      .selectFrom("agents")
      .selectAll()
      .where("owner_id", "=", ownerId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(fromRow);
  }

  async listAll(): Promise<AgentRecord[]> {
    const rows = await this.db.selectFrom("agents").selectAll().orderBy("created_at").orderBy("id").execute();
    return rows.map(fromRow);
  }

  async updateSettings(id: string, modelType: string, settings: AgentRecord["settings"]): Promise<void> {
    await this.db
      .updateTable("agents")
      .set({ model_type: modelType, settings: JSON.stringify(settings) })
      .where("id", "=", id)
      .execute();
  }

  /** Deletes the agent; its steps, workflow and runs go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("agents").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toRow(a: AgentRecord): AgentsTable {
  return {
    id: a.id,
    owner_id: a.ownerId,
    name: a.name,
    model_type: a.modelType,
    settings: JSON.stringify(a.settings),
    created_at: a.createdAt,
  };
}

function fromRow(row: Selectable<AgentsTable>): AgentRecord {
  return {
    id: row.id,
    ownerId: Number(row.owner_id),
    name: row.name,
    modelType: row.model_type,
    settings: JSON.parse(row.settings),
    createdAt: row.created_at,
  };
}
