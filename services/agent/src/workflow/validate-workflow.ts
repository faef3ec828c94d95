import type { Workflow } from "@texera-agent/protocol";
import { findOperatorType, portLabel } from "./catalog.ts";
import { ToolInputError } from "./errors.ts";
import { unorderedOperators } from "./graph.ts";
import { targetPortIndex } from "./lookup.ts";
import { validateProperties } from "./validate-properties.ts";

/**
 * The problems a run of this workflow would hit, one sentence each (empty when it can run): unknown
 * operator types, invalid properties, ports that differ from the type's, dangling links or links to ports
 * that do not exist, a port that takes one link with several, input ports without a link, cycles.
 * Editing through this module cannot create most of these; a workflow loaded from Texera can have any.
 */
export function validateWorkflow(wf: Workflow): string[] {
  const problems: string[] = [];
  if (wf.operators.length === 0) {
    return ["the workflow has no operators; add a source such as CSVFileScan"];
  }
  const seen = new Set<string>();
  for (const op of wf.operators) {
    const id = op.operatorID;
    if (seen.has(id)) problems.push(`operator id ${id} is used more than once`);
    seen.add(id);
    const type = findOperatorType(op.operatorType);
    if (!type) {
      problems.push(
        `${id} has the operator type ${JSON.stringify(op.operatorType)}, which this service cannot run`,
      );
      continue;
    }
    if (op.inputPorts.length !== type.inputPorts.length) {
      problems.push(
        `${id} (${op.operatorType}) has ${op.inputPorts.length} input ports; the type has ${type.inputPorts.length}`,
      );
    }
    try {
      validateProperties(op.operatorType, op.operatorProperties);
    } catch (error) {
      if (!(error instanceof ToolInputError)) throw error;
      problems.push(`${id}: ${error.message.replace(/ Call getOperatorSchema .*$/, "")}`);
    }
  }
  const byId = new Map(wf.operators.map((op) => [op.operatorID, op]));
  const linkIds = new Set<string>();
  const fed = new Map<string, string[]>(); // "target#port" → linkIDs
  for (const link of wf.links) {
    const { linkID } = link;
    const s = link.source.operatorID;
    const t = link.target.operatorID;
    if (linkIds.has(linkID)) problems.push(`link id ${linkID} is used more than once`);
    linkIds.add(linkID);
    const source = byId.get(s);
    const target = byId.get(t);
    if (!source) problems.push(`link ${linkID} comes from ${s}, which is not in the workflow`);
    else if (!source.outputPorts.some((p) => p.portID === link.source.portID)) {
      problems.push(
        `link ${linkID} comes from port ${link.source.portID} of ${s}, which has no such output port`,
      );
    }
    if (!target) {
      problems.push(`link ${linkID} goes to ${t}, which is not in the workflow`);
      continue;
    }
    if (s === t) problems.push(`link ${linkID} connects ${s} to itself`);
    const port = targetPortIndex(wf, link);
    if (port < 0) {
      problems.push(
        `link ${linkID} goes to port ${link.target.portID} of ${t} (${target.operatorType}), whose input ports are ` +
          `${target.inputPorts.map((p) => p.portID).join(", ") || "none"}`,
      );
      continue;
    }
    const key = `${t}#${port}`;
    fed.set(key, [...(fed.get(key) ?? []), linkID]);
  }
  for (const op of wf.operators) {
    const type = findOperatorType(op.operatorType);
    if (!type) continue;
    for (const [port, description] of op.inputPorts.entries()) {
      const links = fed.get(`${op.operatorID}#${port}`) ?? [];
      if (links.length === 0) {
        problems.push(`${op.operatorID} (${op.operatorType}) has no link into its ${portLabel(type, port)}`);
      } else if (links.length > 1 && description.disallowMultiInputs) {
        problems.push(
          `${portLabel(type, port)} of ${op.operatorID} has ${links.length} links (${links.join(", ")}); it takes one`,
        );
      }
    }
  }
  const cyclic = unorderedOperators(wf);
  if (cyclic.length > 0) {
    problems.push(`the links form a cycle; no run order exists for ${cyclic.join(", ")}`);
  }
  return problems;
}
