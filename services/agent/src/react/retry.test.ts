import { describe, expect, it } from "vitest";
import { UpstreamError } from "./errors.ts";
import { withRetry } from "./retry.ts";
import { retryAfterFromText, retryAfterMs } from "./retry-signal.ts";

describe("retry signals", () => {
  it("reads every header LiteLLM sends, its own first", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "2" }))).toBe(2_000);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "150", "retry-after": "2" }))).toBe(150);
    // A provider's header, re-emitted by LiteLLM with its prefix (BerriAI/litellm issue #21553).
    expect(retryAfterMs(new Headers({ "llm_provider-retry-after": "7" }))).toBe(7_000);
    expect(retryAfterMs(new Headers({ "llm_provider-retry-after-ms": "250" }))).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "1", "llm_provider-retry-after": "9" }))).toBe(1_000);
  });

  // The router's cooldown answer (BerriAI/litellm issue #27823) has no header, only these words.
  it('reads "Try again in N seconds" and OpenAI\'s "try again in 1.5s / 20ms" from the body', () => {
    expect(
      retryAfterMs(
        new Headers(),
        0,
        "No deployments available for selected model, Try again in 60 seconds. Passed model=gpt-4o.",
      ),
    ).toBe(60_000);
    expect(retryAfterFromText("Rate limit reached for gpt-4o. Please try again in 1.5s.")).toBe(1_500);
    expect(retryAfterFromText("Please try again in 20ms.")).toBe(20);
    expect(retryAfterFromText("try again later")).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "3" }), 0, "Try again in 60 seconds")).toBe(3_000);
  });
});

describe("withRetry", () => {
  const policy = { maxAttempts: 4, retryBaseMs: 100, retryMaxDelayMs: 10_000, retryTotalWaitMs: 25_000 };
  const limited = (ms?: number) =>
    new UpstreamError("LLM_RATE_LIMITED", "429", { retryable: true, retryAfterMs: ms });

  /** Runs with a clock that does not sleep: the waits are recorded. */
  async function run(errors: UpstreamError[], p = policy) {
    const waits: number[] = [];
    let n = 0;
    const result = await withRetry(
      async () => {
        const e = errors[n++];
        if (e) throw e;
        return "ok";
      },
      p,
      new AbortController().signal,
      undefined,
      async (ms) => {
        waits.push(ms);
      },
    ).catch((e: UpstreamError) => e);
    return { result, waits, tries: n };
  }

  it("waits what the server asks", async () => {
    const { result, waits } = await run([limited(4_000), limited(2_500)]);
    expect(result).toBe("ok");
    expect(waits).toEqual([4_000, 2_500]);
  });

  it("stops, without waiting, when a wait would pass the total bound", async () => {
    const { result, waits, tries } = await run([
      limited(9_000),
      limited(9_000),
      limited(9_000),
      limited(9_000),
    ]);
    expect(waits).toEqual([9_000, 9_000]); // a third 9 s would make 27 s > 25 s
    expect(tries).toBe(3);
    expect((result as UpstreamError).message).toMatch(/asks to wait 9 s/);
  });

  it("does not retry early when the server asks for longer than one wait may be", async () => {
    const { result, waits, tries } = await run([limited(60_000)]);
    expect(waits).toEqual([]);
    expect(tries).toBe(1);
    expect((result as UpstreamError).message).toMatch(/asks to wait 60 s/);
  });

  it("backs off exponentially without a signal", async () => {
    const { waits } = await run([limited(), limited(), limited()]);
    expect(waits).toHaveLength(3);
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(w).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });
});
