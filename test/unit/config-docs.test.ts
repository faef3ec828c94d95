import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TObject } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { BEGIN, END, REPO_ROOT, renderTable, SERVICES, withTable } from "../../scripts/config-docs.ts";
import { AccessControlEnv } from "../../services/access-control/src/config.schema.ts";
import { AgentEnv } from "../../services/agent/src/config.schema.ts";
import { GatewayEnv } from "../../services/gateway/src/config.schema.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");

describe("the README tables of environment variables (npm run config-docs)", () => {
  for (const { readme, schema } of SERVICES) {
    it(`${readme} shows exactly what its schema declares`, () => {
      const text = read(readme);
      // Run `npm run config-docs` after changing a schema; the table is never edited by hand.
      expect(withTable(text, renderTable(schema), readme)).toBe(text);
      for (const name of Object.keys(schema.properties)) expect(text).toContain(`| \`${name}\` |`);
    });
  }

  it("puts the generated table between the markers and nothing else", () => {
    const readme = `intro\n${BEGIN}\n| old |\n${END}\nafter\n`;
    const table = renderTable(AgentEnv);
    expect(withTable(readme, table, "x")).toBe(`intro\n${BEGIN}\n${table}\n${END}\nafter\n`);
    expect(() => withTable("no markers", table, "x.md")).toThrow(/x.md: no <!-- config:begin -->/);
    expect(table).toContain("| `TRUSTED_PROXIES` | unset (`none`) |");
  });
});

/** Environment variable names a deployment file sets: the upper-case `- name:` entries of a chart template. */
function chartEnvNames(path: string): string[] {
  return [...read(path).matchAll(/^\s*- name: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => m[1]!);
}

/** `ENV A=… B=…` of one Dockerfile stage. */
function dockerfileEnvNames(stage: string): string[] {
  const text = read("deploy/docker/Dockerfile");
  const start = text.search(new RegExp(`^FROM .* AS ${stage}$`, "m"));
  const body = text.slice(start).split(/\n(?=FROM )/)[0]!;
  return [...body.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)].flatMap((m) =>
    [...m[1]!.matchAll(/([A-Z][A-Z0-9_]*)=/g)].map((n) => n[1]!),
  );
}

describe("deployment files set only variables the services declare", () => {
  // NODE_ENV is read by libraries (Fastify, pino), not by the services' config.
  const known = (schema: TObject) => (name: string) => name === "NODE_ENV" || name in schema.properties;
  const shared = chartEnvNames("deploy/helm/templates/_helpers.tpl");

  it("the chart's agent-service and access-control containers", () => {
    const agent = [...chartEnvNames("deploy/helm/templates/agent-service.yaml"), ...shared];
    const accessControl = [...chartEnvNames("deploy/helm/templates/access-control.yaml"), ...shared];
    expect(agent).toContain("DUCKDB_MEMORY_LIMIT");
    expect(accessControl).toContain("SHUTDOWN_DELAY_MS");
    expect(agent.filter((name) => !known(AgentEnv)(name))).toEqual([]);
    expect(accessControl.filter((name) => !known(AccessControlEnv)(name))).toEqual([]);
  });

  it("the images", () => {
    const runtime = dockerfileEnvNames("node-runtime");
    expect(runtime).toContain("DATA_DIR");
    for (const [stage, schema] of [
      ["agent-service", AgentEnv],
      ["access-control", AccessControlEnv],
    ] as const) {
      const names = [...runtime, ...dockerfileEnvNames(stage)];
      expect(names).toContain("PORT");
      expect(names.filter((name) => !known(schema)(name))).toEqual([]);
    }
  });
});

describe("the root README's configuration summary", () => {
  it("names only variables some service declares", () => {
    const text = read("README.md");
    const section = text.slice(
      text.indexOf("## Configuration"),
      text.indexOf("\n## ", text.indexOf("## Configuration") + 1),
    );
    const names = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]!);
    expect(names).toContain("LITELLM_BASE_URL");
    const declared = (name: string) =>
      [AgentEnv, AccessControlEnv, GatewayEnv].some((s) => name in s.properties);
    expect(names.filter((name) => !declared(name))).toEqual([]);
  });
});
