import type { Workflow } from "@texera-agent/protocol";
import { findOperatorType, portLabel } from "./catalog.ts";
import { ToolInputError } from "./errors.ts";
import { unorderedOperators } from "./graph.ts";
import { validateProperties } from "./validate-properties.ts";

/**
 * The problems a run of this workflow would hit, one sentence each (empty when it can run): unknown
 * operator types, invalid properties, dangling or duplicate links, ports out of range or fed twice, input
 * ports without a link, cycles. Editing through this module cannot create most of these; a workflow
 * loaded from elsewhere can have any of them.
 */
export function validateWorkflow(wf: Workflow): string[] {
  const problems: string[] = [];
  if (wf.operators.length === 0) {
    return ["the workflow has no operators; add a source such as CSVFileScan"];
  }
  const seen = new Set<string>();
  for (const op of wf.operators) {
    if (seen.has(op.operatorId)) problems.push(`operator id ${op.operatorId} is used more than once`);
    seen.add(op.operatorId);
    if (!findOperatorType(op.operatorType)) {
      problems.push(`${op.operatorId} has the unknown operator type ${JSON.stringify(op.operatorType)}`);
      continue;
    }
    try {
      validateProperties(op.operatorType, op.properties);
    } catch (error) {
      if (!(error instanceof ToolInputError)) throw error;
      problems.push(`${op.operatorId}: ${error.message.replace(/ Call getOperatorSchema .*$/, "")}`);
    }
  }
  const byId = new Map(wf.operators.map((op) => [op.operatorId, op]));
  const linkIds = new Set<string>();
  const fed = new Map<string, string>(); // "target#port" → linkId
  for (const link of wf.links) {
    if (linkIds.has(link.linkId)) problems.push(`link id ${link.linkId} is used more than once`);
    linkIds.add(link.linkId);
    const source = byId.get(link.source);
    const target = byId.get(link.target);
    if (!source) problems.push(`link ${link.linkId} comes from ${link.source}, which is not in the workflow`);
    if (!target) {
      problems.push(`link ${link.linkId} goes to ${link.target}, which is not in the workflow`);
      continue;
    }
    if (link.source === link.target) problems.push(`link ${link.linkId} connects ${link.source} to itself`);
    const type = findOperatorType(target.operatorType);
    if (!type) continue;
    if (link.targetPort >= type.inputPorts) {
      problems.push(
        `link ${link.linkId} goes to port ${link.targetPort} of ${link.target} (${type.operatorType}), ` +
          `which has ${type.inputPorts === 0 ? "no input ports" : type.inputPorts === 1 ? "one input port: 0" : `input ports 0 to ${type.inputPorts - 1}`}`,
      );
      continue;
    }
    const key = `${link.target}#${link.targetPort}`;
    const earlier = fed.get(key);
    if (earlier) {
      problems.push(
        `${portLabel(type, link.targetPort)} of ${link.target} has two links (${earlier} and ${link.linkId}); a port takes one`,
      );
    } else {
      fed.set(key, link.linkId);
    }
  }
  for (const op of wf.operators) {
    const type = findOperatorType(op.operatorType);
    for (let port = 0; port < (type?.inputPorts ?? 0); port++) {
      if (!fed.has(`${op.operatorId}#${port}`)) {
        problems.push(
          `${op.operatorId} (${op.operatorType}) has no link into its input ${portLabel(type, port)}`,
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
