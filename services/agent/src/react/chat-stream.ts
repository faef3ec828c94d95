import http from "node:http";
import https from "node:https";
// The error classes alone: the SDK's index loads all of it (~10 MB), which only the model list needs.
import { APIConnectionError, APIError } from "openai/core/error";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ChatRequest } from "./llm-client.ts";
import { SseDecoder } from "./sse-decoder.ts";

export interface ChatStreamOptions {
  baseUrl: string;
  masterKey: string | undefined;
}

/**
 * Opens a streamed chat completion; resolves once LiteLLM answered 2xx with its headers. The stream gives
 * the chunks of each network read together (never an empty batch): a reply of fifty tokens often arrives
 * in a few reads, and an async iteration per chunk cost more than the chunk's own parsing.
 */
export type OpenChatStream = (
  request: ChatRequest,
  signal: AbortSignal,
) => Promise<AsyncIterable<ChatCompletionChunk[]>>;

/**
 * `POST /chat/completions` with `stream: true` over a keep-alive node:http agent, its server-sent events
 * parsed as they arrive. It does what the OpenAI SDK's `chat.completions.create({stream: true})` does on
 * this path, at a third of the CPU (the SDK goes through fetch, web streams and a generic SSE layer:
 * ≈0.8 ms per 50-token reply, more than the rest of agent-service's work on a run). Failures are the SDK's
 * own error classes, so describeUpstreamError reads them the same way:
 * - no response (refused, reset, DNS): APIConnectionError with the socket error as its cause;
 * - a non-2xx answer: APIError.generate(status, JSON body, text, headers), as the SDK makes it;
 * - an `error` object in the stream: APIError without a status; data that is not JSON: SyntaxError;
 * - a connection cut in the middle of the stream: the socket's error.
 * Aborting `signal` destroys the request at once (the upstream sees the connection close).
 */
export function createChatStream({ baseUrl, masterKey }: ChatStreamOptions): OpenChatStream {
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}/chat/completions`);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`LITELLM_BASE_URL must be an http:// or https:// URL, not ${url.protocol}`);
  }
  const transport = url.protocol === "https:" ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  const target = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port,
    path: `${url.pathname}${url.search}`,
    method: "POST",
    agent,
  };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "text/event-stream",
    "user-agent": "texera-agent-service",
    ...(masterKey ? { authorization: `Bearer ${masterKey}` } : {}),
  };

  return (request, signal) => {
    // Kept only until the stream starts (a stale kept-alive socket sends it again): the closures of a
    // streaming reply share this scope and would otherwise hold the whole body (system prompt, tools: tens
    // of kB) for as long as the reply streams, a thousand times over with a thousand runs.
    let body: Body | undefined = serialize(request);
    const length = String(Buffer.byteLength(body.head) + (body.tools?.length ?? 0));
    const open = (retryStaleSocket: boolean): Promise<AsyncIterable<ChatCompletionChunk[]>> =>
      new Promise((resolve, reject) => {
        if (signal.aborted) return reject(abortError());
        const req = transport.request({ ...target, headers: { ...headers, "content-length": length } });
        const onAbort = () => req.destroy(abortError());
        signal.addEventListener("abort", onAbort, { once: true });
        const settle = () => signal.removeEventListener("abort", onAbort);
        req.on("error", (error: NodeJS.ErrnoException) => {
          settle();
          // A kept-alive socket that the server closed while idle: the request never reached it.
          if (retryStaleSocket && req.reusedSocket && !signal.aborted && isStaleSocket(error)) {
            resolve(open(false));
            return;
          }
          reject(signal.aborted ? abortError() : new APIConnectionError({ cause: error }));
        });
        req.on("response", (res) => {
          res.setEncoding("utf8");
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) {
            readText(res).then(
              (text) => {
                settle();
                reject(statusError(res, text));
              },
              (error) => {
                settle();
                reject(signal.aborted ? abortError() : error);
              },
            );
            return;
          }
          // Errors of the body come out of the iteration; the request's own error event just reports them.
          req.removeAllListeners("error");
          req.on("error", () => {});
          body = undefined; // no retry from here on
          resolve(events(res, settle));
        });
        if (body!.tools) {
          req.write(body!.head);
          req.end(body!.tools);
        } else req.end(body!.head);
      });
    return open(true);
  };
}

/**
 * The chunks of the stream, those of each read together, up to `data: [DONE]` (anything after it is
 * ignored, as the SDK does). A failing chunk throws after the ones before it in its read were given.
 */
async function* events(res: http.IncomingMessage, settle: () => void): AsyncGenerator<ChatCompletionChunk[]> {
  const decoder = new SseDecoder();
  let done = false;
  try {
    for await (const piece of res as AsyncIterable<string>) {
      const batch: ChatCompletionChunk[] = [];
      try {
        for (const sse of decoder.push(piece)) {
          if (done) continue;
          if (sse.data.startsWith("[DONE]")) {
            done = true;
            continue;
          }
          const data = JSON.parse(sse.data) as ChatCompletionChunk & { error?: object; message?: string };
          if (sse.event === "error") throw new APIError(undefined, data.error, data.message, undefined);
          if (data?.error) throw new APIError(undefined, data.error, undefined, webHeaders(res));
          batch.push(data);
        }
      } catch (error) {
        if (batch.length > 0) yield batch; // what came before the failure, as before it
        throw error;
      }
      if (batch.length > 0) yield batch;
    }
  } finally {
    settle();
    if (!res.complete) res.destroy();
  }
}

/**
 * The request body in two parts: the JSON without its closing brace, and the tools with it. The tools
 * array is the same object run after run (tens of kB of schemas): it is serialised and encoded once, and
 * the request writes the two parts in one go, instead of joining them into a new string that the socket
 * write then copied flat and encoded again on every model turn.
 */
interface Body {
  head: string;
  /** `,"tools":[…]}` as bytes; absent: `head` is the whole body. */
  tools?: Buffer;
}
const toolsBytes = new WeakMap<object, Buffer>();

function serialize(request: ChatRequest): Body {
  const { tools, ...rest } = request;
  const head = JSON.stringify({ ...rest, stream: true, stream_options: { include_usage: true } });
  if (!tools) return { head };
  let bytes = toolsBytes.get(tools);
  if (bytes === undefined) {
    bytes = Buffer.from(`,"tools":${JSON.stringify(tools)}}`);
    toolsBytes.set(tools, bytes);
  }
  return { head: head.slice(0, -1), tools: bytes };
}

function statusError(res: http.IncomingMessage, text: string): APIError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return APIError.generate(
    res.statusCode,
    json as object | undefined,
    json === undefined ? text : undefined,
    webHeaders(res),
  );
}

function webHeaders(res: http.IncomingMessage): Headers {
  const out = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) out.append(raw[i]!, raw[i + 1]!);
  return out;
}

const MAX_ERROR_BODY_CHARS = 64 * 1024;

function readText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    res.on("data", (piece: string) => {
      if (text.length < MAX_ERROR_BODY_CHARS) text += piece;
    });
    res.on("end", () => resolve(text));
    res.on("error", reject);
  });
}

function isStaleSocket(error: NodeJS.ErrnoException): boolean {
  return error.code === "ECONNRESET" || error.code === "EPIPE";
}

function abortError(): Error {
  const error = new Error("the request was aborted");
  error.name = "AbortError";
  return error;
}
