import type { AgentSettings, SettingsPatch } from "@texera-agent/protocol";

/** The settings form's fields, as typed (strings until checked). */
export interface SettingsDraft {
  maxSteps: string;
  temperature: string;
  toolTimeoutSeconds: string;
  disabledTools: string[];
}

export function toDraft(settings: AgentSettings): SettingsDraft {
  return {
    maxSteps: String(settings.maxSteps),
    temperature: settings.temperature === undefined ? "" : String(settings.temperature),
    toolTimeoutSeconds: String(settings.toolTimeoutMs / 1000),
    disabledTools: [...settings.disabledTools],
  };
}

/** The fields that differ from the saved settings, or a sentence saying which value is wrong. */
export function settingsPatch(saved: AgentSettings, draft: SettingsDraft): SettingsPatch | string {
  const patch: SettingsPatch = {};
  const maxSteps = Number(draft.maxSteps);
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 100)
    return "Max steps must be a whole number from 1 to 100.";
  // Empty: the model's own default (no temperature is sent; reasoning models refuse one).
  const temperature = draft.temperature.trim() === "" ? null : Number(draft.temperature);
  if (temperature !== null && (!Number.isFinite(temperature) || temperature < 0 || temperature > 2))
    return "Temperature must be between 0 and 2, or empty for the model's default.";
  const seconds = Number(draft.toolTimeoutSeconds);
  if (draft.toolTimeoutSeconds.trim() === "" || !Number.isFinite(seconds) || seconds < 0.1 || seconds > 600)
    return "Tool timeout must be between 0.1 and 600 seconds.";
  const toolTimeoutMs = Math.round(seconds * 1000);
  if (maxSteps !== saved.maxSteps) patch.maxSteps = maxSteps;
  if (temperature !== (saved.temperature ?? null)) patch.temperature = temperature;
  if (toolTimeoutMs !== saved.toolTimeoutMs) patch.toolTimeoutMs = toolTimeoutMs;
  const disabled = [...draft.disabledTools].sort();
  if (disabled.join("\n") !== [...saved.disabledTools].sort().join("\n")) patch.disabledTools = disabled;
  return patch;
}
