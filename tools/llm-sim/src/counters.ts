export interface ModelCounters {
  chat: number;
  streamed: number;
  completed: number;
  aborted: number;
  errors: number;
  faulted: number;
}

export interface LlmSimCounters {
  /** Every HTTP request, any route, authenticated or not. */
  requests: number;
  /** Requests refused with 401. */
  unauthorized: number;
  /** Authenticated chat-completion requests (including ones answered with an error). */
  chatRequests: number;
  /** Chat requests with `stream: true`. */
  streamedRequests: number;
  /** Chat responses sent in full without an injected failure. */
  completed: number;
  /** Chat requests the client closed before the response ended. */
  aborted: number;
  /** Chat requests answered with an HTTP error or a mid-stream error event (injected or not). */
  errors: number;
  /** Chat requests broken on purpose: connection reset, malformed SSE or body. */
  faulted: number;
  /** Chat requests whose response has not closed yet. */
  inFlight: number;
  /** The same per model (the base name, without a fault suffix). */
  byModel: Record<string, ModelCounters>;
}

export function newCounters(): LlmSimCounters {
  return {
    requests: 0,
    unauthorized: 0,
    chatRequests: 0,
    streamedRequests: 0,
    completed: 0,
    aborted: 0,
    errors: 0,
    faulted: 0,
    inFlight: 0,
    byModel: {},
  };
}

/** Zeroes the counters in place (references held by tests stay live); inFlight stays true. */
export function zeroCounters(c: LlmSimCounters): void {
  const inFlight = c.inFlight;
  Object.assign(c, newCounters());
  c.inFlight = inFlight;
}

export function modelCounters(c: LlmSimCounters, model: string): ModelCounters {
  let m = c.byModel[model];
  if (!m) {
    m = { chat: 0, streamed: 0, completed: 0, aborted: 0, errors: 0, faulted: 0 };
    c.byModel[model] = m;
  }
  return m;
}
