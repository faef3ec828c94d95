import type { Link, Workflow } from "@texera-agent/protocol";
import { findOperatorType, portLabel } from "./catalog.ts";
import { ToolInputError } from "./errors.ts";
import { pathBetween } from "./graph.ts";
import { nextId } from "./ids.ts";
import { MAX_LINKS, requireOperator, targetPortIndex } from "./lookup.ts";

export interface AddLinkInput {
  source: string;
  target: string;
  /** Input port index of the target; when omitted, its lowest port that still takes a link. */
  targetPort?: number;
}

/**
 * Connects the first output port of `source` to input port `input-<targetPort>` of `target`, as Texera's
 * agent does (AS/agent/tools/workflow-crud-tools.ts:151-180). Refuses unknown operators, self loops,
 * cycles, ports out of range, a second link into a port that takes one (`disallowMultiInputs`), and
 * duplicates. Link ids are `link-<n>`. Returns a new workflow.
 */
export function addLink(wf: Workflow, input: AddLinkInput): { workflow: Workflow; linkID: string } {
  const source = requireOperator(wf, input.source, "source operator");
  const target = requireOperator(wf, input.target, "target operator");
  const s = source.operatorID;
  const t = target.operatorID;
  if (s === t) {
    throw new ToolInputError(
      `cannot link ${s} to itself; link it to a different, downstream operator`,
      "self_loop",
    );
  }
  const type = findOperatorType(target.operatorType);
  if (target.inputPorts.length === 0) {
    throw new ToolInputError(
      `${t} (${target.operatorType}) is a source and takes no inputs; link from it instead`,
      "port_out_of_range",
    );
  }
  if (source.outputPorts.length === 0) {
    throw new ToolInputError(`${s} (${source.operatorType}) has no output port`, "port_out_of_range");
  }
  const into = wf.links.filter((l) => l.target.operatorID === t);
  const onPort = (port: number) => into.filter((l) => targetPortIndex(wf, l) === port);
  const takesMore = (port: number) =>
    !target.inputPorts[port]?.disallowMultiInputs || onPort(port).length === 0;
  let port = input.targetPort;
  if (port === undefined) {
    port = [...target.inputPorts.keys()].find(
      (p) => takesMore(p) && !onPort(p).some((l) => l.source.operatorID === s),
    );
    if (port === undefined) {
      const same = into.find((l) => l.source.operatorID === s);
      if (same) {
        throw new ToolInputError(
          `the link already exists: ${same.linkID} connects ${s} to ${t} ${same.target.portID}`,
          "duplicate_link",
        );
      }
      throw new ToolInputError(
        `every input port of ${t} (${target.operatorType}) already has its link: ` +
          `${into.map((l) => `${l.target.portID} from ${l.source.operatorID} via ${l.linkID}`).join(", ")}; ` +
          "delete one of those links first",
        "port_taken",
      );
    }
  }
  if (!Number.isInteger(port) || port < 0 || port >= target.inputPorts.length) {
    const n = target.inputPorts.length;
    throw new ToolInputError(
      `${t} (${target.operatorType}) has ${n === 1 ? "one input port: 0" : `input ports 0 to ${n - 1}`}` +
        `${n > 1 ? ` (${target.inputPorts.map((_, i) => portLabel(type, i)).join(", ")})` : ""}; got port ${port}`,
      "port_out_of_range",
    );
  }
  const same = onPort(port).find((l) => l.source.operatorID === s);
  if (same) {
    throw new ToolInputError(
      `the link already exists: ${same.linkID} connects ${s} to ${t} ${portLabel(type, port)}`,
      "duplicate_link",
    );
  }
  const taken = onPort(port)[0];
  if (taken && !takesMore(port)) {
    throw new ToolInputError(
      `${portLabel(type, port)} of ${t} already has a link from ${taken.source.operatorID} (${taken.linkID}) and takes only one; ` +
        `delete that link first${target.inputPorts.length > 1 ? " or choose another port" : ""}`,
      "port_taken",
    );
  }
  const loop = pathBetween(wf, t, s);
  if (loop) {
    throw new ToolInputError(
      `linking ${s} → ${t} would make a cycle (${[...loop, t].join(" → ")}); a workflow must be acyclic`,
      "cycle",
    );
  }
  if (wf.links.length >= MAX_LINKS) {
    throw new ToolInputError(
      `the workflow already has ${wf.links.length} links, the most allowed`,
      "too_large",
    );
  }
  const linkID = nextId(
    "link-",
    wf.links.map((l) => l.linkID),
  );
  const link: Link = {
    linkID,
    source: { operatorID: s, portID: source.outputPorts[0]!.portID },
    target: { operatorID: t, portID: target.inputPorts[port]!.portID },
  };
  return { workflow: { ...wf, links: [...wf.links, link] }, linkID };
}
