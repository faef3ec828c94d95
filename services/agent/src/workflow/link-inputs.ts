import type { Workflow } from "@texera-agent/protocol";
import { addLink } from "./add-link.ts";
import { ToolInputError } from "./errors.ts";

/** Texera's `inputOperatorIds`: input port index (as a string key) → source operator ids. */
export type InputOperatorIds = Record<string, string[]>;

/** Links every source listed in `inputs` into the given port of `target`, in port order. */
export function linkInputs(wf: Workflow, target: string, inputs: InputOperatorIds): Workflow {
  let workflow = wf;
  const ports = Object.keys(inputs).sort((a, b) => Number(a) - Number(b));
  for (const key of ports) {
    if (!/^\d{1,2}$/.test(key)) {
      throw new ToolInputError(
        `inputOperatorIds keys are input port indexes such as "0" or "1"; got ${JSON.stringify(key)}`,
        "port_out_of_range",
      );
    }
    for (const source of inputs[key] ?? []) {
      workflow = addLink(workflow, { source, target, targetPort: Number(key) }).workflow;
    }
  }
  return workflow;
}
