import { RunAborted, UpstreamError } from "./errors.ts";

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  /** The longest single wait; a server asking for more is not tried again (it would refuse again). */
  retryMaxDelayMs: number;
  /** The most all waits of one model turn may add up to (LLM_RETRY_TOTAL_WAIT_MS); undefined: no bound. */
  retryTotalWaitMs?: number;
}

/** Waits `ms` unless `signal` aborts first (then rejects with RunAborted). Tests pass a fake one. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/**
 * Calls `attempt` until it succeeds, fails for good, or the tries run out. Only an UpstreamError that is
 * retryable and came before any token streamed is tried again: after the wait the server asked for
 * (Retry-After and its kin, see retry-signal.ts), else after an exponential backoff with jitter. A wait
 * the server asks for that is longer than retryMaxDelayMs, or one that would take the turn's waits past
 * retryTotalWaitMs, is not waited: the error goes to the user at once, saying how long LiteLLM asked for.
 * The wait ends at once when `signal` aborts.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry?: (error: UpstreamError, delayMs: number, n: number) => void,
  sleep: Sleep = abortableSleep,
): Promise<T> {
  let waited = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      error.attempts = n;
      if (!error.retryable || n >= policy.maxAttempts) throw error;
      const asked = error.options.retryAfterMs;
      const delay = retryDelay(error, n, policy);
      const budget = policy.retryTotalWaitMs ?? Number.POSITIVE_INFINITY;
      if ((asked !== undefined && asked > policy.retryMaxDelayMs) || waited + delay > budget) {
        if (asked !== undefined) error.message = `${error.message} (LiteLLM asks to wait ${seconds(asked)})`;
        throw error;
      }
      onRetry?.(error, delay, n);
      waited += delay;
      await sleep(delay, signal);
    }
  }
}

export function retryDelay(error: UpstreamError, n: number, policy: RetryPolicy): number {
  const asked = error.options.retryAfterMs;
  if (asked !== undefined) return Math.min(asked, policy.retryMaxDelayMs);
  const backoff = policy.retryBaseMs * 2 ** (n - 1);
  return Math.min(Math.round(backoff * (0.5 + Math.random() / 2)), policy.retryMaxDelayMs);
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`);

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new RunAborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RunAborted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
