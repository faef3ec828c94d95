import { describe, expect, it } from "vitest";
import { KnownModels, matchesPattern } from "./known-models.ts";

// tests/test_litellm/proxy/auth/test_model_checks.py (BerriAI/litellm): a `{"model_name": "anthropic/*"}`
// deployment routes "anthropic/claude-3-haiku-20240307" and "anthropic/claude-3-5-haiku-20241022"; a team
// with "openai/*" gets openai/… models; "*" is every model.
describe("KnownModels", () => {
  it("accepts listed names and the names a wildcard covers, never a pattern itself", () => {
    const known = new KnownModels(["gpt-4o", "anthropic/*"]);
    expect(known.has("gpt-4o")).toBe(true);
    expect(known.has("anthropic/claude-3-haiku-20240307")).toBe(true);
    expect(known.has("anthropic/claude-3-5-haiku-20241022")).toBe(true);
    expect(known.has("anthropic/*")).toBe(false);
    expect(known.has("anthropic/")).toBe(false);
    expect(known.has("openai/gpt-4o")).toBe(false);
    expect([...known]).toEqual(["gpt-4o", "anthropic/*"]);
  });

  it('"*" covers every concrete name; special characters in a pattern are literal', () => {
    expect(new KnownModels(["*"]).has("anything/at-all")).toBe(true);
    expect(new KnownModels(["*"]).has("*")).toBe(false);
    expect(matchesPattern("openai/gpt-4.*", "openai/gpt-4.1")).toBe(true);
    expect(matchesPattern("openai/gpt-4.*", "openai/gpt-4o")).toBe(false);
    expect(matchesPattern("gpt-4o", "gpt-4o")).toBe(false);
  });
});
