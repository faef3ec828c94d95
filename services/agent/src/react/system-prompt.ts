import type { Workflow } from "@texera-agent/protocol";
import type { OperatorType } from "../workflow/catalog.ts";
import { describeCatalog } from "../workflow/describe-catalog.ts";

export interface SystemPromptInput {
  workflow: Workflow;
  /** The operator types the tools can add, from the catalog. */
  operatorTypes: readonly OperatorType[];
  /** A short text description of the workflow (operators, links). */
  summarize(workflow: Workflow): string;
  /** The agent's own instructions from its settings, if any. */
  extra?: string;
}

/** Rebuilt before every model turn, so the model always sees the workflow as it is now. */
export function buildSystemPrompt(input: SystemPromptInput): string {
  const lines = [
    "You are an assistant inside Texera, a dataflow workflow editor.",
    "You build and change the user's workflow (operators connected by links) with the tools you are given.",
    "Think step by step. Call a tool when you need to read or change the workflow; when a tool answers with",
    "an error, correct the call and try again. When the work is done, answer the user briefly.",
    "",
    'Operator types (Texera\'s; `*` = required property; operator ids are "op1", "op2", …):',
    ...(input.operatorTypes.length > 0 ? describeCatalog(input.operatorTypes) : ["(none available)"]),
    "",
    "Current workflow:",
    input.summarize(input.workflow),
  ];
  if (input.extra?.trim()) lines.push("", "Instructions for this agent:", input.extra.trim());
  return shared(lines.join("\n"));
}

/**
 * Every run holds its prompt for as long as its reply streams (a retry sends it again), and prompts are
 * mostly alike (the same catalog, small or empty workflows): an identical text is handed out as the one
 * copy already held, not kept once per run (with a thousand runs streaming, ~10 MB of copies, heap
 * snapshot). A few recent texts are remembered; the one just built is dropped when it matches.
 */
function shared(text: string): string {
  const known = recentPrompts.get(text);
  if (known !== undefined) return known;
  if (recentPrompts.size >= RECENT_PROMPTS) recentPrompts.clear();
  recentPrompts.set(text, text);
  return text;
}
const RECENT_PROMPTS = 64;
const recentPrompts = new Map<string, string>();
