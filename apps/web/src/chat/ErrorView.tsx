import { useId, useState } from "react";
import { sentence } from "../format.ts";

/** A headline a person understands, by the service's error code (the service's text follows it). */
const HEADLINE: [RegExp, string][] = [
  [/^LLM_(UNREACHABLE|CONNECTION_LOST|TIMEOUT)$/, "The language model did not answer."],
  [/^LLM_RATE_LIMITED$/, "The language model is busy."],
  [/^LLM_(BUDGET_EXCEEDED|KEY_REJECTED)$/, "The language model refused to work for this service."],
  [/^LLM_CONTEXT_TOO_LONG$/, "The conversation is too long for this model."],
  [/^LLM_/, "The language model could not answer."],
  [/^(INTERNAL|DATABASE_UNAVAILABLE)$/, "Something went wrong on the server."],
  [/^(RATE_LIMITED|RUN_LIMIT.*|TOO_MANY_.*)$/, "Too many requests right now."],
  [/^INTERRUPTED$/, "The run was interrupted."],
];

export function headlineFor(code: string | undefined): string | undefined {
  return code ? HEADLINE.find(([pattern]) => pattern.test(code))?.[1] : undefined;
}

/**
 * An error as a person reads it: a headline, the service's words (without its "Error:" prefix), and the
 * technical details (the code, when) behind a toggle.
 */
export function ErrorView({ text, code, at }: { text: string; code?: string | undefined; at?: number }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const headline = headlineFor(code);
  const body = sentence(text.replace(/^Error:\s*/i, ""));
  return (
    <div className="error-view" data-testid="error-view" data-code={code ?? ""}>
      {headline && <p className="error-headline">{headline}</p>}
      <p className="error-text" data-testid="error-text">
        {body}
      </p>
      {code && (
        <>
          <button
            type="button"
            className="link-button error-toggle"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen(!open)}
            data-testid="error-details-toggle"
          >
            {open ? "Hide details" : "Details"}
          </button>
          <dl id={detailsId} className="error-details" hidden={!open} data-testid="error-details">
            <dt>Code</dt>
            <dd>
              <code>{code}</code>
            </dd>
            {at !== undefined && (
              <>
                <dt>When</dt>
                <dd>{new Date(at).toLocaleString()}</dd>
              </>
            )}
          </dl>
        </>
      )}
    </div>
  );
}
