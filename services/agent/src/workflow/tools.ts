import { WORKFLOW_TOOLS, type Workflow } from "@texera-agent/protocol";
import type { AgentTool, ToolOutcome } from "../react/tool-types.ts";
import { addLink } from "./add-link.ts";
import { addOperator, MAX_DISPLAY_NAME } from "./add-operator.ts";
import { OPERATOR_CATALOG } from "./catalog.ts";
import { deleteLink } from "./delete-link.ts";
import { deleteOperator } from "./delete-operator.ts";
import { ToolInputError } from "./errors.ts";
import { describeLink, requireOperator } from "./lookup.ts";
import { modifyOperator } from "./modify-operator.ts";
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
const displayNameParam = {
  type: "string",
  minLength: 1,
  maxLength: MAX_DISPLAY_NAME,
  description: "a short label shown on the canvas",
};
const portParam = (description: string) => ({ type: "integer", minimum: 0, maximum: 15, description });

type Definition = Omit<AgentTool, "execute"> & {
  run(args: Record<string, unknown>, wf: Workflow): ToolOutcome;
};

const definitions: Definition[] = [
  {
    name: "listOperatorTypes",
    description: "List the operator types you can add, with what each does and how many inputs it takes.",
    parameters: params({}),
    run: () => ({
      output: {
        operatorTypes: OPERATOR_CATALOG.map((t) => ({
          operatorType: t.operatorType,
          displayName: t.displayName,
          description: t.description,
          inputPorts: t.inputPorts,
          ...(t.inputPortNames ? { inputPortNames: t.inputPortNames } : {}),
        })),
      },
    }),
  },
  {
    name: "getOperatorSchema",
    description: "Get the JSON Schema of one operator type's properties, with defaults and allowed values.",
    parameters: params({ operatorType: operatorTypeParam }, ["operatorType"]),
    run: (args) => {
      const t = requireOperatorType(args.operatorType as string);
      return { output: { ...t } };
    },
  },
  {
    name: "getWorkflow",
    description:
      "Get the current workflow: its operators with properties, its links, a text summary and the problems a run would hit.",
    parameters: params({}),
    run: (_args, wf) => ({
      output: { workflow: wf, summary: workflowSummary(wf), problems: validateWorkflow(wf) },
    }),
  },
  {
    name: "addOperator",
    description:
      "Add one operator to the workflow, not yet connected (use addLink next). Properties are checked against the " +
      "type's schema (getOperatorSchema); missing optional ones get their defaults. Returns the new operatorId.",
    parameters: params(
      {
        operatorType: operatorTypeParam,
        properties: { type: "object", description: "the operator's properties, as its schema describes" },
        displayName: displayNameParam,
      },
      ["operatorType"],
    ),
    run: (args, wf) => {
      const { workflow, operatorId } = addOperator(wf, args as { operatorType: string });
      return { output: operatorOutput(workflow, operatorId), workflow, touchedOperators: [operatorId] };
    },
  },
  {
    name: "modifyOperator",
    description:
      "Change an operator's properties and/or display name. Properties are merged into the current ones: each key " +
      "given replaces that key's whole value, a key set to null goes back to its default, other keys stay.",
    parameters: params(
      {
        operatorId: id("the operator to change"),
        properties: { type: "object", description: "the properties to change" },
        displayName: displayNameParam,
      },
      ["operatorId"],
    ),
    run: (args, wf) => {
      const workflow = modifyOperator(wf, args as { operatorId: string });
      const operatorId = args.operatorId as string;
      return { output: operatorOutput(workflow, operatorId), workflow, touchedOperators: [operatorId] };
    },
  },
  {
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
  },
  {
    name: "addLink",
    description:
      "Connect the output of source to an input port of target. Single-input operators use port 0; HashJoin reads " +
      "port 0 as left and 1 as right; Union takes ports 0 and 1. Without targetPort the lowest free port is used.",
    parameters: params(
      {
        source: id("operatorId of the upstream operator"),
        target: id("operatorId of the downstream operator"),
        targetPort: portParam("input port of the target; default: its lowest free port"),
      },
      ["source", "target"],
    ),
    run: (args, wf) => {
      const { workflow, linkId } = addLink(wf, args as { source: string; target: string });
      const link = workflow.links.find((l) => l.linkId === linkId)!;
      return { output: { ...link }, workflow, touchedOperators: [link.source, link.target] };
    },
  },
  {
    name: "deleteLink",
    description:
      "Delete one link, named by linkId, or by source and target (plus targetPort if two links join them).",
    parameters: params({
      linkId: id("the link to delete"),
      source: id("operatorId of the link's upstream end"),
      target: id("operatorId of the link's downstream end"),
      targetPort: portParam("input port of the target, when source feeds several of its ports"),
    }),
    run: (args, wf) => {
      const byEnds = args.source !== undefined || args.target !== undefined || args.targetPort !== undefined;
      if (args.linkId !== undefined && byEnds) {
        throw new ToolInputError(
          "give either linkId, or source and target (and optionally targetPort), not both",
        );
      }
      if (args.linkId === undefined && (args.source === undefined || args.target === undefined)) {
        throw new ToolInputError("deleteLink needs linkId, or both source and target");
      }
      const workflow = deleteLink(wf, args as { linkId: string } | { source: string; target: string });
      const [link] = wf.links.filter((l) => !workflow.links.includes(l));
      return {
        output: { deletedLink: { ...link! } },
        workflow,
        touchedOperators: [link!.source, link!.target],
      };
    },
  },
];

/** The operator as the model should see it after an edit: id, type, name, final properties, ports. */
function operatorOutput(wf: Workflow, operatorId: string) {
  const op = requireOperator(wf, operatorId);
  return {
    operatorId: op.operatorId,
    operatorType: op.operatorType,
    displayName: op.displayName,
    properties: op.properties,
    inputPorts: requireOperatorType(op.operatorType).inputPorts,
  };
}

/** One tool per name in WORKFLOW_TOOLS, in that order. */
export function workflowTools(): AgentTool[] {
  return WORKFLOW_TOOLS.map((name) => {
    const definition = definitions.find((d) => d.name === name);
    if (!definition) throw new TypeError(`workflow tool ${name} has no definition`);
    const parse = argumentParser(name, definition.parameters);
    const { run, ...described } = definition;
    return {
      ...described,
      execute: async (args, ctx) => {
        ctx.signal.throwIfAborted();
        return run(parse(args), ctx.workflow);
      },
    };
  });
}
