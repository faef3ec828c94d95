import type { Agent, ReActStep, Workflow } from "@texera-agent/protocol";

/** Sugar for the tests: `kind` as a reader sees it, `touched` as the operators the step changed. */
export type StepOverrides = Partial<ReActStep> & { kind?: "user" | "agent" | "system"; touched?: string[] };

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
      executionTimeoutMinutes: 4,
      allowedOperatorTypes: [],
      toolTimeoutSeconds: 30,
      operatorResultSerializationMode: "tsv",
    },
    ...overrides,
  };
}

/** Step `index` of a single branch: id `s<index>`, its parent the step before it. */
export function makeStep(index: number, overrides: StepOverrides = {}): ReActStep {
  const { kind = "agent", touched = [], ...rest } = overrides;
  const content = rest.content ?? `step ${index}`;
  const notice =
    kind === "system"
      ? { error: rest.error ?? (content.startsWith("Stopped after") ? "MAX_STEPS" : "STOPPED") }
      : {};
  return {
    id: `s${index}`,
    parentId: index === 0 ? "step-initial" : `s${index - 1}`,
    messageId: "msg-run-1",
    stepId: index,
    timestamp: Date.parse("2025-01-01T00:00:00.000Z"),
    role: kind === "user" ? "user" : "agent",
    content,
    isBegin: kind === "user",
    isEnd: kind !== "agent",
    toolCalls: [],
    toolResults: [],
    ...(touched.length > 0
      ? {
          operatorAccess: {
            "0": { viewedOperatorIds: [], addedOperatorIds: [], modifiedOperatorIds: touched },
          },
        }
      : {}),
    index,
    runId: "run-1",
    ...notice,
    ...rest,
  };
}

/** A chain of Filters in Texera's WorkflowContent format, each linked to the one before. */
export function makeWorkflow(...operatorIds: string[]): Workflow {
  const port = (portID: string) => ({
    portID,
    displayName: "",
    disallowMultiInputs: portID.startsWith("input"),
    isDynamicPort: false,
  });
  return {
    operators: operatorIds.map((operatorID) => ({
      operatorID,
      operatorType: "Filter",
      operatorVersion: "N/A",
      operatorProperties: {},
      inputPorts: [port("input-0")],
      outputPorts: [port("output-0")],
      showAdvanced: false,
    })),
    operatorPositions: Object.fromEntries(operatorIds.map((id, i) => [id, { x: 100 + 250 * i, y: 100 }])),
    links: operatorIds.slice(1).map((target, i) => ({
      linkID: `l${i}`,
      source: { operatorID: operatorIds[i]!, portID: "output-0" },
      target: { operatorID: target, portID: "input-0" },
    })),
    commentBoxes: [],
    settings: { dataTransferBatchSize: 400 },
  };
}

/** localStorage for the tests: what the session and the theme read and write. */
export class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}
