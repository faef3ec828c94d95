import { describe, expect, it } from "vitest";
import { describeForPeople, withoutAddresses } from "./describe-for-people.ts";
import { describeUpstreamError } from "./describe-upstream-error.ts";
import { UpstreamError } from "./errors.ts";

describe("withoutAddresses", () => {
  it("drops ' at <url>' and hides any other address", () => {
    expect(withoutAddresses("LiteLLM at http://litellm.internal:4000 failed with HTTP 500; try again")).toBe(
      "LiteLLM failed with HTTP 500; try again",
    );
    expect(withoutAddresses("connect ECONNREFUSED 127.0.0.1:4000")).toBe(
      "connect ECONNREFUSED [address hidden]",
    );
    expect(withoutAddresses("connect ECONNREFUSED [::1]:4000")).toBe("connect ECONNREFUSED [address hidden]");
    expect(withoutAddresses("getaddrinfo ENOTFOUND litellm:4000 (see https://x.example/a?b=1)")).toBe(
      "getaddrinfo ENOTFOUND [address hidden] (see [address hidden])",
    );
  });

  it("leaves words, numbers and times alone", () => {
    const text = "rate-limiting requests (HTTP 429): wait 60 s, 12:30 or 3.5 s; the window is 8,192 tokens";
    expect(withoutAddresses(text)).toBe(text);
  });
});

describe("describeForPeople", () => {
  it("says an unreachable LLM in words, without the address the SDK reported", async () => {
    const { APIConnectionError } = await import("openai");
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4000"), { code: "ECONNREFUSED" });
    const error = describeUpstreamError(new APIConnectionError({ cause }), {
      baseUrl: "http://10.1.2.3:4000",
      scrub: (t) => t,
      streamed: false,
    });
    expect(error.code).toBe("LLM_UNREACHABLE");
    expect(error.message).toMatch(/10\.1\.2\.3/); // the log's version keeps it
    const text = describeForPeople(error);
    expect(text).toMatch(/cannot be reached right now/);
    expect(text).not.toMatch(/127\.0\.0\.1|10\.1\.2\.3|ECONNREFUSED|:4000/);
    error.attempts = 3;
    expect(describeForPeople(error)).toMatch(/gave up after 3 tries/);
  });

  it("keeps what a person can act on for the other codes", () => {
    const error = new UpstreamError(
      "LLM_RATE_LIMITED",
      "LiteLLM at http://llm:4000 is rate-limiting requests (HTTP 429): wait a minute and send the message again",
    );
    expect(describeForPeople(error)).toBe(
      "LiteLLM is rate-limiting requests (HTTP 429): wait a minute and send the message again",
    );
  });
});
