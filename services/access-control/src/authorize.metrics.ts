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
 * (at 0). A decision only adds one to a plain field; the counter takes the sums when it is read (a scrape),
 * because prom-client's `inc` hashes and validates its labels on every call, on the authorize hot path.
 */
export function authorizeCounter(registry: Registry): (outcome: AuthorizeOutcome) => void {
  const pending: Record<AuthorizeOutcome, number> = {
    allow: 0,
    unauthenticated: 0,
    forbidden: 0,
    other_path: 0,
  };
  const counter = new Counter({
    name: "authorize_decisions_total",
    help: "Answers to the gateway's authorize subrequests: allow (200), unauthenticated (401), forbidden (403 on /api/agents), other_path (403: a path the authorizer does not serve, or not in canonical form)",
    labelNames: ["outcome"] as const,
    registers: [registry],
    collect() {
      for (const outcome of AUTHORIZE_OUTCOMES) {
        if (pending[outcome] > 0) this.inc({ outcome }, pending[outcome]);
        pending[outcome] = 0;
      }
    },
  });
  for (const outcome of AUTHORIZE_OUTCOMES) counter.inc({ outcome }, 0);
  return (outcome) => {
    pending[outcome]++;
  };
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
