import {
  type AgentSettings,
  DEFAULT_AGENT_SETTINGS,
  emptyWorkflow,
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
  return { workflow: frozen(structuredClone(workflow)), signal, settings, userId: 7, agentId: "a" };
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

  it("listOperatorTypes lists the catalog with port counts, ignoring empty arguments", async () => {
    for (const args of [{}, null, undefined, "", "  "]) {
      const outcome = await tool("listOperatorTypes").execute(args, ctx(emptyWorkflow()));
      const { operatorTypes } = outcome.output as {
        operatorTypes: { operatorType: string; inputPorts: number }[];
      };
      expect(operatorTypes).toHaveLength(11);
      expect(operatorTypes.find((t) => t.operatorType === "HashJoin")).toMatchObject({
        inputPorts: 2,
        inputPortNames: ["left", "right"],
      });
      expect(outcome.workflow).toBeUndefined();
    }
    expect(await refusal("listOperatorTypes", { verbose: true })).toMatch(
      /listOperatorTypes takes no properties; remove "verbose"/,
    );
  });

  it("getOperatorSchema returns one type's schema, or names the known types", async () => {
    const { output } = await tool("getOperatorSchema").execute(
      { operatorType: "Limit" },
      ctx(emptyWorkflow()),
    );
    expect(output).toMatchObject({
      operatorType: "Limit",
      inputPorts: 1,
      propertiesSchema: { required: ["limit"], properties: { offset: { default: 0 } } },
    });
    expect(await refusal("getOperatorSchema", { operatorType: "Limt" })).toMatch(
      /unknown operator type "Limt"; did you mean "Limit"\?/,
    );
    expect(await refusal("getOperatorSchema", {})).toMatch(
      /^getOperatorSchema\.operatorType is required \(the operator type, one of: CSVFileScan/,
    );
  });

  it("getWorkflow returns the workflow, its summary and its problems", async () => {
    const { wf } = build([csv(), join()], [[0, 1]]);
    const { output, workflow } = await tool("getWorkflow").execute({}, ctx(wf));
    expect(workflow).toBeUndefined();
    expect(output).toEqual({
      workflow: wf,
      summary: expect.stringContaining("hash-join-1 HashJoin ← left: csv-file-scan-1 (link-1)"),
      problems: ["hash-join-1 (HashJoin) has no link into its input port 1 (right)"],
    });
  });

  it("addOperator returns the new id and the final properties", async () => {
    const outcome = await tool("addOperator").execute(
      { operatorType: "CSVFileScan", properties: { fileName: "orders.csv" }, displayName: "Orders" },
      ctx(emptyWorkflow()),
    );
    expect(outcome.output).toEqual({
      operatorId: "csv-file-scan-1",
      operatorType: "CSVFileScan",
      displayName: "Orders",
      properties: { fileName: "orders.csv", delimiter: ",", hasHeader: true },
      inputPorts: 0,
    });
    expect(outcome.workflow?.operators).toHaveLength(1);
    expect(outcome.touchedOperators).toEqual(["csv-file-scan-1"]);
  });

  it("addOperator explains bad arguments", async () => {
    expect(await refusal("addOperator", { opertorType: "Filter" })).toMatch(
      /addOperator\.operatorType is required .*; addOperator has no property "opertorType"; did you mean "operatorType"\?/,
    );
    expect(await refusal("addOperator", { operatorType: "Limit", properties: '{"limit":3}' })).toMatch(
      /addOperator\.properties must be an object, not the string/,
    );
    expect(
      await refusal("addOperator", {
        operatorType: "Filter",
        properties: { conditions: [{ attribute: "a", condition: "~" }] },
      }),
    ).toMatch(/Filter\.conditions\[0\]\.condition must be one of/);
    expect(await refusal("addOperator", [])).toMatch(
      /^addOperator arguments must be an object, not an array/,
    );
    expect(await refusal("addOperator", '{"operatorType": "Limit",')).toMatch(
      /^addOperator arguments are not valid JSON/,
    );
  });

  it("accepts arguments as the model's JSON text", async () => {
    const outcome = await tool("addOperator").execute(
      '{"operatorType":"Limit","properties":{"limit":3}}',
      ctx(emptyWorkflow()),
    );
    expect(outcome.output).toMatchObject({ operatorId: "limit-1", properties: { limit: 3, offset: 0 } });
  });

  it("modifyOperator merges and reports the final properties", async () => {
    const { wf } = build([["Limit", { limit: 3, offset: 9 }]]);
    const outcome = await tool("modifyOperator").execute(
      { operatorId: "limit-1", properties: { limit: 5 } },
      ctx(wf),
    );
    expect(outcome.output).toMatchObject({ operatorId: "limit-1", properties: { limit: 5, offset: 9 } });
    expect(outcome.touchedOperators).toEqual(["limit-1"]);
    expect(await refusal("modifyOperator", { operatorId: "limit-2", properties: {} }, wf)).toMatch(
      /its operator ids are: limit-1/,
    );
    expect(await refusal("modifyOperator", { operatorId: "limit-1", operatorType: "Sort" }, wf)).toMatch(
      /has no property "operatorType"/,
    );
  });

  it("deleteOperator reports the links it removed", async () => {
    const { wf } = build(
      [csv(), filter(), ["Distinct"]],
      [
        [0, 1],
        [1, 2],
      ],
    );
    const outcome = await tool("deleteOperator").execute({ operatorId: "filter-1" }, ctx(wf));
    expect(outcome.output).toEqual({
      deletedOperatorId: "filter-1",
      deletedLinks: ["link-1 (csv-file-scan-1 → filter-1 port 0)", "link-2 (filter-1 → distinct-1 port 0)"],
    });
    expect(outcome.workflow).toEqual({ operators: [wf.operators[0], wf.operators[2]], links: [] });
  });

  it("addLink returns the link, and refuses what would break the DAG", async () => {
    const { wf } = build([csv(), filter(), ["Distinct"]], [[0, 1]]);
    const outcome = await tool("addLink").execute({ source: "filter-1", target: "distinct-1" }, ctx(wf));
    expect(outcome.output).toEqual({
      linkId: "link-2",
      source: "filter-1",
      target: "distinct-1",
      targetPort: 0,
    });
    expect(outcome.touchedOperators).toEqual(["filter-1", "distinct-1"]);
    expect(await refusal("addLink", { source: "filter-1", target: "csv-file-scan-1" }, wf)).toMatch(
      /is a source and takes no inputs/,
    );
    expect(
      await refusal("addLink", { source: "filter-1", target: "distinct-1", targetPort: -1 }, wf),
    ).toMatch(/addLink\.targetPort must be >= 0; got -1/);
    expect(
      await refusal("addLink", { source: "filter-1", target: "distinct-1", targetPort: "0" }, wf),
    ).toMatch(/addLink\.targetPort must be an integer, not the string "0"/);
  });

  it("deleteLink takes an id or the two ends, not both, not neither", async () => {
    const { wf } = build([csv(), filter()], [[0, 1]]);
    const byId = await tool("deleteLink").execute({ linkId: "link-1" }, ctx(wf));
    expect(byId.output).toEqual({
      deletedLink: { linkId: "link-1", source: "csv-file-scan-1", target: "filter-1", targetPort: 0 },
    });
    expect(byId.workflow?.links).toEqual([]);
    const byEnds = await tool("deleteLink").execute(
      { source: "csv-file-scan-1", target: "filter-1" },
      ctx(wf),
    );
    expect(byEnds.workflow?.links).toEqual([]);
    expect(await refusal("deleteLink", { linkId: "link-1", source: "csv-file-scan-1" }, wf)).toMatch(
      /not both/,
    );
    expect(await refusal("deleteLink", { source: "csv-file-scan-1" }, wf)).toMatch(
      /needs linkId, or both source and target/,
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

  it("builds a runnable workflow through tool calls alone", async () => {
    let wf = emptyWorkflow();
    const call = async (name: string, args: unknown) => {
      const outcome = await tool(name).execute(JSON.stringify(args), ctx(wf));
      wf = outcome.workflow ?? wf;
      return outcome.output as Record<string, unknown>;
    };
    const orders = await call("addOperator", {
      operatorType: "CSVFileScan",
      properties: { fileName: "orders.csv" },
    });
    const people = await call("addOperator", {
      operatorType: "JSONFileScan",
      properties: { fileName: "people.json" },
    });
    const joined = await call("addOperator", {
      operatorType: "HashJoin",
      properties: { leftAttribute: "personId", rightAttribute: "id" },
    });
    const totals = await call("addOperator", {
      operatorType: "Aggregate",
      properties: {
        groupByKeys: ["name"],
        aggregations: [{ attribute: "amount", function: "sum", resultAttribute: "total" }],
      },
    });
    const top = await call("addOperator", {
      operatorType: "Sort",
      properties: { sortKeys: [{ attribute: "total", order: "desc" }] },
    });
    await call("addLink", { source: orders.operatorId, target: joined.operatorId });
    await call("addLink", { source: people.operatorId, target: joined.operatorId });
    await call("addLink", { source: joined.operatorId, target: totals.operatorId });
    await call("addLink", { source: totals.operatorId, target: top.operatorId });
    expect(validateWorkflow(wf)).toEqual([]);
    expect(wf.links.map((l) => [l.source, l.target, l.targetPort])).toEqual([
      ["csv-file-scan-1", "hash-join-1", 0],
      ["json-file-scan-1", "hash-join-1", 1],
      ["hash-join-1", "aggregate-1", 0],
      ["aggregate-1", "sort-1", 0],
    ]);
  });
});
