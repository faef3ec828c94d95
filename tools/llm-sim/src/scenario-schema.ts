import { type Static, Type } from "@sinclair/typebox";
import { FaultSchema } from "./fault.ts";

const Opt = Type.Optional;

/** All conditions of a rule must hold; a rule without conditions always matches. */
export const MatchSchema = Type.Object(
  {
    lastUser: Opt(Type.String({ description: "regex tested against the last user message" })),
    flags: Opt(
      Type.String({ pattern: "^[imsu]*$", description: "flags of the lastUser and lastToolResult regexes" }),
    ),
    afterToolResult: Opt(Type.Boolean({ description: "whether the last message is a tool result" })),
    lastToolResult: Opt(
      Type.String({ description: "regex tested against the last tool result of this turn" }),
    ),
    assistantTurns: Opt(
      Type.Union([
        Type.Integer({ minimum: 0 }),
        Type.Object(
          { min: Opt(Type.Integer({ minimum: 0 })), max: Opt(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
      ]),
    ),
    model: Opt(Type.String({ description: "regex tested against the model name" })),
    toolOffered: Opt(Type.String({ description: "the request's tools include a function of this name" })),
  },
  { additionalProperties: false },
);

export const ToolCallSpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    arguments: Opt(
      Type.Unknown({ description: "a JSON value (sent as its JSON text) or a string sent as is" }),
    ),
    id: Opt(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const ReplySchema = Type.Object(
  {
    content: Opt(Type.String()),
    tokens: Opt(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String()], {
        description: "append this many filler tokens; a string may be a placeholder such as {{match:1}}",
      }),
    ),
    toolCalls: Opt(Type.Array(ToolCallSpecSchema)),
    chunks: Opt(
      Type.Array(Type.Object({}, { additionalProperties: true }), {
        maxItems: 10_000,
        description:
          "a recorded stream: each object is sent as one `data:` event, as is, then `data: [DONE]` (stream only)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const RuleSchema = Type.Object(
  {
    name: Opt(Type.String()),
    match: Opt(MatchSchema),
    reply: ReplySchema,
    fault: Opt(FaultSchema),
  },
  { additionalProperties: false },
);

export const ScenarioSchema = Type.Object(
  {
    $schema: Opt(Type.String()),
    name: Opt(Type.String()),
    description: Opt(Type.String()),
    rules: Type.Array(RuleSchema),
    fallback: Opt(ReplySchema),
  },
  { additionalProperties: false },
);

export type Match = Static<typeof MatchSchema>;
export type ToolCallSpec = Static<typeof ToolCallSpecSchema>;
export type Reply = Static<typeof ReplySchema>;
export type Rule = Static<typeof RuleSchema>;
export type Scenario = Static<typeof ScenarioSchema>;
