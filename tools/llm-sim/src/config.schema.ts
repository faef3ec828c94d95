import { Type } from "@sinclair/typebox";
// The schema module alone: the service-kit index would load Fastify and prom-client into the simulator.
import { Var } from "@texera-agent/service-kit/env-schema";
import { DEFAULT_MODELS } from "./server.ts";

/**
 * Every variable llm-sim reads, once: cli-args.ts parses the environment through it (flags override) and
 * scripts/config-docs.ts writes the README's table from it.
 */
export const LlmSimEnv = Type.Object({
  PORT: Var.int({
    default: 4000,
    maximum: 65_535,
    description: "listening port (`0` = ephemeral; the log says which)",
  }),
  HOST: Var.string({ default: "127.0.0.1", description: "listening address" }),
  LITELLM_MASTER_KEY: Type.Optional(
    Var.string({
      secret: true,
      defaultText: "required unless `--demo`",
      description: "the key clients must send; never printed",
    }),
  ),
  LLM_SIM_MODELS: Type.Optional(
    Var.string({ defaultText: `\`${DEFAULT_MODELS.join(",")}\``, description: "comma list of model names" }),
  ),
  LLM_SIM_SCENARIO: Type.Optional(
    Var.string({ defaultText: "echo (below)", description: "a JSON scenario file, like `--scenario`" }),
  ),
  LLM_SIM_FAULTS: Type.Optional(
    Var.string({
      defaultText: "none",
      description: "space-separated `<model>:<spec>`, like `--fault` (the flags add to them)",
    }),
  ),
  LLM_SIM_DEMO: Var.oneOf(["0", "1", "false", "true"], { default: "0", description: "`1`: like `--demo`" }),
});
