// Helpers for this folder's tests.
import { emptyWorkflow, type Workflow } from "@texera-agent/protocol";
import { expect } from "vitest";
import { addLink } from "./add-link.ts";
import { addOperator } from "./add-operator.ts";
import { ToolInputError, type ToolInputErrorCode } from "./errors.ts";

export function frozen<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}

/** Builds a workflow: `ops` as [operatorType, properties], `links` as [sourceIndex, targetIndex, port?]. */
export function build(
  ops: [string, Record<string, unknown>?][],
  links: [number, number, number?][] = [],
): { wf: Workflow; ids: string[] } {
  let wf = emptyWorkflow();
  const ids: string[] = [];
  for (const [operatorType, properties] of ops) {
    const added = addOperator(wf, { operatorType, properties });
    wf = added.workflow;
    ids.push(added.operatorId);
  }
  for (const [s, t, targetPort] of links) {
    wf = addLink(wf, { source: ids[s]!, target: ids[t]!, targetPort }).workflow;
  }
  return { wf: frozen(wf), ids };
}

export const csv = (fileName = "orders.csv"): [string, Record<string, unknown>] => [
  "CSVFileScan",
  { fileName },
];
export const filter = (attribute = "amount"): [string, Record<string, unknown>] => [
  "Filter",
  { predicates: [{ attribute, condition: ">", value: "10" }] },
];
export const join = (): [string, Record<string, unknown>] => [
  "HashJoin",
  { buildAttributeName: "customerId", probeAttributeName: "id" },
];

/** Asserts that `fn` throws a ToolInputError with this code whose message matches `message`. */
export function expectToolError(
  fn: () => unknown,
  code: ToolInputErrorCode,
  message?: RegExp,
): ToolInputError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ToolInputError);
  const error = caught as ToolInputError;
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}
