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
  temperature: Type.Number({ minimum: 0, maximum: 2 }),
  toolTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  disabledTools: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }),
  maxOperatorResultCharLimit: Type.Integer({ minimum: 100, maximum: 1_000_000 }),
  maxOperatorResultCellCharLimit: Type.Integer({ minimum: 10, maximum: 100_000 }),
  systemPrompt: Type.Optional(Type.String({ maxLength: 20_000 })),
});
export type AgentSettings = Static<typeof AgentSettings>;

export const DEFAULT_AGENT_SETTINGS: Omit<AgentSettings, "modelType"> = {
  maxSteps: 10,
  temperature: 0.2,
  toolTimeoutMs: 30_000,
  disabledTools: [],
  maxOperatorResultCharLimit: 4_000,
  maxOperatorResultCellCharLimit: 200,
};

export const SettingsPatch = Type.Partial(AgentSettings, { additionalProperties: false });
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
});
export const ModelList = Type.Object({ object: Type.Literal("list"), data: Type.Array(ModelInfo) });
export type ModelList = Static<typeof ModelList>;
