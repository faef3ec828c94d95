import { type Static, Type } from "@sinclair/typebox";
import { IsoDate, Uuid } from "./common.ts";

export const AgentState = Type.Union([
  Type.Literal("AVAILABLE"),
  Type.Literal("GENERATING"),
  Type.Literal("STOPPING"),
  Type.Literal("UNAVAILABLE"),
]);
export type AgentState = Static<typeof AgentState>;

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
  systemPrompt: Type.Optional(Type.String({ maxLength: 20_000 })),
});
export type AgentSettings = Static<typeof AgentSettings>;

export const DEFAULT_AGENT_SETTINGS: Omit<AgentSettings, "modelType"> = {
  maxSteps: 10,
  toolTimeoutMs: 30_000,
  disabledTools: [],
  maxOperatorResultCharLimit: 4_000,
  maxOperatorResultCellCharLimit: 200,
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

export const SettingsPatch = Type.Composite(
  [
    Type.Partial(Type.Omit(AgentSettings, CLEARABLE)),
    Type.Object({
      temperature: Type.Optional(NumberOrNull({ minimum: 0, maximum: 2 })),
      topP: Type.Optional(NumberOrNull({ minimum: 0, maximum: 1 })),
      contextWindowTokens: Type.Optional(
        NumberOrNull({ minimum: 1_000, maximum: 10_000_000, integer: true }),
      ),
    }),
  ],
  { additionalProperties: false },
);
export type SettingsPatch = Static<typeof SettingsPatch>;

export const Agent = Type.Object({
  id: Uuid,
  name: Type.String(),
  ownerId: Type.Integer(),
  modelType: Type.String(),
  state: AgentState,
  createdAt: IsoDate,
  settings: AgentSettings,
});
export type Agent = Static<typeof Agent>;

export const CreateAgentBody = Type.Object(
  {
    modelType: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    settings: Type.Optional(Type.Omit(SettingsPatch, ["modelType"])),
  },
  { additionalProperties: false },
);
export type CreateAgentBody = Static<typeof CreateAgentBody>;

export const AgentList = Type.Object({ agents: Type.Array(Agent) });
export type AgentList = Static<typeof AgentList>;

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
