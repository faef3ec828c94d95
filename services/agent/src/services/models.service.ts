import type { ModelList } from "@texera-agent/protocol";
import { AgentServiceError } from "../errors.ts";
import { describeUpstreamError } from "../react/describe-upstream-error.ts";
import type { LlmClient, ModelWindow } from "../react/llm-client.ts";
import { scrubModelList } from "../react/scrub-secret.ts";
import { KnownModels, matchesPattern } from "./known-models.ts";

export interface ModelsServiceOptions {
  /** A successful answer is reused this long (MODELS_CACHE_SECONDS). */
  cacheSeconds: number;
  timeoutMs: number;
  now(): number;
}

/**
 * LiteLLM's model list. An answer is kept for cacheSeconds, so the model picker survives a brief LiteLLM
 * outage and a page load does not cost an upstream call; after that a failure is a 502 that says why.
 * Concurrent callers share one upstream request.
 */
export class ModelsService {
  private cached: { list: ModelList; at: number } | undefined;
  private inflight: Promise<ModelList> | undefined;
  private windows: { list: ModelWindow[]; at: number } | undefined;
  private windowsInflight: Promise<ModelWindow[]> | undefined;

  constructor(
    private readonly llm: LlmClient,
    private readonly options: ModelsServiceOptions,
  ) {}

  async list(): Promise<ModelList> {
    const cached = this.cached;
    if (cached && this.options.now() - cached.at < this.options.cacheSeconds * 1000) return cached.list;
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * The model ids, or undefined when LiteLLM cannot say (then a model name cannot be checked). A wildcard
   * entry (`anthropic/*`) accepts every name it matches, and is not a model name itself.
   */
  async knownIds(): Promise<Set<string> | undefined> {
    try {
      return new KnownModels((await this.list()).data.map((m) => m.id));
    } catch {
      return undefined;
    }
  }

  /**
   * The model's input window from LiteLLM's /model/info (`max_input_tokens`): its own entry, else the
   * first wildcard entry matching it that states one. Undefined when LiteLLM does not say (an older
   * LiteLLM, a server without the route, a model without the field). Kept as long as the model list.
   */
  async contextWindow(model: string): Promise<number | undefined> {
    const list = await this.modelWindows();
    const own = list.find((w) => w.name === model && w.maxInputTokens !== undefined);
    if (own) return own.maxInputTokens;
    return list.find((w) => w.maxInputTokens !== undefined && matchesPattern(w.name, model))?.maxInputTokens;
  }

  private modelWindows(): Promise<ModelWindow[]> {
    const cached = this.windows;
    if (cached && this.options.now() - cached.at < Math.max(this.options.cacheSeconds, 1) * 1000)
      return Promise.resolve(cached.list);
    const read = this.llm.modelInfo;
    if (!read) return Promise.resolve([]);
    this.windowsInflight ??= read
      .call(this.llm, AbortSignal.timeout(this.options.timeoutMs))
      .catch(() => [] as ModelWindow[])
      .then((list) => {
        this.windows = { list, at: this.options.now() };
        return list;
      })
      .finally(() => {
        this.windowsInflight = undefined;
      });
    return this.windowsInflight;
  }

  private async fetch(): Promise<ModelList> {
    const { baseUrl } = this.llm;
    try {
      const raw = scrubModelList(
        await this.llm.listModels(AbortSignal.timeout(this.options.timeoutMs)),
        this.llm.scrub,
      );
      // Wildcard routes are shown as what they are: patterns, not models.
      const list = { ...raw, data: raw.data.map((m) => (m.id.includes("*") ? { ...m, pattern: true } : m)) };
      this.cached = { list, at: this.options.now() };
      return list;
    } catch (error) {
      if ((error as Error)?.name === "TimeoutError" || (error as Error)?.name === "APIUserAbortError") {
        throw new AgentServiceError(
          "LITELLM_UNREACHABLE",
          `LiteLLM is unreachable at ${baseUrl}: no answer within ${this.options.timeoutMs} ms`,
        );
      }
      const upstream = describeUpstreamError(error, { baseUrl, scrub: this.llm.scrub, streamed: false });
      if (upstream.code === "LLM_KEY_REJECTED")
        throw new AgentServiceError("LITELLM_KEY_REJECTED", upstream.message);
      if (upstream.code === "LLM_UNREACHABLE")
        throw new AgentServiceError("LITELLM_UNREACHABLE", upstream.message);
      throw new AgentServiceError(
        "LITELLM_BAD_ANSWER",
        `LiteLLM at ${baseUrl} did not list its models: ${upstream.message}`,
      );
    }
  }
}
