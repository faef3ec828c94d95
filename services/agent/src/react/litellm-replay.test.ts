// LiteLLM's real behaviours replayed through agent-service (over its WebSocket, against llm-sim), checking
// what the user sees and what goes back to the model on the next turn. The streams and error bodies are
// written from LiteLLM's own tests and reported bodies (repository BerriAI/litellm); each test names its
// source.
import type { Fault, RecordedRequest } from "@texera-agent/llm-sim";
import { type ServerFrame, stepKind } from "@texera-agent/protocol";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually, FrameClient, type Harness, startHarness } from "../testing/harness.ts";
import type { AgentTool } from "./tool-types.ts";

const seen: { name: string; args: unknown }[] = [];
const tool = (name: string): AgentTool => ({
  name,
  description: `test tool ${name}`,
  parameters: { type: "object", properties: {} },
  execute: async (args) => {
    seen.push({ name, args });
    return { output: `${name} done` };
  },
});

const SCENARIO = {
  rules: [
    {
      name: "two-calls",
      match: { lastUser: "^call tools", assistantTurns: 0 },
      reply: {
        content: "Looking.",
        toolCalls: [
          { id: "call_a1", name: "getOperatorSchema", arguments: { operatorType: "CSVFileScan" } },
          { id: "call_b2", name: "addOperator", arguments: { operatorType: "Filter", x: 1 } },
        ],
      },
    },
    { name: "after", match: { afterToolResult: true }, reply: { content: "All done." } },
  ],
};

let h: Harness;
const clients: FrameClient[] = [];
beforeAll(async () => {
  h = await startHarness({
    sim: { models: ["sim-small", "anthropic/*"], scenario: SCENARIO },
    tools: [tool("getOperatorSchema"), tool("addOperator")],
    policy: {
      idleTimeoutMs: 300,
      firstChunkTimeoutMs: 5_000,
      retryBaseMs: 10,
      retryMaxDelayMs: 2_000,
      maxAttempts: 3,
    },
  });
  await h.listen();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await h.close();
});
beforeEach(async () => {
  // One user may hold 20 sockets (AGENT_MAX_SOCKETS_PER_USER): each test closes the previous one's.
  await Promise.all(clients.splice(0).map((c) => c.close()));
  h.sim.reset();
  h.sim.setFault("sim-small", undefined);
  seen.length = 0;
});

async function open(body: Record<string, unknown> = { modelType: "sim-small" }) {
  const id = await h.createAgent(h.tokens.owner, body);
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  clients.push(c);
  await c.next("init");
  return { id, c };
}

/** Sends a message and returns the frames of its run, up to its `complete`. */
async function turn(c: FrameClient, content: string): Promise<ServerFrame[]> {
  const from = c.frames.length;
  c.send({ type: "message", content });
  await eventually(() => c.frames.slice(from).some((f) => f.type === "complete"), 10_000, "complete");
  return c.frames.slice(from);
}

// "user" | "agent" | "system" (a notice: an agent step whose `error` names what happened)
const steps = (frames: ServerFrame[], kind?: ReturnType<typeof stepKind>) =>
  frames.flatMap((f) => (f.type === "step" && (!kind || stepKind(f.step) === kind) ? [f.step] : []));
const errorOf = (frames: ServerFrame[]) => {
  const e = frames.find((f) => f.type === "error");
  return e?.type === "error" ? e : undefined;
};
const completeOf = (frames: ServerFrame[]) => frames.find((f) => f.type === "complete");
const bodyOf = (r: RecordedRequest | undefined) => r?.body as Record<string, unknown>;
type Msg = { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string } & Record<
  string,
  unknown
>;
const messagesOf = (r: RecordedRequest | undefined) => bodyOf(r).messages as Msg[];

describe("1. sampling parameters only when set", () => {
  // Body: "litellm.UnsupportedParamsError: gpt-5 models (including gpt-5-codex) don't support
  // temperature=0.7 …" as a LiteLLM proxy answered it (HTTP 400; reported in Vivswan/litellm-vscode-chat
  // issue #18 and HKUDS/nanobot issue #370); llm-sim's rejectSampling sends the same words.
  it("a new agent sends no temperature and no top_p, so a reasoning model answers", async () => {
    h.sim.setFault("sim-small", { rejectSampling: 1 });
    const { c } = await open();
    const frames = await turn(c, "hello");
    expect(errorOf(frames)).toBeUndefined();
    expect(completeOf(frames)).toMatchObject({ reason: "done" });
    const body = bodyOf(h.sim.requests[0]);
    expect(body).not.toHaveProperty("temperature");
    expect(body).not.toHaveProperty("top_p");
  });

  it("a temperature that is set is sent; refused, the turn is tried once without it, with a note", async () => {
    const { c } = await open({ modelType: "sim-small", settings: { temperature: 0.7, topP: 0.9 } });
    let frames = await turn(c, "hello");
    expect(bodyOf(h.sim.requests[0])).toMatchObject({ temperature: 0.7, top_p: 0.9 });

    h.sim.reset();
    h.sim.setFault("sim-small", { rejectSampling: 1 });
    frames = await turn(c, "again");
    expect(completeOf(frames)).toMatchObject({ reason: "done" });
    expect(h.sim.requests).toHaveLength(2);
    expect(bodyOf(h.sim.requests[1])).not.toHaveProperty("temperature");
    const note = steps(frames, "system").map((s) => s.content);
    expect(note.join("\n")).toMatch(/does not accept temperature.*Clear/s);
  });

  it("PATCH null clears a sampling setting", async () => {
    const { id } = await open({ modelType: "sim-small", settings: { temperature: 0.3 } });
    const res = await h.app.inject({
      method: "PATCH",
      url: `/api/agents/${id}/settings`,
      headers: h.auth(h.tokens.owner),
      payload: { temperature: null },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).not.toHaveProperty("temperature");
  });
});

describe("2. wildcard model routes", () => {
  // tests/test_litellm/proxy/auth/test_model_checks.py: a deployment `{"model_name": "anthropic/*"}` routes
  // every anthropic/… name (test_get_complete_model_list_order expects "anthropic/claude-3-haiku-20240307"
  // and "anthropic/claude-3-5-haiku-20241022" through it); /models lists the route itself when it is not
  // expanded.
  it("shows the wildcard as a pattern, accepts a name it covers and refuses the pattern itself", async () => {
    const list = await h.app.inject({ url: "/api/agents/models", headers: h.auth(h.tokens.owner) });
    const rows = list.json().data as { id: string; pattern?: boolean }[];
    expect(rows.find((m) => m.id === "anthropic/*")).toMatchObject({ pattern: true });
    expect(rows.find((m) => m.id === "sim-small")?.pattern).toBeUndefined();

    const { c } = await open({ modelType: "anthropic/claude-3-5-haiku-20241022" });
    const frames = await turn(c, "hello");
    expect(completeOf(frames)).toMatchObject({ reason: "done" });
    expect(bodyOf(h.sim.requests[0]).model).toBe("anthropic/claude-3-5-haiku-20241022");

    const refused = await h.app.inject({
      method: "POST",
      url: "/api/agents",
      headers: h.auth(h.tokens.owner),
      payload: { modelType: "anthropic/*" },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code ?? refused.json().error).toMatch(/UNKNOWN_MODEL|anthropic/);
    const other = await h.app.inject({
      method: "POST",
      url: "/api/agents",
      headers: h.auth(h.tokens.owner),
      payload: { modelType: "openai/gpt-4o" },
    });
    expect(other.statusCode).toBe(400);
  });
});

describe("4. retry signals", () => {
  // `llm_provider-retry-after`: a provider's Retry-After as LiteLLM re-emits it (BerriAI/litellm issue
  // #21553); the body-only "No deployments available for selected model, Try again in 60 seconds" of a
  // router cooldown (issue #27823); `retry-after` / `retry-after-ms` of LiteLLM's own limiter (PR #4706).
  for (const signal of ["retry-after", "retry-after-ms", "llm_provider-retry-after", "body"] as const) {
    it(`waits as long as ${signal} asks before the next try`, async () => {
      // 1.2 s asked; without the signal the backoff would be 5-10 ms.
      h.sim.setFault("sim-small", { error: 429, retryAfter: 1.2, failFirst: 1, retrySignal: signal });
      const { c } = await open();
      const frames = await turn(c, "hello");
      expect(completeOf(frames)).toMatchObject({ reason: "done" });
      expect(h.sim.requests).toHaveLength(2);
      const gap = h.sim.requests[1]!.receivedAt - h.sim.requests[0]!.receivedAt;
      expect(gap).toBeGreaterThanOrEqual(1_190);
    });
  }

  it("a cooldown longer than LLM_RETRY_MAX_DELAY_MS is reported at once with the wait asked", async () => {
    h.sim.setFault("sim-small", { error: 429, retryAfter: 60, retrySignal: "body" });
    const { c } = await open();
    const frames = await turn(c, "hello");
    expect(errorOf(frames)).toMatchObject({ code: "LLM_RATE_LIMITED" });
    expect(errorOf(frames)!.error).toMatch(/asks to wait 60 s/);
    expect(h.sim.requests).toHaveLength(1);
  });
});

describe("5. tool-call assembly", () => {
  /** The tool calls the user sees in the saved step, and what goes back to the model next turn. */
  async function toolRun(fault: Fault) {
    h.sim.setFault("sim-small", fault);
    const { c } = await open();
    const frames = await turn(c, "call tools please");
    expect(errorOf(frames)).toBeUndefined();
    const agent = steps(frames, "agent")[0]!;
    const next = messagesOf(h.sim.requests[1]);
    const assistant = next.find((m) => m.role === "assistant" && m.tool_calls)!;
    const toolMsgs = next.filter((m) => m.role === "tool");
    return { agent, assistant, toolMsgs };
  }

  const expected = [
    { id: "call_a1", name: "getOperatorSchema", arguments: { operatorType: "CSVFileScan" } },
    { id: "call_b2", name: "addOperator", arguments: { operatorType: "Filter", x: 1 } },
  ];
  /** The same calls as a step carries them (Texera's ReActStep toolCalls: toolCallId, toolName, input). */
  const asTexera = (calls: { id: string; name: string; arguments: unknown }[]) =>
    calls.map((c) => ({ toolCallId: c.id, toolName: c.name, input: c.arguments }));
  const expectSentBack = (assistant: Msg, toolMsgs: Msg[]) => {
    const calls = assistant.tool_calls as { id: string; function: { name: string; arguments: string } }[];
    expect(
      calls.map((k) => ({ id: k.id, name: k.function.name, arguments: JSON.parse(k.function.arguments) })),
    ).toEqual(expected);
    expect(toolMsgs.map((m) => m.tool_call_id)).toEqual(["call_a1", "call_b2"]);
    expect(toolMsgs.map((m) => m.content)).toEqual(["getOperatorSchema done", "addOperator done"]);
  };

  // The name repeated in every delta: MiniMax through NVIDIA NIM and others (NousResearch/hermes-agent
  // issue #8259 shows "read_fileread_file" from appending it).
  it("a name repeated in every delta is set, not appended", async () => {
    const { agent, assistant, toolMsgs } = await toolRun({ toolNameEveryChunk: 1 });
    expect(agent.toolCalls).toEqual(asTexera(expected));
    expect(seen.map((s) => s.name)).toEqual(["getOperatorSchema", "addOperator"]);
    expectSentBack(assistant, toolMsgs);
  });

  it("calls that all arrive at index 0 with their own ids stay separate calls", async () => {
    const { agent, assistant, toolMsgs } = await toolRun({ toolCallsAtIndexZero: 1 });
    expect(agent.toolCalls).toEqual(asTexera(expected));
    expectSentBack(assistant, toolMsgs);
  });

  it("arguments sent as a JSON object are its JSON text, not [object Object]", async () => {
    const { agent, assistant, toolMsgs } = await toolRun({ toolArgumentsAsObject: 1 });
    expect(agent.toolCalls).toEqual(asTexera(expected));
    expect(seen[1]!.args).toEqual({ operatorType: "Filter", x: 1 });
    expectSentBack(assistant, toolMsgs);
  });

  // BerriAI/litellm issue #20480: `id` sent on every chunk, and a closing summary chunk repeating the calls.
  it("an id on every chunk and a closing summary chunk do not double the calls or their arguments", async () => {
    const { agent, assistant, toolMsgs } = await toolRun({ toolIdEveryChunk: 1, toolSummaryChunk: 1 });
    expect(agent.toolCalls).toEqual(asTexera(expected));
    expectSentBack(assistant, toolMsgs);
  });

  // tests/test_litellm/litellm_core_utils/llm_response_utils/test_parallel_tool_call_shift.py and
  // test_handle_invalid_parallel_tool_calls.py: OpenAI's hallucinated `multi_tool_use.parallel` call; LiteLLM
  // expands it (ids `<id>_<n>`, "functions." stripped) only for answers that are not streamed.
  it("a streamed multi_tool_use.parallel call is expanded into the calls it names", async () => {
    const { c } = await open();
    h.sim.setScenario({
      rules: [
        {
          match: { assistantTurns: 0 },
          reply: {
            chunks: [
              chunk({ role: "assistant", content: null }),
              chunk({
                tool_calls: [
                  {
                    index: 0,
                    id: "m1",
                    type: "function",
                    function: { name: "multi_tool_use.parallel", arguments: "" },
                  },
                ],
              }),
              chunk({
                tool_calls: [
                  {
                    index: 0,
                    function: {
                      arguments: JSON.stringify({
                        tool_uses: [
                          { recipient_name: "functions.getOperatorSchema", parameters: { tz: "UTC" } },
                          { recipient_name: "functions.addOperator", parameters: { sym: "AAPL" } },
                        ],
                      }),
                    },
                  },
                ],
              }),
              chunk({}, "tool_calls"),
            ],
          },
        },
        { match: { afterToolResult: true }, reply: { content: "ok" } },
      ],
    });
    try {
      const frames = await turn(c, "parallel");
      const agent = steps(frames, "agent")[0]!;
      expect(agent.toolCalls).toEqual([
        { toolCallId: "m1_0", toolName: "getOperatorSchema", input: { tz: "UTC" } },
        { toolCallId: "m1_1", toolName: "addOperator", input: { sym: "AAPL" } },
      ]);
      const next = messagesOf(h.sim.requests[1]);
      expect(next.filter((m) => m.role === "tool").map((m) => m.tool_call_id)).toEqual(["m1_0", "m1_1"]);
    } finally {
      h.sim.setScenario(SCENARIO);
    }
  });
});

/** A chat.completion.chunk as LiteLLM's proxy writes it (no nulls). */
function chunk(delta: object, finish?: string, extra: object = {}) {
  return {
    id: "chatcmpl-d249def8-a78b-464c-87b5-3a6f43565292",
    created: 1742056047,
    model: "sim-small",
    object: "chat.completion.chunk",
    choices: [{ index: 0, delta, ...(finish ? { finish_reason: finish } : {}) }],
    ...extra,
  };
}

describe("3 and 6. budget and context refusals", () => {
  // type "budget_exceeded": HTTP 400 in older LiteLLM (issue #4208 body; PR #4606 added the type), 429 in
  // newer ones (issue #36729 body). Waiting will not help: no retry even on 429.
  for (const status of [400, 429] as const) {
    it(`budget_exceeded (HTTP ${status}): its own code, no retry, words for the operator`, async () => {
      h.sim.setFault("sim-small", { budgetExceeded: status });
      const { c } = await open();
      const frames = await turn(c, "hello");
      const error = errorOf(frames)!;
      expect(error.code).toBe("LLM_BUDGET_EXCEEDED");
      expect(error.error).toMatch(/budget.*raise the budget/is);
      expect(error.error).not.toMatch(/check the agent's model/);
      expect(h.sim.requests).toHaveLength(1);
      // Texera shows a failed run as an agent step "Error: …" (TEXERA-AGENT-API.md §10 item 4)
      expect(steps(frames, "system").at(-1)!.content).toBe(`Error: ${error.error}`);
    });
  }
});

describe("7. time to first token", () => {
  // LiteLLM's proxy reads the first chunk before it sends the response headers
  // (tests/test_litellm/proxy/test_common_request_processing.py, create_response): a slow first token
  // holds the headers back. The wait before them is LLM_FIRST_CHUNK_TIMEOUT_MS, not the idle timeout.
  it("headers held until a first chunk that takes longer than the idle timeout", async () => {
    h.sim.setFault("sim-small", { holdHeaders: 1, firstTokenMs: 800 });
    const { c } = await open();
    const frames = await turn(c, "hello");
    expect(errorOf(frames)).toBeUndefined();
    expect(completeOf(frames)).toMatchObject({ reason: "done" });
    expect(steps(frames, "agent")[0]!.content).toBe("hello");
  });

  it("after the first chunk, the idle timeout applies", async () => {
    h.sim.setFault("sim-small", { holdHeaders: 1, hangAfterChunks: 2 });
    const { c } = await open();
    const frames = await turn(c, "one two three four five");
    expect(errorOf(frames)).toMatchObject({ code: "LLM_TIMEOUT" });
    expect(errorOf(frames)!.error).toMatch(/LLM_IDLE_TIMEOUT_MS/);
  });

  // test_create_streaming_response_first_chunk_is_error: `{"error": {"code": 403, "message": "forbidden"}}`
  // as the first chunk becomes an HTTP 403 JSON answer.
  it("an error as the first chunk arrives as its HTTP status", async () => {
    h.sim.setFault("sim-small", { holdHeaders: 1, firstChunkError: 403 });
    const { c } = await open();
    const frames = await turn(c, "hello");
    expect(errorOf(frames)).toMatchObject({ code: "LLM_REQUEST_REFUSED" });
    expect(errorOf(frames)!.error).toMatch(/HTTP 403/);
  });

  // test_in_body_stream_error_400_raises_bad_request (test_streaming_handler.py): a vLLM error inside a
  // 200 stream, `"code": 400`.
  it("an error object inside a 200 stream is a refusal with its message", async () => {
    h.sim.setScenario({
      rules: [],
      fallback: {
        chunks: [
          {
            error: {
              object: "error",
              message: "The model is not multimodal. Please remove image inputs.",
              type: "BadRequestError",
              param: null,
              code: 400,
            },
          },
        ],
      },
    });
    try {
      const { c } = await open();
      const frames = await turn(c, "hello");
      expect(errorOf(frames)).toMatchObject({ code: "LLM_REQUEST_REFUSED" });
      expect(errorOf(frames)!.error).toMatch(/not multimodal/);
    } finally {
      h.sim.setScenario(SCENARIO);
    }
  });
});

describe("8. reasoning, thinking blocks and truncation", () => {
  // deepseek-reasoner chunks `{"content": "", "reasoning_content": "Let me think about this"}` …
  // (test_streaming_handler.py, test_optional_combine_thinking_block_in_choices); Anthropic thinking with
  // tools must get its signed blocks back (BerriAI/litellm issue #15601; PR #11194 streams them).
  it("keeps reasoning_content and signed thinking blocks and sends them back with the tool calls", async () => {
    h.sim.setFault("sim-small", { reasoningChunks: 3, thinkingBlocks: 1 });
    const { c } = await open();
    const frames = await turn(c, "call tools please");
    const agent = steps(frames, "agent")[0]!;
    expect(agent.reasoning).toBe("Let me think about step 1 about step 2");
    expect(agent.thinkingBlocks).toEqual([
      { type: "thinking", thinking: "Let me think about step 1 about step 2", signature: expect.any(String) },
    ]);
    // The user never sees the reasoning as answer text.
    expect(agent.content).toBe("Looking.");
    const assistant = messagesOf(h.sim.requests[1]).find((m) => m.role === "assistant")!;
    expect(assistant.reasoning_content).toBe("Let me think about step 1 about step 2");
    expect(assistant.thinking_blocks).toEqual(agent.thinkingBlocks);

    // …and from the saved history on the next run too.
    h.sim.reset();
    await turn(c, "and now?");
    const later = messagesOf(h.sim.requests[0]).find((m) => m.role === "assistant" && m.tool_calls)!;
    expect(later.thinking_blocks).toEqual(agent.thinkingBlocks);
  });

  // finish_reason "length" (test_streaming_handler.py, test_streaming_handler_with_stop_chunk).
  it('finish_reason "length" is saved as truncated and said so', async () => {
    h.sim.setFault("sim-small", { truncateAfterTokens: 3 });
    const { c } = await open();
    const frames = await turn(c, "one two three four five six seven");
    const agent = steps(frames, "agent")[0]!;
    expect(agent.truncated).toBe(true);
    expect(agent.content.trim().split(" ")).toHaveLength(3);
    expect(
      steps(frames, "system")
        .map((s) => s.content)
        .join("\n"),
    ).toMatch(/cut off at its output limit/);
    expect(completeOf(frames)).toMatchObject({ reason: "done" });
  });
});

describe("LiteLLM chunk shapes", () => {
  // No nulls, the role on the first content chunk, a separate finish chunk (the bedrock_chunks of
  // test_streaming_handler.py), and the usage chunk with `choices: [{index: 0, delta: {}}]` as well as
  // `choices: []` (test_empty_choices_streaming.py).
  for (const fault of [{ litellmChunks: 1 }, { litellmChunks: 1, usageChunkWithChoice: 1 }] as Fault[]) {
    it(`assembles ${JSON.stringify(fault)}`, async () => {
      h.sim.setFault("sim-small", fault);
      const { c } = await open();
      const frames = await turn(c, "call tools please");
      const [first, second] = steps(frames, "agent");
      expect(first!.toolCalls?.map((t) => t.toolCallId)).toEqual(["call_a1", "call_b2"]);
      expect(first!.usage?.totalTokens).toBeGreaterThan(0);
      expect(second!.content).toBe("All done.");
    });
  }

  it("replays LiteLLM's bedrock chunks with an empty-choices chunk first", async () => {
    h.sim.setScenario({
      rules: [],
      fallback: {
        chunks: [
          chunk({}, undefined, { choices: [] }),
          chunk({ content: "I'm Claude", role: "assistant" }),
          chunk({ content: ", an AI", role: "assistant" }),
          chunk({ content: "", role: "assistant" }, "stop"),
          chunk({}, undefined, {
            choices: [{ index: 0, delta: {} }],
            usage: { completion_tokens: 392, prompt_tokens: 1799, total_tokens: 2191 },
          }),
        ],
      },
    });
    try {
      const { c } = await open();
      const frames = await turn(c, "who are you");
      const agent = steps(frames, "agent")[0]!;
      expect(agent.content).toBe("I'm Claude, an AI");
      expect(agent.usage).toEqual({ inputTokens: 1799, outputTokens: 392, totalTokens: 2191 });
    } finally {
      h.sim.setScenario(SCENARIO);
    }
  });
});
