import {
  type MessageSource,
  type OperatorAccess,
  type ReActStep,
  ROOT_STEP_ID,
  type Workflow,
} from "@texera-agent/protocol";
import type { AgentTurn } from "../react/turn.ts";

// The steps of one run, in Texera's shape (packages/protocol/src/steps.ts). Ids are derived from the run, so
// they are stable and unique without a counter: a message is `msg-<runId>`, a step `step-<runId>-<stepId>`.

export const messageIdOf = (runId: string) => `msg-${runId}`;
export const stepIdOf = (runId: string, stepId: number) => `step-${runId}-${stepId}`;

/** Content of the step a run stopped by the user ends with (Texera's words, texera-agent.ts:682). */
export const STOPPED_CONTENT = "Generation stopped by user.";

interface Place {
  runId: string;
  index: number;
  parentId: string | null;
  at: Date;
}

export function userStep(
  place: Place,
  content: string,
  messageSource: MessageSource,
  workflow: Workflow,
): ReActStep {
  return {
    id: stepIdOf(place.runId, 0),
    parentId: place.parentId ?? ROOT_STEP_ID,
    messageId: messageIdOf(place.runId),
    stepId: 0,
    timestamp: place.at.getTime(),
    role: "user",
    content,
    isBegin: true,
    isEnd: true,
    messageSource,
    // Texera estimates a user step's tokens as a quarter of its characters (texera-agent.ts:503).
    usage: {
      inputTokens: Math.ceil(content.length / 4),
      outputTokens: 0,
      totalTokens: Math.ceil(content.length / 4),
    },
    beforeWorkflowContent: workflow,
    afterWorkflowContent: workflow,
    index: place.index,
    runId: place.runId,
  };
}

/** One model turn as an agent step; `stepId` counts from 1 within the message. */
export function agentStep(
  place: Place,
  stepId: number,
  turn: AgentTurn,
  before: Workflow,
  after: Workflow,
  isEnd: boolean,
): ReActStep {
  return {
    id: stepIdOf(place.runId, stepId),
    parentId: place.parentId ?? ROOT_STEP_ID,
    messageId: messageIdOf(place.runId),
    stepId,
    timestamp: turn.at.getTime(),
    role: "agent",
    content: turn.content,
    isBegin: stepId === 1,
    isEnd,
    toolCalls: turn.toolCalls.map((c) => ({ toolName: c.name, toolCallId: c.id, input: c.arguments })),
    toolResults: turn.toolResults.map((r) => ({
      toolCallId: r.toolCallId,
      output: r.output,
      isError: !r.ok,
      toolName: r.name,
      durationMs: r.durationMs,
    })),
    ...(turn.usage
      ? {
          usage: {
            inputTokens: turn.usage.promptTokens,
            outputTokens: turn.usage.completionTokens,
            totalTokens: turn.usage.totalTokens,
          },
        }
      : {}),
    beforeWorkflowContent: before,
    afterWorkflowContent: after,
    operatorAccess: operatorAccess(turn),
    index: place.index,
    runId: place.runId,
    ...(turn.operatorResults ? { operatorResults: turn.operatorResults } : {}),
    ...(turn.reasoning !== undefined ? { reasoning: turn.reasoning } : {}),
    ...(turn.thinkingBlocks ? { thinkingBlocks: turn.thinkingBlocks } : {}),
    ...(turn.truncated ? { truncated: true } : {}),
  };
}

/**
 * The step a run ends with when it did not simply finish: stopped, failed, cut short, out of steps. An agent
 * step marked isEnd, with no workflow (Texera's stop and error steps have none, so a checkout of one leaves
 * the workflow as it is); `error` (extra) carries the code.
 */
export function noticeStep(place: Place, stepId: number, content: string, code: string): ReActStep {
  return {
    id: stepIdOf(place.runId, stepId),
    parentId: place.parentId ?? ROOT_STEP_ID,
    messageId: messageIdOf(place.runId),
    stepId,
    timestamp: place.at.getTime(),
    role: "agent",
    content,
    isBegin: false,
    isEnd: true,
    index: place.index,
    runId: place.runId,
    error: code,
  };
}

/** Per call: an addOperator call added its operators, any other call that touched operators changed them. */
function operatorAccess(turn: AgentTurn): OperatorAccess | undefined {
  const access: OperatorAccess = {};
  turn.toolCalls.forEach((call, i) => {
    const touched = turn.touchedPerCall[i] ?? [];
    if (touched.length === 0) return;
    const added = /^add.*Operator$/.test(call.name);
    access[String(i)] = {
      viewedOperatorIds: [],
      addedOperatorIds: added ? touched : [],
      modifiedOperatorIds: added ? [] : touched,
    };
  });
  return Object.keys(access).length > 0 ? access : undefined;
}
