import { APIConnectionError, APIError } from "openai";
import { UpstreamError } from "./errors.ts";

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
    return fromStatus(status ?? 500, detail, at, streamed, retryAfterMs(error.headers));
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

/** Retry-After in seconds or as an HTTP date; retry-after-ms wins when present. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
