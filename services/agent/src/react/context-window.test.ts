import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { estimateTokens, fitHistory } from "./context-window.ts";

const user = (text: string): ChatCompletionMessageParam => ({ role: "user", content: text });
const answer = (text: string): ChatCompletionMessageParam => ({ role: "assistant", content: text });
const call = (id: string): ChatCompletionMessageParam => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id, type: "function", function: { name: "addOperator", arguments: '{"x":1}' } }],
});
const result = (id: string, text = "done"): ChatCompletionMessageParam => ({
  role: "tool",
  tool_call_id: id,
  content: text,
});
const words = (n: number) => "word ".repeat(n).trim();
const cost = (ms: ChatCompletionMessageParam[]) => ms.reduce((n, m) => n + estimateTokens(m), 0);

describe("fitHistory", () => {
  it("sends everything that fits", () => {
    const history = [user("hi"), answer("hello")];
    expect(fitHistory(history, 1_000)).toMatchObject({ messages: history, dropped: 0 });
  });

  it("drops the oldest turns first, keeping the newest user message and turn", () => {
    const history = [
      user(words(100)),
      answer(words(100)),
      user(words(100)),
      answer(words(100)),
      user("now?"),
    ];
    const fitted = fitHistory(history, cost(history.slice(3)) + 5);
    expect(fitted.messages).toEqual(history.slice(3));
    expect(fitted.dropped).toBe(3);
    expect(fitted.tokens).toBeLessThanOrEqual(cost(history.slice(3)) + 5);
  });

  it("never separates a tool call from its results, nor starts with a tool result", () => {
    const history = [
      user(words(50)),
      call("a"),
      result("a", words(200)),
      call("b"),
      result("b"),
      user("next"),
    ];
    for (let budget = 10; budget < cost(history); budget += 7) {
      const { messages } = fitHistory(history, budget);
      expect(messages[0]!.role).not.toBe("tool");
      for (const [i, m] of messages.entries()) {
        if (m.role === "tool")
          expect(messages[i - 1]!.role === "assistant" || messages[i - 1]!.role === "tool").toBe(true);
        if (m.role === "assistant" && m.tool_calls) {
          const ids = m.tool_calls.map((c) => c.id);
          expect(
            messages
              .slice(i + 1, i + 1 + ids.length)
              .map((r) => (r as { tool_call_id?: string }).tool_call_id),
          ).toEqual(ids);
        }
      }
      expect(messages.at(-1)).toEqual(user("next"));
    }
  });

  it("shortens long tool results of the newest turn when nothing older is left to drop", () => {
    const history = [user("load it"), call("a"), result("a", "x".repeat(30_000))];
    const fitted = fitHistory(history, 1_000);
    expect(fitted.shortened).toBe(1);
    const tool = fitted.messages.find((m) => m.role === "tool")!;
    expect(String(tool.content)).toMatch(/more characters left out to fit the context window/);
    expect(fitted.tokens).toBeLessThan(1_000);
  });
});
