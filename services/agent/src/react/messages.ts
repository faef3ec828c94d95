import type { ReActStep } from "@texera-agent/protocol";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";

/**
 * An agent's saved history as chat messages: user steps as user messages, agent steps as an assistant
 * message with its tool calls followed by one tool message per call. System steps (notices about runs)
 * are for people and stay out. A call without a saved result gets one saying it did not run, so the
 * conversation stays valid for the model.
 */
export function historyToMessages(steps: readonly ReActStep[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  for (const step of steps) {
    if (step.kind === "user") out.push({ role: "user", content: step.content });
    if (step.kind !== "agent") continue;
    if (step.toolCalls.length === 0) {
      out.push({ role: "assistant", content: step.content });
      continue;
    }
    out.push({
      role: "assistant",
      content: step.content === "" ? null : step.content,
      tool_calls: step.toolCalls.map((c) => ({
        id: c.id,
        type: "function" as const,
        function: {
          name: c.name,
          arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
        },
      })),
    });
    for (const call of step.toolCalls) {
      const result = step.toolResults.find((r) => r.toolCallId === call.id);
      out.push({
        role: "tool",
        tool_call_id: call.id,
        content: result?.output ?? "error: this call did not run",
      });
    }
  }
  return out;
}
