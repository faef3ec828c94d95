import { emptyWorkflow } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import { workflow } from "../engine/testing.ts";
import { build, csv, filter, join } from "./testing.ts";
import { validateWorkflow } from "./validate-workflow.ts";

describe("validateWorkflow", () => {
  it("finds nothing wrong with a complete DAG", () => {
    const { wf } = build(
      [csv(), csv("c.csv"), filter(), join(), ["Union"]],
      [
        [0, 2],
        [2, 3, 0],
        [1, 3, 1],
        [0, 4],
        [1, 4],
      ],
    );
    expect(validateWorkflow(wf)).toEqual([]);
  });

  it("reports an empty workflow and ports without links", () => {
    expect(validateWorkflow(emptyWorkflow())).toEqual([
      "the workflow has no operators; add a source such as CSVFileScan",
    ]);
    const { wf } = build([csv(), join(), ["Union"]], [[0, 1, 1]]);
    expect(validateWorkflow(wf)).toEqual([
      "op2 (HashJoin) has no link into its input-0 (left)",
      "op3 (Union) has no link into its input-0",
    ]);
  });

  it("reports what a workflow loaded from Texera may carry", () => {
    const wf = workflow(
      [
        ["a", "CSVFileScan", { fileName: "a.csv" }],
        ["a", "Distinct", {}],
        ["b", "PythonUDFV2", {}],
        ["c", "Limit", { limit: -1 }],
        ["d", "Distinct", {}],
        ["e", "Distinct", {}],
      ],
      [
        ["ghost", "c"],
        ["a", "c"],
        ["a", "nowhere"],
        ["a", "c", 4],
        ["d", "e"],
        ["e", "d"],
        ["c", "c"],
      ],
    );
    wf.links[1]!.linkID = "link-1";
    expect(validateWorkflow(wf)).toEqual([
      "operator id a is used more than once",
      'b has the operator type "PythonUDFV2", which this service cannot run',
      "c: Limit.limit must be >= 0; got -1.",
      "link link-1 comes from ghost, which is not in the workflow",
      "link id link-1 is used more than once",
      "link link-3 goes to nowhere, which is not in the workflow",
      "link link-4 goes to port input-4 of c (Limit), whose input ports are input-0",
      "link link-7 connects c to itself",
      "a (Distinct) has no link into its input-0",
      "input-0 of c has 3 links (link-1, link-1, link-7); it takes one",
      "the links form a cycle; no run order exists for c, d, e",
    ]);
  });
});
