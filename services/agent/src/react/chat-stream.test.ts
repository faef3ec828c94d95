import { createServer, type Server } from "node:net";
import { type LlmSim, startLlmSim } from "@texera-agent/llm-sim";
import OpenAI, { APIConnectionError, APIError, RateLimitError } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createChatStream, type OpenChatStream } from "./chat-stream.ts";
import type { ChatRequest } from "./llm-client.ts";

// The run loop's own client for streamed chat completions, held against the OpenAI SDK on the same
// requests: the same body on the wire, the same chunks, the same error classes.
const KEY = "sk-chat-stream-test-key-0123";
let sim: LlmSim;
let open: OpenChatStream;
let sdk: OpenAI;

beforeAll(async () => {
  sim = await startLlmSim({
    host: "127.0.0.1",
    port: 0,
    masterKey: KEY,
    scenario: {
      rules: [
        {
          match: { lastUser: "^tools$" },
          reply: {
            content: "Adding it.",
            toolCalls: [
              {
                name: "addOperator",
                arguments: { operatorType: "CSVFileScan", properties: { fileName: "a.csv" } },
              },
              { name: "getWorkflow", arguments: {} },
            ],
          },
        },
        { match: { lastUser: "^tokens:\\s*(\\d+)$" }, reply: { tokens: "{{match:1}}" } },
      ],
      fallback: { content: "{{lastUser}}" },
    },
  });
  open = createChatStream({ baseUrl: `${sim.url}/`, masterKey: KEY });
  sdk = new OpenAI({ baseURL: sim.url, apiKey: KEY, maxRetries: 0, logLevel: "off" });
});
afterEach(() => {
  sim.setFault("sim-small", undefined);
  sim.reset();
});
afterAll(() => sim.close());

const tools = [
  {
    type: "function" as const,
    function: {
      name: "addOperator",
      description: "adds one",
      parameters: { type: "object", properties: { operatorType: { type: "string" } } },
    },
  },
  {
    type: "function" as const,
    function: {
      name: "getWorkflow",
      description: "reads it",
      parameters: { type: "object", properties: {} },
    },
  },
];
const request = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "sim-small",
  temperature: 0.2,
  user: "42",
  messages: [
    { role: "system", content: "be brief" },
    { role: "user", content },
  ],
  tools,
  ...extra,
});

async function drain(stream: AsyncIterable<ChatCompletionChunk[]>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const batch of stream) {
    expect(batch.length).toBeGreaterThan(0);
    chunks.push(...batch);
  }
  return chunks;
}

/** The chunks without what differs per request (ids, created). */
const comparable = (chunks: ChatCompletionChunk[]) =>
  JSON.parse(
    JSON.stringify(chunks.map(({ id: _id, created: _c, ...rest }) => rest)).replace(
      /call_[0-9a-f]+/g,
      "call_",
    ),
  );

describe("createChatStream", () => {
  it("sends the body the SDK sends and yields the chunks the SDK yields (text, tool calls, usage)", async () => {
    for (const content of ["tokens: 30", "tools"]) {
      const ours = await drain(await open(request(content), new AbortController().signal));
      const theirs: ChatCompletionChunk[] = [];
      for await (const chunk of await sdk.chat.completions.create({
        ...request(content),
        stream: true,
        stream_options: { include_usage: true },
      }))
        theirs.push(chunk);
      expect(comparable(ours)).toEqual(comparable(theirs));
      const [a, b] = sim.requests.slice(-2);
      expect(a!.body).toEqual(b!.body);
      expect(ours.at(-1)!.usage).toMatchObject({ completion_tokens: expect.any(Number) });
    }
    expect(sim.counters.unauthorized).toBe(0);
  });

  it("answers a refused status with the SDK's error class, body and headers", async () => {
    sim.setFault("sim-small", { error: 429, retryAfter: 7 });
    const error = await open(request("tokens: 3"), new AbortController().signal).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.status).toBe(429);
    expect(error.headers.get("retry-after")).toBe("7");
    expect(error.error).toMatchObject({ message: expect.any(String) });
  });

  it("an error event in the stream is an APIError without a status; broken JSON is a SyntaxError", async () => {
    sim.setFault("sim-small", { streamErrorAfterChunks: 2, error: 503 });
    const midway = await drain(await open(request("tokens: 9"), new AbortController().signal)).catch(
      (e) => e,
    );
    expect(midway).toBeInstanceOf(APIError);
    expect(midway.status).toBeUndefined();
    expect(midway.error).toMatchObject({ code: expect.stringMatching(/503/) });
    sim.setFault("sim-small", { malformedAfterChunks: 2 });
    const malformed = await drain(await open(request("tokens: 9"), new AbortController().signal)).catch(
      (e) => e,
    );
    expect(malformed).toBeInstanceOf(SyntaxError);
  });

  it("no server: an APIConnectionError naming the socket error", async () => {
    const closed = await new Promise<Server>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => resolve(s));
    });
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const error = await createChatStream({ baseUrl: `http://127.0.0.1:${port}`, masterKey: KEY })(
      request("x"),
      new AbortController().signal,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(String(error.cause)).toMatch(/ECONNREFUSED/);
  });

  it("aborting cancels the upstream request at once, before and during the stream", async () => {
    const early = new AbortController();
    early.abort();
    await expect(open(request("x"), early.signal)).rejects.toThrow(/aborted/);

    sim.setFault("sim-small", { hangAfterChunks: 3 });
    const abort = new AbortController();
    const stream = await open(request("tokens: 20"), abort.signal);
    const seen: ChatCompletionChunk[] = [];
    const done = (async () => {
      for await (const batch of stream) {
        seen.push(...batch);
        if (seen.length >= 3) abort.abort();
      }
    })();
    await expect(done).rejects.toThrow();
    await expect.poll(() => sim.counters.aborted, { timeout: 2_000 }).toBe(1);
  });

  it("keeps connections alive, and sends again on a new one when a kept-alive one was closed while idle", async () => {
    // A server that answers the first request of a connection and resets the connection on the second:
    // the second request goes out on the kept-alive connection, is cut, and is sent again on a new one.
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      let requests = 0;
      let buffered = "";
      socket.on("data", (d) => {
        buffered += d.toString();
        if (!buffered.includes("\r\n\r\n")) return;
        buffered = "";
        if (++requests > 1) return socket.resetAndDestroy();
        const body =
          'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`,
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const flaky = createChatStream({ baseUrl: `http://127.0.0.1:${port}`, masterKey: undefined });
    try {
      for (let i = 0; i < 2; i++) {
        const chunks = await drain(
          await flaky(request("x", { tools: undefined }), new AbortController().signal),
        );
        expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(["hi"]);
      }
      expect(connections).toBe(2);
    } finally {
      server.close();
    }
  });

  it("refuses a base URL that is not http or https", () => {
    expect(() => createChatStream({ baseUrl: "ftp://llm", masterKey: KEY })).toThrow(TypeError);
  });
});
