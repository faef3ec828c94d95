import { emptyWorkflow, type Workflow } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import { layoutForBox, layoutWorkflow, NODE_HEIGHT, NODE_WIDTH, operatorLabel } from "./workflow-layout.ts";

const port = (portID: string) => ({
  portID,
  displayName: "",
  disallowMultiInputs: false,
  isDynamicPort: false,
});
const op = (operatorID: string, customDisplayName?: string) => ({
  operatorID,
  operatorType: "Filter",
  operatorVersion: "N/A",
  operatorProperties: {},
  inputPorts: [port("input-0"), port("input-1")],
  outputPorts: [port("output-0")],
  showAdvanced: false,
  ...(customDisplayName ? { customDisplayName } : {}),
});
const link = (linkID: string, source: string, target: string, targetPort = 0) => ({
  linkID,
  source: { operatorID: source, portID: "output-0" },
  target: { operatorID: target, portID: `input-${targetPort}` },
});
const wf = (operators: ReturnType<typeof op>[], links: ReturnType<typeof link>[]): Workflow => ({
  ...emptyWorkflow(),
  operators,
  links,
});

const chain = (n: number): Workflow =>
  wf(
    Array.from({ length: n }, (_, i) => op(`o${i}`)),
    Array.from({ length: n - 1 }, (_, i) => link(`l${i}`, `o${i}`, `o${i + 1}`)),
  );

describe("layoutForBox", () => {
  it("draws a long pipeline top to bottom in a narrow box, left to right in a wide one", () => {
    const workflow = chain(5);
    const wide = layoutForBox(workflow, { width: 1400, height: 400 });
    const narrow = layoutForBox(workflow, { width: 360, height: 700 });
    expect(wide.direction).toBe("LR");
    expect(wide.width).toBeGreaterThan(wide.height);
    expect(narrow.direction).toBe("TB");
    expect(narrow.height).toBeGreaterThan(narrow.width);
    const ys = narrow.operators.map((o) => o.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  it("stays left to right without a box or with one operator", () => {
    expect(layoutForBox(chain(5), null).direction).toBe("LR");
    expect(layoutForBox(chain(1), { width: 10, height: 1000 }).direction).toBe("LR");
  });
});

describe("layoutWorkflow", () => {
  it("places operators left to right along the links without overlaps", () => {
    const workflow = wf(
      [op("scan"), op("filter"), op("other"), op("join")],
      [link("l1", "scan", "filter"), link("l2", "filter", "join"), link("l3", "other", "join", 1)],
    );
    const { operators, links } = layoutWorkflow(workflow);
    const at = Object.fromEntries(operators.map((o) => [o.id, o]));
    expect(at.scan!.x).toBeLessThan(at.filter!.x);
    expect(at.filter!.x).toBeLessThan(at.join!.x);
    expect(at.other!.x).toBeLessThan(at.join!.x);
    for (const a of operators) {
      for (const b of operators) {
        if (a === b) continue;
        const apart = Math.abs(a.x - b.x) >= NODE_WIDTH || Math.abs(a.y - b.y) >= NODE_HEIGHT;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
    expect(links.map((l) => l.id)).toEqual(["l1", "l2", "l3"]);
    for (const o of operators) {
      expect(o.x).toBeGreaterThanOrEqual(-0.5);
      expect(o.y).toBeGreaterThanOrEqual(-0.5);
    }
  });

  it("keeps operators in order, drops dangling links and duplicate ids", () => {
    const workflow = wf(
      [op("b"), op("a"), op("b")],
      [link("x", "a", "gone"), link("self", "a", "a"), link("ok", "a", "b")],
    );
    const { operators, links } = layoutWorkflow(workflow);
    expect(operators.map((o) => o.id)).toEqual(["b", "a"]);
    expect(links.map((l) => l.id)).toEqual(["ok"]);
  });

  it("lays out an empty workflow", () => {
    expect(layoutWorkflow(emptyWorkflow())).toEqual({
      direction: "LR",
      operators: [],
      links: [],
      width: 0,
      height: 0,
    });
  });

  it("labels operators by display name, else type", () => {
    expect(operatorLabel(op("a", "Top customers"))).toBe("Top customers");
    expect(operatorLabel(op("a", "  "))).toBe("Filter");
  });
});
