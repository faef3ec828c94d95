import type { Operator } from "@texera-agent/protocol";

// Apart from workflow-layout.ts so that the panels that only name operators do not load dagre.
/** A short name for an operator: its custom display name (Texera's), else its type. */
export function operatorLabel(operator: Operator): string {
  return operator.customDisplayName?.trim() || operator.operatorType;
}
