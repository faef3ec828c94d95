import type { ModelList } from "@texera-agent/protocol";
import type OpenAI from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from "openai/resources/chat/completions";
import { createChatStream } from "./chat-stream.ts";
import { createSecretScrubber } from "./scrub-secret.ts";

export { scrubSecret } from "./scrub-secret.ts";

export type ChatRequest = Omit<ChatCompletionCreateParamsStreaming, "stream" | "stream_options">;

/** The two calls agent-service makes to LiteLLM; the master key stays inside. */
export interface LlmClient {
  /** For messages: where LiteLLM is expected (no credentials in it). */
  readonly baseUrl: string;
  listModels(signal: AbortSignal): Promise<ModelList>;
  /** LiteLLM's `GET /model/info`: each model name (or wildcard) with its `max_input_tokens`, when known. */
  modelInfo?(signal: AbortSignal): Promise<ModelWindow[]>;
  /**
   * A streamed chat completion with usage in its last chunk, the chunks of each network read together
   * (chat-stream.ts). Aborting `signal` cancels the HTTP request.
   */
  streamChat(request: ChatRequest, signal: AbortSignal): Promise<AsyncIterable<ChatCompletionChunk[]>>;
  /** Removes the master key, in any spelling (scrub-secret.ts), from a text that came from upstream. */
  scrub(text: string): string;
}

/** A model group of LiteLLM's /model/info and the input window it reports (undefined when it does not). */
export interface ModelWindow {
  name: string;
  maxInputTokens: number | undefined;
}

export interface LlmClientOptions {
  baseUrl: string;
  masterKey: string | undefined;
}

/**
 * LiteLLM's two calls: the model list through the OpenAI SDK (its own retries and logging off; the caller
 * caches the list), the streamed chat completions of every run through createChatStream (the hot path; the
 * same wire format and error classes as the SDK at a third of its CPU). The run loop retries.
 */
export function createLlmClient({ baseUrl, masterKey }: LlmClientOptions): LlmClient {
  // The SDK is loaded when the model list is first asked for: about 10 MB a service at rest need not hold.
  let sdkClient: Promise<OpenAI> | undefined;
  const sdk = () => {
    sdkClient ??= import("openai").then(
      ({ default: OpenAI }) =>
        new OpenAI({
          baseURL: baseUrl,
          // LiteLLM without a master key accepts any; the SDK insists on a value.
          apiKey: masterKey ?? "no-master-key-configured",
          maxRetries: 0,
          timeout: 30 * 60_000,
          logLevel: "off",
        }),
    );
    return sdkClient;
  };
  const openChat = createChatStream({ baseUrl, masterKey });
  const scrub = createSecretScrubber(masterKey);
  return {
    baseUrl,
    scrub,
    async listModels(signal) {
      const page = await (await sdk()).models.list({ signal });
      return {
        object: "list",
        data: page.data.map((m) => ({
          id: String(m.id),
          object: "model" as const,
          created: Number.isInteger(m.created) ? m.created : 0,
          owned_by: typeof m.owned_by === "string" ? m.owned_by : "unknown",
        })),
      };
    },
    async modelInfo(signal) {
      // LiteLLM's own route, not OpenAI's: {data: [{model_name, model_info: {max_input_tokens}}]}.
      const body = (await (await sdk()).get("/model/info", { signal })) as { data?: unknown };
      const out: ModelWindow[] = [];
      for (const row of Array.isArray(body?.data) ? body.data.slice(0, 10_000) : []) {
        const r = row as { model_name?: unknown; model_info?: { max_input_tokens?: unknown } } | null;
        if (typeof r?.model_name !== "string") continue;
        const max = r.model_info?.max_input_tokens;
        out.push({
          name: r.model_name,
          maxInputTokens: typeof max === "number" && Number.isInteger(max) && max > 0 ? max : undefined,
        });
      }
      return out;
    },
    streamChat: openChat,
  };
}
