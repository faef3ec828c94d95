import type { Workflow } from "@texera-agent/protocol";
import { ToolInputError } from "./errors.ts";

/** Operator ids downstream of `from` (following links), `from` excluded unless a cycle comes back to it. */
function downstream(wf: Workflow, from: string): Map<string, string> {
  const next = new Map<string, string[]>();
  for (const link of wf.links) {
    const source = link.source.operatorID;
    next.set(source, [...(next.get(source) ?? []), link.target.operatorID]);
  }
  // parent pointers, to name the path that a new link would close into a cycle
  const parent = new Map<string, string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const child of next.get(id) ?? []) {
      if (parent.has(child)) continue;
      parent.set(child, id);
      stack.push(child);
    }
  }
  return parent;
}

/** The path from `from` to `to` along links, or undefined when `to` is not reachable. */
export function pathBetween(wf: Workflow, from: string, to: string): string[] | undefined {
  const parent = downstream(wf, from);
  if (!parent.has(to)) return undefined;
  const path = [to];
  let at = to;
  while (at !== from) {
    at = parent.get(at)!;
    path.unshift(at);
  }
  return path;
}

/** Ids of operators on a cycle or downstream of one, in workflow order (empty for a DAG). */
export function unorderedOperators(wf: Workflow): string[] {
  return kahn(wf).remaining;
}

/** Every operator id once: the topological order, then those a cycle blocks, in workflow order. */
export function bestEffortOrder(wf: Workflow): string[] {
  const { order, remaining } = kahn(wf);
  return [...order, ...remaining];
}

/**
 * Operator ids in an order where every operator comes after all of its inputs. Among operators that are
 * ready at the same time, the workflow's own order wins, so the result is stable. Links whose ends are
 * not operators are ignored. Throws a ToolInputError (code "cycle") when the links form a cycle.
 */
export function topologicalOrder(wf: Workflow): string[] {
  const { order, remaining } = kahn(wf);
  if (remaining.length > 0) {
    throw new ToolInputError(
      `the links form a cycle, so no run order exists for ${remaining.join(", ")}; delete a link of the cycle`,
      "cycle",
    );
  }
  return order;
}

function kahn(wf: Workflow): { order: string[]; remaining: string[] } {
  const ids = [...new Set(wf.operators.map((op) => op.operatorID))];
  const known = new Set(ids);
  const indegree = new Map(ids.map((id) => [id, 0]));
  const next = new Map<string, string[]>();
  for (const link of wf.links) {
    const source = link.source.operatorID;
    const target = link.target.operatorID;
    if (!known.has(source) || !known.has(target)) continue;
    indegree.set(target, indegree.get(target)! + 1);
    next.set(source, [...(next.get(source) ?? []), target]);
  }
  const rank = new Map(ids.map((id, i) => [id, i]));
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    let added = false;
    for (const child of next.get(id) ?? []) {
      const left = indegree.get(child)! - 1;
      indegree.set(child, left);
      if (left === 0) {
        ready.push(child);
        added = true;
      }
    }
    if (added) ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
  }
  const placed = new Set(order);
  return { order, remaining: ids.filter((id) => !placed.has(id)) };
}
