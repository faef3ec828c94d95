import {
  type Agent,
  type AgentSettings,
  type AgentState,
  DEFAULT_AGENT_SETTINGS,
  type SettingsView,
} from "@texera-agent/protocol";
import type { AgentRecord } from "../repositories/index.ts";

/** The stored settings with the model; settings saved before a field existed get its default. */
export function settingsOf(record: AgentRecord): AgentSettings {
  return { ...DEFAULT_AGENT_SETTINGS, ...record.settings, modelType: record.modelType };
}

/** Settings as the API shows them: Texera's names and units beside this service's. */
export function settingsView(record: AgentRecord): SettingsView {
  const settings = settingsOf(record);
  return {
    ...settings,
    toolTimeoutSeconds: Math.round(settings.toolTimeoutMs / 1000),
    operatorResultSerializationMode: "tsv",
  };
}

/** The agent as the API shows it (Texera's AgentInfo): stored fields plus its live state. */
export function toAgentDto(record: AgentRecord, state: AgentState): Agent {
  return {
    id: record.id,
    name: record.name,
    modelType: record.modelType,
    state,
    createdAt: record.createdAt,
    settings: settingsView(record),
    ownerId: record.ownerId,
  };
}
