// LiteLLM's proxy answers errors as {"error":{"message","type","param","code"}} where `param` and `type` are
// often the string "None" (a Python None rendered by the proxy) and `code` is the status as a string.

export interface LiteLlmErrorBody {
  error: { message: string; type: string; param: string; code: string };
}

export function liteLlmErrorBody(status: number, message: string, type = "None"): LiteLlmErrorBody {
  return { error: { message, type, param: "None", code: String(status) } };
}

/** How long a 429 asks to wait, and how it says so. */
export type RetrySignal = "retry-after" | "retry-after-ms" | "llm_provider-retry-after" | "body";

/** An error the simulator answers with an HTTP status and a LiteLLM error body. */
export class SimHttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    opts: { type?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "SimHttpError";
    this.status = status;
    this.type = opts.type ?? "None";
    this.headers = opts.headers ?? {};
  }

  /** A body of another shape (LiteLLM's first-chunk errors carry an integer `code`). */
  rawBody?: object;

  body(): LiteLlmErrorBody | object {
    return this.rawBody ?? liteLlmErrorBody(this.status, this.message, this.type);
  }
}

export const authMissing = () =>
  new SimHttpError(401, "Authentication Error, No api key passed in.", { type: "auth_error" });

// LiteLLM echoes part of a wrong key back; the simulator never does.
export const authInvalid = () =>
  new SimHttpError(401, "Authentication Error, Invalid proxy server token passed.", { type: "auth_error" });

export const badRequest = (message: string) =>
  new SimHttpError(400, message, { type: "invalid_request_error" });

export const unknownModel = (model: string) =>
  new SimHttpError(
    400,
    `/chat/completions: Invalid model name passed in model=${model}. Call \`/v1/models\` to view available models for your key.`,
  );

/**
 * The error a fault injects. A 429 says when to try again the way `signal` picks: LiteLLM's own limiter
 * (`retry-after` header and the words), `retry-after-ms`, a provider's header re-emitted as
 * `llm_provider-retry-after` (issue #21553), or only the router's cooldown words in the body (#27823).
 */
export function injectedError(
  status: number,
  retryAfterSeconds: number | undefined,
  signal?: RetrySignal,
  model = "sim-small",
): SimHttpError {
  if (status === 429) {
    const retryAfter = String(retryAfterSeconds ?? 1);
    if (signal === "body") {
      return new SimHttpError(
        429,
        `No deployments available for selected model, Try again in ${retryAfter} seconds. Passed model=${model}. pre-call-checks=False, cooldown_list=[('llm-sim-deployment', {'exception_received': 'litellm.RateLimitError', 'status_code': '429'})]`,
      );
    }
    const headers: Record<string, string> =
      signal === "retry-after-ms"
        ? { "retry-after-ms": String(Math.round(Number(retryAfter) * 1000)) }
        : signal === "llm_provider-retry-after"
          ? { "llm_provider-retry-after": retryAfter }
          : { "retry-after": retryAfter };
    const words = signal === undefined ? ` Try again in ${retryAfter} seconds.` : "";
    return new SimHttpError(429, `litellm.RateLimitError: llm-sim injected rate limit.${words}`, {
      type: "throttling_error",
      headers,
    });
  }
  const label = status >= 500 ? "litellm.InternalServerError" : "litellm.APIError";
  return new SimHttpError(status, `${label}: llm-sim injected error (HTTP ${status})`);
}

/** LiteLLM's answer when the prompt is longer than the model's window (ContextWindowExceededError). */
export const contextWindowExceeded = (model: string, window: number, requested: number) =>
  new SimHttpError(
    400,
    `litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: OpenAIException - This model's maximum context length is ${window} tokens. However, you requested ${requested} tokens. Please reduce the length of the messages or completion. Received Model Group=${model}\nAvailable Model Group Fallbacks=None`,
  );

/** LiteLLM's answer to a sampling parameter a reasoning model refuses (without drop_params). */
export const unsupportedParams = (model: string, param: string, value: unknown) =>
  new SimHttpError(
    400,
    `litellm.UnsupportedParamsError: gpt-5 models (including gpt-5-codex) don't support ${param}=${String(value)}. Only ${param}=1 is supported. To drop unsupported params set \`litellm.drop_params = True\`. Received Model Group=${model}\nAvailable Model Group Fallbacks=None`,
  );

/** A key, team or user over its LiteLLM budget: `type: budget_exceeded` with HTTP 400 (older) or 429. */
export const budgetExceeded = (status: number) =>
  new SimHttpError(status, "Budget has been exceeded! Current cost: 10.51, Max budget: 10.0", {
    type: "budget_exceeded",
  });

/**
 * LiteLLM's proxy reads the first chunk before it sends headers; when that chunk is an error it answers
 * with the error's code as the HTTP status and `{"error": {"code": <int>, "message": …}}`
 * (tests/test_litellm/proxy/test_common_request_processing.py).
 */
export function firstChunkError(status: number): SimHttpError {
  const err = new SimHttpError(status, `llm-sim: the provider's first chunk was an error (${status})`);
  err.rawBody = { error: { code: status, message: err.message } };
  return err;
}
