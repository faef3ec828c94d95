import type { Workflow } from "@texera-agent/protocol";

export interface SystemPromptInput {
  workflow: Workflow;
  /** Names of the operator types the tools can add. */
  operatorTypes: readonly string[];
  /** A short text description of the workflow (operators, links). */
  summarize(workflow: Workflow): string;
  /** The agent's own instructions from its settings, if any. */
  extra?: string;
}

/** Rebuilt before every model turn, so the model always sees the workflow as it is now. */
export function buildSystemPrompt(input: SystemPromptInput): string {
  const lines = [
    "You are an assistant inside a Texera-style dataflow workflow editor.",
    "You build and change the user's workflow (operators connected by links) with the tools you are given.",
    "Think step by step. Call a tool when you need to read or change the workflow; when a tool answers with",
    "an error, correct the call and try again. When the work is done, answer the user briefly.",
    "",
    `Operator types: ${input.operatorTypes.length > 0 ? input.operatorTypes.join(", ") : "(none available)"}.`,
    "",
    "Current workflow:",
    input.summarize(input.workflow),
  ];
  if (input.extra?.trim()) lines.push("", "Instructions for this agent:", input.extra.trim());
  return lines.join("\n");
}

/** Used until the workflow module supplies its own summary. */
export function plainSummary(workflow: Workflow): string {
  if (workflow.operators.length === 0) return "(empty: no operators yet)";
  const ops = workflow.operators.map((o) => `- ${o.operatorId}: ${o.operatorType}`);
  const links = workflow.links.map((l) => `- ${l.source} -> ${l.target} (port ${l.targetPort})`);
  return [...ops, ...(links.length > 0 ? ["Links:", ...links] : [])].join("\n");
}
