import {
  type AgentSettings,
  DEFAULT_AGENT_SETTINGS,
  emptyWorkflow,
  ROOT_STEP_ID,
  WORKFLOW_TOOLS,
  type Workflow,
  type WorkflowToolName,
} from "@texera-agent/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OPERATOR_CATALOG } from "./catalog.ts";
import { ToolInputError } from "./errors.ts";
import { nextId } from "./ids.ts";
import { frozen } from "./testing.ts";
import { type ToolOutcome, workflowTools } from "./tools.ts";
import { validateWorkflow } from "./validate-workflow.ts";

const settings: AgentSettings = { modelType: "sim-model", ...DEFAULT_AGENT_SETTINGS };
const tools = new Map(workflowTools().map((t) => [t.name as string, t]));

// Arguments a confused model might send: plausible keys and ids mixed with arbitrary JSON.
const typeName = fc.oneof(
  fc.constantFrom(...OPERATOR_CATALOG.map((t) => t.operatorType)),
  fc.constantFrom("Filtr", "", "csvfilescan", "__proto__"),
  fc.string(),
);
// "$op:N" and "$link:N" stand for the id of the Nth operator or link of the workflow at call time, so that
// sequences reach the checks behind an existing id (ports, cycles, duplicates) as well as unknown ids.
const someId = fc.oneof(
  { arbitrary: fc.nat(9).map((n) => `$op:${n}`), weight: 6 },
  { arbitrary: fc.nat(9).map((n) => `$link:${n}`), weight: 1 },
  { arbitrary: fc.constantFrom("op1", "op12", "filter-1", "link-1", "toString", "__proto__"), weight: 1 },
  { arbitrary: fc.string(), weight: 1 },
);

function resolveIds(value: unknown, wf: Workflow): unknown {
  if (typeof value === "string") {
    if (value === "$new")
      return nextId(
        "op",
        wf.operators.map((o) => o.operatorID),
      );
    const match = /^\$(op|link):(\d+)$/.exec(value);
    if (!match) return value;
    const ids = match[1] === "op" ? wf.operators.map((o) => o.operatorID) : wf.links.map((l) => l.linkID);
    return ids.length === 0 ? value : ids[Number(match[2]) % ids.length];
  }
  if (Array.isArray(value)) return value.map((v) => resolveIds(v, wf));
  const proto = value && typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, resolveIds(v, wf)]));
  }
  return value;
}

const validProperties = fc.constantFrom(
  { fileName: "orders.csv" },
  { predicates: [{ attribute: "a", condition: ">", value: "1" }] },
  { isDrop: false, attributes: [{ originalAttribute: "a" }] },
  { aggregations: [{ aggFunction: "count(*)", "result attribute": "n" }] },
  { attributes: [{ attribute: "a", sortPreference: "ASC" }] },
  { limit: 3 },
  { buildAttributeName: "a", probeAttributeName: "b" },
  {},
);
const propertyKey = fc.constantFrom(
  "fileName",
  "customDelimiter",
  "hasHeader",
  "fileEncoding",
  "predicates",
  "isDrop",
  "attributes",
  "groupByKeys",
  "aggregations",
  "limit",
  "offset",
  "buildAttributeName",
  "probeAttributeName",
  "joinType",
  "dummyPropertyList",
  "__proto__",
);
const properties = fc.oneof(
  validProperties,
  fc.dictionary(propertyKey, fc.jsonValue(), { maxKeys: 4 }),
  fc.jsonValue(),
);
const port = fc.oneof(fc.integer({ min: -1, max: 3 }), fc.jsonValue());
const add = (operatorType: string, properties: Record<string, unknown> = {}) => ({
  operatorId: "$new",
  operatorType,
  properties,
  summary: operatorType,
});
const validAdd = fc.oneof(
  fc.constantFrom(
    add("CSVFileScan", { fileName: "orders.csv" }),
    add("Filter", { predicates: [{ attribute: "a", condition: "is null" }] }),
    add("HashJoin", { buildAttributeName: "a", probeAttributeName: "b" }),
    add("Union"),
    add("Limit", { limit: 1 }),
    add("Distinct"),
  ),
  // linked at once, as Texera's agent links: into port 0 (or 1) from an operator that exists
  fc
    .tuple(
      fc.constantFrom(
        add("Distinct"),
        add("Union"),
        add("HashJoin", { buildAttributeName: "a", probeAttributeName: "b" }),
      ),
      fc.nat(8),
      fc.nat(1),
    )
    .map(([a, n, p]) => ({ ...a, inputOperatorIds: { [String(p)]: [`$op:${n}`] } })),
);
const inputOperatorIds = fc.dictionary(
  fc.constantFrom("0", "1", "7", "x"),
  fc.array(someId, { maxLength: 2 }),
  {
    maxKeys: 2,
  },
);
const anyArgs = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.string(),
  fc.record(
    { operatorId: someId, operatorType: typeName, properties, summary: fc.string(), inputOperatorIds },
    { requiredKeys: [] },
  ),
  fc.record({ operatorId: someId, properties, summary: fc.string() }, { requiredKeys: [] }),
  fc.record({ source: someId, target: someId, targetPort: port, linkID: someId }, { requiredKeys: [] }),
);
const ends = { source: someId, target: someId };
const argsFor: Record<WorkflowToolName, fc.Arbitrary<unknown>> = {
  listOperatorTypes: fc.constant({}),
  getOperatorSchema: fc.record({ operatorType: typeName }),
  getWorkflow: fc.constant({}),
  addOperator: fc.oneof(
    { arbitrary: validAdd, weight: 3 },
    {
      arbitrary: fc.record(
        {
          operatorId: fc.oneof(fc.constant("$new"), someId),
          operatorType: typeName,
          properties,
          summary: fc.string(),
          inputOperatorIds,
        },
        { requiredKeys: ["operatorType"] },
      ),
      weight: 1,
    },
  ),
  modifyOperator: fc.record(
    { operatorId: someId, properties, summary: fc.constantFrom("changed", "  ", "x"), inputOperatorIds },
    { requiredKeys: ["operatorId", "summary"] },
  ),
  deleteOperator: fc.record({ operatorId: someId }),
  addLink: fc.oneof(
    fc.record(
      { ...ends, targetPort: fc.integer({ min: 0, max: 1 }) },
      { requiredKeys: ["source", "target"] },
    ),
    // neighbours in the operator list: mostly forward links, and back links (cycles) when the index wraps
    fc.tuple(fc.nat(8), fc.nat(2)).map(([n, gap]) => ({ source: `$op:${n}`, target: `$op:${n + 1 + gap}` })),
    fc.tuple(fc.nat(8), fc.nat(2)).map(([n, gap]) => ({ source: `$op:${n + 1 + gap}`, target: `$op:${n}` })),
  ),
  deleteLink: fc.oneof(
    { arbitrary: fc.nat(5).map((n) => ({ linkID: `$link:${n}` })), weight: 3 },
    { arbitrary: fc.record({ linkID: someId }), weight: 1 },
    { arbitrary: fc.record({ ...ends, targetPort: port }, { requiredKeys: [] }), weight: 1 },
  ),
};
// Mostly arguments shaped for the tool (so that edits happen and build up), sometimes anything at all.
const call = fc.oneof(
  ...WORKFLOW_TOOLS.map((name) => ({
    arbitrary: fc.tuple(
      fc.constant(name),
      fc.oneof({ arbitrary: argsFor[name], weight: 3 }, { arbitrary: anyArgs, weight: 1 }),
    ),
    weight: name === "addOperator" ? 6 : name === "addLink" ? 4 : name === "deleteLink" ? 3 : 1,
  })),
);
// Each sequence starts with a few valid operators, so that links, ports and cycles come into play early.
const calls = fc
  .tuple(fc.array(validAdd, { minLength: 2, maxLength: 8 }), fc.array(call, { minLength: 5, maxLength: 30 }))
  .map(([adds, rest]) => [...adds.map((a) => ["addOperator", a] as const), ...rest]);

/** Problems that editing must never introduce (unfed ports and an empty workflow are normal mid-edit). */
function brokenInvariants(wf: Workflow): string[] {
  return validateWorkflow(wf).filter((p) => !/has no link into its input|has no operators/.test(p));
}

describe("every workflow tool, fed random arguments", () => {
  it("either succeeds with a sound workflow or refuses with a ToolInputError", async () => {
    let successes = 0;
    const edits = new Map<string, number>();
    let refusals = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(calls, async (sequence) => {
        let wf = frozen(emptyWorkflow());
        for (const [name, input] of sequence) {
          const ctx = {
            workflow: wf,
            signal: new AbortController().signal,
            settings,
            userId: 1,
            agentId: "a",
            headId: ROOT_STEP_ID,
          };
          let outcome: ToolOutcome;
          try {
            outcome = await tools.get(name)!.execute(resolveIds(input, wf), ctx);
          } catch (error) {
            if (!(error instanceof ToolInputError)) throw error;
            expect(error.message.length).toBeGreaterThan(10);
            refusals++;
            codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
            continue;
          }
          successes++;
          expect(JSON.parse(JSON.stringify(outcome.output))).toEqual(outcome.output);
          if (outcome.workflow) {
            expect(brokenInvariants(outcome.workflow)).toEqual([]);
            expect(outcome.touchedOperators?.length).toBeGreaterThan(0);
            wf = frozen(outcome.workflow);
            edits.set(name, (edits.get(name) ?? 0) + 1);
          }
        }
      }),
      { numRuns: 300 },
    );
    // the generators reach both sides and every kind of edit, so the property above is not vacuous
    expect(successes).toBeGreaterThan(800);
    expect(refusals).toBeGreaterThan(1000);
    for (const name of ["addOperator", "modifyOperator", "deleteOperator", "addLink", "deleteLink"]) {
      expect(edits.get(name), name).toBeGreaterThan(5);
    }
    for (const code of [
      "invalid_arguments",
      "invalid_properties",
      "unknown_operator",
      "self_loop",
      "cycle",
      "port_taken",
    ]) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });
});
