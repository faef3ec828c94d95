import { WORKFLOW_TOOLS, type Workflow } from "@texera-agent/protocol";
import type { AgentTool, ToolOutcome } from "../react/tool-types.ts";
import { addLink } from "./add-link.ts";
import { type AddOperatorInput, addOperator, MAX_SUMMARY } from "./add-operator.ts";
import { OPERATOR_CATALOG } from "./catalog.ts";
import { deleteLink } from "./delete-link.ts";
import { deleteOperator } from "./delete-operator.ts";
import { ToolInputError } from "./errors.ts";
import { describeLink, requireOperator } from "./lookup.ts";
import { type ModifyOperatorInput, modifyOperator } from "./modify-operator.ts";
import { argumentParser } from "./tool-arguments.ts";
import { requireOperatorType } from "./validate-properties.ts";
import { validateWorkflow } from "./validate-workflow.ts";
import { workflowSummary } from "./workflow-summary.ts";

// One tool contract for the whole service: the run loop's (react/tool-types.ts).
export type { AgentTool, ToolContext, ToolOutcome } from "../react/tool-types.ts";

const id = (description: string) => ({ type: "string", minLength: 1, maxLength: 200, description });
const params = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});
const typeNames = OPERATOR_CATALOG.map((t) => t.operatorType).join(", ");
const operatorTypeParam = {
  type: "string",
  minLength: 1,
  maxLength: 100,
  description: `the operator type, one of: ${typeNames}`,
};
const summaryParam = {
  type: "string",
  minLength: 1,
  maxLength: MAX_SUMMARY,
  description: "a short description of what the operator does; shown on the canvas",
};
const inputOperatorIdsParam = (description: string) => ({
  type: "object",
  description,
  propertyNames: { pattern: "^[0-9]{1,2}$" },
  maxProperties: 16,
  additionalProperties: { type: "array", maxItems: 50, items: id("an upstream operator id") },
});
const portParam = (description: string) => ({ type: "integer", minimum: 0, maximum: 15, description });

type Definition = Omit<AgentTool, "execute"> & { tool(): AgentTool };

/** A tool whose arguments, once checked against its parameters schema, are `T`. */
function define<T = Record<string, unknown>>(
  definition: Omit<AgentTool, "execute"> & { run(args: T, wf: Workflow): ToolOutcome },
): Definition {
  const { run, ...described } = definition;
  return {
    ...described,
    tool() {
      const parse = argumentParser<T>(described.name, described.parameters);
      return {
        ...described,
        execute: async (args, ctx) => {
          ctx.signal.throwIfAborted();
          return run(parse(args), ctx.workflow);
        },
      };
    },
  };
}

const definitions: Definition[] = [
  define({
    name: "listOperatorTypes",
    description: "List the operator types you can add, with what each does and its input ports.",
    parameters: params({}),
    run: () => ({
      output: {
        operatorTypes: OPERATOR_CATALOG.map((t) => ({
          operatorType: t.operatorType,
          userFriendlyName: t.userFriendlyName,
          description: t.description,
          inputPorts: t.inputPorts.map((p, i) => p.displayName || `input-${i}`),
        })),
      },
    }),
  }),
  define({
    name: "getOperatorSchema",
    description: "Get the JSON Schema of one operator type's properties, with defaults and allowed values.",
    parameters: params({ operatorType: operatorTypeParam }, ["operatorType"]),
    run: (args) => {
      const t = requireOperatorType(args.operatorType as string);
      return {
        output: {
          operatorType: t.operatorType,
          userFriendlyName: t.userFriendlyName,
          description: t.description,
          inputPorts: t.inputPorts,
          outputPorts: t.outputPorts,
          jsonSchema: t.jsonSchema,
        },
      };
    },
  }),
  define({
    name: "getWorkflow",
    description:
      "Get the current workflow (Texera's WorkflowContent): its operators with properties, its links, a text summary and the problems a run would hit.",
    parameters: params({}),
    run: (_args, wf) => ({
      output: { workflow: wf, summary: workflowSummary(wf), problems: validateWorkflow(wf) },
    }),
  }),
  define<AddOperatorInput>({
    name: "addOperator",
    description:
      'Add one operator. operatorId is yours to choose, of the form op<number> ("op1", "op2", …) and not yet used. ' +
      "properties are checked against the type's schema (getOperatorSchema); missing optional ones get their " +
      'defaults. inputOperatorIds links upstream operators into its input ports, e.g. {"0": ["op1"]}; a HashJoin ' +
      'takes {"0": [left], "1": [right]}, a Union {"0": [a, b, …]}. summary says what the operator does.',
    parameters: params(
      {
        operatorId: id('the new operator\'s id, "op" and a number, e.g. "op3"'),
        operatorType: operatorTypeParam,
        properties: { type: "object", description: "the operator's properties, as its schema describes" },
        inputOperatorIds: inputOperatorIdsParam("input port index → ids of the operators feeding it"),
        summary: summaryParam,
      },
      ["operatorId", "operatorType", "properties", "summary"],
    ),
    run: (args, wf) => {
      const { workflow, operatorId } = addOperator(wf, args as AddOperatorInput);
      const links = workflow.links.filter((l) => !wf.links.includes(l));
      return {
        output: {
          ...operatorOutput(workflow, operatorId),
          ...(links.length > 0 ? { createdLinks: links.map(describeLink) } : {}),
        },
        workflow,
        touchedOperators: [operatorId],
      };
    },
  }),
  define<ModifyOperatorInput>({
    name: "modifyOperator",
    description:
      "Change an operator. properties are merged into the current ones: each key given replaces that key's whole " +
      "value, a key set to null goes back to its default, other keys stay. inputOperatorIds, when given, replaces " +
      "every link into the operator. summary is its new description.",
    parameters: params(
      {
        operatorId: id("the operator to change"),
        properties: { type: "object", description: "the properties to change" },
        inputOperatorIds: inputOperatorIdsParam(
          "when given: all of its inputs, input port index → operator ids",
        ),
        summary: summaryParam,
      },
      ["operatorId", "summary"],
    ),
    run: (args, wf) => {
      const workflow = modifyOperator(wf, args as ModifyOperatorInput);
      const { operatorId } = args;
      const deleted = wf.links.filter((l) => !workflow.links.includes(l));
      const created = workflow.links.filter((l) => !wf.links.includes(l));
      return {
        output: {
          ...operatorOutput(workflow, operatorId),
          ...(deleted.length > 0 ? { deletedLinks: deleted.map(describeLink) } : {}),
          ...(created.length > 0 ? { createdLinks: created.map(describeLink) } : {}),
        },
        workflow,
        touchedOperators: [operatorId, ...created.map((l) => l.source.operatorID)],
      };
    },
  }),
  define({
    name: "deleteOperator",
    description: "Delete an operator and every link into or out of it.",
    parameters: params({ operatorId: id("the operator to delete") }, ["operatorId"]),
    run: (args, wf) => {
      const operatorId = args.operatorId as string;
      const workflow = deleteOperator(wf, { operatorId });
      const removed = wf.links.filter((l) => !workflow.links.includes(l));
      return {
        output: { deletedOperatorId: operatorId, deletedLinks: removed.map(describeLink) },
        workflow,
        touchedOperators: [operatorId],
      };
    },
  }),
  define({
    name: "addLink",
    description:
      "Connect the output of source to input port targetPort of target (input-<targetPort>). HashJoin reads port 0 " +
      "as left and 1 as right; Union's port 0 takes many links. Without targetPort the lowest port that takes a " +
      "link is used.",
    parameters: params(
      {
        source: id("operatorId of the upstream operator"),
        target: id("operatorId of the downstream operator"),
        targetPort: portParam("input port index of the target; default: its lowest free port"),
      },
      ["source", "target"],
    ),
    run: (args, wf) => {
      const { workflow, linkID } = addLink(wf, args as { source: string; target: string });
      const link = workflow.links.find((l) => l.linkID === linkID)!;
      return {
        output: { ...link },
        workflow,
        touchedOperators: [link.source.operatorID, link.target.operatorID],
      };
    },
  }),
  define({
    name: "deleteLink",
    description:
      "Delete one link, named by linkID, or by source and target (plus targetPort if two links join them).",
    parameters: params({
      linkID: id("the link to delete"),
      source: id("operatorId of the link's upstream end"),
      target: id("operatorId of the link's downstream end"),
      targetPort: portParam("input port index of the target, when source feeds several of its ports"),
    }),
    run: (args, wf) => {
      const byEnds = args.source !== undefined || args.target !== undefined || args.targetPort !== undefined;
      if (args.linkID !== undefined && byEnds) {
        throw new ToolInputError(
          "give either linkID, or source and target (and optionally targetPort), not both",
        );
      }
      if (args.linkID === undefined && (args.source === undefined || args.target === undefined)) {
        throw new ToolInputError("deleteLink needs linkID, or both source and target");
      }
      const workflow = deleteLink(wf, args as { linkID: string } | { source: string; target: string });
      const [link] = wf.links.filter((l) => !workflow.links.includes(l));
      return {
        output: { deletedLink: { ...link! } },
        workflow,
        touchedOperators: [link!.source.operatorID, link!.target.operatorID],
      };
    },
  }),
];

/** The operator as the model should see it after an edit: id, type, summary, final properties, ports. */
function operatorOutput(wf: Workflow, operatorId: string) {
  const op = requireOperator(wf, operatorId);
  return {
    operatorId: op.operatorID,
    operatorType: op.operatorType,
    summary: op.customDisplayName,
    properties: op.operatorProperties,
    inputPorts: op.inputPorts.length,
    outputPorts: op.outputPorts.length,
  };
}

/** One tool per name in WORKFLOW_TOOLS, in that order. */
export function workflowTools(): AgentTool[] {
  return WORKFLOW_TOOLS.map((name) => {
    const definition = definitions.find((d) => d.name === name);
    if (!definition) throw new TypeError(`workflow tool ${name} has no definition`);
    return definition.tool();
  });
}
