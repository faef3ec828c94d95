// Checkers are compiled on first use (tool-arguments.ts, validate-properties.ts), so a broken schema would
// only show on a model's first call: every one is compiled here instead.
import { afterAll, describe, expect, it } from "vitest";
import { executionTools } from "../engine/index.ts";
import { testEngine } from "../engine/testing.ts";
import { OPERATOR_CATALOG } from "./catalog.ts";
import { ajv } from "./schema-errors.ts";
import { workflowTools } from "./tools.ts";

describe("every schema the agent checks", () => {
  const engine = testEngine();
  afterAll(async () => (await engine).cleanup());

  it("compiles: the operator catalog", () => {
    expect(OPERATOR_CATALOG.length).toBeGreaterThan(0);
    for (const type of OPERATOR_CATALOG)
      expect(() => ajv.compile(type.jsonSchema), type.operatorType).not.toThrow();
  });

  it("compiles: every tool's arguments", async () => {
    const tools = [...workflowTools(), ...executionTools({ engine: (await engine).engine })];
    expect(tools.length).toBeGreaterThan(5);
    for (const tool of tools) expect(() => ajv.compile(tool.parameters), tool.name).not.toThrow();
  });

  it("would fail on a broken one", () => {
    expect(() => ajv.compile({ type: "object", properties: { x: { type: "nonsense" } } })).toThrow();
  });
});
