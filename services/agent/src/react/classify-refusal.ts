/**
 * What kind of refusal a LiteLLM error body is, read from its `type` and message, for the refusals a person
 * can act on differently from "check the model". The texts are LiteLLM's own:
 * - budget: `type: "budget_exceeded"` (HTTP 400 or 429), "Budget has been exceeded! Current cost: …",
 *   "ExceededBudget: … over budget", a router's "crossed budget: Exceeded budget for deployment" (HTTP 429)
 *   (BerriAI/litellm issues #4208, #14144, #36729);
 * - context: "litellm.ContextWindowExceededError: …", and the provider texts LiteLLM maps to it
 *   ("maximum context length is", "prompt is too long", "exceed context limit", "Input tokens exceed");
 * - unsupported parameters: "litellm.UnsupportedParamsError: gpt-5 models don't support temperature=0.2"
 *   and the provider's "Unsupported parameter: 'temperature' is not supported with this model."
 */
export type Refusal =
  | { kind: "budget" }
  | { kind: "context"; window?: number; requested?: number }
  | { kind: "unsupported_params"; params: string[] }
  | undefined;

const CONTEXT =
  /ContextWindowExceeded|context_length_exceeded|maximum context length|prompt is too long|exceeds? (?:the )?context (?:limit|window)|Input tokens exceed|too many tokens|reduce the length of the messages/i;
const SAMPLING = ["temperature", "top_p", "top_k", "frequency_penalty", "presence_penalty", "seed"] as const;

export function classifyRefusal(body: unknown, message: string): Refusal {
  const b = body as { type?: unknown; code?: unknown; param?: unknown } | undefined;
  const text = message.slice(0, 4_000);
  if (
    b?.type === "budget_exceeded" ||
    /Budget has been exceeded|ExceededBudget|Exceeded budget|crossed budget|over budget/i.test(text)
  ) {
    return { kind: "budget" };
  }
  if (b?.code === "context_length_exceeded" || CONTEXT.test(text))
    return { kind: "context", ...contextNumbers(text) };
  if (/UnsupportedParamsError|Unsupported parameter|does not support parameters|don't support/i.test(text)) {
    const named = SAMPLING.filter((p) => text.includes(p));
    if (
      typeof b?.param === "string" &&
      (SAMPLING as readonly string[]).includes(b.param) &&
      !named.includes(b.param as never)
    )
      named.push(b.param as (typeof SAMPLING)[number]);
    return { kind: "unsupported_params", params: named };
  }
  return undefined;
}

/**
 * The window and the size asked, when the message says them: OpenAI's "maximum context length is 13500
 * tokens. However, you requested 14032 tokens", Anthropic's "prompt is too long: 209303 tokens > 200000
 * maximum", Azure's "Input tokens exceed the configured limit of 272000 tokens. Your messages resulted in
 * 509178 tokens".
 */
function contextNumbers(text: string): { window?: number; requested?: number } {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const window =
    num(/maximum context length is (\d+)/i) ?? num(/limit of (\d+) tokens/i) ?? num(/> (\d+) maximum/i);
  const requested =
    num(/you requested (\d+)/i) ?? num(/resulted in (\d+) tokens/i) ?? num(/too long: (\d+) tokens/i);
  return {
    ...(window !== undefined && window > 0 ? { window } : {}),
    ...(requested !== undefined && requested > 0 ? { requested } : {}),
  };
}
