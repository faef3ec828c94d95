import { RunAborted, UpstreamError } from "./errors.ts";

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
}

/**
 * Calls `attempt` until it succeeds, fails for good, or the tries run out. Only an UpstreamError that is
 * retryable and came before any token streamed is tried again: after Retry-After (capped), else after an
 * exponential backoff with jitter. The wait ends at once when `signal` aborts.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry?: (error: UpstreamError, delayMs: number, n: number) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      error.attempts = n;
      if (!error.retryable || n >= policy.maxAttempts) throw error;
      const delay = retryDelay(error, n, policy);
      onRetry?.(error, delay, n);
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
