export { type AppDeps, buildApp } from "./app.ts";
export { type AgentServiceConfig, DEFAULT_LLM_POLICY, type LlmPolicy, loadConfig } from "./config.ts";
export { openAgentDatabase } from "./db/open-agent-database.ts";
export type { AgentDatabase } from "./db/schema.ts";
export { createLlmClient, type LlmClient } from "./react/llm-client.ts";
export type { AgentTool, ToolContext, ToolOutcome } from "./react/tool-types.ts";
export { recoverInterruptedRuns } from "./services/recover-interrupted-runs.ts";
export { type RunningAgentService, startAgentService } from "./start.ts";
