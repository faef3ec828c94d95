/**
 * How long LiteLLM asks us to wait before the next try, in ms, from every signal it sends:
 * - `retry-after-ms`, then `retry-after` (seconds or an HTTP date): LiteLLM's own rate limits and any
 *   provider header it passes through unchanged;
 * - `llm_provider-retry-after-ms`, `llm_provider-retry-after`: a provider's header as LiteLLM re-emits it
 *   (LiteLLM prefixes upstream headers with `llm_provider-`; BerriAI/litellm issue #21553);
 * - the body's "Try again in N seconds" (router cooldown, "No deployments available…", issue #27823) and
 *   OpenAI's "Please try again in 1.5s" / "in 20ms".
 * The first signal found wins, in that order. Undefined when there is none.
 */
export function retryAfterMs(
  headers: Headers | undefined,
  now = Date.now(),
  message?: string,
): number | undefined {
  if (headers) {
    for (const prefix of ["", "llm_provider-"]) {
      const ms = headers.get(`${prefix}retry-after-ms`);
      if (ms) {
        const n = Number(ms);
        if (Number.isFinite(n) && n >= 0) return n;
      }
      const raw = headers.get(`${prefix}retry-after`);
      if (raw) {
        const seconds = Number(raw);
        if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
        const date = Date.parse(raw);
        if (!Number.isNaN(date)) return Math.max(0, date - now);
      }
    }
  }
  return message === undefined ? undefined : retryAfterFromText(message);
}

const TRY_AGAIN = /try again in\s+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)\b/i;

/** "Try again in 60 seconds", "try again in 1.5s", "try again in 20ms", "try again in 2 minutes". */
export function retryAfterFromText(text: string): number | undefined {
  const m = TRY_AGAIN.exec(text.slice(0, 2_000));
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit.startsWith("ms") || unit.startsWith("milli")) return n;
  if (unit.startsWith("m")) return n * 60_000;
  return n * 1000;
}
