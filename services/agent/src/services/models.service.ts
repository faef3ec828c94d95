import type { ModelList } from "@texera-agent/protocol";
import { AgentServiceError } from "../errors.ts";
import { describeUpstreamError } from "../react/describe-upstream-error.ts";
import type { LlmClient } from "../react/llm-client.ts";
import { scrubModelList } from "../react/scrub-secret.ts";

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

  /** The model ids, or undefined when LiteLLM cannot say (then a model name cannot be checked). */
  async knownIds(): Promise<Set<string> | undefined> {
    try {
      return new Set((await this.list()).data.map((m) => m.id));
    } catch {
      return undefined;
    }
  }

  private async fetch(): Promise<ModelList> {
    const { baseUrl } = this.llm;
    try {
      const list = scrubModelList(
        await this.llm.listModels(AbortSignal.timeout(this.options.timeoutMs)),
        this.llm.scrub,
      );
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
