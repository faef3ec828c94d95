import type { Agent, ReActStep, Workflow } from "@texera-agent/protocol";

/** Builders of protocol values for the unit tests. */
export function makeAgent(overrides: Partial<Agent> = {}): Agent {
  return {
    id: "5f0c7a52-8f1e-4a7a-9a52-1f2e3d4c5b6a",
    name: "Analyst",
    ownerId: 1,
    modelType: "gpt-4o-mini",
    state: "AVAILABLE",
    createdAt: "2025-01-01T00:00:00.000Z",
    settings: {
      modelType: "gpt-4o-mini",
      maxSteps: 10,
      temperature: 0.2,
      toolTimeoutMs: 30_000,
      disabledTools: [],
      maxOperatorResultCharLimit: 4000,
      maxOperatorResultCellCharLimit: 200,
    },
    ...overrides,
  };
}

export function makeStep(index: number, overrides: Partial<ReActStep> = {}): ReActStep {
  return {
    index,
    kind: "agent",
    runId: "run-1",
    content: `step ${index}`,
    toolCalls: [],
    toolResults: [],
    touchedOperators: [],
    createdAt: "2025-01-01T00:00:00.000Z",
    ...overrides,
  };
}

export function makeWorkflow(...operatorIds: string[]): Workflow {
  return {
    operators: operatorIds.map((operatorId) => ({ operatorId, operatorType: "Filter", properties: {} })),
    links: operatorIds
      .slice(1)
      .map((target, i) => ({ linkId: `l${i}`, source: operatorIds[i]!, target, targetPort: 0 })),
  };
}
