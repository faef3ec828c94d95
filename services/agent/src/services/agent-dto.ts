import type { Agent, AgentSettings, AgentState } from "@texera-agent/protocol";
import type { AgentRecord } from "../repositories/index.ts";

export function settingsOf(record: AgentRecord): AgentSettings {
  return { ...record.settings, modelType: record.modelType };
}

/** The agent as the API shows it: stored fields plus its live state. */
export function toAgentDto(record: AgentRecord, state: AgentState): Agent {
  return {
    id: record.id,
    name: record.name,
    ownerId: record.ownerId,
    modelType: record.modelType,
    state,
    createdAt: record.createdAt,
    settings: settingsOf(record),
  };
}
