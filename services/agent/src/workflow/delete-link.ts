import type { Workflow } from "@texera-agent/protocol";
import { ToolInputError } from "./errors.ts";
import { describeLink, requireLink, requireOperator, targetPortIndex } from "./lookup.ts";

export type DeleteLinkInput = { linkID: string } | { source: string; target: string; targetPort?: number };

/**
 * Removes one link, named by its id or by its ends (add `targetPort` when the same source feeds two ports
 * of the target). Returns a new workflow; `wf` is not changed.
 */
export function deleteLink(wf: Workflow, input: DeleteLinkInput): Workflow {
  const linkID = "linkID" in input ? requireLink(wf, input.linkID).linkID : findByEnds(wf, input);
  return { ...wf, links: wf.links.filter((l) => l.linkID !== linkID) };
}

function findByEnds(wf: Workflow, input: { source: string; target: string; targetPort?: number }): string {
  requireOperator(wf, input.source, "source operator");
  requireOperator(wf, input.target, "target operator");
  const between = wf.links.filter(
    (l) => l.source.operatorID === input.source && l.target.operatorID === input.target,
  );
  const matches =
    input.targetPort === undefined
      ? between
      : between.filter((l) => targetPortIndex(wf, l) === input.targetPort);
  if (matches.length === 1) return matches[0]!.linkID;
  if (matches.length === 0) {
    const port = input.targetPort === undefined ? "" : ` input-${input.targetPort}`;
    const links = wf.links.filter((l) => l.target.operatorID === input.target);
    throw new ToolInputError(
      `no link from ${input.source} to ${input.target}${port}; links into ${input.target}: ` +
        `${links.length === 0 ? "none" : links.map(describeLink).join(", ")}`,
      "unknown_link",
    );
  }
  throw new ToolInputError(
    `${matches.length} links connect ${input.source} to ${input.target}: ${matches.map(describeLink).join(", ")}; ` +
      "give linkID or targetPort to say which",
    "ambiguous_link",
  );
}
