import type { ReActStep } from "@texera-agent/protocol";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";

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
    out.push({
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
    });
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
