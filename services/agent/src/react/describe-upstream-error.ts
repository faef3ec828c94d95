// The error classes alone: the SDK's index loads all of it (~10 MB), which only the model list needs.
import { APIConnectionError, APIError } from "openai/core/error";
import { classifyRefusal } from "./classify-refusal.ts";
import { UpstreamError } from "./errors.ts";
import { retryAfterMs } from "./retry-signal.ts";

export { retryAfterMs } from "./retry-signal.ts";

export interface DescribeContext {
  baseUrl: string;
  scrub(text: string): string;
  /** Whether any token had streamed when the error happened. */
  streamed: boolean;
}

/** Turns whatever the SDK or the socket threw into an UpstreamError a person can act on. */
export function describeUpstreamError(error: unknown, ctx: DescribeContext): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const { baseUrl, scrub, streamed } = ctx;
  const at = `LiteLLM at ${baseUrl}`;

  if (error instanceof APIConnectionError) {
    const cause = rootCause(error);
    return new UpstreamError("LLM_UNREACHABLE", `LiteLLM is unreachable at ${baseUrl}: ${scrub(cause)}`, {
      retryable: true,
      streamed,
    });
  }
  if (error instanceof APIError) {
    const status = typeof error.status === "number" ? error.status : statusFromBody(error.error);
    const detail = scrub(upstreamMessage(error));
    const refused = refusal(error, detail, at, streamed, status);
    if (refused) return refused;
    if (error.status === undefined && status === undefined) {
      return new UpstreamError(
        "LLM_STREAM_ERROR",
        `${at} reported an error in the middle of the reply: ${detail}`,
        {
          retryable: true,
          streamed,
        },
      );
    }
    return fromStatus(status ?? 500, detail, at, streamed, retryAfterMs(error.headers, Date.now(), detail));
  }
  if (error instanceof SyntaxError) {
    return new UpstreamError(
      "LLM_MALFORMED_STREAM",
      `${at} sent a reply that is not valid server-sent events (${scrub(error.message)}); check that LITELLM_BASE_URL points at LiteLLM`,
      { streamed },
    );
  }
  if (error instanceof Error) {
    const cause = rootCause(error);
    return new UpstreamError(
      "LLM_CONNECTION_LOST",
      `the connection to ${at} broke ${streamed ? "in the middle of the reply" : "before the reply"} (${scrub(cause)}); send the message again`,
      { retryable: true, streamed },
    );
  }
  return new UpstreamError("LLM_CONNECTION_LOST", `the call to ${at} failed: ${scrub(String(error))}`, {
    streamed,
  });
}

function fromStatus(
  status: number,
  detail: string,
  at: string,
  streamed: boolean,
  retryAfter: number | undefined,
): UpstreamError {
  if (status === 401) {
    return new UpstreamError(
      "LLM_KEY_REJECTED",
      `${at} rejected agent-service's master key (HTTP 401): an operator must set LITELLM_MASTER_KEY to a key LiteLLM accepts`,
      { status, streamed },
    );
  }
  if (status === 429) {
    return new UpstreamError(
      "LLM_RATE_LIMITED",
      `${at} is rate-limiting requests (HTTP 429): wait a minute and send the message again`,
      { status, retryable: true, streamed, retryAfterMs: retryAfter },
    );
  }
  if (status >= 500) {
    return new UpstreamError(
      "LLM_SERVER_ERROR",
      `${at} failed with HTTP ${status}${detail ? `: ${detail}` : ""}; try again later`,
      { status, retryable: true, streamed, retryAfterMs: retryAfter },
    );
  }
  const hint =
    status === 400 || status === 404
      ? "; check the agent's model in its settings"
      : status === 403
        ? "; the master key may lack access to this model"
        : "";
  return new UpstreamError(
    "LLM_REQUEST_REFUSED",
    `${at} refused the request (HTTP ${status})${detail ? `: ${detail}` : ""}${hint}`,
    { status, streamed },
  );
}

/** Budget, context window and unsupported parameters: their own codes and what to do about each. */
function refusal(
  error: APIError,
  detail: string,
  at: string,
  streamed: boolean,
  status: number | undefined,
): UpstreamError | undefined {
  const kind = classifyRefusal(error.error, fullMessage(error));
  if (!kind) return undefined;
  const http = status !== undefined ? ` (HTTP ${status})` : "";
  if (kind.kind === "budget") {
    return new UpstreamError(
      "LLM_BUDGET_EXCEEDED",
      `${at} refused the request${http}: the LiteLLM budget for this service is used up (${detail}); an operator must raise the budget of agent-service's key, team or user in LiteLLM, or wait until it resets`,
      { status, streamed },
    );
  }
  if (kind.kind === "context") {
    return new UpstreamError(
      "LLM_CONTEXT_TOO_LONG",
      `${at} refused the request${http}: the conversation is longer than the model's context window (${detail}); clear the agent's history, or pick a model with a larger window, or lower the agent's contextWindowTokens setting`,
      { status, streamed, context: { window: kind.window, requested: kind.requested } },
    );
  }
  const names = kind.params.length > 0 ? kind.params.join(", ") : "a sampling parameter";
  return new UpstreamError(
    "LLM_UNSUPPORTED_PARAMS",
    `${at} refused the request${http}: the model does not accept ${names} (${detail}); clear ${kind.params.length === 1 ? "that setting" : "those settings"} in the agent's settings`,
    { status, streamed, params: kind.params },
  );
}

function fullMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === "string" ? body.message : error.message;
}

/** LiteLLM's error body: {error:{message, code}} (the SDK hands us the inner object). */
function upstreamMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : error.message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function statusFromBody(body: unknown): number | undefined {
  const code = (body as { code?: unknown } | undefined)?.code;
  const n = Number(code);
  return Number.isInteger(n) && n >= 400 && n <= 599 ? n : undefined;
}

/** The innermost cause's code and message ("connect ECONNREFUSED 127.0.0.1:4000"). */
function rootCause(error: Error): string {
  let e: unknown = error;
  let text = error.message;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    text = e.message || (typeof code === "string" ? code : text);
    if (typeof code === "string" && !text.includes(code)) text = `${code}: ${text}`;
    e = (e as { cause?: unknown }).cause;
  }
  return text;
}
