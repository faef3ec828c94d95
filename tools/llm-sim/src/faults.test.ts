import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LlmSim } from "./server.ts";
import { client, post, startTestSim, user, waitFor } from "./test-helpers.ts";

let sim: LlmSim;
let ai: OpenAI;
beforeAll(async () => {
  sim = await startTestSim();
  ai = client(sim);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setFault("*", undefined);
  sim.setFault("sim-small", undefined);
  sim.setFault("sim-large", undefined);
  sim.reset();
});

const streamOf = (model: string, content: string, opts?: OpenAI.RequestOptions) =>
  ai.chat.completions.create({ model, messages: [user(content)], stream: true }, opts);

/** Reads a stream to its end or its error; returns the content deltas seen and the error. */
async function drain(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const deltas: string[] = [];
  let chunks = 0;
  try {
    for await (const chunk of stream) {
      chunks++;
      deltas.push(chunk.choices[0]?.delta.content ?? "");
    }
    return { chunks, deltas, error: undefined };
  } catch (error) {
    return { chunks, deltas, error: error as Error };
  }
}

describe("faults", () => {
  it("error=500 answers LiteLLM's 500 body", async () => {
    sim.setFault("sim-small", { error: 500 });
    const err = await ai.chat.completions
      .create({ model: "sim-small", messages: [user("x")] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.error).toMatchObject({ type: "None", param: "None", code: "500" });
    expect(err.error.message).toMatch(/^litellm\.InternalServerError/);
    // The other model is untouched.
    await expect(
      ai.chat.completions.create({ model: "sim-large", messages: [user("x")] }),
    ).resolves.toBeDefined();
    expect(sim.counters).toMatchObject({ errors: 1, completed: 1 });
    expect(sim.counters.byModel["sim-small"]!.errors).toBe(1);
  });

  it("error=429 from the x-sim-fault header carries Retry-After", async () => {
    const res = await post(
      sim,
      "/chat/completions",
      { model: "sim-small", messages: [user("x")] },
      {
        "x-sim-fault": "error=429, retryAfter=3",
      },
    );
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    const body = await res.json();
    expect(body.error).toMatchObject({ type: "throttling_error", param: "None", code: "429" });
    const err = await ai.chat.completions
      .create(
        { model: "sim-small", messages: [user("x")], stream: true },
        { headers: { "x-sim-fault": "error=429" } },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get("retry-after")).toBe("1");
  });

  it("resetAfterChunks destroys the connection after N chunks", async () => {
    sim.setFault("sim-small", { resetAfterChunks: 3 });
    const r = await drain(await streamOf("sim-small", "tokens:40"));
    expect(r.chunks).toBe(3);
    expect(r.deltas.join("")).toBe("the data");
    expect(r.error).toBeDefined();
    await waitFor(() => sim.counters.faulted === 1);
    expect(sim.requests[0]!.outcome).toBe("faulted");
    expect(sim.counters.aborted).toBe(0);
    // Without stream the socket is reset before any byte of the body.
    const err = await ai.chat.completions
      .create({ model: "sim-small", messages: [user("x")] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it("malformedAfterChunks writes a line the SDK cannot parse", async () => {
    const r = await drain(await streamOf("sim-small~malformedAfterChunks=2", "tokens:10"));
    expect(r.chunks).toBe(2);
    expect(r.error).toBeInstanceOf(SyntaxError);
    await waitFor(() => sim.counters.faulted === 1);
    const err = await ai.chat.completions
      .create({ model: "sim-small~malformedAfterChunks=0", messages: [user("x")] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(SyntaxError);
  });

  it("hangAfterChunks keeps the stream open until the client aborts, counted as aborted", async () => {
    sim.setFault("sim-large", { hangAfterChunks: 2 });
    const abort = new AbortController();
    const stream = await streamOf("sim-large", "tokens:10", { signal: abort.signal });
    const seen: string[] = [];
    const reading = drain({
      async *[Symbol.asyncIterator]() {
        for await (const chunk of stream) {
          seen.push(chunk.choices[0]?.delta.content ?? "");
          yield chunk;
        }
      },
    });
    await waitFor(() => seen.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.length).toBe(2);
    expect(sim.counters.inFlight).toBe(1);
    expect(sim.counters.aborted).toBe(0);
    abort.abort();
    // The SDK ends an aborted stream's iteration quietly.
    expect(await reading).toMatchObject({ chunks: 2, error: undefined });
    await waitFor(() => sim.counters.aborted === 1);
    expect(sim.counters).toMatchObject({ inFlight: 0, completed: 0 });
    expect(sim.counters.byModel["sim-large"]!.aborted).toBe(1);
    expect(sim.requests[0]!.outcome).toBe("aborted");
  });

  it("a hanging answer without stream hits the client's timeout, counted as aborted", async () => {
    const err = await ai.chat.completions
      .create({ model: "sim-small~hangAfterChunks=0", messages: [user("x")] }, { timeout: 150 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await waitFor(() => sim.counters.aborted === 1);
  });

  it("failFirst fails the first N requests, then the SDK's retry succeeds", async () => {
    sim.setFault("sim-small", { failFirst: 2, error: 429, retryAfter: 0 });
    const res = await client(sim, { maxRetries: 2 }).chat.completions.create({
      model: "sim-small",
      messages: [user("third time lucky")],
    });
    expect(res.choices[0]!.message.content).toBe("third time lucky");
    expect(sim.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    await expect(
      ai.chat.completions.create({ model: "sim-small", messages: [user("x")] }),
    ).resolves.toBeDefined();
    // reset() starts the count again.
    sim.reset();
    await expect(
      ai.chat.completions.create({ model: "sim-small", messages: [user("x")] }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("failFirst without a failure field fails with 500, also from the header", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(
        sim,
        "/chat/completions",
        { model: "sim-large", messages: [user("x")] },
        {
          "x-sim-fault": "failFirst=1",
        },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([500, 200, 200]);
  });

  it("streamErrorAfterChunks sends LiteLLM's mid-stream error event", async () => {
    sim.setFault("sim-small", { streamErrorAfterChunks: 2, error: 503 });
    const r = await drain(await streamOf("sim-small", "tokens:10"));
    expect(r.chunks).toBe(2);
    expect(r.error).toBeInstanceOf(OpenAI.APIError);
    expect(r.error!.message).toContain("injected error (HTTP 503)");
    await waitFor(() => sim.counters.errors === 1);
  });

  it("latencyMs, firstTokenMs and tokensPerSecond shape the timing", async () => {
    sim.setFault("*", { tokensPerSecond: 200 });
    sim.setFault("sim-large", { latencyMs: 80, firstTokenMs: 60 });
    const t0 = performance.now();
    const stream = await streamOf("sim-large", "tokens:21");
    const headersAt = performance.now() - t0;
    let firstAt = 0;
    let n = 0;
    for await (const _ of stream) if (n++ === 0) firstAt = performance.now() - t0;
    const total = performance.now() - t0;
    expect(headersAt).toBeGreaterThanOrEqual(75);
    expect(firstAt).toBeGreaterThanOrEqual(135);
    // 21 tokens at 200/s: 20 intervals of 5 ms after the first token.
    expect(total - firstAt).toBeGreaterThanOrEqual(90);
    expect(sim.requests[0]!.fault).toEqual({ tokensPerSecond: 200, latencyMs: 80, firstTokenMs: 60 });
    // A per-request layer wins: unlimited rate.
    const t1 = performance.now();
    await drain(await streamOf("sim-small~tokensPerSecond=0", "tokens:200"));
    expect(performance.now() - t1).toBeLessThan(500);
  });

  it("refuses a bad fault spec with 400, and bad faults in-process with TypeError", async () => {
    const res = await post(
      sim,
      "/chat/completions",
      { model: "sim-small", messages: [user("x")] },
      {
        "x-sim-fault": "explode=1",
      },
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/unknown key "explode"/);
    const suffix = await post(sim, "/chat/completions", {
      model: "sim-small~error=200",
      messages: [user("x")],
    });
    expect(suffix.status).toBe(400);
    expect((await suffix.json()).error.message).toMatch(/error/);
    expect(() => sim.setFault("sim-small", { latencyMs: -1 })).toThrow(TypeError);
    expect(() => sim.setFault("no-such-model", { latencyMs: 1 })).toThrow(/unknown model/);
  });
});
