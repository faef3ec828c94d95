/** Why an LLM turn failed, in a stable code a client can switch on. */
export type UpstreamCode =
  | "LLM_KEY_REJECTED"
  | "LLM_RATE_LIMITED"
  | "LLM_SERVER_ERROR"
  | "LLM_REQUEST_REFUSED"
  | "LLM_TIMEOUT"
  | "LLM_UNREACHABLE"
  | "LLM_CONNECTION_LOST"
  | "LLM_MALFORMED_STREAM"
  | "LLM_STREAM_ERROR"
  | "LLM_BUDGET_EXCEEDED"
  | "LLM_CONTEXT_TOO_LONG"
  | "LLM_UNSUPPORTED_PARAMS";

/**
 * A failed call to LiteLLM, described for a person. The message never holds the master key (it is
 * scrubbed from any upstream text it quotes).
 */
export class UpstreamError extends Error {
  /** How many tries were made before giving up (set by withRetry). */
  attempts = 1;

  constructor(
    readonly code: UpstreamCode,
    message: string,
    readonly options: {
      /** Another try might succeed (429, 5xx, connection refused or reset). */
      retryable?: boolean;
      /** Tokens had already streamed: a retry would repeat them, so there is none. */
      streamed?: boolean;
      /** What the server asked us to wait (Retry-After and its kin, or "try again in N seconds"), in ms. */
      retryAfterMs?: number;
      /** LLM_UNSUPPORTED_PARAMS: the request parameters the model refused (e.g. ["temperature"]). */
      params?: string[];
      /** LLM_CONTEXT_TOO_LONG: the model's window and the tokens asked for, when the answer says them. */
      context?: { window?: number; requested?: number };
      status?: number;
    } = {},
  ) {
    super(message);
    this.name = "UpstreamError";
  }

  get retryable(): boolean {
    return this.options.retryable === true && this.options.streamed !== true;
  }

  /** The message with the number of tries, once retries were made. */
  describe(): string {
    return this.attempts > 1 ? `${this.message} (gave up after ${this.attempts} tries)` : this.message;
  }
}

/** The run was stopped (by the user, a deletion or shutdown): not an error, just the end. */
export class RunAborted extends Error {
  constructor() {
    super("the run was stopped");
    this.name = "RunAborted";
  }
}
