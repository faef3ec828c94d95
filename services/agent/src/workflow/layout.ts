import type { Point, Workflow } from "@texera-agent/protocol";

const X0 = 100;
const Y0 = 100;
const COLUMN = 250;
const ROW = 120;

/**
 * Positions for operators that have none: one column per depth (a source in the first, an operator one
 * column right of its deepest input), the next free row in that column. Positions already set (by a person
 * on Texera's canvas, or earlier) are kept: unlike Texera's agent, an edit never moves what was placed.
 */
export function placeNewOperators(wf: Workflow): Workflow["operatorPositions"] {
  const positions: Record<string, Point> = { ...wf.operatorPositions };
  const depth = new Map<string, number>();
  const inputsOf = (id: string) =>
    wf.links.filter((l) => l.target.operatorID === id).map((l) => l.source.operatorID);
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle: validation reports it
    seen.add(id);
    const d = Math.max(-1, ...inputsOf(id).map((i) => depthOf(i, seen))) + 1;
    depth.set(id, d);
    return d;
  };
  for (const op of wf.operators) {
    if (positions[op.operatorID]) continue;
    const x = X0 + COLUMN * depthOf(op.operatorID, new Set());
    const taken = Object.values(positions).filter((p) => p.x === x);
    const y = taken.length === 0 ? Y0 : Math.max(...taken.map((p) => p.y)) + ROW;
    positions[op.operatorID] = { x, y };
  }
  return positions;
}

/** The positions of the operators that are still in the workflow. */
export function keptPositions(wf: Workflow): Workflow["operatorPositions"] {
  const ids = new Set(wf.operators.map((o) => o.operatorID));
  return Object.fromEntries(Object.entries(wf.operatorPositions).filter(([id]) => ids.has(id)));
}
