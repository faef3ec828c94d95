// For tests: what Texera's frontend needs of a WorkflowContent to draw and edit it.
import { Value } from "@sinclair/typebox/value";
import { Workflow } from "@texera-agent/protocol";
import { expect } from "vitest";
import { findOperatorType } from "./catalog.ts";
import { validateProperties } from "./validate-properties.ts";

/**
 * Asserts that `wf` is a WorkflowContent Texera's frontend loads, field by field, from these sources in
 * apache/texera:
 * - frontend/src/app/workspace/service/workflow-graph/model/workflow-action.service.ts@aef712d
 *   (reloadWorkflow): `operators`, `operatorPositions[op.operatorID]` for every operator (else it throws
 *   "position error"), `links`, `commentBoxes`, `settings`;
 * - frontend/src/app/workspace/types/workflow-common.interface.ts@429e11e:64-79 (OperatorPredicate:
 *   operatorID, operatorType, operatorVersion, operatorProperties, inputPorts, outputPorts, showAdvanced
 *   required; isDisabled, customDisplayName, dynamic ports optional), :54-62 (PortDescription.portID),
 *   :102-107 (OperatorLink: linkID, source and target {operatorID, portID});
 * - the graph's link check (a link's ends are an output port of its source and an input port of its target).
 * Also that every operator is of a catalog type and its properties pass the type's JSON Schema.
 */
export function expectTexeraWorkflow(wf: unknown): void {
  expect([...Value.Errors(Workflow, wf)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
  const content = wf as Workflow;
  expect(Object.keys(content)).toEqual([
    "operators",
    "operatorPositions",
    "links",
    "commentBoxes",
    "settings",
  ]);
  expect(content.settings.dataTransferBatchSize).toBeGreaterThan(0);
  const ids = new Set<string>();
  for (const op of content.operators) {
    expect(typeof op.operatorID).toBe("string");
    expect(ids.has(op.operatorID)).toBe(false);
    ids.add(op.operatorID);
    expect(typeof op.operatorVersion).toBe("string");
    expect(typeof op.showAdvanced).toBe("boolean");
    expect(typeof op.operatorProperties).toBe("object");
    const position = content.operatorPositions[op.operatorID];
    expect(position, `position of ${op.operatorID}`).toBeDefined();
    expect(Number.isFinite(position!.x) && Number.isFinite(position!.y)).toBe(true);
    const type = findOperatorType(op.operatorType);
    expect(type, op.operatorType).toBeDefined();
    expect(op.inputPorts.map((p) => p.portID)).toEqual(type!.inputPorts.map((_, i) => `input-${i}`));
    expect(op.outputPorts.map((p) => p.portID)).toEqual(type!.outputPorts.map((_, i) => `output-${i}`));
    expect(op.inputPorts.map((p) => p.disallowMultiInputs)).toEqual(
      type!.inputPorts.map((p) => p.disallowMultiLinks),
    );
    expect(() => validateProperties(op.operatorType, op.operatorProperties)).not.toThrow();
  }
  const linkIds = new Set<string>();
  for (const link of content.links) {
    expect(linkIds.has(link.linkID)).toBe(false);
    linkIds.add(link.linkID);
    const source = content.operators.find((o) => o.operatorID === link.source.operatorID);
    const target = content.operators.find((o) => o.operatorID === link.target.operatorID);
    expect(source?.outputPorts.map((p) => p.portID)).toContain(link.source.portID);
    expect(target?.inputPorts.map((p) => p.portID)).toContain(link.target.portID);
  }
}
