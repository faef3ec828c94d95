import type { Operator } from "@texera-agent/protocol";
import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { type LayoutDirection, operatorLabel } from "../workflow-layout.ts";

export type OperatorNodeData = { operator: Operator; touched: boolean; direction: LayoutDirection };
export type OperatorFlowNode = Node<OperatorNodeData, "operator">;

/** One operator box of the DAG; `operator-<operatorID>` is its test id. */
export function OperatorNode({ data, selected }: NodeProps<OperatorFlowNode>) {
  const { operator, touched, direction } = data;
  const across = direction === "LR";
  const label = operatorLabel(operator);
  return (
    <div
      className={`operator-node${touched ? " is-touched" : ""}${selected ? " is-selected" : ""}`}
      data-testid={`operator-${operator.operatorID}`}
      data-operator-id={operator.operatorID}
      data-touched={touched ? "true" : "false"}
      data-operator-type={operator.operatorType}
      title={`${label} (${operator.operatorType}) · ${operator.operatorID}`}
    >
      <Handle type="target" position={across ? Position.Left : Position.Top} isConnectable={false} />
      <span className="operator-type">{operator.operatorType}</span>
      <span className="operator-name">{label === operator.operatorType ? operator.operatorID : label}</span>
      {touched && <span className="operator-flag">changed</span>}
      <Handle type="source" position={across ? Position.Right : Position.Bottom} isConnectable={false} />
    </div>
  );
}
