import type { Operator, PortDescription } from "@texera-agent/protocol";
import type { OperatorType } from "./catalog.ts";

/**
 * Texera's agent writes "N/A": it reads the version from the metadata's additionalMetadata, where Texera
 * never puts it (../shared/TEXERA-AGENT-API.md §7.2; AS/agent/util/workflow-utils.ts:187).
 */
export const AGENT_OPERATOR_VERSION = "N/A";

/**
 * A new operator as Texera's agent builds one from the operator metadata (AS/agent/util/workflow-utils.ts:
 * 142-201): ports `input-<i>` / `output-<i>` in metadata order with the metadata's display names,
 * `disallowMultiInputs` from `disallowMultiLinks` (outputs: false), input dependencies, no advanced view,
 * not disabled, and the summary as its custom display name.
 */
export function newOperator(
  type: OperatorType,
  operatorID: string,
  operatorProperties: Record<string, unknown>,
  customDisplayName: string,
): Operator {
  const inputPorts: PortDescription[] = type.inputPorts.map((port, i) => ({
    portID: `input-${i}`,
    displayName: port.displayName,
    disallowMultiInputs: port.disallowMultiLinks,
    isDynamicPort: false,
    dependencies: port.dependencies.map((d) => ({ ...d })),
  }));
  const outputPorts: PortDescription[] = type.outputPorts.map((port, i) => ({
    portID: `output-${i}`,
    displayName: port.displayName,
    disallowMultiInputs: false,
    isDynamicPort: false,
  }));
  return {
    operatorID,
    operatorType: type.operatorType,
    operatorVersion: AGENT_OPERATOR_VERSION,
    operatorProperties,
    inputPorts,
    outputPorts,
    showAdvanced: false,
    isDisabled: false,
    customDisplayName,
    dynamicInputPorts: false,
    dynamicOutputPorts: false,
  };
}
