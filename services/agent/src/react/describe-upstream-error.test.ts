import { APIConnectionError, APIError } from "openai";
import { describe, expect, it } from "vitest";
import { describeUpstreamError, retryAfterMs } from "./describe-upstream-error.ts";
import { UpstreamError } from "./errors.ts";
import { scrubSecret } from "./llm-client.ts";
import { retryDelay } from "./retry.ts";

const KEY = "sk-live-0123456789abcdefghij";
const ctx = { baseUrl: "http://llm:4000", scrub: (t: string) => scrubSecret(t, KEY), streamed: false };

describe("describeUpstreamError", () => {
  it("scrubs the master key (whole or in part) from upstream text", () => {
    const echoed = APIError.generate(
      400,
      { error: { message: `Invalid key ${KEY} (prefix ${KEY.slice(0, 12)})` } },
      undefined,
      new Headers(),
    );
    const e = describeUpstreamError(echoed, ctx);
    expect(e.message).not.toContain(KEY);
    expect(e.message).not.toContain(KEY.slice(4, 12));
    expect(e.message).toMatch(/HTTP 400.*REDACTED/);
  });

  it("classifies by status and marks what may be retried", () => {
    const of = (status: number) =>
      describeUpstreamError(
        APIError.generate(status, { error: { message: "m" } }, undefined, new Headers()),
        ctx,
      );
    expect([of(401).code, of(401).retryable]).toEqual(["LLM_KEY_REJECTED", false]);
    expect([of(429).code, of(429).retryable]).toEqual(["LLM_RATE_LIMITED", true]);
    expect([of(502).code, of(502).retryable]).toEqual(["LLM_SERVER_ERROR", true]);
    expect([of(404).code, of(404).retryable]).toEqual(["LLM_REQUEST_REFUSED", false]);
    expect(of(404).message).toMatch(/model in its settings/);
    const refused = describeUpstreamError(
      new APIConnectionError({
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4000"), { code: "ECONNREFUSED" }),
      }),
      ctx,
    );
    expect(refused.code).toBe("LLM_UNREACHABLE");
    expect(refused.message).toBe(
      "LiteLLM is unreachable at http://llm:4000: connect ECONNREFUSED 127.0.0.1:4000",
    );
    expect(describeUpstreamError(new SyntaxError("Unexpected end of JSON input"), ctx).code).toBe(
      "LLM_MALFORMED_STREAM",
    );
  });

  it("never retries once tokens streamed", () => {
    const e = describeUpstreamError(
      APIError.generate(500, { error: { message: "m" } }, undefined, new Headers()),
      {
        ...ctx,
        streamed: true,
      },
    );
    expect(e.retryable).toBe(false);
  });

  it("reads Retry-After as seconds, as a date, and retry-after-ms", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "2" }))).toBe(2_000);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "150", "retry-after": "2" }))).toBe(150);
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "Tue, 01 Jan 2030 00:00:03 GMT" }), now)).toBe(3_000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }))).toBeUndefined();
  });

  it("caps the wait and backs off exponentially", () => {
    const policy = { maxAttempts: 3, retryBaseMs: 100, retryMaxDelayMs: 1_000 };
    const asked = new UpstreamError("LLM_RATE_LIMITED", "x", { retryable: true, retryAfterMs: 60_000 });
    expect(retryDelay(asked, 1, policy)).toBe(1_000);
    const plain = new UpstreamError("LLM_SERVER_ERROR", "x", { retryable: true });
    for (let i = 0; i < 20; i++) {
      expect(retryDelay(plain, 1, policy)).toBeGreaterThanOrEqual(50);
      expect(retryDelay(plain, 1, policy)).toBeLessThanOrEqual(100);
      expect(retryDelay(plain, 3, policy)).toBeGreaterThanOrEqual(200);
    }
  });
});
