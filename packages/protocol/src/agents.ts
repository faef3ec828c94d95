import { type Static, Type } from "@sinclair/typebox";
import { IsoDate, Uuid } from "./common.ts";
import { Workflow } from "./workflow.ts";

export const AgentState = Type.Union([
  Type.Literal("AVAILABLE"),
  Type.Literal("GENERATING"),
  Type.Literal("STOPPING"),
  Type.Literal("UNAVAILABLE"),
]);
export type AgentState = Static<typeof AgentState>;

/**
 * An agent's settings as stored. Texera's names with their meaning (maxSteps, disabledTools, the result
 * limits, executionTimeoutMinutes, allowedOperatorTypes) plus this service's (modelType, temperature,
 * toolTimeoutMs, systemPrompt). Bounds are this service's: Texera has none.
 */
export const AgentSettings = Type.Object({
  modelType: Type.String({ minLength: 1, maxLength: 200 }),
  maxSteps: Type.Integer({ minimum: 1, maximum: 100 }),
  /** Sent to the model only when set (reasoning models refuse it); unset by default. */
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
  /** Nucleus sampling (OpenAI `top_p`), sent only when set. */
  topP: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /**
   * The most tokens of history sent to the model; LiteLLM's `/model/info` `max_input_tokens` when it knows
   * the model, else this, else LLM_CONTEXT_WINDOW_TOKENS. When both are known the smaller one applies.
   */
  contextWindowTokens: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 10_000_000 })),
  toolTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  disabledTools: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }),
  maxOperatorResultCharLimit: Type.Integer({ minimum: 100, maximum: 1_000_000 }),
  maxOperatorResultCellCharLimit: Type.Integer({ minimum: 10, maximum: 100_000 }),
  /** Minutes one workflow execution may take (Texera's unit); the engine's own limit caps it. */
  executionTimeoutMinutes: Type.Integer({ minimum: 1, maximum: 60 }),
  /** Operator types the agent is told to use; empty means all (Texera's meaning). */
  allowedOperatorTypes: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 200 }),
  systemPrompt: Type.Optional(Type.String({ maxLength: 20_000 })),
});
export type AgentSettings = Static<typeof AgentSettings>;

export const DEFAULT_AGENT_SETTINGS: Omit<AgentSettings, "modelType"> = {
  maxSteps: 10,
  toolTimeoutMs: 30_000,
  disabledTools: [],
  maxOperatorResultCharLimit: 4_000,
  maxOperatorResultCellCharLimit: 200,
  executionTimeoutMinutes: 4,
  allowedOperatorTypes: [],
};

/** The settings that may be cleared by sending null (they are then no longer sent to the model). */
const CLEARABLE = ["temperature", "topP", "contextWindowTokens"] as const;

/**
 * A number or null in one JSON schema `type` list: validators that coerce types (fastify's ajv) would turn
 * a null into 0 inside an anyOf of number and null.
 */
const NumberOrNull = (limits: { minimum: number; maximum: number; integer?: boolean }) =>
  Type.Unsafe<number | null>({
    type: [limits.integer ? "integer" : "number", "null"],
    minimum: limits.minimum,
    maximum: limits.maximum,
  });

/**
 * Settings on the wire (GET/PATCH /api/agents/:id/settings, `settings` of an agent): Texera's
 * `AgentSettingsApi` (agent.service.ts:46-63 at b29e5be1be08a6df37b7b3c0e45d19d1aa743342) with its units —
 * `toolTimeoutSeconds` in seconds, `operatorResultSerializationMode` "tsv" — beside this service's own.
 */
export const SettingsView = Type.Composite([
  AgentSettings,
  Type.Object({
    toolTimeoutSeconds: Type.Integer(),
    operatorResultSerializationMode: Type.Literal("tsv"),
  }),
]);
export type SettingsView = Static<typeof SettingsView>;

/**
 * PATCH body: any subset, in Texera's names or this service's (toolTimeoutSeconds or toolTimeoutMs);
 * temperature, topP and contextWindowTokens may be null to clear them.
 */
export const SettingsPatch = Type.Composite(
  [
    Type.Partial(Type.Omit(AgentSettings, CLEARABLE)),
    Type.Object({
      temperature: Type.Optional(NumberOrNull({ minimum: 0, maximum: 2 })),
      topP: Type.Optional(NumberOrNull({ minimum: 0, maximum: 1 })),
      contextWindowTokens: Type.Optional(
        NumberOrNull({ minimum: 1_000, maximum: 10_000_000, integer: true }),
      ),
      toolTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
      operatorResultSerializationMode: Type.Optional(Type.Literal("tsv")),
    }),
  ],
  { additionalProperties: false },
);
export type SettingsPatch = Static<typeof SettingsPatch>;

/**
 * An agent as Texera's agent-service describes it (`getAgentInfo`; frontend `ApiAgentInfo`,
 * agent.service.ts:117-130). No `delegate`: this service never acts with a user's token. Extra: `ownerId`.
 */
export const Agent = Type.Object({
  id: Uuid,
  name: Type.String(),
  modelType: Type.String(),
  state: AgentState,
  createdAt: IsoDate,
  settings: SettingsView,
  ownerId: Type.Integer(),
  /** extra, in lists: when the conversation last changed (its latest step), else absent */
  lastActivityAt: Type.Optional(IsoDate),
  /** extra, in lists: the start of the latest message the user sent, else absent */
  preview: Type.Optional(Type.String()),
});
export type Agent = Static<typeof Agent>;

/** The most characters of a message that an agent list's `preview` carries. */
export const PREVIEW_CHARS = 120;

/** PATCH /api/agents/:id (this service's, not Texera's): rename. */
export const PatchAgentBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" }) },
  { additionalProperties: false },
);
export type PatchAgentBody = Static<typeof PatchAgentBody>;

/** GET /api/agents/:id: the agent, its current workflow and how many steps it has (all branches). */
export const AgentDetail = Type.Composite([
  Agent,
  Type.Object({ workflow: Workflow, stepCount: Type.Integer(), headId: Type.String() }),
]);
export type AgentDetail = Static<typeof AgentDetail>;

/**
 * POST /api/agents: Texera's `CreateAgentRequest` (frontend agent.service.ts:702-723). `userToken`,
 * `workflowId` and `computingUnitId` are accepted so that Texera's frontend can create agents; the identity
 * is always the verified bearer token, and `userToken` is never stored, logged or echoed.
 */
export const CreateAgentBody = Type.Object(
  {
    modelType: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.Optional(Type.String({ maxLength: 120 })),
    userToken: Type.Optional(Type.String({ maxLength: 8192 })),
    workflowId: Type.Optional(Type.Integer()),
    computingUnitId: Type.Optional(Type.Integer()),
    settings: Type.Optional(Type.Omit(SettingsPatch, ["modelType"])),
  },
  { additionalProperties: false },
);
export type CreateAgentBody = Static<typeof CreateAgentBody>;

export const AgentList = Type.Object({ agents: Type.Array(Agent) });
export type AgentList = Static<typeof AgentList>;

export const DeleteAgentResponse = Type.Object({ deleted: Type.Literal(true) });
export const StopResponse = Type.Object({ status: Type.Literal("stopping") });
export const ClearResponse = Type.Object({ status: Type.Literal("cleared") });

/** POST /api/agents/:id/checkout: move HEAD to a step (or the root) and restore the workflow after it. */
export const CheckoutBody = Type.Object(
  { stepId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type CheckoutBody = Static<typeof CheckoutBody>;
export const CheckoutResponse = Type.Object({ status: Type.Literal("checked out"), headId: Type.String() });
export type CheckoutResponse = Static<typeof CheckoutResponse>;

/** POST /api/agents/:id/steps-by-operators: the steps that added or changed any of these (all when empty). */
export const StepsByOperatorsBody = Type.Object(
  { operatorIds: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000 }) },
  { additionalProperties: false },
);
export type StepsByOperatorsBody = Static<typeof StepsByOperatorsBody>;

/** GET /api/agents/:id/system-info. */
export const SystemInfo = Type.Object({
  systemPrompt: Type.String(),
  tools: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      inputSchema: Type.Unknown(),
      enabled: Type.Boolean(),
    }),
  ),
});
export type SystemInfo = Static<typeof SystemInfo>;

/** GET /api/agents/:id/operator-types. */
export const OperatorTypeList = Type.Array(Type.Object({ type: Type.String(), description: Type.String() }));
export type OperatorTypeList = Static<typeof OperatorTypeList>;

export const AgentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type AgentIdParams = Static<typeof AgentIdParams>;

export const ListAgentsQuery = Type.Object(
  { all: Type.Optional(Type.Boolean({ description: "ADMIN only: every user's agents" })) },
  { additionalProperties: false },
);

/** OpenAI's list shape, as LiteLLM answers GET /models. */
export const ModelInfo = Type.Object({
  id: Type.String(),
  object: Type.Literal("model"),
  created: Type.Integer(),
  owned_by: Type.String(),
  /**
   * A LiteLLM wildcard route (`*`, `anthropic/*`): not a model itself; any name it matches
   * (`anthropic/claude-…`) can be chosen.
   */
  pattern: Type.Optional(Type.Boolean()),
});
export const ModelList = Type.Object({ object: Type.Literal("list"), data: Type.Array(ModelInfo) });
export type ModelList = Static<typeof ModelList>;
