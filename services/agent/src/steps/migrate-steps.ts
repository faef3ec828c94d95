import { type ReActStep, ROOT_STEP_ID } from "@texera-agent/protocol";
import { messageIdOf, stepIdOf } from "./step-builders.ts";

/** A step as this service stored it before the version tree (migrations up to 006). */
export interface StoredStepV1 {
  index: number;
  kind: "user" | "agent" | "system";
  runId: string;
  content: string;
  toolCalls: { id: string; name: string; arguments: unknown }[];
  toolResults: { toolCallId: string; name: string; ok: boolean; output: string; durationMs: number }[];
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
  touchedOperators: string[];
  operatorResults?: ReActStep["operatorResults"];
  error?: string;
  createdAt: string;
}

/**
 * One agent's stored steps (in index order) as a version tree with a single branch: each step's parent is
 * the step before it, a run is one message, notices (kind "system") become agent steps that end their
 * message and keep a code. Every field is carried over: content, calls and results (in Texera's names),
 * usage, the operators touched (as operatorAccess), results, the error code, the time.
 */
export function migrateStoredSteps(old: readonly StoredStepV1[]): ReActStep[] {
  const out: ReActStep[] = [];
  let parentId = ROOT_STEP_ID;
  let run: string | undefined;
  let stepId = 0;
  let agentSteps = 0;
  old.forEach((s, i) => {
    if (s.runId !== run) {
      run = s.runId;
      stepId = s.kind === "user" ? 0 : 1;
      agentSteps = 0;
    } else {
      stepId++;
    }
    const lastOfRun = old[i + 1]?.runId !== s.runId;
    const isAgent = s.kind === "agent";
    if (isAgent) agentSteps++;
    const id = stepIdOf(s.runId, stepId);
    const touched = s.touchedOperators ?? [];
    const step: ReActStep = {
      id,
      parentId,
      messageId: messageIdOf(s.runId),
      stepId,
      timestamp: Date.parse(s.createdAt),
      role: s.kind === "user" ? "user" : "agent",
      content: s.content,
      isBegin: s.kind === "user" || (isAgent && agentSteps === 1),
      isEnd: s.kind === "user" || lastOfRun,
      ...(s.kind === "user"
        ? { messageSource: "chat" as const }
        : {
            toolCalls: s.toolCalls.map((c) => ({ toolName: c.name, toolCallId: c.id, input: c.arguments })),
            toolResults: s.toolResults.map((r) => ({
              toolCallId: r.toolCallId,
              output: r.output,
              isError: !r.ok,
              toolName: r.name,
              durationMs: r.durationMs,
            })),
          }),
      ...(s.usage
        ? {
            usage: {
              inputTokens: s.usage.promptTokens,
              outputTokens: s.usage.completionTokens,
              totalTokens: s.usage.totalTokens,
            },
          }
        : {}),
      ...(touched.length > 0
        ? {
            operatorAccess: {
              "0": { viewedOperatorIds: [], addedOperatorIds: [], modifiedOperatorIds: [...touched] },
            },
          }
        : {}),
      index: s.index,
      runId: s.runId,
      ...(s.kind === "system"
        ? { error: s.error ?? (s.content.startsWith("Stopped after") ? "MAX_STEPS" : "STOPPED") }
        : s.error !== undefined
          ? { error: s.error }
          : {}),
      ...(s.operatorResults ? { operatorResults: s.operatorResults } : {}),
    };
    out.push(step);
    parentId = id;
  });
  return out;
}
