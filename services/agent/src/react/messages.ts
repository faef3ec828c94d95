import type { ReActStep } from "@texera-agent/protocol";
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";

/**
 * The steps on the path to HEAD as chat messages: user steps as user messages, agent steps as an assistant
 * message with its tool calls followed by one tool message per call. Steps that only say how a run ended
 * (stopped, failed, cut short: they carry an `error` code) are for people and stay out. A call without a
 * saved result gets one saying it did not run, so the conversation stays valid for the model.
 */
export function historyToMessages(steps: readonly ReActStep[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  for (const step of steps) {
    if (step.role === "user") {
      out.push({ role: "user", content: step.content });
      continue;
    }
    if (step.error !== undefined) continue;
    const calls = step.toolCalls ?? [];
    if (calls.length === 0) {
      out.push({ role: "assistant", content: step.content });
      continue;
    }
    out.push(
      withReasoning(
        {
          role: "assistant",
          content: step.content === "" ? null : step.content,
          tool_calls: calls.map((c) => ({
            id: c.toolCallId,
            type: "function" as const,
            function: {
              name: c.toolName,
              arguments: typeof c.input === "string" ? c.input : JSON.stringify(c.input),
            },
          })),
        },
        step.reasoning,
        step.thinkingBlocks,
      ),
    );
    for (const call of calls) {
      const result = step.toolResults?.find((r) => r.toolCallId === call.toolCallId);
      out.push({
        role: "tool",
        tool_call_id: call.toolCallId,
        content: result?.output ?? "error: this call did not run",
      });
    }
  }
  return out;
}

/**
 * An assistant message with tool calls carries the turn's reasoning back (LiteLLM's `reasoning_content`
 * and `thinking_blocks` fields): Anthropic with extended thinking refuses a tool result whose assistant
 * turn lost its signed thinking block (BerriAI/litellm issue #15601), and DeepSeek's thinking mode wants
 * the reasoning of a tool-calling turn back. Plain answers are sent without it.
 */
export function withReasoning(
  message: ChatCompletionAssistantMessageParam,
  reasoning: string | undefined,
  thinkingBlocks: readonly object[] | undefined,
): ChatCompletionAssistantMessageParam {
  if (reasoning === undefined && (thinkingBlocks === undefined || thinkingBlocks.length === 0))
    return message;
  return Object.assign(message, {
    ...(reasoning !== undefined ? { reasoning_content: reasoning } : {}),
    ...(thinkingBlocks && thinkingBlocks.length > 0 ? { thinking_blocks: thinkingBlocks } : {}),
  });
}
