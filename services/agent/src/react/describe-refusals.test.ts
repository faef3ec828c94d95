// LiteLLM's refusal bodies, as LiteLLM proxies answered them in reported issues (repository
// BerriAI/litellm unless named), turned into codes and words a person can act on.
import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { describeUpstreamError } from "./describe-upstream-error.ts";

const ctx = { baseUrl: "http://litellm:4000", scrub: (t: string) => t, streamed: false };
const refusal = (status: number, error: object, headers: Record<string, string> = {}) =>
  describeUpstreamError(APIError.generate(status, { error }, undefined, new Headers(headers)), ctx);

describe("LiteLLM refusals", () => {
  it.each([
    // issue #4208 (older proxies: type auth_error, integer code)
    [
      400,
      {
        message: "Budget has been exceeded! Current cost: 0.0010747, Max budget: 0.0",
        type: "auth_error",
        param: null,
        code: 400,
      },
    ],
    // issue #14144, a comment by a maintainer
    [
      400,
      {
        message:
          "litellm.BadRequestError: OpenAIException - Budget has been exceeded! Current cost: 14.5, Max budget: 100. Received Model Group=meta.llama3-8b-instruct-v1:0\nAvailable Model Group Fallbacks=None",
        type: null,
        param: null,
        code: "400",
      },
    ],
    // issue #36729 (newer proxies: type budget_exceeded, HTTP 429)
    [
      429,
      {
        message: "Budget has been exceeded! Current cost: 10.51, Max budget: 10.00",
        type: "budget_exceeded",
        code: "429",
      },
    ],
    // issue #14144: a deployment's budget, from the router
    [
      429,
      {
        message: "No deployments available - crossed budget: Exceeded budget for deployment model_name: xxx",
        type: "None",
        code: "429",
      },
    ],
  ])("budget (HTTP %i): LLM_BUDGET_EXCEEDED, not retried", (status, body) => {
    const e = refusal(status, body, { "retry-after": "1" });
    expect(e.code).toBe("LLM_BUDGET_EXCEEDED");
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/operator must raise the budget/);
  });

  it.each([
    // OpenHands/OpenHands issue #5350 (Anthropic through LiteLLM)
    [
      'litellm.BadRequestError: litellm.ContextWindowExceededError: AnthropicError - {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 209303 tokens > 200000 maximum"}}',
      200_000,
      209_303,
    ],
    // lintsinghua/DeepAudit issue #211 (OpenAI through LiteLLM)
    [
      "litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: OpenAIException - This model's maximum context length is 13500 tokens. However, you requested 14032 tokens (9936 in the messages, 4096 in the completion).",
      13_500,
      14_032,
    ],
    // issue #15968 (Azure, not mapped to ContextWindowExceededError by LiteLLM)
    [
      "litellm.BadRequestError: AzureException BadRequestError - Input tokens exceed the configured limit of 272000 tokens. Your messages resulted in 509178 tokens. Please reduce the length of the messages.",
      272_000,
      509_178,
    ],
    // BrokkAi/brokk-app issue #540
    [
      'litellm.BadRequestError: AnthropicException - b\'{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 179413 + 32768 > 200000, decrease input length or `max_tokens` and try again"}}\'',
      undefined,
      undefined,
    ],
  ])("context window: LLM_CONTEXT_TOO_LONG with the numbers it states (%#)", (message, window, requested) => {
    const e = refusal(400, { message, type: null, param: null, code: "400" });
    expect(e.code).toBe("LLM_CONTEXT_TOO_LONG");
    expect(e.message).toMatch(/clear the agent's history/);
    expect(e.options.context?.window).toBe(window);
    expect(e.options.context?.requested).toBe(requested);
  });

  it.each([
    // Vivswan/litellm-vscode-chat issue #18 (a LiteLLM proxy's body)
    [
      "litellm.UnsupportedParamsError: gpt-5 models (including gpt-5-codex) don't support temperature=0.7. Only temperature=1 is supported. To drop unsupported params set litellm.drop_params = True. Received Model Group=gpt-5-mini\nAvailable Model Group Fallbacks=None",
      null,
      ["temperature"],
    ],
    // OpenHands/software-agent-sdk issue #1837 (the provider's own words, passed through)
    [
      "litellm.BadRequestError: OpenAIException - Unsupported parameter: 'top_p' is not supported with this model.",
      "top_p",
      ["top_p"],
    ],
  ])("unsupported sampling parameters: LLM_UNSUPPORTED_PARAMS naming them (%#)", (message, param, params) => {
    const e = refusal(400, { message, type: "None", param, code: "400" });
    expect(e.code).toBe("LLM_UNSUPPORTED_PARAMS");
    expect(e.options.params).toEqual(params);
    expect(e.message).not.toMatch(/check the agent's model/);
  });

  it("a plain unknown-model refusal still says to check the model", () => {
    const e = refusal(400, {
      message:
        "/chat/completions: Invalid model name passed in model=nope. Call `/v1/models` to view available models for your key.",
      type: "None",
      code: "400",
    });
    expect(e.code).toBe("LLM_REQUEST_REFUSED");
    expect(e.message).toMatch(/check the agent's model/);
  });
});
