import { parseEnv } from "@texera-agent/service-kit/env-schema";
import { LlmSimEnv } from "./config.schema.ts";
import { type Fault, parseFaultSpec } from "./fault.ts";
import { loadScenarioFile } from "./scenario.ts";
import type { Scenario } from "./scenario-schema.ts";
import { DEFAULT_MODELS } from "./server.ts";

/** The key `--demo` uses when LITELLM_MASTER_KEY is unset: public by design, so loopback only. */
export const DEMO_MASTER_KEY = "sk-llm-sim-demo";
export const DEMO_FAULT: Fault = { firstTokenMs: 300, tokensPerSecond: 40 };

export const USAGE = `usage: llm-sim [--scenario <file.json>] [--fault <model>:<spec>]... [--demo] [--verbose]

  --scenario <file>      JSON scenario deciding the replies (default: echo; "tokens:N" gives N tokens)
  --fault <model>:<spec> fault for a model ("*" = all), e.g. "*:tokensPerSecond=20" or
                         "sim-small:error=429,retryAfter=1,failFirst=2" (repeatable)
  --demo                 offline demo: LITELLM_MASTER_KEY may be unset (a public demo key is used,
                         loopback only) and replies stream at a human pace (${DEMO_FAULT.tokensPerSecond} tokens/s)
  --verbose              one log line per chat request

env: PORT (4000), HOST (127.0.0.1), LITELLM_MASTER_KEY (required unless --demo),
     LLM_SIM_MODELS (comma list, default ${DEFAULT_MODELS.join(",")}), LLM_SIM_SCENARIO (a file, like
     --scenario), LLM_SIM_FAULTS (space-separated <model>:<spec>, like --fault), LLM_SIM_DEMO=1 (like --demo)

through npm, flags need a second "--": npm run llm-sim -- -- --scenario file.json`;

export class CliError extends Error {
  override name = "CliError";
}

export interface CliConfig {
  help: boolean;
  host: string;
  port: number;
  masterKey: string;
  usingDemoKey: boolean;
  models: string[];
  scenario: Scenario | undefined;
  scenarioPath: string | undefined;
  faults: Record<string, Fault>;
  verbose: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export async function parseCli(argv: string[], env: NodeJS.ProcessEnv): Promise<CliConfig> {
  let vars: typeof LlmSimEnv.static;
  try {
    vars = parseEnv(LlmSimEnv, env);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  let scenarioPath: string | undefined;
  let demo = false;
  let verbose = false;
  let help = false;
  const faults: Record<string, Fault> = {};
  const addFault = (spec: string, where: string) => {
    const colon = spec.lastIndexOf(":");
    if (colon <= 0) throw new CliError(`${where} expects <model>:<spec>, got "${spec}"`);
    const model = spec.slice(0, colon);
    faults[model] = { ...faults[model], ...parseFaultSpec(spec.slice(colon + 1), `${where} ${model}`) };
  };
  for (const spec of (vars.LLM_SIM_FAULTS ?? "").split(/\s+/))
    if (spec !== "") addFault(spec, "LLM_SIM_FAULTS");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new CliError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--scenario") scenarioPath = value();
    else if (flag === "--fault") addFault(value(), "--fault");
    else if (flag === "--demo") demo = true;
    else if (flag === "--verbose") verbose = true;
    else if (flag === "--help" || flag === "-h") help = true;
    else throw new CliError(`unknown argument "${arg}"`);
  }

  scenarioPath ??= vars.LLM_SIM_SCENARIO?.trim() || undefined;
  demo ||= vars.LLM_SIM_DEMO === "1" || vars.LLM_SIM_DEMO === "true";
  const host = vars.HOST.trim() || "127.0.0.1";
  const port = vars.PORT;

  let masterKey = vars.LITELLM_MASTER_KEY ?? "";
  const usingDemoKey = masterKey === "" && demo;
  if (usingDemoKey) {
    if (!LOOPBACK.has(host)) {
      throw new CliError(`--demo without LITELLM_MASTER_KEY listens on loopback only (HOST is ${host})`);
    }
    masterKey = DEMO_MASTER_KEY;
  }
  if (masterKey === "" && !help) throw new CliError("LITELLM_MASTER_KEY is required (or pass --demo)");

  const models = (vars.LLM_SIM_MODELS ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "");
  for (const model of Object.keys(faults)) {
    if (model !== "*" && !(models.length > 0 ? models : DEFAULT_MODELS).includes(model)) {
      throw new CliError(`--fault for unknown model "${model}"`);
    }
  }
  if (demo && !faults["*"]) faults["*"] = DEMO_FAULT;

  let scenario: Scenario | undefined;
  if (scenarioPath !== undefined) {
    try {
      scenario = await loadScenarioFile(scenarioPath);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  return {
    help,
    host,
    port,
    masterKey,
    usingDemoKey,
    models: models.length > 0 ? models : DEFAULT_MODELS,
    scenario,
    scenarioPath,
    faults,
    verbose,
  };
}
