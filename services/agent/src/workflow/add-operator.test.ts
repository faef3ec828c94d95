import { emptyWorkflow } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import { addOperator } from "./add-operator.ts";
import { MAX_OPERATORS } from "./lookup.ts";
import { build, csv, expectToolError, filter, frozen, join } from "./testing.ts";

describe("addOperator", () => {
  it("builds Texera's operator from the catalog: ports, defaults, version, summary, position", () => {
    const before = frozen(emptyWorkflow());
    const { workflow, operatorId } = addOperator(before, {
      operatorId: "op1",
      operatorType: "CSVFileScan",
      properties: { fileName: "a.csv" },
      summary: "  Load a ",
    });
    expect(operatorId).toBe("op1");
    // the shape of Texera's agent (AS/agent/util/workflow-utils.ts:142-201; TEXERA-AGENT-API.md §7.3)
    expect(workflow.operators).toEqual([
      {
        operatorID: "op1",
        operatorType: "CSVFileScan",
        operatorVersion: "N/A",
        operatorProperties: {
          fileName: "a.csv",
          fileEncoding: "UTF_8",
          customDelimiter: ",",
          hasHeader: true,
        },
        inputPorts: [],
        outputPorts: [
          { portID: "output-0", displayName: "", disallowMultiInputs: false, isDynamicPort: false },
        ],
        showAdvanced: false,
        isDisabled: false,
        customDisplayName: "Load a",
        dynamicInputPorts: false,
        dynamicOutputPorts: false,
      },
    ]);
    expect(workflow.operatorPositions).toEqual({ op1: { x: 100, y: 100 } });
    expect(workflow.links).toEqual([]);
    expect(before.operators).toEqual([]);
  });

  it("gives a join its left and right ports, the right depending on the left", () => {
    const { wf } = build([join()]);
    expect(wf.operators[0]!.inputPorts).toEqual([
      {
        portID: "input-0",
        displayName: "left",
        disallowMultiInputs: true,
        isDynamicPort: false,
        dependencies: [],
      },
      {
        portID: "input-1",
        displayName: "right",
        disallowMultiInputs: true,
        isDynamicPort: false,
        dependencies: [{ id: 0, internal: false }],
      },
    ]);
    expect(build([["Union"]]).wf.operators[0]!.inputPorts[0]!.disallowMultiInputs).toBe(false);
  });

  it("links inputOperatorIds into the ports, and places the operator right of its inputs", () => {
    const { wf } = build([csv(), csv("c.csv")]);
    const { workflow } = addOperator(wf, {
      operatorId: "op3",
      operatorType: "HashJoin",
      properties: join()[1],
      inputOperatorIds: { "0": ["op1"], "1": ["op2"] },
    });
    expect(workflow.links.map((l) => [l.linkID, l.source, l.target])).toEqual([
      ["link-1", { operatorID: "op1", portID: "output-0" }, { operatorID: "op3", portID: "input-0" }],
      ["link-2", { operatorID: "op2", portID: "output-0" }, { operatorID: "op3", portID: "input-1" }],
    ]);
    expect(workflow.operatorPositions.op3!.x).toBeGreaterThan(workflow.operatorPositions.op1!.x);
  });

  it("is all or nothing: a bad input link leaves the workflow unchanged", () => {
    const { wf } = build([csv()]);
    expectToolError(
      () =>
        addOperator(wf, {
          operatorType: "Filter",
          properties: filter()[1],
          inputOperatorIds: { "0": ["op9"] },
        }),
      "unknown_operator",
      /no source operator "op9"/,
    );
    expectToolError(
      () =>
        addOperator(wf, {
          operatorType: "Filter",
          properties: filter()[1],
          inputOperatorIds: { "1": ["op1"] },
        }),
      "port_out_of_range",
    );
  });

  it("takes op<n> ids only, never one that exists; picks the next when none is given", () => {
    const { wf } = build([csv(), filter()]);
    expect(wf.operators.map((o) => o.operatorID)).toEqual(["op1", "op2"]);
    expect(addOperator(wf, { operatorType: "Distinct" }).operatorId).toBe("op3");
    expectToolError(
      () => addOperator(wf, { operatorId: "op2", operatorType: "Distinct" }),
      "duplicate_operator",
      /op3/,
    );
    expectToolError(
      () => addOperator(wf, { operatorId: "filter-1", operatorType: "Distinct" }),
      "invalid_arguments",
    );
  });

  it("refuses unknown types, invalid properties, an empty summary and a full workflow", () => {
    expectToolError(
      () => addOperator(emptyWorkflow(), { operatorType: "Filtr" }),
      "unknown_operator_type",
      /did you mean "Filter"/,
    );
    expectToolError(
      () => addOperator(emptyWorkflow(), { operatorType: "Filter" }),
      "invalid_properties",
      /Filter\.predicates is required/,
    );
    expectToolError(
      () => addOperator(emptyWorkflow(), { operatorType: "Distinct", summary: "  " }),
      "invalid_arguments",
    );
    let full = emptyWorkflow();
    for (let i = 0; i < MAX_OPERATORS; i++) full = addOperator(full, { operatorType: "Distinct" }).workflow;
    expectToolError(() => addOperator(full, { operatorType: "Distinct" }), "too_large", /delete some/);
  });
});
