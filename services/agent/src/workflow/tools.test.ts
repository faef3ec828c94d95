import {
  type AgentSettings,
  DEFAULT_AGENT_SETTINGS,
  emptyWorkflow,
  ROOT_STEP_ID,
  WORKFLOW_TOOLS,
  type Workflow,
} from "@texera-agent/protocol";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { ToolInputError } from "./errors.ts";
import { build, csv, filter, frozen, join } from "./testing.ts";
import { type AgentTool, type ToolContext, workflowTools } from "./tools.ts";
import { validateWorkflow } from "./validate-workflow.ts";

const settings: AgentSettings = { modelType: "sim-model", ...DEFAULT_AGENT_SETTINGS };
const tools = new Map(workflowTools().map((t) => [t.name, t]));
const tool = (name: string): AgentTool => tools.get(name as AgentTool["name"])!;

function ctx(workflow: Workflow, signal = new AbortController().signal): ToolContext {
  return {
    workflow: frozen(structuredClone(workflow)),
    signal,
    settings,
    userId: 7,
    agentId: "a",
    headId: ROOT_STEP_ID,
  };
}

async function refusal(name: string, args: unknown, workflow: Workflow = emptyWorkflow()): Promise<string> {
  const error = await tool(name)
    .execute(args, ctx(workflow))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(ToolInputError);
  return (error as ToolInputError).message;
}

describe("workflowTools", () => {
  it("offers one tool per protocol name, each with a description and an object schema for its arguments", () => {
    const list = workflowTools();
    expect(list.map((t) => t.name)).toEqual([...WORKFLOW_TOOLS]);
    const strict = new Ajv({ strict: true });
    for (const t of list) {
      expect(t.description.length).toBeGreaterThan(20);
      expect(t.parameters).toMatchObject({ type: "object", additionalProperties: false });
      expect(() => strict.compile(t.parameters)).not.toThrow();
      expect(JSON.parse(JSON.stringify(t.parameters))).toEqual(t.parameters);
    }
  });

  it("takes Texera's addOperator/modifyOperator/deleteOperator parameters (workflow-crud-tools.ts:76-91, 215-339)", () => {
    const params = (name: string) => tool(name).parameters as { properties: object; required: string[] };
    expect(Object.keys(params("addOperator").properties)).toEqual([
      "operatorId",
      "operatorType",
      "properties",
      "inputOperatorIds",
      "summary",
    ]);
    expect(params("addOperator").required).toEqual(["operatorId", "operatorType", "properties", "summary"]);
    expect(Object.keys(params("modifyOperator").properties)).toEqual([
      "operatorId",
      "properties",
      "inputOperatorIds",
      "summary",
    ]);
    expect(params("modifyOperator").required).toEqual(["operatorId", "summary"]);
    expect(params("deleteOperator").required).toEqual(["operatorId"]);
  });

  it("listOperatorTypes lists the catalog with its ports, ignoring empty arguments", async () => {
    for (const args of [{}, null, undefined, "", "  "]) {
      const outcome = await tool("listOperatorTypes").execute(args, ctx(emptyWorkflow()));
      const { operatorTypes } = outcome.output as {
        operatorTypes: { operatorType: string; inputPorts: string[] }[];
      };
      expect(operatorTypes).toHaveLength(12);
      expect(operatorTypes.find((t) => t.operatorType === "HashJoin")).toMatchObject({
        inputPorts: ["left", "right"],
      });
      expect(outcome.workflow).toBeUndefined();
    }
    expect(await refusal("listOperatorTypes", { verbose: true })).toMatch(
      /listOperatorTypes takes no properties; remove "verbose"/,
    );
  });

  it("getOperatorSchema returns one type's JSON Schema, or names the known types", async () => {
    const { output } = await tool("getOperatorSchema").execute(
      { operatorType: "Limit" },
      ctx(emptyWorkflow()),
    );
    expect(output).toMatchObject({ operatorType: "Limit", jsonSchema: { required: ["limit"] } });
    expect(await refusal("getOperatorSchema", { operatorType: "Limt" })).toMatch(
      /unknown operator type "Limt"; did you mean "Limit"\?/,
    );
  });

  it("getWorkflow returns the workflow, its summary and its problems", async () => {
    const { wf } = build([csv(), join()], [[0, 1]]);
    const { output, workflow } = await tool("getWorkflow").execute({}, ctx(wf));
    expect(workflow).toBeUndefined();
    expect(output).toEqual({
      workflow: wf,
      summary: expect.stringContaining("op2 HashJoin ← left: op1 (link-1)"),
      problems: ["op2 (HashJoin) has no link into its input-1 (right)"],
    });
  });

  it("addOperator returns the operator and the links it made; accepts the model's JSON text", async () => {
    const { wf } = build([csv()]);
    const outcome = await tool("addOperator").execute(
      JSON.stringify({
        operatorId: "op7",
        operatorType: "Limit",
        properties: { limit: 3 },
        inputOperatorIds: { "0": ["op1"] },
        summary: "First three",
      }),
      ctx(wf),
    );
    expect(outcome.output).toEqual({
      operatorId: "op7",
      operatorType: "Limit",
      summary: "First three",
      properties: { limit: 3 },
      inputPorts: 1,
      outputPorts: 1,
      createdLinks: ["link-1 (op1 output-0 → op7 input-0)"],
    });
    expect(outcome.touchedOperators).toEqual(["op7"]);
  });

  it("addOperator explains bad arguments", async () => {
    expect(await refusal("addOperator", { opertorType: "Filter" })).toMatch(
      /addOperator\.operatorId is required .*addOperator has no property "opertorType"; did you mean "operatorType"\?/,
    );
    const add = { operatorId: "op1", summary: "s" };
    expect(
      await refusal("addOperator", { ...add, operatorType: "Limit", properties: '{"limit":3}' }),
    ).toMatch(/addOperator\.properties must be an object, not the string/);
    expect(
      await refusal("addOperator", {
        ...add,
        operatorType: "Filter",
        properties: { predicates: [{ attribute: "a", condition: "~" }] },
      }),
    ).toMatch(/Filter\.predicates\[0\]\.condition must be one of/);
    expect(
      await refusal("addOperator", {
        ...add,
        operatorType: "Limit",
        properties: { limit: 1 },
        inputOperatorIds: { x: [] },
      }),
    ).toMatch(/inputOperatorIds/);
    expect(await refusal("addOperator", [])).toMatch(
      /^addOperator arguments must be an object, not an array/,
    );
  });

  it("modifyOperator merges, relinks and reports", async () => {
    const { wf } = build([csv(), csv("b.csv"), ["Limit", { limit: 3 }]], [[0, 2]]);
    const outcome = await tool("modifyOperator").execute(
      { operatorId: "op3", properties: { limit: 5 }, inputOperatorIds: { "0": ["op2"] }, summary: "Five" },
      ctx(wf),
    );
    expect(outcome.output).toMatchObject({
      operatorId: "op3",
      summary: "Five",
      properties: { limit: 5 },
      deletedLinks: ["link-1 (op1 output-0 → op3 input-0)"],
      createdLinks: ["link-1 (op2 output-0 → op3 input-0)"],
    });
    expect(await refusal("modifyOperator", { operatorId: "op9", summary: "x" }, wf)).toMatch(
      /its operator ids are: op1/,
    );
    expect(
      await refusal("modifyOperator", { operatorId: "op3", summary: "x", operatorType: "Sort" }, wf),
    ).toMatch(/has no property "operatorType"/);
  });

  it("deleteOperator reports the links it removed", async () => {
    const { wf } = build(
      [csv(), filter(), ["Distinct"]],
      [
        [0, 1],
        [1, 2],
      ],
    );
    const outcome = await tool("deleteOperator").execute({ operatorId: "op2" }, ctx(wf));
    expect(outcome.output).toEqual({
      deletedOperatorId: "op2",
      deletedLinks: ["link-1 (op1 output-0 → op2 input-0)", "link-2 (op2 output-0 → op3 input-0)"],
    });
    expect(outcome.workflow?.operators.map((o) => o.operatorID)).toEqual(["op1", "op3"]);
  });

  it("addLink returns the link in Texera's form, and refuses what would break the DAG", async () => {
    const { wf } = build([csv(), filter(), ["Distinct"]], [[0, 1]]);
    const outcome = await tool("addLink").execute({ source: "op2", target: "op3" }, ctx(wf));
    expect(outcome.output).toEqual({
      linkID: "link-2",
      source: { operatorID: "op2", portID: "output-0" },
      target: { operatorID: "op3", portID: "input-0" },
    });
    expect(outcome.touchedOperators).toEqual(["op2", "op3"]);
    expect(await refusal("addLink", { source: "op2", target: "op1" }, wf)).toMatch(
      /is a source and takes no inputs/,
    );
    expect(await refusal("addLink", { source: "op2", target: "op3", targetPort: "0" }, wf)).toMatch(
      /addLink\.targetPort must be an integer, not the string "0"/,
    );
  });

  it("deleteLink takes an id or the two ends, not both, not neither", async () => {
    const { wf } = build([csv(), filter()], [[0, 1]]);
    const byId = await tool("deleteLink").execute({ linkID: "link-1" }, ctx(wf));
    expect(byId.output).toEqual({ deletedLink: wf.links[0] });
    expect(byId.workflow?.links).toEqual([]);
    const byEnds = await tool("deleteLink").execute({ source: "op1", target: "op2" }, ctx(wf));
    expect(byEnds.workflow?.links).toEqual([]);
    expect(await refusal("deleteLink", { linkID: "link-1", source: "op1" }, wf)).toMatch(/not both/);
    expect(await refusal("deleteLink", { source: "op1" }, wf)).toMatch(
      /needs linkID, or both source and target/,
    );
  });

  it("stops at once when the run is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stopped by the user"));
    const error = await tool("getWorkflow")
      .execute({}, ctx(emptyWorkflow(), controller.signal))
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ToolInputError);
    expect((error as Error).message).toBe("stopped by the user");
  });

  it("builds a runnable workflow through tool calls alone, Texera's way", async () => {
    let wf = emptyWorkflow();
    const call = async (args: Record<string, unknown>) => {
      const outcome = await tool("addOperator").execute(JSON.stringify(args), ctx(wf));
      wf = outcome.workflow ?? wf;
    };
    await call({
      operatorId: "op1",
      operatorType: "CSVFileScan",
      properties: { fileName: "orders.csv" },
      summary: "o",
    });
    await call({
      operatorId: "op2",
      operatorType: "JSONLFileScan",
      properties: { fileName: "people.json" },
      summary: "p",
    });
    await call({
      operatorId: "op3",
      operatorType: "HashJoin",
      properties: { buildAttributeName: "personId", probeAttributeName: "id" },
      inputOperatorIds: { "0": ["op1"], "1": ["op2"] },
      summary: "join",
    });
    await call({
      operatorId: "op4",
      operatorType: "Aggregate",
      properties: {
        groupByKeys: ["name"],
        aggregations: [{ aggFunction: "sum", attribute: "amount", "result attribute": "total" }],
      },
      inputOperatorIds: { "0": ["op3"] },
      summary: "totals",
    });
    expect(validateWorkflow(wf)).toEqual([]);
    expect(wf.links.map((l) => [l.source.operatorID, l.target.operatorID, l.target.portID])).toEqual([
      ["op1", "op3", "input-0"],
      ["op2", "op3", "input-1"],
      ["op3", "op4", "input-0"],
    ]);
  });
});
