// LiteLLM's proxy answers errors as {"error":{"message","type","param","code"}} where `param` and `type` are
// often the string "None" (a Python None rendered by the proxy) and `code` is the status as a string.

export interface LiteLlmErrorBody {
  error: { message: string; type: string; param: string; code: string };
}

export function liteLlmErrorBody(status: number, message: string, type = "None"): LiteLlmErrorBody {
  return { error: { message, type, param: "None", code: String(status) } };
}

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

  body(): LiteLlmErrorBody {
    return liteLlmErrorBody(this.status, this.message, this.type);
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

/** The error a fault injects: 429 carries Retry-After, as LiteLLM's rate limiter sends it. */
export function injectedError(status: number, retryAfterSeconds: number | undefined): SimHttpError {
  if (status === 429) {
    const retryAfter = String(retryAfterSeconds ?? 1);
    return new SimHttpError(
      429,
      `litellm.RateLimitError: llm-sim injected rate limit. Try again in ${retryAfter} seconds.`,
      {
        type: "throttling_error",
        headers: { "retry-after": retryAfter },
      },
    );
  }
  const label = status >= 500 ? "litellm.InternalServerError" : "litellm.APIError";
  return new SimHttpError(status, `${label}: llm-sim injected error (HTTP ${status})`);
}
