/**
 * `npm run config-docs`: writes each service README's table of environment variables from the service's
 * env schema (src/config.schema.ts), between `<!-- config:begin -->` and `<!-- config:end -->`.
 * `--check` writes nothing and exits 1 when a README differs (test/unit/config-docs.test.ts does the same
 * inside `npm test`, so CI fails on a table edited by hand or a variable added without its row).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TObject, TSchema } from "@sinclair/typebox";
import type { VarDoc } from "@texera-agent/service-kit";
import { AccessControlEnv } from "../services/access-control/src/config.schema.ts";
import { AgentEnv } from "../services/agent/src/config.schema.ts";
import { GatewayEnv } from "../services/gateway/src/config.schema.ts";
import { LlmSimEnv } from "../tools/llm-sim/src/config.schema.ts";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BEGIN = "<!-- config:begin -->";
export const END = "<!-- config:end -->";

/** Each service's (and llm-sim's) README and the schema its table comes from. */
export const SERVICES: { readme: string; schema: TObject }[] = [
  { readme: "services/access-control/README.md", schema: AccessControlEnv },
  { readme: "services/agent/README.md", schema: AgentEnv },
  { readme: "services/gateway/README.md", schema: GatewayEnv },
  { readme: "tools/llm-sim/README.md", schema: LlmSimEnv },
];

type Var = TSchema & VarDoc & Record<string, unknown>;

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const code = (text: string | number) => `\`${text}\``;

/** What a value may be, from the schema's own keywords. */
function accepts(s: Var): string {
  if (s.type === "integer") {
    const max = s.maximum as number;
    return max >= Number.MAX_SAFE_INTEGER
      ? `whole number ≥ ${s.minimum}`
      : `whole number ${s.minimum}–${max}`;
  }
  if (Array.isArray(s.anyOf)) return s.anyOf.map((l: { const: string }) => code(l.const)).join(", ");
  if (s.expected) return s.expected;
  if (typeof s.minLength === "number") return `≥ ${s.minLength} characters`;
  return "text";
}

function defaultOf(s: Var): string {
  if (s.defaultText) return s.defaultText;
  return s.default === undefined ? "unset" : code(s.default as string | number);
}

/** The markdown table of one schema: one row per variable, in the schema's order. */
export function renderTable(schema: TObject): string {
  const rows = Object.entries(schema.properties).map(([name, property]) => {
    const s = property as Var;
    return `| ${code(name)} | ${cell(defaultOf(s))} | ${cell(accepts(s))} | ${cell(s.description)} |`;
  });
  return ["| name | default | accepts | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** The README with its table replaced by the generated one; throws when the markers are missing. */
export function withTable(readme: string, table: string, path: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error(`${path}: no ${BEGIN} … ${END} section for the variables table`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}

function main(): void {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const { readme, schema } of SERVICES) {
    const path = join(REPO_ROOT, readme);
    const text = readFileSync(path, "utf8");
    const next = withTable(text, renderTable(schema), readme);
    if (next === text) continue;
    if (check) {
      console.error(`${readme}: the variables table differs from the schema (run npm run config-docs)`);
      stale++;
    } else {
      writeFileSync(path, next);
      console.log(`${readme}: table written`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
