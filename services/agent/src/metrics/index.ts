export { type AgentMetrics, type AgentMetricsSources, agentMetrics } from "./agent-metrics.ts";
export { instrumentLlm, type LlmObserver, type LlmOutcome } from "./instrument-llm.ts";
