import { Counter, type Registry } from "@texera-agent/service-kit";
import { type AuthorizeDecision, type AuthorizeOutcome, authorizeOutcome } from "./authorize.service.ts";

export const AUTHORIZE_OUTCOMES: readonly AuthorizeOutcome[] = [
  "allow",
  "unauthenticated",
  "forbidden",
  "other_path",
];

/**
 * `authorize_decisions_total{outcome}` in the app's registry. Every outcome's series exists from the start
 * (at 0), and counting one is a single increment of a pre-bound series: nothing per request is allocated.
 */
export function authorizeCounter(registry: Registry): (outcome: AuthorizeOutcome) => void {
  const counter = new Counter({
    name: "authorize_decisions_total",
    help: "Answers to the gateway's authorize subrequests: allow (200), unauthenticated (401), forbidden (403 on /api/agents), other_path (403: a path the authorizer does not serve, or not in canonical form)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  for (const outcome of AUTHORIZE_OUTCOMES) counter.inc({ outcome }, 0);
  const series = new Map(AUTHORIZE_OUTCOMES.map((outcome) => [outcome, counter.labels({ outcome })]));
  return (outcome) => series.get(outcome)!.inc();
}

/** The authorizer with every decision counted. */
export function countedAuthorizer<R>(
  authorize: (request: R) => AuthorizeDecision,
  count: (outcome: AuthorizeOutcome) => void,
): (request: R) => AuthorizeDecision {
  return (request) => {
    const decision = authorize(request);
    count(authorizeOutcome(decision));
    return decision;
  };
}
