import type { Link, Workflow } from "@texera-agent/protocol";
import { findOperatorType, portLabel } from "./catalog.ts";
import { ToolInputError } from "./errors.ts";
import { pathBetween } from "./graph.ts";
import { nextId } from "./ids.ts";
import { MAX_LINKS, requireOperator } from "./lookup.ts";

export interface AddLinkInput {
  source: string;
  target: string;
  /** Input port of the target; when omitted, its lowest free port (a join fills left, then right). */
  targetPort?: number;
}

/**
 * Connects the output of `source` to an input port of `target`. Refuses unknown operators, self loops,
 * cycles, ports out of range, a port that already has a link, and duplicates. One output may feed many
 * targets; the same source may feed two ports of one target (a self-join). Returns a new workflow.
 */
export function addLink(wf: Workflow, input: AddLinkInput): { workflow: Workflow; linkId: string } {
  const source = requireOperator(wf, input.source, "source operator");
  const target = requireOperator(wf, input.target, "target operator");
  if (source.operatorId === target.operatorId) {
    throw new ToolInputError(
      `cannot link ${source.operatorId} to itself; link it to a different, downstream operator`,
      "self_loop",
    );
  }
  const type = findOperatorType(target.operatorType);
  if (!type) {
    throw new ToolInputError(
      `${target.operatorId} has operator type ${JSON.stringify(target.operatorType)}, which the catalog does not know; replace it with a known type`,
      "unknown_operator_type",
    );
  }
  if (type.inputPorts === 0) {
    throw new ToolInputError(
      `${target.operatorId} (${type.operatorType}) is a source and takes no inputs; link from it instead`,
      "port_out_of_range",
    );
  }
  const into = wf.links.filter((l) => l.target === target.operatorId);
  const feeding = (port: number) => into.find((l) => l.targetPort === port);
  let port = input.targetPort;
  if (port === undefined) {
    port = [...Array(type.inputPorts).keys()].find((p) => !feeding(p));
    const same = into.find((l) => l.source === source.operatorId);
    if (port === undefined && same) {
      throw new ToolInputError(
        `the link already exists: ${same.linkId} connects ${source.operatorId} to ${target.operatorId} ${portLabel(type, same.targetPort)}`,
        "duplicate_link",
      );
    }
    if (port === undefined) {
      throw new ToolInputError(
        `every input port of ${target.operatorId} (${type.operatorType}) already has a link: ` +
          `${into.map((l) => `${portLabel(type, l.targetPort)} from ${l.source} via ${l.linkId}`).join(", ")}; ` +
          "delete one of those links first",
        "port_taken",
      );
    }
  }
  if (!Number.isInteger(port) || port < 0 || port >= type.inputPorts) {
    throw new ToolInputError(
      `${target.operatorId} (${type.operatorType}) has ${type.inputPorts === 1 ? "one input port: 0" : `input ports 0 to ${type.inputPorts - 1}`}` +
        `${type.inputPortNames ? ` (${type.inputPortNames.map((n, i) => `${i} = ${n}`).join(", ")})` : ""}; got targetPort ${port}`,
      "port_out_of_range",
    );
  }
  const taken = feeding(port);
  if (taken?.source === source.operatorId) {
    throw new ToolInputError(
      `the link already exists: ${taken.linkId} connects ${source.operatorId} to ${target.operatorId} ${portLabel(type, port)}`,
      "duplicate_link",
    );
  }
  if (taken) {
    throw new ToolInputError(
      `${portLabel(type, port)} of ${target.operatorId} already has a link from ${taken.source} (${taken.linkId}); ` +
        `delete that link first${type.inputPorts > 1 ? " or choose another targetPort" : ""}`,
      "port_taken",
    );
  }
  const loop = pathBetween(wf, target.operatorId, source.operatorId);
  if (loop) {
    throw new ToolInputError(
      `linking ${source.operatorId} → ${target.operatorId} would make a cycle (${[...loop, target.operatorId].join(" → ")}); ` +
        "a workflow must be acyclic",
      "cycle",
    );
  }
  if (wf.links.length >= MAX_LINKS) {
    throw new ToolInputError(
      `the workflow already has ${wf.links.length} links, the most allowed`,
      "too_large",
    );
  }
  const linkId = nextId(
    "link",
    wf.links.map((l) => l.linkId),
  );
  const link: Link = { linkId, source: source.operatorId, target: target.operatorId, targetPort: port };
  return { workflow: { operators: wf.operators, links: [...wf.links, link] }, linkId };
}
