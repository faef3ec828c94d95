/**
 * LiteLLM model names, some of which may be wildcard routes (`*`, `anthropic/*`, `openai/gpt-4*`; LiteLLM's
 * pattern router turns each `*` into `.*`, and its /models lists such a route as is when it cannot expand
 * it: BerriAI/litellm `tests/test_litellm/proxy/auth/test_model_checks.py`). `has` accepts a listed name or
 * a concrete name a wildcard matches; a name with `*` in it is never accepted as a model. Iterating yields
 * the names as listed (patterns included), for messages.
 */
export class KnownModels extends Set<string> {
  private readonly patterns: RegExp[];

  constructor(names: readonly string[]) {
    super(names);
    this.patterns = names.filter((n) => n.includes("*")).map(patternRegExp);
  }

  override has(name: string): boolean {
    if (name.includes("*")) return false;
    return super.has(name) || this.patterns.some((p) => p.test(name));
  }
}

export function matchesPattern(pattern: string, name: string): boolean {
  return pattern.includes("*") && !name.includes("*") && patternRegExp(pattern).test(name);
}

function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".+")}$`, "s");
}
