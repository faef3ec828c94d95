import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LlmSim } from "./server.ts";
import { client, post, startTestSim, user } from "./test-helpers.ts";

let sim: LlmSim;
let ai: OpenAI;
beforeAll(async () => {
  sim = await startTestSim();
  ai = client(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe("chat completions without stream", () => {
  it("echoes the last user message in a chat.completion with usage", async () => {
    const res = await ai.chat.completions.create({
      model: "sim-small",
      messages: [
        { role: "system", content: "be brief" },
        user("first"),
        { role: "assistant", content: "ok" },
        user("Hello there, world!"),
      ],
    });
    expect(res.object).toBe("chat.completion");
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe("sim-small");
    expect(res.choices[0]!.message).toMatchObject({ role: "assistant", content: "Hello there, world!" });
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.usage!.completion_tokens).toBe(3);
    expect(res.usage!.prompt_tokens).toBeGreaterThan(5);
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(sim.counters).toMatchObject({ chatRequests: 1, streamedRequests: 0, completed: 1, errors: 0 });
  });

  it("answers tokens:N with exactly N tokens, cut by max_tokens with finish_reason length", async () => {
    const res = await ai.chat.completions.create({ model: "sim-large", messages: [user("tokens:200")] });
    expect(res.usage!.completion_tokens).toBe(200);
    expect(res.choices[0]!.message.content!.split(" ")).toHaveLength(200);
    const cut = await ai.chat.completions.create({
      model: "sim-large",
      messages: [user("tokens:200")],
      max_tokens: 7,
    });
    expect(cut.usage!.completion_tokens).toBe(7);
    expect(cut.choices[0]!.finish_reason).toBe("length");
  });

  it("records the user field and the body of every request, without the Authorization header", async () => {
    await ai.chat.completions.create({
      model: "sim-small",
      messages: [user("a")],
      user: "42",
      temperature: 0.2,
    });
    await ai.chat.completions
      .create({ model: "sim-large", messages: [user("b")], stream: true })
      .then(async (s) => {
        for await (const _ of s);
      });
    expect(sim.requests.map((r) => [r.seq, r.user, r.model, r.stream, r.outcome])).toEqual([
      [1, "42", "sim-small", false, "completed"],
      [2, undefined, "sim-large", true, "completed"],
    ]);
    expect(sim.requests[0]!.body).toMatchObject({
      temperature: 0.2,
      messages: [{ role: "user", content: "a" }],
    });
    expect(sim.requests[0]!.headers.authorization).toBeUndefined();
    expect(sim.counters.byModel["sim-small"]).toMatchObject({ chat: 1, streamed: 0, completed: 1 });
    expect(sim.counters.byModel["sim-large"]).toMatchObject({ chat: 1, streamed: 1, completed: 1 });
  });

  it("answers an unknown model with LiteLLM's 400", async () => {
    const err = await ai.chat.completions.create({ model: "gpt-9", messages: [user("x")] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain("Invalid model name passed in model=gpt-9");
    expect(err.error).toMatchObject({ param: "None", code: "400" });
    expect(sim.counters.errors).toBe(1);
  });

  it.each([
    ["not json", "{nope", /not valid JSON/],
    ["no messages", { model: "sim-small" }, /messages is required/],
    ["no model", { messages: [user("x")] }, /model is required/],
    ["bad role", { model: "sim-small", messages: [{ content: "x" }] }, /must be an object with a role/],
    ["bad stream", { model: "sim-small", messages: [user("x")], stream: "yes" }, /stream must be a boolean/],
  ])("answers a bad body (%s) with 400 and a clear message", async (_, body, message) => {
    const res = await post(sim, "/v1/chat/completions", body);
    expect(res.status).toBe(400);
    const json = await res.json();
    expect(json.error.message).toMatch(message);
    expect(json.error.code).toBe("400");
  });
});

describe("chat completions with stream", () => {
  it("streams a role chunk, one chunk per word, a finish chunk, usage, then [DONE]", async () => {
    const stream = await ai.chat.completions.create({
      model: "sim-small",
      messages: [user("one two three four")],
      stream: true,
      stream_options: { include_usage: true },
      user: "7",
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    const content = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ""));
    expect(content.filter((t) => t !== "")).toEqual(["one", " two", " three", " four"]);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish!.choices[0]!.finish_reason).toBe("stop");
    const usage = chunks[chunks.length - 1]!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ completion_tokens: 4 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(sim.requests[0]!.user).toBe("7");
    expect(sim.counters).toMatchObject({ streamedRequests: 1, completed: 1 });
  });

  it("sends no usage chunk unless include_usage is set", async () => {
    const stream = await ai.chat.completions.create({
      model: "sim-small",
      messages: [user("hi")],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it("is reassembled by the SDK's stream helper", async () => {
    const stream = ai.chat.completions.stream({ model: "sim-large", messages: [user("tokens:50")] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content!.split(" ")).toHaveLength(50);
    expect(final.choices[0]!.finish_reason).toBe("stop");
  });

  it("ends the raw SSE body with data: [DONE]", async () => {
    const res = await post(sim, "/chat/completions", {
      model: "sim-small",
      messages: [user("x")],
      stream: true,
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    for (const event of text.split("\n\n").filter((e) => e !== "")) expect(event).toMatch(/^data: /);
  });
});
